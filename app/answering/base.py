"""The answer-backend contract: hits in, a cited `Answer` out."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from app.answering.answer import Answer
from app.retrieval import Hit


class Answerer(Protocol):
    name: str

    def answer(self, question: str, hits: list[Hit], query_vector: np.ndarray) -> Answer:
        """Answer from the retrieved passages only, citing them, or abstain."""
        ...
