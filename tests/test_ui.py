import datetime as dt
from pathlib import Path

from app.answering import Answer, Citation
from app.article import ArticleExplainer, ArticleTuning
from app.config import Settings
from app.explainer import Explainer
from app.index import IndexBuilder
from app.ui import (
    answer_markdown,
    conversation_markdown,
    escape,
    follow_ups,
    format_answer,
    format_explanation,
    format_sources,
    format_sources_list,
    format_timeline,
    linked_answer,
    make_filters,
    readable_period,
    respond,
    timeline_svg,
    upload_rows,
)

from .conftest import FIXTURES

PAYLOAD = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def _answer(quote: str, title: str = "<b>Title</b>") -> Answer:
    c = Citation(1, "d", "d#0", title, "news", "2023-09-20", "Wire", "x.md", quote, 5, 5 + len(quote))
    return Answer("q", f"{quote} [1]", False, [c])


def _timeline_explainer(fake_settings: Settings, corpus_dir: Path) -> Explainer:
    (corpus_dir / "data").mkdir()
    (corpus_dir / "data" / "timeline.yaml").write_text((FIXTURES / "timeline.yaml").read_text())
    IndexBuilder(fake_settings).build([corpus_dir])
    fake_settings.timeline_file = corpus_dir / "data" / "timeline.yaml"
    fake_settings.names_file = FIXTURES / "names.yaml"
    return Explainer(fake_settings)


def test_html_in_sources_is_shown_as_text() -> None:
    rendered = format_answer(f"{PAYLOAD} [1]", _answer(PAYLOAD), final=True)
    assert "<script>" not in rendered and "<img" not in rendered and "<b>Title" not in rendered
    assert "&lt;script&gt;" in rendered and "&lt;b&gt;Title&lt;/b&gt;" in rendered


def test_markers_are_links_announced_with_their_title_and_carry_the_quote() -> None:
    answer = _answer("The protocol was signed.", title="Bishkek")
    html = linked_answer(answer)
    assert html == ('<a class="cite" href="#cite:d:5:29" aria-label="source 1: Bishkek" '
                    'data-quote="The protocol was signed.">[1]</a>').join(["The protocol was signed. ", ""])
    assert "[1]" not in escape("[1]")  # a bracket in source text can never look like a marker


def test_escape_neutralises_markdown() -> None:
    assert escape("**bold** _x_ `code`") == "&#42;&#42;bold&#42;&#42; &#95;x&#95; &#96;code&#96;"


def test_conversation_as_markdown_names_documents_by_title() -> None:
    first, second = _answer("The protocol was signed."), _answer("The truce held.", title="Truce")
    second.question = "And then?"
    md = conversation_markdown([first, second])
    assert "## q\n\nThe protocol was signed. [^1]" in md and "## And then?\n\nThe truce held. [^2]" in md
    assert '[^1]: <b>Title</b> (news, 2023-09-20, Wire): "The protocol was signed."' in md
    assert '[^2]: Truce (news, 2023-09-20, Wire): "The truce held."' in md
    assert "characters" not in md and "[Reopen this question](/?q=And%20then%3F)" in md
    assert answer_markdown(first).count("[^") == 2


def test_respond_streams_then_adds_sources_follow_ups_and_a_link(built: Settings) -> None:
    steps = list(respond(Explainer(built), "When was the Bishkek Protocol signed?"))
    assert "Sources" not in steps[0][0] and steps[0][1] is None
    final_html, final = steps[-1]
    assert "<b>Sources</b>" in final_html and "5 May 1994" in final_html
    assert 'class="answer-final"' in final_html and "?q=When%20was%20the%20Bishkek" in final_html
    assert "Primary sources:" in final_html and "Bishkek Protocol, 5 May 1994" in final_html
    assert final is not None and final.citations


def test_source_cards_show_context_instead_of_repeating_a_quote(built: Settings) -> None:
    explainer = Explainer(built)
    answer = explainer.ask("When was the Bishkek Protocol signed?")
    cards = format_sources(answer, explainer.index.documents)
    c = answer.citations[0]
    assert f"<blockquote>{escape(c.quote)}</blockquote>" not in cards
    assert f"<mark>{escape(c.quote)}</mark>" in cards


def test_respond_reports_question_errors(built: Settings) -> None:
    assert "empty" in list(respond(Explainer(built), "   "))[0][0]


def test_filters_change_the_answers_sources(built: Settings) -> None:
    explainer = Explainer(built)
    question = "What happened in 1992?"
    everything = {c.kind for c in explainer.ask(question).citations}
    only = make_filters(explainer, ["place"], "", "", False)
    assert only is not None and {c.kind for c in explainer.ask(question, only).citations} <= {"place"}
    assert everything != {"place"}
    assert make_filters(explainer, [], "", "", False) is None
    mine = make_filters(explainer, [], "", "", True)
    assert mine is not None and mine.kinds  # no uploads: a filter that matches nothing, not everything


def test_follow_ups_come_from_the_cited_documents(fake_settings: Settings, corpus_dir: Path) -> None:
    explainer = _timeline_explainer(fake_settings, corpus_dir)
    answer = explainer.ask("When did Armenian forces take Shusha?")
    suggestions = follow_ups(explainer, answer)
    assert suggestions and all(q.endswith("?") for q in suggestions)
    assert any("18 May 1992" in q for q in suggestions)  # Lachin: the other event the Shusha document covers


def test_article_explanation_page(fake_settings: Settings, corpus_dir: Path) -> None:
    explainer = _timeline_explainer(fake_settings, corpus_dir)
    loose = ArticleTuning(min_entity_score=-1, min_event_score=-1, min_figure_score=-1)
    article = f"Fighting near Shushi on Tuesday {PAYLOAD}; the 2020 statement was signed."
    out = ArticleExplainer(explainer, loose).explain(article, dt.date(2020, 11, 11))
    html = format_explanation(out)
    assert "Key background" in html and "What led to it" in html and "11 November 2020" in html
    assert "<script>" not in html


def test_sources_list_reads_dates_as_readers_do_and_filters(built: Settings) -> None:
    explainer = Explainer(built)
    html = format_sources_list(explainer)
    assert 'href="#doc:khojaly-1992"' in html and "5 May 1994 - 12 May 1994" in html and "Agreements (1)" in html
    assert "khojaly-1992" not in format_sources_list(explainer, kind="agreement")
    assert "khojaly-1992" in format_sources_list(explainer, query="khojaly")
    assert "khojaly-1992" not in format_sources_list(explainer, period="After 2023")
    doc = explainer.index.documents["ceasefire-1994"]
    assert readable_period(doc) == "5 May 1994 - 12 May 1994"


def test_timeline_has_a_date_axis_and_a_mark_per_event(fake_settings: Settings, corpus_dir: Path) -> None:
    explainer = _timeline_explainer(fake_settings, corpus_dir)
    svg = timeline_svg(explainer.events)
    assert svg.count('class="event-mark"') == len(explainer.events)
    assert ">1995</text>" in svg and ">2020</text>" in svg and "2020.5" not in svg
    assert "<title>8 May 1992: Armenian forces take Shusha</title>" in svg
    listing = format_timeline(explainer.events, explainer.index.documents)
    assert ">The 1994 ceasefire</a>" in listing  # a document's title, not its id


def test_timeline_list_escapes_text() -> None:
    class _Event:
        label, summary, docs, start, end = "1 May 1992", PAYLOAD, ["<x>"], 0, 5

    rendered = format_timeline([_Event()])
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered and "#doc:&lt;x&gt;" in rendered


def test_the_same_file_chosen_twice_is_sent_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "story.md").write_text("same")
    rows = upload_rows([tmp_path / "a" / "story.md", tmp_path / "b" / "story.md", tmp_path / "a" / "story.md"])
    assert rows == [("story.md", b"same")]
