import json
from pathlib import Path

import pytest

from app.config import Settings
from app.embeddings.fake import FakeEmbedder
from app.index import CURRENT, Index, IndexBuilder, IndexMissingError, current_generation


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting how many texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed_batch(self, texts):  # noqa: ANN001, ANN201
        self.texts += len(texts)
        return super().embed_batch(texts)


def test_build_then_open(built: Settings) -> None:
    index = Index.open(built)
    assert set(index.documents) == {
        "ceasefire-1994", "peacekeepers-2020", "shusha-place", "khojaly-1992", "exodus-2023", "drones-2020",
        "wire-story", "article",
    }
    assert index.store.count() == len(index.chunks) == index.manifest["chunks"]
    assert len(index.sentences) == len(index.sentence_vectors)
    for ref in index.sentences:
        assert index.sentence_text(ref).strip() == index.sentence_text(ref)


def test_missing_index_says_how_to_build(fake_settings: Settings) -> None:
    with pytest.raises(IndexMissingError, match="explainer index"):
        Index.open(fake_settings)


def test_reindex_embeds_only_changed_documents(fake_settings: Settings, corpus_dir: Path) -> None:
    embedder = CountingEmbedder()
    builder = IndexBuilder(fake_settings, embedder=embedder)
    first = builder.build([corpus_dir])
    assert len(first.added) == 8 and embedder.texts > 0

    embedder.texts = 0
    again = builder.build([corpus_dir])
    assert not again.changed and embedder.texts == 0 and again.generation == first.generation

    (corpus_dir / "drones.md").write_text(
        (corpus_dir / "drones.md").read_text().replace("44-day war", "six-week war")
    )
    (corpus_dir / "khojaly.md").unlink()
    embedder.texts = 0
    third = builder.build([corpus_dir])
    assert third.updated == ["drones-2020"] and third.removed == ["khojaly-1992"]
    assert len(third.unchanged) == 6
    index = Index.open(fake_settings)
    drones_chunks = [c for c in index.chunks if c.doc_id == "drones-2020"]
    drones_sents = [s for s in index.sentences if s.doc_id == "drones-2020"]
    assert embedder.texts == len(drones_chunks) + len(drones_sents)
    assert "khojaly-1992" not in index.documents
    assert not any(c.doc_id == "khojaly-1992" for c in index.chunks)
    assert "six-week war" in index.documents["drones-2020"].text
    # reused vectors are the same as freshly computed ones
    fresh = FakeEmbedder()
    row = next(i for i, s in enumerate(index.sentences) if s.doc_id == "ceasefire-1994")
    expected = fresh.embed([index.sentence_text(index.sentences[row])])[0]
    assert abs(float(index.sentence_vectors[row] @ expected) - 1.0) < 1e-5


def test_changed_embedder_forces_full_reembed(fake_settings: Settings, corpus_dir: Path) -> None:
    IndexBuilder(fake_settings).build([corpus_dir])
    other = CountingEmbedder()
    other.name = "another-model"
    report = IndexBuilder(fake_settings, embedder=other).build([corpus_dir])
    assert len(report.added) == 8 and other.texts > 0


def test_ingest_adds_without_dropping(fake_settings: Settings, corpus_dir: Path, tmp_path: Path) -> None:
    IndexBuilder(fake_settings).build([corpus_dir / "ceasefire.md"])
    extra = tmp_path / "extra.md"
    extra.write_text("---\nid: extra\nkind: news\ndate: 2025-01-01\n---\nA newsroom story about talks.\n")
    report = IndexBuilder(fake_settings).build([extra], add=True)
    assert report.added == ["extra"] and report.unchanged == ["ceasefire-1994"]
    assert set(Index.open(fake_settings).documents) == {"ceasefire-1994", "extra"}


def test_crash_mid_build_keeps_previous_index(
    fake_settings: Settings, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = IndexBuilder(fake_settings)
    good = builder.build([corpus_dir])
    (corpus_dir / "drones.md").unlink()

    def explode(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("disk full")

    monkeypatch.setattr("app.index.LexicalIndex.build", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        builder.build([corpus_dir])
    index_dir = fake_settings.index_dir
    assert (index_dir / CURRENT).read_text() == good.generation
    assert sorted(p.name for p in index_dir.iterdir() if p.name.startswith("gen-")) == [good.generation]
    assert "drones-2020" in Index.open(fake_settings).documents

    monkeypatch.undo()
    after = builder.build([corpus_dir])
    assert after.removed == ["drones-2020"]
    assert current_generation(index_dir).name == after.generation


def test_half_written_generation_is_ignored_and_pruned(fake_settings: Settings, corpus_dir: Path) -> None:
    builder = IndexBuilder(fake_settings)
    good = builder.build([corpus_dir])
    stray = fake_settings.index_dir / "gen-99999999T000000-dead00"
    (stray / "bm25").mkdir(parents=True)  # a crash left this behind: no manifest
    (corpus_dir / "khojaly.md").unlink()
    builder.build([corpus_dir])
    assert not stray.exists()
    assert good.generation != current_generation(fake_settings.index_dir).name


def test_rejected_files_do_not_stop_the_build(fake_settings: Settings, corpus_dir: Path) -> None:
    (corpus_dir / "broken.md").write_text("---\nid: [oops\n---\nText\n")
    report = IndexBuilder(fake_settings).build([corpus_dir])
    assert len(report.added) == 8
    assert [Path(r.path).name for r in report.rejected] == ["broken.md"]


def test_embedded_chroma_round_trip(chroma_settings: Settings, corpus_dir: Path) -> None:
    report = IndexBuilder(chroma_settings).build([corpus_dir])
    gen = chroma_settings.index_dir / report.generation
    assert (gen / "chroma").is_dir()
    manifest = json.loads((gen / "manifest.json").read_text())
    assert manifest["vector_store"] == "chroma"
    index = Index.open(chroma_settings)
    assert index.store.count() == len(index.chunks)
    vector = FakeEmbedder().embed_query("Bishkek Protocol ceasefire 1994")
    top_id, _ = index.store.query(vector, 1)[0]
    assert top_id.startswith("ceasefire-1994#")
