from app.config import Settings
from app.embeddings import get_embedder
from app.index import Index
from app.retrieval import Retriever, rrf
from app.stores import Filters


def _retriever(settings: Settings) -> Retriever:
    return Retriever(Index.open(settings), get_embedder(settings.embedder))


def test_rrf_rewards_agreement() -> None:
    fused = rrf([[1, 2, 3], [3, 1, 4]], k=60)
    assert max(fused, key=fused.__getitem__) == 1
    assert fused[3] > fused[2] and fused[4] < fused[2]


def test_hybrid_finds_the_right_document(built: Settings) -> None:
    hits = _retriever(built).search("Who signed the Bishkek Protocol ceasefire in May 1994?")
    assert hits[0].document.id == "ceasefire-1994"
    assert hits[0].dense > 0 and hits[0].lexical > 0


def test_filters_on_kind_and_date(built: Settings) -> None:
    retriever = _retriever(built)
    for mode in ("hybrid", "dense", "bm25"):
        hits = retriever.search("ceasefire peacekeepers war", filters=Filters(kinds=("event",)), mode=mode)
        assert hits and {h.document.kind for h in hits} == {"event"}
        hits = retriever.search(
            "ceasefire peacekeepers war", filters=Filters(date_from="2020-01-01", date_to="2020-12-31"), mode=mode
        )
        assert hits
        for hit in hits:
            assert (hit.document.period_start or "") <= "2020-12-31"
            assert (hit.document.period_end or "9999") >= "2020-01-01"


def test_near_duplicates_are_removed(fake_settings: Settings, corpus_dir) -> None:  # noqa: ANN001
    from app.index import IndexBuilder

    copy = (corpus_dir / "khojaly.md").read_text().replace("id: khojaly-1992", "id: khojaly-copy")
    (corpus_dir / "khojaly-copy.md").write_text(copy)
    IndexBuilder(fake_settings).build([corpus_dir])
    hits = _retriever(fake_settings).search("How many civilians were killed at Khojaly?", k=5)
    khojaly = [h for h in hits if h.document.id.startswith("khojaly")]
    assert len(khojaly) == 1


def test_unknown_mode_is_an_error(built: Settings) -> None:
    import pytest

    with pytest.raises(ValueError, match="unknown search mode"):
        _retriever(built).search("ceasefire", mode="fuzzy")  # type: ignore[arg-type]
