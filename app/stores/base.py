"""The store contract (named collections of rows with vectors, metadata and text) and retrieval filters.

A store is the system of record of the index: documents, passages and sentences are rows of its
collections, and one small `state` row says which space (set of collections) is live. Backends: embedded
or server Chroma (`chroma.py`) and an in-process store for tests (`memory.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: A Chroma-style `where` clause: {"field": value}, {"field": {"$in"|"$ne"|"$gte"|"$lte": ...}}, {"$and": [...]}.
Where = dict[str, Any]


def date_number(iso: str | None, default: int) -> int:
    """ISO date -> YYYYMMDD integer, which Chroma can compare with $gte/$lte."""
    if not iso:
        return default
    return int(iso[:10].replace("-", ""))


@dataclass(frozen=True)
class Filters:
    """Optional restrictions on retrieval: document kinds, and a date range the document must overlap."""

    kinds: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    def __post_init__(self) -> None:
        from app.dates import iso_date

        for value in (self.date_from, self.date_to):
            if value:
                iso_date(value)  # a ValueError that says what is wrong; `date_number` needs YYYY-MM-DD

    @property
    def active(self) -> bool:
        return bool(self.kinds or self.date_from or self.date_to)

    def matches(self, meta: dict[str, Any]) -> bool:
        return matches(self.to_chroma_where(), meta)

    def to_chroma_where(self) -> Where | None:
        clauses: list[dict[str, Any]] = []
        if self.kinds:
            clauses.append({"kind": {"$in": list(self.kinds)}})
        if self.date_to:
            clauses.append({"start_num": {"$lte": date_number(self.date_to, 0)}})
        if self.date_from:
            clauses.append({"end_num": {"$gte": date_number(self.date_from, 0)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


_OPS = {
    "$eq": lambda a, b: a == b,
    "$ne": lambda a, b: a != b,
    "$in": lambda a, b: a in b,
    "$nin": lambda a, b: a not in b,
    "$gte": lambda a, b: a is not None and a >= b,
    "$lte": lambda a, b: a is not None and a <= b,
    "$gt": lambda a, b: a is not None and a > b,
    "$lt": lambda a, b: a is not None and a < b,
}


def matches(where: Where | None, meta: dict[str, Any]) -> bool:
    """Whether metadata satisfies a `where` clause (the subset of Chroma's syntax the index uses)."""
    if not where:
        return True
    for key, cond in where.items():
        if key == "$and":
            if not all(matches(c, meta) for c in cond):
                return False
        elif key == "$or":
            if not any(matches(c, meta) for c in cond):
                return False
        elif isinstance(cond, dict):
            if not all(_OPS[op](meta.get(key), value) for op, value in cond.items()):
                return False
        elif meta.get(key) != cond:
            return False
    return True


@dataclass
class Rows:
    """Rows read from a collection, in the order asked for (missing ids are left out)."""

    ids: list[str] = field(default_factory=list)
    metadatas: list[dict[str, Any]] = field(default_factory=list)
    documents: list[str | None] = field(default_factory=list)
    vectors: np.ndarray | None = None


class Collection(ABC):
    """Rows with an id, a vector, flat metadata and optional text; nearest-neighbour queries by cosine."""

    @abstractmethod
    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        metadatas: Sequence[dict[str, Any]],
        documents: Sequence[str] | None = None,
    ) -> None:
        """Insert or replace rows (vectors L2-normalised)."""

    @abstractmethod
    def get(
        self,
        ids: Sequence[str] | None = None,
        where: Where | None = None,
        vectors: bool = False,
        documents: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> Rows:
        """Rows by id and/or by metadata."""

    @abstractmethod
    def delete(self, ids: Sequence[str] | None = None, where: Where | None = None) -> None:
        """Remove rows by id and/or by metadata."""

    @abstractmethod
    def query(
        self, vector: np.ndarray, k: int, where: Where | None = None, documents: bool = False
    ) -> tuple[list[tuple[str, float]], Rows]:
        """The k nearest rows as (id, cosine similarity) best first, and those rows' metadata (and text)."""

    @abstractmethod
    def count(self) -> int:
        """How many rows are stored."""


class Store(ABC):
    """A set of named collections: one backend (embedded Chroma, a Chroma server, in-process memory)."""

    @abstractmethod
    def collection(self, name: str) -> Collection:
        """The collection of that name, created empty if missing."""

    @abstractmethod
    def drop(self, name: str) -> None:
        """Delete a collection (no error when absent)."""

    @abstractmethod
    def names(self) -> list[str]:
        """The names of all collections."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections."""
