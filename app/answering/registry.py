"""Answer backends by name: `extractive` (default, no model) and LLM backends over LangChain chat models."""

from __future__ import annotations

from app.answering.base import Answerer
from app.answering.chat_models import CHAT_MODELS
from app.answering.extractive import ExtractiveAnswerer
from app.config import Settings
from app.index import Index
from app.names import NameIndex

BACKENDS = ("extractive", *CHAT_MODELS)


def make_answerer(
    settings: Settings, index: Index, names: NameIndex, backend: str | None = None, events: list | None = None
) -> Answerer:
    """The named backend (default: `settings.answer_backend`); LLM backends wrap the extractive one."""
    name = backend or settings.answer_backend
    extractive = ExtractiveAnswerer(
        index, settings.min_answer_score, settings.max_answer_sentences, names, events
    )
    if name == "extractive":
        return extractive
    if name not in CHAT_MODELS:
        raise ValueError(f"unknown answer backend {name!r}; choose one of {', '.join(BACKENDS)}")
    from app.answering.llm import LLMAnswerer

    return LLMAnswerer(name, CHAT_MODELS[name](settings), extractive)


__all__ = ["BACKENDS", "Answerer", "make_answerer"]
