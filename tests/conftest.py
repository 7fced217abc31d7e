"""Shared fixtures: a small fixture corpus, fast settings (fake embedder, in-memory store) and real ones."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from app.config import PROJECT_ROOT, Settings  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"
CORPUS = PROJECT_ROOT / "corpus"


@pytest.fixture(autouse=True)
def _no_explainer_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's EXPLAINER_* settings."""
    for var in list(os.environ):
        if var.startswith("EXPLAINER_"):
            monkeypatch.delenv(var)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A private copy of the fixture corpus that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", target)
    return target


@pytest.fixture
def fake_settings(tmp_path: Path) -> Settings:
    # the fake embedder's similarities are not the model's: the learned scorer, trained on MiniLM features, is
    # exercised by the integration tests; unit tests use the rule scorer, a real deterministic backend
    return Settings(index_dir=tmp_path / "index", embedder="fake", vector_store="memory", answer_scorer="rules")


@pytest.fixture
def chroma_settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index", embedder="fake", vector_store="chroma", answer_scorer="rules")


@pytest.fixture
def built(fake_settings: Settings, corpus_dir: Path) -> Settings:
    from app.index import IndexBuilder

    IndexBuilder(fake_settings).build([corpus_dir])
    return fake_settings


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.exists():
        pytest.skip("../shared/seeds is not beside the checkout")
    return SEEDS


@pytest.fixture(scope="session")
def real_corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The real corpus (and the seed news report, when it is beside the checkout) indexed once per session
    with the real model and embedded Chroma."""
    from app.index import IndexBuilder

    settings = Settings(index_dir=tmp_path_factory.mktemp("real-index"))
    report = IndexBuilder(settings).build([CORPUS, *([SEEDS] if SEEDS.exists() else [])])
    assert not report.rejected, report.rejected
    return settings
