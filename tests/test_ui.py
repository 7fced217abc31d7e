from pathlib import Path

from app.answering import Answer, Citation
from app.config import Settings
from app.explainer import Explainer
from app.ui import (
    answer_markdown,
    escape,
    explain_article,
    format_answer,
    format_background,
    format_sources_list,
    format_timeline,
    linked_answer,
    respond,
)

from .conftest import FIXTURES

PAYLOAD = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def _answer(quote: str, title: str = "<b>Title</b>") -> Answer:
    c = Citation(1, "d", "d#0", title, "news", "2023-09-20", "Wire", "x.md", quote, 5, 5 + len(quote))
    return Answer("q", f"{quote} [1]", False, [c])


def test_html_in_sources_is_shown_as_text() -> None:
    rendered = format_answer(f"{PAYLOAD} [1]", _answer(PAYLOAD), final=True)
    assert "<script>" not in rendered and "<img" not in rendered and "<b>Title" not in rendered
    assert "&lt;script&gt;" in rendered and "&lt;b&gt;Title&lt;/b&gt;" in rendered


def test_markers_become_links_to_the_exact_passage() -> None:
    answer = _answer("The protocol was signed.")
    html = linked_answer(answer)
    assert html.endswith('<a class="cite" href="#cite:d:5:29" title="Open source 1">[1]</a>')
    assert "[1]" not in escape("[1]")  # a bracket in source text can never look like a marker


def test_escape_neutralises_markdown() -> None:
    assert escape("**bold** _x_ `code`") == "&#42;&#42;bold&#42;&#42; &#95;x&#95; &#96;code&#96;"


def test_answer_as_markdown_with_footnotes() -> None:
    md = answer_markdown(_answer("The protocol was signed."))
    assert "The protocol was signed. [^1]" in md
    assert '[^1]: <b>Title</b> (news, 2023-09-20, Wire), d characters 5-29: "The protocol was signed."' in md


def test_respond_streams_then_adds_sources(built: Settings) -> None:
    steps = list(respond(Explainer(built), "When was the Bishkek Protocol signed?"))
    assert "Sources" not in steps[0][0] and steps[0][1] is None
    final_html, final = steps[-1]
    assert "<b>Sources</b>" in final_html and "5 May 1994" in final_html
    assert final is not None and final.citations


def test_respond_reports_question_errors(built: Settings) -> None:
    assert "empty" in list(respond(Explainer(built), "   "))[0][0]


def test_explain_article_finds_cited_background(built: Settings) -> None:
    built.names_file = FIXTURES / "names.yaml"
    explainer = Explainer(built)
    article = "Fighting resumed near Shushi on Tuesday, and residents of Khankendi reported shelling."
    cards = explain_article(explainer, article)
    assert [c["entity"] for c in cards] == ["Shusha / Shushi", "Stepanakert / Khankendi"]
    for card in cards:
        for c in card["answer"].citations:
            assert explainer.index.documents[c.doc_id].text[c.start : c.end] == c.quote
    assert "source-card" in format_background(cards)
    assert "No places" in format_background([])


def test_sources_and_timeline_lists_escape_text(built: Settings, tmp_path: Path) -> None:
    html = format_sources_list(Explainer(built))
    assert 'href="#doc:khojaly-1992"' in html

    class _Event:
        label, summary, docs, start, end = "1 May 1992", PAYLOAD, ["<x>"], 0, 5

    rendered = format_timeline([_Event()])
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered and "#doc:&lt;x&gt;" in rendered


def test_article_events_are_cited_to_the_timeline(fake_settings: Settings, corpus_dir: Path) -> None:
    from app.index import IndexBuilder
    from app.ui import article_events

    (corpus_dir / "data").mkdir()
    (corpus_dir / "data" / "timeline.yaml").write_text((FIXTURES / "timeline.yaml").read_text())
    IndexBuilder(fake_settings).build([corpus_dir])
    fake_settings.timeline_file = corpus_dir / "data" / "timeline.yaml"
    explainer = Explainer(fake_settings)
    cards = article_events(explainer, "Officials recalled what happened on 8 May 1992 and on November 10, 2020.")
    assert [c["entity"] for c in cards] == [
        "8 May 1992: Armenian forces take Shusha",
        "10 November 2020: Trilateral statement",
    ]
    for card in cards:
        c = card["answer"].citations[0]
        assert explainer.index.documents[c.doc_id].text[c.start : c.end] == c.quote
