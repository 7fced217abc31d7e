"""An in-memory vector store (exact cosine search with numpy) for tests and tiny corpora."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from app.stores.base import Filters, VectorStore


class MemoryStore(VectorStore):
    def __init__(self) -> None:
        self._ids: list[str] = []
        self._metas: list[dict[str, Any]] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)

    def add(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]) -> None:
        if not len(ids):
            return
        vectors = np.asarray(vectors, dtype=np.float32)
        self._matrix = vectors if not self._ids else np.vstack([self._matrix, vectors])
        self._ids.extend(ids)
        self._metas.extend(metadatas)

    def query(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        if not self._ids:
            return []
        scores = self._matrix @ np.asarray(vector, dtype=np.float32)
        if filters and filters.active:
            mask = np.array([filters.matches(m) for m in self._metas])
            scores = np.where(mask, scores, -np.inf)
        order = np.argsort(-scores)[:k]
        return [(self._ids[i], float(scores[i])) for i in order if np.isfinite(scores[i])]

    def count(self) -> int:
        return len(self._ids)
