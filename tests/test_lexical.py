from pathlib import Path

import pytest

from app.lexical import LexicalIndex, LexicalRow
from app.stores import Filters


def _row(i: int, doc: str, ver: str, kind: str, text: str, start: int = 20200101) -> LexicalRow:
    return LexicalRow(f"{doc}#{i}@{ver}", doc, ver, kind, start, start + 100, text, {"doc_id": doc, "ver": ver},
                      text)


@pytest.fixture(params=["memory", "folder"])
def lexical(request: pytest.FixtureRequest, tmp_path: Path) -> LexicalIndex:
    return LexicalIndex(f"memory:{tmp_path}" if request.param == "memory" else tmp_path / "lexical")


def test_ranks_by_bm25_and_returns_the_rows(lexical: LexicalIndex) -> None:
    lexical.add([_row(0, "a", "v1", "news", "The ceasefire was signed in Bishkek."),
                 _row(1, "a", "v1", "news", "Talks about talks."),
                 _row(0, "b", "v1", "event", "Bishkek Bishkek ceasefire protocol ceasefire.")])
    ranked, rows = lexical.search("Bishkek ceasefire", 5)
    assert [r for r, _ in ranked] == ["b#0@v1", "a#0@v1"]
    assert rows.documents[1] == "The ceasefire was signed in Bishkek." and rows.metadatas[0]["doc_id"] == "b"


def test_filters_run_in_the_engine(lexical: LexicalIndex) -> None:
    lexical.add([_row(0, "a", "v1", "news", "ceasefire talks", 19940501),
                 _row(0, "b", "v1", "event", "ceasefire war", 20201001)])
    assert [r for r, _ in lexical.search("ceasefire", 5, Filters(kinds=("event",)))[0]] == ["b#0@v1"]
    assert [r for r, _ in lexical.search("ceasefire", 5, Filters(date_to="1995-01-01"))[0]] == ["a#0@v1"]
    assert [r for r, _ in lexical.search("ceasefire", 5, Filters(date_from="2020-01-01"))[0]] == ["b#0@v1"]


def test_delete_keeps_the_named_version(lexical: LexicalIndex) -> None:
    lexical.add([_row(0, "a", "v1", "news", "old words"), _row(0, "a", "v2", "news", "new words")])
    lexical.delete_document("a", keep_ver="v2")
    assert [r for r, _ in lexical.search("words", 5)[0]] == ["a#0@v2"]
    lexical.delete_document("a")
    assert lexical.count() == 0


def test_a_second_reader_sees_commits_after_reload(tmp_path: Path) -> None:
    writer, reader = LexicalIndex(tmp_path / "lx"), LexicalIndex(tmp_path / "lx")
    writer.add([_row(0, "a", "v1", "news", "zanzibar")])
    reader.reload()
    assert reader.search("zanzibar", 1)[0]
