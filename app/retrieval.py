"""Retrieval: question -> `Hit`s, by dense search, BM25, or both fused with reciprocal-rank fusion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from app.chunking import Chunk
from app.embeddings import Embedder
from app.index import Index
from app.ingest import KINDS, Document
from app.stores import Filters
from app.text import tokenize

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")


@dataclass
class Hit:
    """A retrieved passage with the scores that put it there."""

    chunk: Chunk
    document: Document
    score: float
    dense: float = 0.0
    lexical: float = 0.0

    def to_dict(self) -> dict:
        return {
            "chunk_id": self.chunk.id,
            "doc_id": self.document.id,
            "title": self.document.title,
            "kind": self.document.kind,
            "date": self.document.date_label,
            "headings": self.chunk.headings,
            "text": self.chunk.text,
            "start": self.chunk.start,
            "end": self.chunk.end,
            "score": round(self.score, 6),
            "dense": round(self.dense, 6),
            "bm25": round(self.lexical, 6),
        }


def rrf(rankings: list[list[int]], k: int = 60) -> dict[int, float]:
    """Reciprocal-rank fusion: each ranking adds 1/(k + rank) to the items it ranks."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class Retriever:
    def __init__(self, index: Index, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder
        self._tokens = [set(tokenize(c.text)) for c in index.chunks]

    def search(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        query_vector: np.ndarray | None = None,
        query_tokens: list[str] | None = None,
    ) -> list[Hit]:
        """The best `k` passages for `question`, near-duplicates removed."""
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
        settings = self.index.settings
        k = k or settings.retrieve_k
        if not (filters and "timeline" in filters.kinds):
            # the rendered timeline repeats the documents in one line a date; it answers timeline questions
            # through its own path, so ordinary search leaves it out unless asked for by kind
            filters = Filters(
                tuple(filters.kinds) if filters and filters.kinds else tuple(k_ for k_ in KINDS if k_ != "timeline"),
                filters.date_from if filters else None,
                filters.date_to if filters else None,
            )
        depth = max(settings.candidate_k, k)
        dense: dict[int, float] = {}
        lexical: dict[int, float] = {}
        rankings: list[list[int]] = []
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(question) if query_vector is None else query_vector
            for chunk_id, sim in self.index.store.query(vector, depth, filters):
                dense[self.index.chunk_row[chunk_id]] = sim
            rankings.append(sorted(dense, key=dense.__getitem__, reverse=True))
        if mode in ("hybrid", "bm25"):
            scores = self.index.lexical.scores(query_tokens if query_tokens is not None else question)
            if filters and filters.active:
                mask = np.array([filters.matches(m) for m in self.index.chunk_meta], dtype=bool)
                scores = np.where(mask, scores, 0.0)
            top = [int(i) for i in np.argsort(-scores)[:depth] if scores[i] > 0]
            lexical = {i: float(scores[i]) for i in top}
            rankings.append(top)

        fused = rrf(rankings, settings.rrf_k) if mode == "hybrid" else {
            i: (dense or lexical)[i] for i in (dense or lexical)
        }
        hits: list[Hit] = []
        kept_tokens: list[set[str]] = []
        for row in sorted(fused, key=fused.__getitem__, reverse=True):
            tokens = self._tokens[row]
            if any(jaccard(tokens, other) >= settings.dedup_jaccard for other in kept_tokens):
                continue
            chunk = self.index.chunks[row]
            hits.append(
                Hit(chunk, self.index.documents[chunk.doc_id], fused[row], dense.get(row, 0.0), lexical.get(row, 0.0))
            )
            kept_tokens.append(tokens)
            if len(hits) >= k:
                break
        return hits
