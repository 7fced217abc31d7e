"""The configurations an evaluation compares, looked up by name.

Each system takes a question and returns the documents it ranked, its answer and its stage timings.
`hybrid`, `dense` and `bm25` are the product with one retriever each; `langchain-naive` is the anchor we
must beat: langchain-chroma `similarity_search` top 4 over plain character chunks, answering with the top
chunk's first sentences.
"""

from __future__ import annotations

import copy
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.evaluation.dataset import EvalQuestion
from app.explainer import Explainer


@dataclass
class SystemResult:
    ranked_docs: list[str]
    answer: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


class ExplainerSystem:
    """The product itself, with one retrieval mode and, optionally, another answer backend."""

    def __init__(self, explainer: Explainer, mode: str, backend: str | None = None, scorer: str | None = None) -> None:
        if backend is not None or scorer is not None:
            from app.answering import make_answerer

            update = {"answer_backend": backend or explainer.settings.answer_backend,
                      "answer_scorer": scorer or explainer.settings.answer_scorer}
            settings = explainer.settings.model_copy(update=update)
            explainer = copy.copy(explainer)
            explainer.answerer = make_answerer(settings, explainer.index, explainer.names, events=explainer.events)
        self.explainer = explainer
        self.mode = mode

    def run(self, q: EvalQuestion) -> SystemResult:
        ranked = [h.document.id for h in self.explainer.search(q.question, k=10, mode=self.mode)]  # type: ignore[arg-type]
        answer = self.explainer.ask(q.question, mode=self.mode, history=q.history)  # type: ignore[arg-type]
        timings = {"retrieve_ms": answer.timings["retrieve_ms"], "answer_ms": answer.timings["answer_ms"],
                   "total_ms": answer.latency_ms}
        return SystemResult(ranked, answer.to_dict(), timings)


class LangChainNaive:
    """A plain LangChain RAG baseline over the same documents and the same embedding model."""

    def __init__(self, explainer: Explainer) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.embeddings import Embeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        embedder = explainer.embedder

        class _Embeddings(Embeddings):
            def embed_documents(self, texts: list[str]) -> list[list[float]]:
                return embedder.embed(texts).tolist()

            def embed_query(self, text: str) -> list[float]:
                return embedder.embed_query(text).tolist()

        self.explainer = explainer
        self._tmp = tempfile.TemporaryDirectory(prefix="naive-chroma-")
        client = chromadb.PersistentClient(self._tmp.name, settings=ChromaSettings(anonymized_telemetry=False))
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        texts, metas = [], []
        for doc in explainer.index.documents.values():
            for piece in splitter.create_documents([doc.text], metadatas=[{"doc_id": doc.id}]):
                texts.append(piece.page_content)
                metas.append(piece.metadata)
        self.store = Chroma(client=client, collection_name="naive", embedding_function=_Embeddings())
        self.store.add_texts(texts, metadatas=metas)

    def run(self, q: EvalQuestion) -> SystemResult:
        from app.chunking import split_sentences

        started = time.perf_counter()
        docs = self.store.similarity_search(q.question, k=4)
        retrieved = time.perf_counter()
        ranked = [d.metadata["doc_id"] for d in docs]
        answer: dict[str, Any] = {"question": q.question, "answer": "", "abstained": False, "citations": []}
        if docs:
            top = docs[0]
            document = self.explainer.index.documents[top.metadata["doc_id"]]
            start = int(top.metadata["start_index"])
            spans = split_sentences(document.text, start, start + len(top.page_content))[:2]
            if spans:
                s, e = spans[0].start, spans[-1].end
                quote = document.text[s:e]
                answer["answer"] = f"{quote} [1]"
                answer["citations"] = [{"n": 1, "doc_id": document.id, "quote": quote, "start": s, "end": e}]
        done = time.perf_counter()
        timings = {"retrieve_ms": (retrieved - started) * 1000, "answer_ms": (done - retrieved) * 1000,
                   "total_ms": (done - started) * 1000}
        return SystemResult(ranked, answer, timings)


SYSTEMS: dict[str, Callable[[Explainer], Any]] = {
    "hybrid": lambda e: ExplainerSystem(e, "hybrid"),
    "dense": lambda e: ExplainerSystem(e, "dense"),
    "bm25": lambda e: ExplainerSystem(e, "bm25"),
    # the same pipeline with the hand-weighted sentence formula the learned scorer replaced
    "rules": lambda e: ExplainerSystem(e, "hybrid", scorer="rules"),
    "langchain-naive": LangChainNaive,
    # hybrid retrieval with an LLM answer backend (configured by the EXPLAINER_LLM_* settings)
    "llamacpp": lambda e: ExplainerSystem(e, "hybrid", "llamacpp"),
    "ollama": lambda e: ExplainerSystem(e, "hybrid", "ollama"),
    "openai": lambda e: ExplainerSystem(e, "hybrid", "openai"),
}
DEFAULT_SYSTEMS = ["hybrid", "rules", "dense", "bm25", "langchain-naive"]
