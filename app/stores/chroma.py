"""Chroma: embedded (`PersistentClient` inside the index directory) or a Chroma server (`HttpClient`).

All Chroma client construction lives in `make_client`, so switching to server mode is configuration only.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from app.config import set_offline_env
from app.stores.base import Collection, Rows, Store, Where

WRITE_BATCH = 2000  # rows per upsert call (Chroma caps a call at its max batch size)
READ_BATCH = 1000  # ids per get call

log = logging.getLogger(__name__)


#: the nearest-neighbour index of every collection, set so that the same query finds the same neighbours in
#: every process (answers, evaluations and training varied run to run before):
#: - a search breadth of a few hundred, not Chroma's default, at well under a millisecond per query here;
#: - the graph saved to disk every 100 writes, not every 1,000. Writes not yet saved are replayed into the
#:   graph each time a process opens the collection, on several threads, so each process built a slightly
#:   different graph: with 700 passages (all below the old threshold) one train question in 1,491 got a
#:   different passage in two processes, enough to move 18 answerability labels of `explainer train`.
#:   Saving costs nothing measurable (20k upserts 9.0 s either way); under 100 writes are left unsaved.
SYNC_EVERY = 100
HNSW = {"space": "cosine", "ef_search": 300, "sync_threshold": SYNC_EVERY, "batch_size": SYNC_EVERY}
#: the settings Chroma lets an existing collection change (an index built before them gets them on opening)
MUTABLE_HNSW = ("ef_search", "sync_threshold", "batch_size")


def make_client(path: Path | None, host: str | None = None, port: int = 8000) -> Any:
    """An embedded client on `path`, or an HTTP client when a server `host` is configured."""
    set_offline_env()
    try:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
    except ImportError as exc:  # pragma: no cover - chromadb is a dependency
        raise RuntimeError("the chroma store needs the chromadb package: pip install chromadb") from exc

    settings = ChromaSettings(anonymized_telemetry=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    if path is None:
        raise ValueError("embedded Chroma needs a directory")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def _where(where: Where | None) -> Where | None:
    """Chroma wants `$and` to have two clauses or more."""
    if where and "$and" in where and len(where["$and"]) == 1:
        return where["$and"][0]
    return where or None


class ChromaCollection(Collection):
    """One Chroma collection in cosine space; vectors are always supplied (no embedding function)."""

    def __init__(self, col: Any, max_batch: int) -> None:
        self._col = col
        self._batch = max(1, min(WRITE_BATCH, max_batch))

    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        metadatas: Sequence[dict[str, Any]],
        documents: Sequence[str] | None = None,
    ) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        for i in range(0, len(ids), self._batch):
            part = slice(i, i + self._batch)
            self._col.upsert(
                ids=list(ids[part]),
                embeddings=vectors[part],
                metadatas=list(metadatas[part]),
                documents=list(documents[part]) if documents is not None else None,
            )

    def get(
        self,
        ids: Sequence[str] | None = None,
        where: Where | None = None,
        vectors: bool = False,
        documents: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> Rows:
        include = ["metadatas"] + (["embeddings"] if vectors else []) + (["documents"] if documents else [])
        if ids is not None and len(ids) > READ_BATCH:
            parts = [self.get(ids[i : i + READ_BATCH], where, vectors, documents)
                     for i in range(0, len(ids), READ_BATCH)]
            return Rows(
                ids=[x for p in parts for x in p.ids],
                metadatas=[x for p in parts for x in p.metadatas],
                documents=[x for p in parts for x in p.documents],
                vectors=np.concatenate([p.vectors for p in parts if p.vectors is not None and len(p.ids)])
                if vectors and any(p.ids for p in parts) else (np.zeros((0, 0), np.float32) if vectors else None),
            )
        if ids is not None and not ids:
            return Rows(vectors=np.zeros((0, 0), np.float32) if vectors else None)
        result = self._col.get(
            ids=list(ids) if ids is not None else None, where=_where(where), include=include,
            limit=limit, offset=offset or None,
        )
        got = result["ids"]
        order = list(range(len(got)))
        if ids is not None:  # Chroma returns rows in its own order: put them back in the order asked for
            position = {row_id: i for i, row_id in enumerate(got)}
            order = [position[i] for i in ids if i in position]
        emb = result.get("embeddings") if vectors else None
        return Rows(
            ids=[got[i] for i in order],
            metadatas=[dict(result["metadatas"][i] or {}) for i in order],
            documents=[result["documents"][i] for i in order] if documents else [],
            vectors=np.asarray([emb[i] for i in order], dtype=np.float32) if vectors else None,
        )

    def delete(self, ids: Sequence[str] | None = None, where: Where | None = None) -> None:
        if ids is not None:
            for i in range(0, len(ids), READ_BATCH):
                self._col.delete(ids=list(ids[i : i + READ_BATCH]), where=_where(where))
        elif where:
            self._col.delete(where=_where(where))

    def query(
        self, vector: np.ndarray, k: int, where: Where | None = None, documents: bool = False
    ) -> tuple[list[tuple[str, float]], Rows]:
        if k <= 0:
            return [], Rows()
        include = ["distances", "metadatas"] + (["documents"] if documents else [])
        try:
            result = self._col.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=k, where=_where(where),
                include=include,
            )
        except Exception as exc:  # an empty collection; Chroma raises varying types
            if self._col.count() == 0:
                return [], Rows()
            raise exc
        ids = result["ids"][0]
        ranked = [(cid, 1.0 - float(d)) for cid, d in zip(ids, result["distances"][0], strict=True)]
        rows = Rows(
            ids=list(ids),
            metadatas=[dict(m or {}) for m in result["metadatas"][0]],
            documents=list(result["documents"][0]) if documents else [],
        )
        return ranked, rows

    def count(self) -> int:
        return self._col.count()


def update_hnsw(col: Any) -> None:
    """Give a collection created with older settings today's `HNSW` (creating one sets them already)."""
    have = (getattr(col, "configuration_json", None) or {}).get("hnsw") or {}
    stale = {key: HNSW[key] for key in MUTABLE_HNSW if key in have and have[key] != HNSW[key]}
    if stale:
        log.info("collection %s: updating its search index settings %s", col.name, stale)
        col.modify(configuration={"hnsw": stale})


class ChromaStore(Store):
    """Collections of one Chroma client (embedded directory or server)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._max_batch = int(client.get_max_batch_size())
        self._open: dict[str, ChromaCollection] = {}

    def collection(self, name: str) -> Collection:
        if name not in self._open:
            col = self._client.get_or_create_collection(
                name, configuration={"hnsw": HNSW}, embedding_function=None
            )
            update_hnsw(col)
            self._open[name] = ChromaCollection(col, self._max_batch)
        return self._open[name]

    def drop(self, name: str) -> None:
        self._open.pop(name, None)
        with contextlib.suppress(Exception):  # absent collection; Chroma raises varying types
            self._client.delete_collection(name)

    def names(self) -> list[str]:
        return [c if isinstance(c, str) else c.name for c in self._client.list_collections()]
