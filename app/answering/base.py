"""The answer-backend contract: hits in, a cited `Answer` out."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from app.answering.answer import Answer
from app.answering.question import Question
from app.retrieval import Hit


class Answerer(Protocol):
    name: str

    def analyse(self, question: str, history: list[str] | None = None) -> Question:
        """The question analysed once: its kind, terms, names, and what a follow-up borrows from `history`."""
        ...

    def answer(self, q: Question, hits: list[Hit], query_vector: np.ndarray) -> Answer:
        """Answer from the retrieved passages only, citing them, or abstain."""
        ...
