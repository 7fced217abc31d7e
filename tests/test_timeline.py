import datetime as dt
from pathlib import Path

import pytest

from app.config import Settings
from app.dates import parse_period
from app.explainer import Explainer
from app.index import IndexBuilder
from app.ingest import load_document
from app.timeline import TIMELINE_ID, in_period, load_events, render

from .conftest import FIXTURES

D = dt.date


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What happened in 1993?", (D(1993, 1, 1), D(1993, 12, 31))),
        ("What happened in May 1992?", (D(1992, 5, 1), D(1992, 5, 31))),
        ("What happened on 19 September 2023?", (D(2023, 9, 19), D(2023, 9, 19))),
        ("What happened between 19 and 21 September 2023?", (D(2023, 9, 19), D(2023, 9, 21))),
        ("What happened between 1988 and 1994?", (D(1988, 1, 1), D(1994, 12, 31))),
        ("What happened in 1988-1994?", (D(1988, 1, 1), D(1994, 12, 31))),
        ("What happened in late April 2023?", (D(2023, 4, 20), D(2023, 4, 30))),
        ("What happened in April and May 2024?", (D(2024, 4, 1), D(2024, 5, 31))),
        ("What happened in the winter of 1993-1994?", (D(1993, 12, 1), D(1994, 2, 28))),
        ("What happened in spring 2001?", (D(2001, 3, 1), D(2001, 5, 31))),
        ("What happened between December 2022 and April 2023?", (D(2022, 12, 1), D(2023, 4, 30))),
        ("What happened from late May to July 1992?", (D(1992, 5, 20), D(1992, 7, 31))),
        ("What happened between late November and December 1991?", (D(1991, 11, 20), D(1991, 12, 31))),
        ("What happened in late November and December 1991?", (D(1991, 11, 20), D(1991, 12, 31))),
        # as readers type them: lower case, the month first
        ("what happened between 5 and 12 may 1994", (D(1994, 5, 5), D(1994, 5, 12))),
        ("what happened on 9 november 2020", (D(2020, 11, 9), D(2020, 11, 9))),
        ("events of september 19-21, 2023", (D(2023, 9, 19), D(2023, 9, 21))),
        ("What happened on May 12, 1994?", (D(1994, 5, 12), D(1994, 5, 12))),
        ("What happened next?", None),
    ],
)
def test_parse_period(question: str, expected: tuple | None) -> None:
    assert parse_period(question) == expected


def test_render_keeps_exact_offsets_and_ingests_as_one_document(tmp_path: Path) -> None:
    events = load_events(FIXTURES / "timeline.yaml")
    text = render(events)
    assert all(text[e.start : e.end] == e.summary for e in events)
    assert text.startswith("## 1992\n- On 8 May 1992")
    target = tmp_path / "timeline.yaml"
    target.write_text((FIXTURES / "timeline.yaml").read_text())
    doc = load_document(target)
    assert (doc.id, doc.kind, doc.text) == (TIMELINE_ID, "timeline", text)
    assert (doc.period_start, doc.period_end) == ("1992-05-08", "2020-11-10")


def test_precision_counts_in_periods() -> None:
    drones = next(e for e in load_events(FIXTURES / "timeline.yaml") if e.precision == "year")
    assert in_period(drones, (D(2020, 11, 1), D(2020, 11, 30)))
    assert not in_period(drones, (D(2021, 1, 1), D(2021, 12, 31)))


def test_bad_timeline_is_rejected(tmp_path: Path) -> None:
    from app.ingest import load_documents

    (tmp_path / "timeline.yaml").write_text("events:\n  - id: x\n    date: someday\n    title: t\n    summary: s\n")
    result = load_documents([tmp_path])
    assert not result.documents and "bad timeline event" in result.rejected[0].reason


@pytest.fixture
def with_timeline(fake_settings: Settings, corpus_dir: Path) -> Settings:
    (corpus_dir / "data").mkdir()
    (corpus_dir / "data" / "timeline.yaml").write_text((FIXTURES / "timeline.yaml").read_text())
    IndexBuilder(fake_settings).build([corpus_dir])
    fake_settings.timeline_file = corpus_dir / "data" / "timeline.yaml"
    return fake_settings


def test_timeline_question_answers_with_dated_events_in_order(with_timeline: Settings) -> None:
    explainer = Explainer(with_timeline)
    answer = explainer.ask("What happened in May 1992?")
    assert [c.doc_id for c in answer.citations] == [TIMELINE_ID, TIMELINE_ID]
    assert answer.citations[0].quote.startswith("On 8 May 1992") and "18 May 1992" in answer.citations[1].quote
    doc = explainer.index.documents[TIMELINE_ID]
    assert all(doc.text[c.start : c.end] == c.quote for c in answer.citations)


def test_narrow_periods_skip_coarse_events(with_timeline: Settings) -> None:
    answer = Explainer(with_timeline).ask("What happened between 9 and 11 November 2020?")
    assert [c.quote[:16] for c in answer.citations] == ["On 10 November 2"]


def test_ordinary_search_leaves_the_timeline_out(with_timeline: Settings) -> None:
    explainer = Explainer(with_timeline)
    assert all(h.document.id != TIMELINE_ID for h in explainer.search("Shusha May 1992 Lachin", k=10))
    from app.stores import Filters

    hits = explainer.search("Shusha May 1992", filters=Filters(kinds=("timeline",)))
    assert hits and hits[0].document.id == TIMELINE_ID


def test_a_timeline_question_about_what_no_source_names_is_declined(with_timeline: Settings) -> None:
    # the fixture timeline has events in May 1992 in Shusha, but no document mentions Zelensky: the hard
    # abstention rules hold for timeline questions as for any other
    answer = Explainer(with_timeline).ask("What happened in Shusha in May 1992 as Zelensky tells it?")
    assert answer.abstained and "Zelensky" in answer.reason
    assert Explainer(with_timeline).ask("What happened in May 1992?").citations
