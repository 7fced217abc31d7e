"""Question sets: one JSON object per line (format documented in eval/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator


class EvalQuestion(BaseModel):
    id: str
    question: str
    category: str = "factoid"
    answerable: bool = True
    facts: list[list[str]] = Field(default_factory=list, description="Each fact: acceptable alternatives.")
    gold_docs: list[str] = Field(default_factory=list)
    history: list[str] = Field(default_factory=list, description="Earlier questions of a follow-up.")
    evidence: list[dict[str, Any]] = Field(
        default_factory=list, description="Sentences that answer it (doc_id, start, end, quote); for a false "
        "premise, the sentences that say what did happen."
    )
    yes_no: Literal["yes", "no"] | None = Field(None, description="The plain answer to a yes/no question.")
    unanswerable_kind: str | None = Field(
        None, description="missing-attribute, false-premise, never-happened, after-sources or off-topic."
    )
    source_doc: str | None = Field(None, description="The document the question was written from.")

    @field_validator("facts", mode="before")
    @classmethod
    def _single_strings_are_one_alternative(cls, value: object) -> object:
        if isinstance(value, list):
            return [[v] if isinstance(v, str) else v for v in value]
        return value


def load_questions(path: Path) -> list[EvalQuestion]:
    """Parse a question file, failing with the line number of the first bad line."""
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = EvalQuestion.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise ValueError(f"{path}:{lineno}: {exc}") from exc
        if q.id in seen:
            raise ValueError(f"{path}:{lineno}: duplicate id {q.id!r}")
        seen.add(q.id)
        questions.append(q)
    if not questions:
        raise ValueError(f"{path}: no questions")
    return questions
