"""Measure the article explainer on eval/articles/articles.yaml: recall of each article's checked
background points, and the share of cards that cover one of them (a proxy for "useful"; the seed
report's cards are also marked by a reviewer in review-seed.yaml).

    PYTHONPATH=. EXPLAINER_INDEX_DIR=... python eval/articles/measure.py [--out eval/articles/report]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import yaml

from app.article import ArticleExplainer
from app.config import PROJECT_ROOT, Settings, set_offline_env
from app.evaluation import labels
from app.explainer import Explainer
from app.timeline import TIMELINE_ID

HERE = Path(__file__).parent
SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"


def cited(card_citations: list, starts: dict[int, str]) -> set[str]:
    """Document ids and timeline event ids a card cites."""
    out = set()
    for c in card_citations:
        out.add(starts.get(c.start, c.doc_id) if c.doc_id == TIMELINE_ID else c.doc_id)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=HERE / "report")
    args = parser.parse_args()
    set_offline_env()
    explainer = Explainer(Settings.from_env())
    articles = ArticleExplainer(explainer)
    starts = {e.start: e.id for e in explainer.events}
    known = set(explainer.index.documents) | set(starts.values())
    withheld = labels.withheld_sentences(explainer.index.documents.values())
    rows, cards_out = [], {}
    for item in yaml.safe_load((HERE / "articles.yaml").read_text())["articles"]:
        if "seed" in item:
            path = SEEDS / item["seed"]
            text = path.read_text(encoding="utf-8")
            meta = yaml.safe_load(path.with_name(path.stem + ".meta.yaml").read_text())
            on = None
        else:
            text, meta, on = item["text"], {}, dt.date.fromisoformat(str(item["date"]))
        started = time.perf_counter()
        out = articles.explain(text, on, meta)
        seconds = time.perf_counter() - started
        cards = [c for c in [out.summary, *out.cards()] if c is not None]
        everything = set().union(*(cited(c.answer.citations, starts) for c in cards)) if cards else set()
        points = item["points"]
        for p in points:
            unknown = set(p.get("events", []) + p.get("docs", [])) - known
            assert not unknown, f"{item['id']}: unknown ids {unknown}"
        wanted = [set(p.get("events", []) + p.get("docs", [])) for p in points]
        covered = [bool(w & everything) for w in wanted]
        useful = [bool(cited(c.answer.citations, starts) & set().union(*wanted)) for c in out.cards()]
        rows.append({"id": item["id"], "points": len(points), "covered": sum(covered),
                     "missed": [p["point"] for p, ok in zip(points, covered, strict=True) if not ok],
                     "cards": len(useful), "useful": sum(useful), "seconds": round(seconds, 1)})
        cards_out[item["id"]] = [{"section": s, "title": c.title, "text": labels.withhold(c.answer.answer, withheld),
                                  "useful": u}
                                 for (s, c), u in zip(
                                     [*(("reported", c) for c in out.reported), *(("earlier", c) for c in out.earlier),
                                      *(("later", c) for c in out.later), *(("entities", c) for c in out.entities)],
                                     useful, strict=True)]
        print(json.dumps(rows[-1]), flush=True)
    points = sum(r["points"] for r in rows)
    covered = sum(r["covered"] for r in rows)
    cards = sum(r["cards"] for r in rows)
    useful = sum(r["useful"] for r in rows)
    summary = {"articles": len(rows), "points": points, "recall": round(covered / points, 3),
               "cards": cards, "useful_share": round(useful / cards, 3) if cards else 0.0, "rows": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    (args.out / "cards.json").write_text(json.dumps(cards_out, indent=2, ensure_ascii=False) + "\n")
    lines = ["| article | points covered | cards covering a point | seconds |", "|---|---|---|---|"]
    lines += [f"| {r['id']} | {r['covered']}/{r['points']} | {r['useful']}/{r['cards']} | {r['seconds']} |"
              for r in rows]
    lines.append(f"| **all {len(rows)}** | **{covered}/{points} = {summary['recall']:.0%}** | "
                 f"**{useful}/{cards} = {summary['useful_share']:.0%}** | |")
    missed = [f"- {r['id']}: {m}" for r in rows for m in r["missed"]]
    (args.out / "report.md").write_text("# Article explainer\n\n" + "\n".join(lines) + "\n\nMissed points:\n\n"
                                        + "\n".join(missed) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
