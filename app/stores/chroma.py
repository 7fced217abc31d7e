"""Chroma: embedded (`PersistentClient` inside the index directory) or a Chroma server (`HttpClient`).

All Chroma client construction lives in `make_client`, so switching to server mode is configuration only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from app.config import set_offline_env
from app.stores.base import Filters, VectorStore

ADD_BATCH = 1000


def make_client(path: Path | None, host: str | None = None, port: int = 8000) -> Any:
    """An embedded client on `path`, or an HTTP client when a server `host` is configured."""
    set_offline_env()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    if path is None:
        raise ValueError("embedded Chroma needs a directory")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class ChromaStore(VectorStore):
    """One Chroma collection holding one index generation's chunk vectors (cosine space)."""

    def __init__(self, client: Any, collection: str, create: bool = False) -> None:
        self._client = client
        self.collection_name = collection
        if create:
            with contextlib.suppress(Exception):  # absent collection; Chroma raises varying types
                client.delete_collection(collection)
            self._col = client.create_collection(
                collection, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
        else:
            self._col = client.get_collection(collection, embedding_function=None)

    def add(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]) -> None:
        for i in range(0, len(ids), ADD_BATCH):
            self._col.add(
                ids=list(ids[i : i + ADD_BATCH]),
                embeddings=np.asarray(vectors[i : i + ADD_BATCH], dtype=np.float32),
                metadatas=list(metadatas[i : i + ADD_BATCH]),
            )

    def query(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        k = min(k, self.count())
        if k <= 0:
            return []
        where = filters.to_chroma_where() if filters else None
        result = self._col.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=k, where=where,
            include=["distances"],
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    def count(self) -> int:
        return self._col.count()

    def drop(self) -> None:
        self._client.delete_collection(self.collection_name)
