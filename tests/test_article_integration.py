"""The article explainer on the real corpus and model, with the seed news report of 20 September 2023."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.article import ArticleExplainer
from app.config import Settings
from app.explainer import Explainer

pytestmark = pytest.mark.integration

SEED = "news-2023-09-20-karabakh-offensive"


def test_seed_report_gets_its_event_what_led_to_it_and_what_came_after(
    real_corpus_index: Settings, seeds_dir: Path
) -> None:
    text = (seeds_dir / f"{SEED}.txt").read_text(encoding="utf-8")
    meta = yaml.safe_load((seeds_dir / f"{SEED}.meta.yaml").read_text(encoding="utf-8"))
    explainer = Explainer(real_corpus_index)
    out = ArticleExplainer(explainer).explain(text, None, meta)
    assert (out.date, out.date_source) == ("2023-09-20", "metadata")
    assert {"text": "on Tuesday", "date": "2023-09-19"} in out.relative_dates
    assert "2023-09-19" in {c.date for c in out.reported}  # 'began its operation on Tuesday'
    earlier = {c.date for c in out.earlier}
    assert any("2020-09-27" <= d <= "2020-11-10" for d in earlier), earlier  # the 2020 war
    assert any("2022-12-12" <= d <= "2023-09-18" for d in earlier), earlier  # the blockade year
    assert any("2023-09-24" <= d <= "2023-10-01" for d in (c.date for c in out.later))  # the exodus
    names = {c.title for c in out.entities}
    assert "Ruben Vardanyan" in names and "Stepanakert / Khankendi" in names
    figures = {f.figure: f.claimant for f in out.figures}
    assert figures["at least 32"] == "Armenia"
    assert figures["close to 100 people"] == "Ruben Vardanyan"
    assert out.summary is not None and len(out.summary.answer.citations) >= 3
    for card in [out.summary, *out.cards()]:
        for c in card.answer.citations:
            assert explainer.index.documents[c.doc_id].text[c.start : c.end] == c.quote
