"""Retrieval: question -> `Hit`s, by dense search, BM25, or both fused with reciprocal-rank fusion."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from app.chunking import Chunk
from app.embeddings import Embedder
from app.index import Index
from app.ingest import KINDS, Document
from app.stores import Filters, Rows
from app.text import tokenize

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")
TOKEN_CACHE = 5_000  # passages whose token sets the retriever keeps for de-duplication


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


def rrf(rankings: list[list[Hashable]], k: int = 60) -> dict[Hashable, float]:
    """Reciprocal-rank fusion: each ranking adds 1/(k + rank) to the items it ranks."""
    fused: dict[Hashable, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class Retriever:
    """Dense search in the store, BM25 in the lexical index, both filtered inside their engines, fused."""

    def __init__(self, index: Index, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder
        self._tokens: OrderedDict[str, set[str]] = OrderedDict()  # passage id -> tokens, for de-duplication

    def _chunk_tokens(self, row_id: str, text: str) -> set[str]:
        tokens = self._tokens.get(row_id)
        if tokens is None:
            tokens = self._tokens[row_id] = set(tokenize(text))
            if len(self._tokens) > TOKEN_CACHE:
                self._tokens.popitem(last=False)
        return tokens

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
        index = self.index
        index.refresh()
        settings = index.settings
        k = k or settings.retrieve_k
        asked = bool(filters and filters.active)
        if not (filters and "timeline" in filters.kinds):
            # the rendered timeline repeats the documents in one line a date; it answers timeline questions
            # through its own path, so ordinary search leaves it out unless asked for by kind
            filters = Filters(
                tuple(filters.kinds) if filters and filters.kinds else tuple(k_ for k_ in KINDS if k_ != "timeline"),
                filters.date_from if filters else None,
                filters.date_to if filters else None,
            )
        depth = max(settings.candidate_k, k)
        dense: dict[str, float] = {}
        lexical: dict[str, float] = {}
        rankings: list[list[str]] = []
        rows = Rows()
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(question) if query_vector is None else query_vector
            if asked:  # the reader's filter runs inside the engine
                ranked, rows = index.passages.query(vector, depth, filters.to_chroma_where(), documents=True)
            else:
                # only the timeline is left out: an unfiltered nearest-neighbour query is far cheaper than
                # a metadata filter over the whole library (~3 ms against ~300 ms at 100k passages); it
                # goes a little deeper, and all the way (every left-out passage) only when that was short
                extra = index.passages_of_kinds([k_ for k_ in KINDS if k_ not in filters.kinds])
                for deeper in (min(extra, settings.exclusion_margin), extra):
                    ranked, rows = index.passages.query(vector, depth + deeper, None, documents=True)
                    keep = [i for i, m in enumerate(rows.metadatas) if m.get("kind") in filters.kinds][:depth]
                    if len(keep) >= depth or len(ranked) < depth + deeper:
                        break
                rows = Rows([rows.ids[i] for i in keep], [rows.metadatas[i] for i in keep],
                            [rows.documents[i] for i in keep])
                ranked = [ranked[i] for i in keep]
            dense = dict(ranked)
            rankings.append([row_id for row_id, _ in ranked])
        if mode in ("hybrid", "bm25"):
            ranked, more = index.lexical.search(
                query_tokens if query_tokens is not None else question, depth, filters
            )
            lexical = dict(ranked)
            rankings.append([row_id for row_id, _ in ranked])
            rows = Rows(rows.ids + more.ids, rows.metadatas + more.metadatas, rows.documents + more.documents)
        live = index.live(rows)

        fused = rrf(rankings, settings.rrf_k) if mode == "hybrid" else dense or lexical
        hits: list[Hit] = []
        kept_tokens: list[set[str]] = []
        for row_id in sorted(fused, key=fused.__getitem__, reverse=True):
            if row_id not in live:
                continue  # a version no document row points at (being replaced, or left by a killed write)
            chunk, document = live[row_id]
            tokens = self._chunk_tokens(row_id, chunk.text)
            if any(jaccard(tokens, other) >= settings.dedup_jaccard for other in kept_tokens):
                continue
            hits.append(Hit(chunk, document, fused[row_id], dense.get(row_id, 0.0), lexical.get(row_id, 0.0)))
            kept_tokens.append(tokens)
            if len(hits) >= k:
                break
        return hits
