"""The vector-store contract and the retrieval filters every backend understands."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


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
        for value in (self.date_from, self.date_to):
            if value:
                dt.date.fromisoformat(value)  # raises ValueError with a clear message

    @property
    def active(self) -> bool:
        return bool(self.kinds or self.date_from or self.date_to)

    def matches(self, meta: dict[str, Any]) -> bool:
        if self.kinds and meta.get("kind") not in self.kinds:
            return False
        if self.date_to and meta.get("start_num", 0) > date_number(self.date_to, 0):
            return False
        return not (self.date_from and meta.get("end_num", 99999999) < date_number(self.date_from, 0))

    def to_chroma_where(self) -> dict[str, Any] | None:
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


class VectorStore(ABC):
    """Stores chunk vectors with flat metadata; answers nearest-neighbour queries by cosine similarity."""

    @abstractmethod
    def add(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]) -> None:
        """Add vectors (L2-normalised) with their ids and metadata."""

    @abstractmethod
    def query(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """The k nearest ids with cosine similarity, best first."""

    @abstractmethod
    def count(self) -> int:
        """How many vectors are stored."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections."""
