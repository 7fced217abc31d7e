"""The article explainer on the fixture corpus and timeline (fake embedder), and its date reading."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from app.article import ArticleExplainer, ArticleTuning, article_date, claimant, relative_dates
from app.config import Settings
from app.explainer import Explainer, QuestionError
from app.index import IndexBuilder
from app.names import NameIndex

from .conftest import CORPUS, FIXTURES

ARTICLE = """MOSCOW - Russian peacekeepers began deploying on Wednesday along the Lachin corridor, a day after a
statement signed on Tuesday ended six weeks of fighting over Nagorno-Karabakh.

Armenian forces took Shusha in May 1992, and a ceasefire was agreed in 1994. Russia said about 2,000
peacekeepers would be deployed for five years.
"""
# the loosest tuning: the fake embedder's cosines are small and noisy
LOOSE = ArticleTuning(min_entity_score=-1.0, min_event_score=-1.0, min_figure_score=-1.0)


@pytest.fixture
def timeline_settings(fake_settings: Settings, corpus_dir: Path) -> Settings:
    (corpus_dir / "data").mkdir()
    (corpus_dir / "data" / "timeline.yaml").write_text((FIXTURES / "timeline.yaml").read_text())
    IndexBuilder(fake_settings).build([corpus_dir])
    fake_settings.timeline_file = corpus_dir / "data" / "timeline.yaml"
    fake_settings.names_file = FIXTURES / "names.yaml"
    return fake_settings


def test_article_date_prefers_what_the_reader_gives_then_metadata_then_the_dateline() -> None:
    text = "YEREVAN, 20 September 2023 - Fighting went on. Officials recalled 10 November 2020."
    assert article_date(text, dt.date(2023, 9, 21), {"date": "2023-09-22"}) == (dt.date(2023, 9, 21), "given")
    assert article_date(text, None, {"date": "2023-09-22"}) == (dt.date(2023, 9, 22), "metadata")
    assert article_date(text) == (dt.date(2023, 9, 20), "dateline")
    assert article_date("Talks on 10 November 2020 and 9 March 2021.\nMore.") == (
        dt.date(2021, 3, 9), "latest date in the text")
    assert article_date("No date at all.") == (None, "")


def test_relative_days_resolve_against_the_article_date(seeds_dir: Path) -> None:
    text = (seeds_dir / "news-2023-09-20-karabakh-offensive.txt").read_text()
    days = {r["text"].lower(): r["date"] for r in relative_dates(text, dt.date(2023, 9, 20))}
    assert days["on tuesday"] == dt.date(2023, 9, 19)  # the operation began on Tuesday
    assert days["on wednesday"] == dt.date(2023, 9, 20)
    week = {r["text"]: r["date"] for r in relative_dates("last Monday, next Friday, yesterday", dt.date(2023, 9, 20))}
    assert week == {"last Monday": dt.date(2023, 9, 18), "next Friday": dt.date(2023, 9, 22),
                    "yesterday": dt.date(2023, 9, 19)}


def test_claimants_of_figures() -> None:
    names = NameIndex.load(CORPUS / "data" / "names.yaml")
    who = SimpleNamespace(names=names)
    assert claimant("Azerbaijan pounded the region, killing at least 32 according to Armenia.", [], who) == "Armenia"
    assert claimant("The Yerevan government put the number of dead at 32.", [], who) == "The Yerevan government"
    earlier = ["“This is a big war,” Ruben Vardanyan, a former official, told Reuters."]
    assert claimant("He said nearly 100 people had died.", earlier, who) == "Ruben Vardanyan"
    assert claimant("More than 2,000 civilians were evacuated, Russia’s defence ministry said.", [], who) == (
        "Russia’s defence ministry")
    assert claimant("The region had 120,000 people.", [], who) == ""


def test_explanation_matches_the_reported_event_and_cites_exact_passages(timeline_settings: Settings) -> None:
    explainer = Explainer(timeline_settings)
    out = ArticleExplainer(explainer, LOOSE).explain(ARTICLE, dt.date(2020, 11, 11))
    assert out.date == "2020-11-11" and out.date_source == "given"
    assert {"text": "on Tuesday", "date": "2020-11-10"} in out.relative_dates
    assert [c.title for c in out.reported][0] == "Trilateral statement"
    assert {c.date for c in out.earlier} >= {"1994-05-05"}  # what led to it: the 1994 ceasefire
    assert all(c.date < "2020-11-10" for c in out.earlier)
    assert out.summary is not None and "[1]" in out.summary.answer.answer
    labels = [c.title for c in out.entities]
    assert "Shusha / Shushi" in labels
    figures = {f.figure: f for f in out.figures}
    assert "about 2,000 peacekeepers" in figures and figures["about 2,000 peacekeepers"].claimant == "Russia"
    cards = [out.summary, *out.cards()]
    for card in cards:
        for c in card.answer.citations:
            assert explainer.index.documents[c.doc_id].text[c.start : c.end] == c.quote
    for f in out.figures:
        for c in f.others.citations:
            assert explainer.index.documents[c.doc_id].text[c.start : c.end] == c.quote
    data = json.loads(json.dumps(out.to_dict()))
    assert data["reported"][0]["citations"][0]["doc_id"] == "timeline"


def test_entity_background_is_what_is_closest_to_the_article(timeline_settings: Settings) -> None:
    explainer = Explainer(timeline_settings)
    strict = ArticleTuning(min_entity_score=2.0)  # nothing is close enough: no trivia is shown instead
    assert ArticleExplainer(explainer, strict).explain(ARTICLE, dt.date(2020, 11, 11)).entities == []


def test_empty_article_is_a_question_error(timeline_settings: Settings) -> None:
    with pytest.raises(QuestionError):
        ArticleExplainer(Explainer(timeline_settings)).explain("   ")


def test_cli_explain_reads_the_sidecar_date(built: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli import cli

    article = tmp_path / "story.txt"
    article.write_text(ARTICLE)
    (tmp_path / "story.meta.yaml").write_text("date: 2020-11-11\n")
    monkeypatch.setenv("EXPLAINER_INDEX_DIR", str(built.index_dir))
    monkeypatch.setenv("EXPLAINER_EMBEDDER", "fake")
    monkeypatch.setenv("EXPLAINER_VECTOR_STORE", "memory")
    result = CliRunner().invoke(cli, ["explain", str(article), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["date"] == "2020-11-11" and data["date_source"] == "metadata"
    text = CliRunner().invoke(cli, ["explain", str(article), "--date", "2020-11-11"])
    assert text.exit_code == 0 and "Article date: 2020-11-11 (given)" in text.stdout
    assert CliRunner().invoke(cli, ["explain", str(tmp_path / "missing.txt")]).exit_code == 2
