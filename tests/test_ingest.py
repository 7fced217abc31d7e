from pathlib import Path

from app.ingest import load_document, load_documents

from .conftest import FIXTURES


def test_markdown_front_matter_is_read() -> None:
    doc = load_document(FIXTURES / "corpus" / "ceasefire.md")
    assert doc.id == "ceasefire-1994"
    assert doc.kind == "agreement"
    assert doc.period_start == "1994-05-05" and doc.period_end == "1994-05-12"
    assert doc.sources == ["Bishkek Protocol, 5 May 1994"]
    assert not doc.text.startswith("---")
    assert "Bishkek Protocol was signed on 5 May 1994" in doc.text


def test_text_with_sidecar_metadata() -> None:
    doc = load_document(FIXTURES / "corpus" / "wire-story.txt")
    assert (doc.id, doc.kind, doc.date, doc.publisher) == ("wire-story", "news", "2024-04-19", "Example Wire")
    assert doc.title == "Border talks to resume"


def test_seed_news_report(seeds_dir: Path) -> None:
    doc = load_document(seeds_dir / "news-2023-09-20-karabakh-offensive.txt")
    assert doc.kind == "news" and doc.date == "2023-09-20"
    assert "killing at least 32 according to Armenia" in doc.text


def test_html_main_text_without_boilerplate() -> None:
    doc = load_document(FIXTURES / "corpus" / "article.html")
    assert doc.kind == "news"
    assert doc.title == "Lachin corridor reopens to traffic"
    assert "Hakari bridge on 23 April 2023" in doc.text
    assert "Cookie settings" not in doc.text and "Subscribe now" not in doc.text


def test_content_hash_changes_with_text(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\nid: a\nkind: event\n---\nOne sentence.\n")
    first = load_document(path).content_hash
    path.write_text("---\nid: a\nkind: event\n---\nAnother sentence.\n")
    assert load_document(path).content_hash != first


def test_bad_files_are_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("---\nid: good\nkind: event\n---\nA good document.\n")
    (tmp_path / "bad-yaml.md").write_text("---\nid: [unclosed\nkind: event\n---\nText.\n")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "empty.md").write_text("   \n")
    (tmp_path / "bad-kind.md").write_text("---\nid: k\nkind: rumour\n---\nText.\n")
    (tmp_path / "bad-date.md").write_text("---\nid: d\nkind: event\ndate: yesterday\n---\nText.\n")
    (tmp_path / "only-meta.md").write_text("---\nid: m\nkind: event\n---\n\n")
    (tmp_path / "zz-dup.md").write_text("---\nid: good\nkind: event\n---\nSame id again.\n")
    result = load_documents([tmp_path])
    assert [d.id for d in result.documents] == ["good"]
    reasons = {Path(r.path).name: r.reason for r in result.rejected}
    assert "bad YAML front matter" in reasons["bad-yaml.md"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "empty" in reasons["empty.md"]
    assert "rumour" in reasons["bad-kind.md"]
    assert "ISO date" in reasons["bad-date.md"]
    assert "no text" in reasons["only-meta.md"]
    assert "duplicate document id" in reasons["zz-dup.md"]


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    (tmp_path / "table.csv").write_text("a,b\n")
    result = load_documents([tmp_path / "nope.md", tmp_path / "table.csv"])
    assert not result.documents
    assert [r.reason.split(" ")[0] for r in result.rejected] == ["file", "unsupported"]
