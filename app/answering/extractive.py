"""The extractive answerer: the retrieved passages' sentences, scored, chosen and quoted (no LLM needed).

Every answer sentence is a source sentence quoted exactly and followed by its `[n]` marker, so every
claim is grounded by construction. The pipeline, stage by stage: analyse the question once; turn the
passages into candidate sentences with features; score them (the learned model); decline with a reason
when a rule says the sources do not answer (correcting a false premise with what they do say); otherwise
select the sentences the kind of question needs and compose them.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import numpy as np

from app.answering import abstention, compose, cues, selection
from app.answering.answer import Answer
from app.answering.claims import Claims
from app.answering.features import Candidate, Featurizer
from app.answering.question import Question, QuestionAnalyser
from app.answering.scoring import Scorer
from app.answering.timeline import TimelineAnswers
from app.answering.tuning import Tuning
from app.index import Index
from app.names import NameIndex
from app.retrieval import Hit
from app.timeline import Event

log = logging.getLogger(__name__)


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, index: Index, names: NameIndex, scorer: Scorer, tuning: Tuning,
                 events: list[Event] | None = None, claims: Claims | None = None) -> None:
        self.index = index
        self.tuning = tuning
        self.scorer = scorer
        self.claims = claims or Claims()
        self.featurizer = Featurizer(index, names)
        stats = index.stats
        self.analyser = QuestionAnalyser(names, stats.df, stats.sentences, tuning.common_df_share,
                                         tuning.history_weight)
        self.latest_year = stats.latest_year
        self.timeline = TimelineAnswers(index, events or [], self.featurizer, tuning)

    def analyse(self, question: str, history: list[str] | None = None) -> Question:
        return self.analyser.analyse(question, history)

    def candidates(self, q: Question, hits: list[Hit], query_vector: np.ndarray) -> tuple[list[Candidate], np.ndarray]:
        """The candidate sentences of the passages and their feature matrix (what a scorer is trained on)."""
        cands = self.featurizer.candidates(hits[: self.tuning.passages])
        return cands, self.featurizer.featurize(q, cands, query_vector, self.tuning.premise_window)

    def rank(self, q: Question, hits: list[Hit], query_vector: np.ndarray) -> list[Candidate]:
        """The candidate sentences of the passages, scored, best first."""
        cands, matrix = self.candidates(q, hits, query_vector)
        self.scorer.score(q, cands, matrix)
        return sorted(cands, key=lambda c: c.p, reverse=True)

    def answer(self, q: Question, hits: list[Hit], query_vector: np.ndarray) -> Answer:
        return self.respond(q, self.rank(q, hits, query_vector), query_vector)

    def respond(self, q: Question, ranked: list[Candidate], query_vector: np.ndarray) -> Answer:
        """The answer from scored candidates: a timeline, a declined question, or the chosen sentences."""
        events = self.timeline.select(q, query_vector, ranked) if q.kind == "timeline" else None
        if events and not abstention.reason(q, [*events, *ranked], self.context(1.0), abstention.HARD_RULES):
            # the hard rules (a time after the sources, a name no source mentions) hold for a timeline too, the
            # timeline being a source like the passages; the model's answerability does not, as it counts a
            # timeline that misses one event as wrong
            return compose.answer(q.text, events, self.index)
        p = self.scorer.answerable(q, ranked, self.latest_year) if ranked else 0.0
        holders = selection.office_holders(q, self.claims, self.featurizer, self.index)
        if holders or self.as_of_stated(q, ranked):
            p = 1.0  # structured facts or the sources' own 'As of' statement answer it, whatever the model says
        why = abstention.reason(q, ranked, self.context(p))
        if why:
            correction = self.scorer.correction(q, ranked) if ranked else None
            if correction is not None:  # what the sources say instead is the reason
                why = f"a close source contradicts the question's premise ({why})"
            return compose.decline(q.text, ranked, why, correction, self.index)
        return compose.answer(q.text, *self.select(q, ranked, holders))

    def context(self, p_answerable: float) -> abstention.Context:
        return abstention.Context(self.featurizer, self.tuning, self.latest_year, p_answerable)

    def as_of_stated(self, q: Question, ranked: list[Candidate]) -> bool:
        """For a question about the present: whether a close 'As of <month year>' sentence names everything
        the question names (the sources' own statement of the state they last saw, which the model does not
        score as such)."""
        if not q.present or not ranked:
            return False
        close = ranked[: self.tuning.named_depth]
        return any(cues.AS_OF.search(c.text) and set(q.names) <= c.terms for c in close)

    def select(self, q: Question, ranked: list[Candidate], holders: list[Candidate]
               ) -> tuple[list[Candidate], Index, str]:
        """The sentences the question's kind needs, in the order they are told, and a yes/no lead;
        `holders` are the office holders of claims.yaml the question asks for (the whole list, if any)."""
        if q.kind == "yes-no":
            best = selection.naming_all(q, ranked, self.tuning)
            return [best], self.index, "Yes." if self.scorer.yes(q, best) else "No."
        chosen = holders or selection.by_probability(q, ranked, self.tuning)
        find = (lambda doc_id, sentence: selection.locate(self.index, self.featurizer, doc_id, sentence))  # noqa: E731
        chosen = selection.rival_claims(q, ranked, chosen, self.claims, find, self.tuning)
        if q.kind in ("why", "how", "other") and not holders:
            chosen = selection.chronological(chosen)
        if q.present:
            chosen = selection.latest_first(chosen, ranked, self.tuning)
        return chosen, self.index, ""


def as_of(answer: Answer, documents: Any) -> str:
    """The latest date the documents an answer cites cover ('30 November 2025'), or '' without citations."""
    dates = []
    for c in answer.citations:
        doc = documents.get(c.doc_id)
        if doc is not None:
            dates += [d for d in (doc.date, doc.period_end, doc.period_start) if d]
    latest = max((d for d in dates if len(d) == len("2025-11-30")), default="")
    return dt.date.fromisoformat(latest).strftime("%-d %B %Y") if latest else ""
