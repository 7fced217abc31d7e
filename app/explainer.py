"""The one core object the CLI, the chat UI and the API all call."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator

import numpy as np

from app.answering import Answer, make_answerer
from app.answering.extractive import as_of
from app.answering.question import Question
from app.config import Settings
from app.embeddings import Embedder, get_embedder
from app.errors import QuestionError
from app.index import Index
from app.names import NameIndex
from app.retrieval import Hit, Mode, Retriever
from app.stores import Filters
from app.timeline import load_events


class Explainer:
    """Loads the index once and answers questions with citations."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings.embedder)
        self.index = Index.open(settings)
        self.names = NameIndex.load(settings.names_file)
        self.retriever = Retriever(self.index, self.embedder)
        self.events = load_events(settings.timeline_file) if settings.timeline_file.exists() else []
        self.answerer = make_answerer(settings, self.index, self.names, events=self.events)
        self.present_hint = self.index.stats.latest_as_of
        self._generation = self.index.generation

    def _follow_index(self) -> None:
        """Another process ingested documents: rebuild what was derived from the index's content."""
        if self.index.generation != self._generation:
            self._generation = self.index.generation
            self.answerer = make_answerer(self.settings, self.index, self.names, events=self.events)
            self.present_hint = self.index.stats.latest_as_of

    def check_question(self, question: str) -> str:
        """The question stripped, or a `QuestionError` saying what is wrong with it."""
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("The question is empty: type a question about the Nagorno-Karabakh conflict.")
        question = " ".join(question.split())
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionError(f"The question is too long ({len(question)} characters; the limit is {limit}).")
        return question

    def search(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        history: list[str] | None = None,
    ) -> list[Hit]:
        """The passages retrieved for a question (with its conversation history, if any)."""
        q = self.answerer.analyse(self.check_question(question), history)
        return self.retriever.search(self.names.expand(q.search_text), k, filters, mode)

    def retrieve(
        self, question: str, history: list[str] | None = None, filters: Filters | None = None, mode: Mode = "hybrid"
    ) -> tuple[Question, list[Hit], np.ndarray]:
        """The question analysed, the passages retrieved for it and its embedding (what an answerer needs)."""
        self._follow_index()
        q = self.answerer.analyse(question, history)
        query = self.names.expand(q.search_text)
        vector = self.embedder.embed_query(query)
        if q.predicate_text:  # what is asked about the names, compared with each sentence on its own
            q = dataclasses.replace(q, predicate_vector=self.embedder.embed_query(q.predicate_text))
        if q.present and self.present_hint:
            # search for the sources' own 'As of November 2025' statements too; sentences are still scored
            # against the question itself, so the hint cannot make an off-topic question look answerable
            query = f"{query} ({self.present_hint})"
            hits = self.retriever.search(
                query, filters=filters, mode=mode, query_vector=self.embedder.embed_query(query)
            )
        else:
            hits = self.retriever.search(query, filters=filters, mode=mode, query_vector=vector)
        return q, hits, vector

    def ask(
        self,
        question: str,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        id: str | None = None,  # noqa: A002 - the batch id is part of the public JSON
        history: list[str] | None = None,
    ) -> Answer:
        """Answer one question with cited sentences, or abstain. `history` holds the earlier questions of
        the conversation, so that a follow-up is understood in their context."""
        started = time.perf_counter()
        question = self.check_question(question)
        q, hits, vector = self.retrieve(question, history, filters, mode)
        retrieved = time.perf_counter()
        answer = self.answerer.answer(q, hits, vector)
        answer.question = question
        if not answer.abstained:  # both names of a contested place, whichever one the source used
            answer.answer = self.names.pair_names(answer.answer)
        if q.present and not answer.abstained:  # 'Who currently...': say how current that is
            answer.as_of = as_of(answer, self.index.documents)
        done = time.perf_counter()
        answer.id = id
        answer.timings = {
            "retrieve_ms": round((retrieved - started) * 1000, 2),
            "answer_ms": round((done - retrieved) * 1000, 2),
        }
        answer.latency_ms = round((done - started) * 1000, 2)
        return answer

    def ask_stream(
        self, question: str, filters: Filters | None = None, history: list[str] | None = None
    ) -> Iterator[tuple[str, Answer]]:
        """Yield the answer text as it grows, sentence by sentence, with the final `Answer` each time."""
        answer = self.ask(question, filters, history=history)
        if answer.abstained:
            yield answer.answer, answer
            return
        # one step per cited sentence: the answer split after each group of [n] markers
        parts = re.split(r"(?<=\])\s+(?=[^\[\s])", answer.answer)
        for i in range(1, len(parts) + 1):
            yield " ".join(parts[:i]), answer
