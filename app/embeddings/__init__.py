"""Embedding backends, looked up by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from app.embeddings.base import Embedder
from app.errors import BackendError


def _minilm() -> Embedder:
    from app.embeddings.minilm import MiniLMEmbedder

    return MiniLMEmbedder()


def _fake() -> Embedder:
    from app.embeddings.fake import FakeEmbedder

    return FakeEmbedder()


EMBEDDERS: dict[str, Callable[[], Embedder]] = {"minilm": _minilm, "fake": _fake}


@lru_cache(maxsize=4)
def get_embedder(name: str) -> Embedder:
    """The named embedder, loaded once per process (the model takes a moment to load)."""
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        raise BackendError(f"unknown embedder {name!r}; choose one of {', '.join(EMBEDDERS)}") from None
    return factory()


__all__ = ["EMBEDDERS", "Embedder", "get_embedder"]
