from pathlib import Path

import pytest

from app.config import Settings
from app.embeddings.fake import FakeEmbedder
from app.index import Index, IndexBuilder, IndexMissingError, Space, State, index_exists, open_store


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting how many texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed_batch(self, texts):  # noqa: ANN001, ANN201
        self.texts += len(texts)
        return super().embed_batch(texts)


@pytest.fixture(params=["memory", "chroma"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Both backends: the in-process store and embedded Chroma."""
    return Settings(index_dir=tmp_path / "index", embedder="fake", vector_store=request.param, refresh_seconds=0)


def _rows(settings: Settings) -> dict[str, int]:
    """How many rows each collection of the live space holds (stale ones included)."""
    store = open_store(settings)
    state = State.read(store, settings)
    space = Space(settings.collection_prefix, state.space)
    index = Index(settings, store, state)
    return {"passages": store.collection(space.passages).count(), "lexical": index.lexical.count()}


def test_build_then_open(settings: Settings, corpus_dir: Path) -> None:
    report = IndexBuilder(settings).build([corpus_dir])
    index = Index.open(settings)
    assert set(index.documents) == {
        "ceasefire-1994", "peacekeepers-2020", "shusha-place", "khojaly-1992", "exodus-2023", "drones-2020",
        "wire-story", "article",
    }
    assert len(index.documents) == 8 and "article" in index.documents and "nope" not in index.documents
    assert index.passage_count == report.chunks == _rows(settings)["passages"] == _rows(settings)["lexical"]
    assert index.generation == report.generation
    chunks = index.chunks_of("ceasefire-1994")
    sentences = index.sentences_for(chunks)
    assert sentences and len({(s.doc_id, s.start) for s in sentences}) == len(sentences)
    assert index.stats.sentences == len(index.sentences)
    for s in sentences:
        assert s.text.strip() == s.text == index.document(s.doc_id).text[s.start : s.end]
        assert index.sentence_at(s.doc_id, s.start).end == s.end
    assert index.chunk_at("ceasefire-1994", chunks[-1].start).id == chunks[-1].id
    assert index_exists(settings)


def test_missing_index_says_how_to_build(settings: Settings) -> None:
    with pytest.raises(IndexMissingError, match="explainer index"):
        Index.open(settings)
    assert not index_exists(settings)


def test_reindex_embeds_only_changed_documents(settings: Settings, corpus_dir: Path) -> None:
    embedder = CountingEmbedder()
    builder = IndexBuilder(settings, embedder=embedder)
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
    assert len(third.unchanged) == 6 and third.generation != first.generation
    index = Index.open(settings)
    drones_chunks = index.chunks_of("drones-2020")
    drones_sents = index.sentences_for(drones_chunks)
    assert embedder.texts == len(drones_chunks) + len(drones_sents)
    assert "khojaly-1992" not in index.documents
    assert "six-week war" in index.documents["drones-2020"].text
    # the old version's rows are gone: every stored row is served
    assert _rows(settings)["passages"] == index.passage_count == _rows(settings)["lexical"]
    assert len(index.sentences) == index.stats.sentences
    # unchanged documents kept their vectors, which are the same as freshly computed ones
    sentence = index.sentences_for(index.chunks_of("ceasefire-1994"))[0]
    assert abs(float(sentence.vector @ FakeEmbedder().embed([sentence.text])[0]) - 1.0) < 1e-5


def test_incremental_statistics_match_a_full_build(settings: Settings, corpus_dir: Path, tmp_path: Path) -> None:
    builder = IndexBuilder(settings)
    builder.build([corpus_dir])
    (corpus_dir / "drones.md").write_text((corpus_dir / "drones.md").read_text() + "\nAs of March 2031, drones.\n")
    (corpus_dir / "khojaly.md").unlink()
    builder.build([corpus_dir])
    incremental = Index.open(settings).stats
    fresh_settings = settings.model_copy(update={"index_dir": tmp_path / "fresh"})
    IndexBuilder(fresh_settings).build([corpus_dir])
    assert incremental == Index.open(fresh_settings).stats
    assert incremental.latest_as_of == "as of March 2031"


def test_changed_embedder_forces_full_reembed(settings: Settings, corpus_dir: Path) -> None:
    first = IndexBuilder(settings).build([corpus_dir])
    old_space = State.read(open_store(settings), settings).space
    other = CountingEmbedder()
    other.name = "another-model"
    report = IndexBuilder(settings, embedder=other).build([corpus_dir])
    assert len(report.added) == 8 and other.texts > 0 and report.generation != first.generation
    names = open_store(settings).names()
    assert not any(old_space in n for n in names)  # the old space is dropped after the switch


def test_ingest_adds_without_dropping(settings: Settings, corpus_dir: Path, tmp_path: Path) -> None:
    IndexBuilder(settings).build([corpus_dir / "ceasefire.md"])
    extra = tmp_path / "extra.md"
    extra.write_text("---\nid: extra\nkind: news\ndate: 2025-01-01\n---\nA newsroom story about talks.\n")
    report = IndexBuilder(settings).build([extra], add=True)
    assert report.added == ["extra"] and report.unchanged == []  # an ingest reads only what it is given
    assert set(Index.open(settings).documents) == {"ceasefire-1994", "extra"}
    again = IndexBuilder(settings).build([extra], add=True)
    assert again.unchanged == ["extra"] and not again.changed


def test_reader_sees_an_ingest_without_reopening(settings: Settings, corpus_dir: Path, tmp_path: Path) -> None:
    from app.retrieval import Retriever

    IndexBuilder(settings).build([corpus_dir])
    index = Index.open(settings)
    retriever = Retriever(index, FakeEmbedder())
    before = index.generation
    extra = tmp_path / "extra.md"
    extra.write_text("---\nid: extra\nkind: news\ndate: 2025-01-01\n---\nZanzibarian envoys met in Quxville.\n")
    IndexBuilder(settings).build([extra], add=True)
    hits = retriever.search("Zanzibarian envoys Quxville", mode="bm25")
    assert index.generation != before and hits and hits[0].document.id == "extra"


def test_crash_mid_ingest_keeps_what_was_served(
    settings: Settings, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.retrieval import Retriever

    builder = IndexBuilder(settings)
    good = builder.build([corpus_dir])
    (corpus_dir / "drones.md").write_text(
        (corpus_dir / "drones.md").read_text().replace("44-day war", "six-week war")
    )

    def explode(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("disk full")

    # the new version's passages and sentences are in the store, the lexical rows fail, no switch happens
    monkeypatch.setattr("app.index.LexicalIndex.add", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        builder.build([corpus_dir])
    index = Index.open(settings)
    assert index.generation == good.generation
    assert "44-day war" in index.documents["drones-2020"].text
    hits = Retriever(index, FakeEmbedder()).search("six-week war drones", k=20, mode="dense")
    assert all("six-week war" not in h.chunk.text for h in hits)  # the half-written version is never served
    assert _rows(settings)["passages"] > index.passage_count  # ... though its rows are there

    monkeypatch.undo()
    after = builder.build([corpus_dir])
    assert after.updated == ["drones-2020"]
    index = Index.open(settings)
    assert "six-week war" in index.documents["drones-2020"].text
    assert _rows(settings)["passages"] == index.passage_count  # the next write removed the stale rows


def test_crash_mid_rebuild_keeps_previous_space(
    settings: Settings, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = IndexBuilder(settings)
    good = builder.build([corpus_dir])
    names = sorted(open_store(settings).names())

    def explode(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("killed")

    monkeypatch.setattr("app.index.LexicalIndex.add", explode)
    with pytest.raises(RuntimeError, match="killed"):
        builder.build([corpus_dir], rebuild=True)
    assert sorted(open_store(settings).names()) == names  # the half-built space is gone
    assert Index.open(settings).generation == good.generation
    assert "drones-2020" in Index.open(settings).documents


def test_a_killed_rebuilds_space_is_dropped_by_the_next_build(settings: Settings, corpus_dir: Path) -> None:
    builder = IndexBuilder(settings)
    builder.build([corpus_dir])
    store = open_store(settings)
    stray = Space(settings.collection_prefix, "20250101T000000-dead00")
    store.collection(stray.passages)  # what a rebuild killed before its switch leaves
    (corpus_dir / "khojaly.md").unlink()
    builder.build([corpus_dir])
    assert stray.passages not in open_store(settings).names()


def test_rejected_files_do_not_stop_the_build(settings: Settings, corpus_dir: Path) -> None:
    (corpus_dir / "broken.md").write_text("---\nid: [oops\n---\nText\n")
    report = IndexBuilder(settings).build([corpus_dir])
    assert len(report.added) == 8
    assert [Path(r.path).name for r in report.rejected] == ["broken.md"]


def test_legacy_files_are_removed(settings: Settings, corpus_dir: Path) -> None:
    stray = settings.index_dir / "gen-20250101T000000-dead00"
    (stray / "bm25").mkdir(parents=True)
    (settings.index_dir / "CURRENT").write_text(stray.name)
    IndexBuilder(settings).build([corpus_dir])
    assert not stray.exists() and not (settings.index_dir / "CURRENT").exists()


def test_whole_library_view_matches_per_chunk_reads(built: Settings) -> None:
    index = Index.open(built)
    assert len(index.sentences) == len(index.sentence_vectors) == index.stats.sentences
    ref = index.sentences[5]
    row = index.sentence_row[(ref.doc_id, ref.start)]
    one = index.sentence_at(ref.doc_id, ref.start)
    assert index.sentence_text(ref) == one.text
    assert abs(float(index.sentence_vectors[row] @ one.vector) - 1.0) < 1e-5


def test_embedded_chroma_lives_in_the_index_directory(chroma_settings: Settings, corpus_dir: Path) -> None:
    IndexBuilder(chroma_settings).build([corpus_dir])
    assert (chroma_settings.index_dir / "chroma").is_dir()
    assert list(chroma_settings.index_dir.glob("lexical-*"))
    vector = FakeEmbedder().embed_query("Bishkek Protocol ceasefire 1994")
    ranked, _ = Index.open(chroma_settings).passages.query(vector, 1)
    assert ranked[0][0].startswith("ceasefire-1994#")
