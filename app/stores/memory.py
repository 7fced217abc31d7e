"""An in-process store (exact cosine search with numpy) for tests and tiny corpora.

Its collections live as long as the process, under the name of the location they were opened for (the
index directory), so a builder and a later `Index.open` in the same process see the same rows, the way
two clients of one Chroma server do.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from app.stores.base import Collection, Rows, Store, Where, matches

_SPACES: dict[str, dict[str, MemoryCollection]] = {}
_LOCK = threading.Lock()


class MemoryCollection(Collection):
    def __init__(self) -> None:
        self._rows: dict[str, tuple[np.ndarray, dict[str, Any], str | None]] = {}
        self._lock = threading.Lock()

    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        metadatas: Sequence[dict[str, Any]],
        documents: Sequence[str] | None = None,
    ) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        with self._lock:
            for i, row_id in enumerate(ids):
                self._rows[row_id] = (vectors[i], dict(metadatas[i]), documents[i] if documents else None)

    def _select(self, ids: Sequence[str] | None, where: Where | None) -> list[str]:
        with self._lock:
            keys = [i for i in ids if i in self._rows] if ids is not None else list(self._rows)
            return [k for k in keys if matches(where, self._rows[k][1])]

    def get(
        self,
        ids: Sequence[str] | None = None,
        where: Where | None = None,
        vectors: bool = False,
        documents: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> Rows:
        keys = self._select(ids, where)[offset : None if limit is None else offset + limit]
        rows = [self._rows[k] for k in keys]
        return Rows(
            ids=keys,
            metadatas=[dict(r[1]) for r in rows],
            documents=[r[2] for r in rows] if documents else [],
            vectors=np.array([r[0] for r in rows], dtype=np.float32) if vectors else None,
        )

    def delete(self, ids: Sequence[str] | None = None, where: Where | None = None) -> None:
        keys = self._select(ids, where)
        with self._lock:
            for key in keys:
                self._rows.pop(key, None)

    def query(
        self, vector: np.ndarray, k: int, where: Where | None = None, documents: bool = False
    ) -> tuple[list[tuple[str, float]], Rows]:
        keys = self._select(None, where)
        if not keys or k <= 0:
            return [], Rows()
        matrix = np.array([self._rows[key][0] for key in keys], dtype=np.float32)
        scores = matrix @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-scores)[:k]
        top = [keys[i] for i in order]
        return [(keys[i], float(scores[i])) for i in order], self.get(top, documents=documents)

    def count(self) -> int:
        return len(self._rows)


class MemoryStore(Store):
    def __init__(self, location: str) -> None:
        with _LOCK:
            self._collections = _SPACES.setdefault(location, {})

    def collection(self, name: str) -> Collection:
        with _LOCK:
            return self._collections.setdefault(name, MemoryCollection())

    def drop(self, name: str) -> None:
        with _LOCK:
            self._collections.pop(name, None)

    def names(self) -> list[str]:
        return list(self._collections)
