"""Answer backends by name: `extractive` (default, no model) and LLM backends over LangChain chat models."""

from __future__ import annotations

from app.answering.base import Answerer
from app.answering.chat_models import CHAT_MODELS
from app.answering.claims import Claims
from app.answering.extractive import ExtractiveAnswerer
from app.answering.scoring import load_scorer
from app.config import Settings
from app.index import Index
from app.names import NameIndex

BACKENDS = ("extractive", *CHAT_MODELS)


def make_answerer(
    settings: Settings, index: Index, names: NameIndex, backend: str | None = None, events: list | None = None
) -> Answerer:
    """The named backend (default: `settings.answer_backend`); LLM backends wrap the extractive one."""
    name = backend or settings.answer_backend
    if name not in BACKENDS:
        raise ValueError(f"unknown answer backend {name!r}; choose one of {', '.join(BACKENDS)}")
    scorer = load_scorer(settings.answer_scorer)
    claims = Claims.load(settings.claims_file)
    extractive = ExtractiveAnswerer(index, names, scorer, scorer.tuning, events, claims)
    if name == "extractive":
        return extractive
    from app.answering.llm import LLMAnswerer

    return LLMAnswerer(name, CHAT_MODELS[name](settings), extractive)


__all__ = ["BACKENDS", "Answerer", "make_answerer"]
