"""Fusion earns its place: on a labelled fixture, hybrid ranks at least as well as dense or BM25 alone."""

import json
from pathlib import Path

import pytest

from app.config import Settings
from app.embeddings import get_embedder
from app.index import Index, IndexBuilder
from app.retrieval import Retriever

from .conftest import FIXTURES

pytestmark = pytest.mark.integration


def mrr(retriever: Retriever, labels: list[dict], mode: str) -> float:
    total = 0.0
    for row in labels:
        ids = [h.document.id for h in retriever.search(row["question"], k=10, mode=mode)]
        total += 1 / (ids.index(row["doc_id"]) + 1) if row["doc_id"] in ids else 0.0
    return total / len(labels)


def test_hybrid_beats_or_equals_each_retriever(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "index", vector_store="memory")  # real MiniLM model
    IndexBuilder(settings).build([FIXTURES / "corpus"])
    retriever = Retriever(Index.open(settings), get_embedder("minilm"))
    labels = [json.loads(line) for line in (FIXTURES / "retrieval_labels.jsonl").read_text().splitlines()]
    scores = {mode: mrr(retriever, labels, mode) for mode in ("dense", "bm25", "hybrid")}
    assert scores["hybrid"] >= scores["dense"] and scores["hybrid"] >= scores["bm25"], scores
    # the fixture is built so that each single retriever misses something the other finds
    assert scores["dense"] < 1.0 and scores["bm25"] < 1.0, scores
