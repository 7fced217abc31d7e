from app.answer import Answer, Citation
from app.config import Settings
from app.explainer import Explainer
from app.ui import escape, format_answer, respond


def _answer(quote: str) -> Answer:
    c = Citation(1, "d", "d#0", "<b>Title</b>", "news", "2023-09-20", "Wire", "x.md", quote, 0, len(quote))
    return Answer("q", f"{quote} [1]", False, [c])


def test_html_in_sources_is_shown_as_text() -> None:
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    rendered = format_answer(f"{payload} [1]", _answer(payload), final=True)
    assert "<script>" not in rendered and "<img" not in rendered and "<b>" not in rendered
    assert "&lt;script&gt;" in rendered and "&lt;b&gt;Title&lt;/b&gt;" in rendered


def test_escape_neutralises_markdown() -> None:
    assert escape("**bold** _x_ `code`") == "&#42;&#42;bold&#42;&#42; &#95;x&#95; &#96;code&#96;"


def test_respond_streams_then_adds_sources(built: Settings) -> None:
    steps = list(respond(Explainer(built), "When was the Bishkek Protocol signed?"))
    assert "Sources" not in steps[0]
    assert "**Sources**" in steps[-1] and "5 May 1994" in steps[-1]


def test_respond_reports_question_errors(built: Settings) -> None:
    assert "empty" in list(respond(Explainer(built), "   "))[0]
