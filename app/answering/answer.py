"""What an answerer returns: the `Answer` and its `Citation`s, the data every edge (CLI, API, UI) shows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ABSTAIN_MESSAGE = "My sources don't cover this question, so I can't answer it without guessing."


@dataclass
class Citation:
    """One cited passage: `quote == document.text[start:end]`, always."""

    n: int
    doc_id: str
    chunk_id: str
    title: str
    kind: str
    date: str
    publisher: str
    source_path: str
    quote: str
    start: int
    end: int


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    answered_by: str = "extractive"  # the backend whose text this is (an LLM's answer may fall back)
    as_of: str = ""  # for a question about the present: the latest date its cited sources cover
    reason: str = ""  # why the answerer abstained, when it did
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.id is None:
            data.pop("id")
        return data
