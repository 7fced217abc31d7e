"""Structured facts (corpus/data/claims.yaml): every contested figure with who claims it, and office holders
with their terms, each tied to the exact document sentence that states it.

Answers use them to give every side of a contested figure (a death toll's rival counts) and every holder
of an office (the NKR's presidents), cited to those sentences; tests check each entry against its document.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app import yamldata
from app.text import fold

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Figure:
    topic: str  # rival claims about one quantity share a topic
    what: str
    value: str
    claimant: str
    date: str
    doc_id: str
    sentence: str


@dataclass(frozen=True)
class OfficeHolder:
    office: str
    holder: str
    start: str
    end: str
    doc_id: str
    sentence: str


@dataclass
class Claims:
    figures: list[Figure] = field(default_factory=list)
    office_holders: list[OfficeHolder] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_sentence: dict[tuple[str, str], list[Figure]] = defaultdict(list)
        self._by_topic: dict[str, list[Figure]] = defaultdict(list)
        for f in self.figures:
            self._by_sentence[(f.doc_id, _key(f.sentence))].append(f)
            self._by_topic[f.topic].append(f)

    @classmethod
    def load(cls, path: Path) -> Claims:
        """Read claims.yaml; a missing file gives no structured facts."""
        if not path.exists():
            return cls()
        data = yamldata.loads(path.read_text(encoding="utf-8")) or {}
        text = (lambda v: "" if v is None else str(v))  # noqa: E731
        figures = [Figure(**{k: text(v) for k, v in raw.items()}) for raw in data.get("figures") or []]
        holders = [OfficeHolder(**{k: text(v) for k, v in raw.items()}) for raw in data.get("office_holders") or []]
        return cls(figures, holders)

    def rivals(self, doc_id: str, sentence: str) -> list[Figure]:
        """Every claim about the quantities a sentence states, the sentence's own included."""
        topics = {f.topic for f in self._by_sentence.get((doc_id, _key(sentence)), [])}
        return [f for t in sorted(topics) for f in self._by_topic[t]]

    def holders(self, asked: set[str] | frozenset[str], terms: Callable[[str], set[str]]) -> list[OfficeHolder]:
        """The holders of the office whose terms (`terms(office)`) a question's terms `asked` hold best
        ('presidents of artsakh'), in order of term; none when no office is asked for."""
        offices: dict[str, list[OfficeHolder]] = defaultdict(list)
        for h in self.office_holders:
            offices[h.office].append(h)
        found: dict[str, OfficeHolder] = {}
        for office, holders in offices.items():
            words = terms(office)
            if words and len(words & asked) / len(words) >= HOLDER_MATCH:
                for h in holders:  # one entry a holder, the first (documents repeat the same term)
                    found.setdefault(fold(h.holder), h)
        return sorted(found.values(), key=lambda h: (h.start or "9999", h.holder))


HOLDER_MATCH = 0.6  # share of an office's words a question must use to ask for its holders


def _key(sentence: str) -> str:
    return re.sub(r"\W+", " ", fold(sentence)).strip()
