"""Run configurations over question sets and write report.json, report.md and plots."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from app.answering.chat_models import CHAT_MODELS
from app.evaluation import labels
from app.evaluation import metrics as m
from app.evaluation.dataset import EvalQuestion, load_questions
from app.evaluation.systems import SYSTEMS
from app.explainer import Explainer

HEADLINE = [
    ("recall@5", "R@5"), ("mrr@10", "MRR@10"), ("ndcg@10", "nDCG@10"), ("correct", "Correct (answerable)"),
    ("fact_recall", "Fact recall"), ("answer_precision", "Answer precision"), ("crag", "CRAG score"),
    ("abstain_unanswerable", "Abstain (unanswerable)"),
    ("false_abstain", "Wrong abstain (answerable)"), ("premise_corrected", "False premise corrected"),
    ("yes_no_agrees", "Yes/no agrees"), ("citation_validity", "Cit. validity"),
    ("citation_coverage", "Cit. coverage"), ("citation_support", "Cit. support"),
    ("llm_kept", "LLM answers kept by the verifier"), ("p95_total_ms", "p95 ms"),
]

log = logging.getLogger(__name__)


def score_question(q: EvalQuestion, answer: dict[str, Any], documents: dict[str, str]) -> dict[str, Any]:
    abstained = bool(answer.get("abstained"))
    text = answer.get("answer", "")
    recall = m.fact_recall(text, q.facts) if not abstained else 0.0
    yes_no = m.yes_no_agrees(text, q.yes_no) if q.yes_no and not abstained else None
    correct = q.answerable and not abstained and recall == 1.0 and yes_no is not False
    row: dict[str, Any] = {
        "id": q.id, "category": q.category, "answerable": q.answerable, "abstained": abstained,
        "fact_recall": recall, "correct": correct, "crag": m.crag_score(q.answerable, abstained, correct),
        "answer": text, "reason": answer.get("reason", ""),
        "answered_by": answer.get("answered_by", ""),
    }
    if yes_no is not None:
        row["yes_no"] = yes_no
    if q.unanswerable_kind:
        row["unanswerable_kind"] = q.unanswerable_kind
    if q.unanswerable_kind == "false-premise" and abstained:
        # declined, and says what the sources do say: a cited sentence of the labelled evidence
        evidence = m.evidence_keys(q.evidence)
        row["premise_corrected"] = any((c["doc_id"], c["start"]) in evidence for c in answer.get("citations") or [])
    if q.answerable and not abstained:
        precision = m.answer_precision(answer.get("citations") or [], q.facts, q.evidence)
        if precision is not None:
            row["answer_precision"] = precision
    if not abstained and answer.get("citations") is not None:
        cs = m.citation_scores(text, answer["citations"], documents)
        row.update(citation_validity=cs.validity, citation_coverage=cs.coverage, citation_support=cs.support)
    return row


def aggregate(rows: list[dict[str, Any]], retrieval: dict[str, float], timings: list[dict[str, float]]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    answered = [r for r in rows if "citation_validity" in r]
    measured = [r for r in answerable if "answer_precision" in r]

    def mean(items: list, key: str) -> float:
        return sum(float(i[key]) for i in items) / len(items) if items else 0.0

    summary: dict[str, Any] = dict(retrieval)
    summary.update(
        questions=len(rows),
        correct=mean(answerable, "correct"),
        fact_recall=mean(answerable, "fact_recall"),
        answer_precision=mean(measured, "answer_precision") if measured else None,
        crag=mean(rows, "crag"),
        abstain_unanswerable=mean(unanswerable, "abstained"),
        false_abstain=mean(answerable, "abstained"),
        citation_validity=mean(answered, "citation_validity"),
        citation_coverage=mean(answered, "citation_coverage"),
        citation_support=mean(answered, "citation_support"),
    )
    for stage in ("retrieve_ms", "answer_ms", "total_ms"):
        pct = m.percentiles([t[stage] for t in timings])
        summary[f"p50_{stage}"], summary[f"p95_{stage}"] = pct["p50"], pct["p95"]
    categories = sorted({r["category"] for r in rows})
    corrected = [r for r in rows if "premise_corrected" in r or r.get("unanswerable_kind") == "false-premise"]
    summary["premise_corrected"] = (
        sum(bool(r.get("premise_corrected")) for r in corrected) / len(corrected) if corrected else None
    )
    yes_no = [r for r in answerable if "yes_no" in r or r["category"] == "yes-no"]
    summary["yes_no_agrees"] = sum(bool(r.get("yes_no")) for r in yes_no) / len(yes_no) if yes_no else None
    summary["by_category"] = {
        c: {"n": len(cr), "crag": mean(cr, "crag"), "correct": mean([r for r in cr if r["answerable"]], "correct"),
            "abstained": mean(cr, "abstained")}
        for c in categories
        for cr in [[r for r in rows if r["category"] == c]]
    }
    kinds = sorted({r["unanswerable_kind"] for r in unanswerable if r.get("unanswerable_kind")})
    summary["by_unanswerable_kind"] = {
        k: {"n": len(kr), "abstained": mean(kr, "abstained")}
        for k in kinds
        for kr in [[r for r in unanswerable if r.get("unanswerable_kind") == k]]
    }
    return summary


def run_eval(
    explainer: Explainer, question_files: list[Path], systems: list[str], out_dir: Path, progress: bool = True
) -> dict[str, Any]:
    """Evaluate each named system on the same questions; write the report files and return the report."""
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        raise ValueError(f"unknown configuration(s) {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    questions = [q for path in question_files for q in load_questions(path)]
    documents = {d.id: d.text for d in explainer.index.documents.values()}
    withheld = labels.withheld_sentences(explainer.index.documents.values())
    missing = sorted({d for q in questions for d in q.gold_docs} - documents.keys())
    if missing:  # e.g. the seed news report, which `explainer ingest` adds: its questions would score as misses
        log.warning("the index lacks %d document(s) the questions cite (%s): ingest them first, or their "
                    "questions score as misses", len(missing), ", ".join(missing))
    report: dict[str, Any] = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "question_files": [str(p) for p in question_files],
        "index": explainer.index.generation,
        "missing_documents": missing,
        "configs": {},
        "questions": {},
    }
    from tqdm import tqdm

    for name in systems:
        system = SYSTEMS[name](explainer)
        rows, timings, gold, ranked = [], [], {}, {}
        for q in tqdm(questions, desc=f"eval {name}", unit="q", disable=not progress):
            result = system.run(q)
            gold[q.id], ranked[q.id] = q.gold_docs, result.ranked_docs
            row = score_question(q, result.answer, documents)
            row["answer"] = labels.withhold(row["answer"], withheld)
            row["ranked_docs"] = result.ranked_docs[:10]
            rows.append(row)
            timings.append(result.timings)
        report["configs"][name] = aggregate(rows, m.retrieval_metrics(gold, ranked), timings)
        if name in CHAT_MODELS:  # how often the model's own answer passed the verifier (else: extractive)
            answered = [r for r in rows if not r["abstained"]]
            kept = sum(r["answered_by"] == name for r in answered)
            report["configs"][name]["llm_kept"] = kept / len(answered) if answered else 0.0
        report["configs"][name]["latencies_ms"] = [t["total_ms"] for t in timings]
        tuning = getattr(getattr(system, "explainer", None), "answerer", None)
        tuning = getattr(getattr(tuning, "extractive", tuning), "tuning", None)
        if tuning is not None:  # every weight and threshold the answers were made with
            report["configs"][name]["tuning"] = tuning.to_dict()
        report["questions"][name] = rows
    write_report(report, out_dir)
    return report


def markdown_table(report: dict[str, Any]) -> str:
    names = list(report["configs"])
    lines = ["| metric | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for key, label in HEADLINE:
        cells = []
        for name in names:
            value = report["configs"][name].get(key)
            cells.append("-" if value is None else (f"{value:.1f}" if key.endswith("_ms") else f"{value:.3f}"))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def category_table(report: dict[str, Any], name: str) -> str:
    """Per category of one configuration: questions, correct (answerable), abstained, CRAG."""
    summary = report["configs"][name]
    lines = [f"| {name}: category | n | correct | abstained | CRAG |", "|---|---|---|---|---|"]
    for category, c in summary["by_category"].items():
        lines.append(f"| {category} | {c['n']} | {c['correct']:.3f} | {c['abstained']:.3f} | {c['crag']:.3f} |")
    for kind, k in summary.get("by_unanswerable_kind", {}).items():
        lines.append(f"| unanswerable: {kind} | {k['n']} | - | {k['abstained']:.3f} | - |")
    return "\n".join(lines)


def write_report(report: dict[str, Any], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    n = report["configs"][next(iter(report["configs"]))]["questions"]
    md = [
        "# Evaluation report", "",
        f"{n} questions from {', '.join(report['question_files'])}; index {report['index']}; {report['created']}.",
        *(["", f"**The index lacks documents the questions cite**: {', '.join(report['missing_documents'])}."]
          if report.get("missing_documents") else []),
        "", markdown_table(report), "",
        *[part for name in report["configs"] for part in (category_table(report, name), "")],
        "Latency is per question on this machine (retrieve, answer, end to end; p50/p95 in report.json).", "",
        "![metrics](metrics.png)", "", "![latency](latency.png)", "",
    ]
    (out_dir / "report.md").write_text("\n".join(md))
    plot(report, out_dir)


def plot(report: dict[str, Any], out_dir: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = list(report["configs"])
    keys = [(k, label) for k, label in HEADLINE if not k.endswith("_ms")]
    x = np.arange(len(keys))
    width = 0.8 / max(len(names), 1)
    fig, ax = plt.subplots(figsize=(13, 5))
    for i, name in enumerate(names):
        ax.bar(x + i * width, [report["configs"][name].get(k) or 0 for k, _ in keys], width, label=name)
    ax.set_xticks(x + width * (len(names) - 1) / 2, [label for _, label in keys], rotation=30, ha="right")
    ax.set_ylim(-1, 1.05)
    ax.axhline(0, color="black", linewidth=0.5)
    ax.legend()
    ax.set_title("Metrics per configuration")
    fig.tight_layout()
    fig.savefig(out_dir / "metrics.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 4))
    ax.boxplot([report["configs"][n]["latencies_ms"] for n in names], tick_labels=names, showfliers=True)
    ax.set_ylabel("end-to-end latency (ms)")
    ax.set_title("Latency per question")
    fig.tight_layout()
    fig.savefig(out_dir / "latency.png", dpi=110)
    plt.close(fig)
