"""BM25 lexical index over chunks (bm25s), saved beside the vector index."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from app.text import tokenize


class LexicalIndex:
    def __init__(self, retriever) -> None:  # noqa: ANN001 - bm25s.BM25
        self._bm25 = retriever

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25()
        corpus = [tokenize(t) or ["_empty_"] for t in texts]
        retriever.index(corpus, show_progress=False)
        return cls(retriever)

    def save(self, path: Path) -> None:
        self._bm25.save(str(path), show_progress=False)

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(path), show_progress=False))

    def scores(self, query: str | Sequence[str]) -> np.ndarray:
        """BM25 score of every chunk (row order of the index) for a question or its tokens."""
        tokens = tokenize(query) if isinstance(query, str) else list(query)
        known = [t for t in tokens if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self._bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
