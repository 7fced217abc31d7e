"""Metrics for retrieval (via ir-measures), answers, citations and latency.

Answer matching normalises case, punctuation, digit grouping and dates before looking for a fact.
Citation support is defined in eval/README.md and implemented in `sentence_support`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.dates import MONTHS
from app.grounding import MARKER, sentence_support, split_answer
from app.text import fold

# -- retrieval -------------------------------------------------------------------------------------------


def retrieval_metrics(gold: dict[str, list[str]], ranked: dict[str, list[str]]) -> dict[str, float]:
    """Recall@5, Recall@10, MRR@10 and nDCG@10 over questions that have gold documents.

    `ranked` maps a question id to document ids, best first (duplicates are ignored after the first)."""
    import ir_measures
    from ir_measures import RR, Qrel, R, ScoredDoc, nDCG

    qids = [q for q, docs in gold.items() if docs]
    if not qids:
        return {}
    qrels = [Qrel(q, d, 1) for q in qids for d in gold[q]]
    run = []
    for q in qids:
        docs = list(dict.fromkeys(ranked.get(q, [])))[:10] or ["__nothing__"]
        run.extend(ScoredDoc(q, d, float(len(docs) - i)) for i, d in enumerate(docs))
    measures = {"recall@5": R @ 5, "recall@10": R @ 10, "mrr@10": RR @ 10, "ndcg@10": nDCG @ 10}
    per = {name: 0.0 for name in measures}
    for metric in ir_measures.iter_calc(list(measures.values()), qrels, run):
        for name, measure in measures.items():
            if metric.measure == measure:
                per[name] += metric.value
    return {name: total / len(qids) for name, total in per.items()}


# -- answers ---------------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lowercase, fold accents, unify dates to ISO, drop digit grouping and punctuation."""
    text = fold(text)
    text = MARKER.sub(" ", text)
    month = "|".join(MONTHS)
    text = re.sub(
        rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({month})\s+(\d{{4}})\b",
        lambda m: f"{m.group(3)}-{MONTHS[m.group(2)]:02d}-{int(m.group(1)):02d}",
        text,
    )
    text = re.sub(
        rf"\b({month})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b",
        lambda m: f"{m.group(3)}-{MONTHS[m.group(1)]:02d}-{int(m.group(2)):02d}",
        text,
    )
    text = re.sub(  # a month and year (no day) -> YYYY-MM, which "YYYY-MM-DD" of the same month contains
        rf"\b({month})\s+(\d{{4}})\b", lambda m: f"{m.group(2)}-{MONTHS[m.group(1)]:02d}", text
    )
    text = re.sub(  # a day and month (no year) -> MM-DD, which "YYYY-MM-DD" of the same day contains
        rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({month})\b",
        lambda m: f"{MONTHS[m.group(2)]:02d}-{int(m.group(1)):02d}",
        text,
    )
    text = re.sub(
        rf"\b({month})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b",
        lambda m: f"{MONTHS[m.group(1)]:02d}-{int(m.group(2)):02d}",
        text,
    )
    text = re.sub(r"(?<=\d)[,\u202f\u00a0 ](?=\d{3}\b)", "", text)  # 100,417 / 100 417 -> 100417
    text = re.sub(r"[^\w\s-]", " ", text)
    text = text.replace("-", " - ")
    return " ".join(text.split())


def contains(answer: str, alternative: str) -> bool:
    """Whether a normalised alternative occurs in the normalised answer as whole words (the last one
    possibly inflected)."""
    needle = normalise(alternative)
    if not needle:
        return False
    # a word may carry an inflection ("resign" is in "resigned", "capture" in "captures"); numbers may not
    suffix = "(?:s|es|d|ed|ing)?" if needle[-1].isalpha() else ""
    return re.search(rf"(?<!\S){re.escape(needle)}{suffix}(?!\S)", normalise(answer)) is not None


def fact_recall(answer: str, facts: Sequence[Sequence[str]]) -> float:
    if not facts:
        return 1.0
    return sum(any(contains(answer, alt) for alt in fact) for fact in facts) / len(facts)


def evidence_keys(evidence: Sequence[dict]) -> set[tuple[str, int]]:
    """(doc_id, start) of each labelled evidence sentence that has its offsets: how a citation is matched to it."""
    return {(e["doc_id"], e["start"]) for e in evidence if "start" in e}


def answer_precision(citations: Sequence[dict], facts: Sequence[Sequence[str]],
                     evidence: Sequence[dict] = ()) -> float | None:
    """The share of an answer's quoted sentences that are on point: a labelled evidence sentence (same
    document and start), or one that holds an alternative of a required fact. Padding (a further sentence
    that gives nothing asked for) lowers it; None for an answer without citations or a question with
    neither facts nor evidence, which has nothing to measure against."""
    if not citations or not (facts or evidence):
        return None
    labelled = evidence_keys(evidence)
    on_point = sum(
        (c["doc_id"], c["start"]) in labelled or any(contains(c["quote"], alt) for fact in facts for alt in fact)
        for c in citations
    )
    return on_point / len(citations)


def yes_no_agrees(answer: str, expected: str) -> bool:
    """Whether an answer opens with the plain yes or no expected ("Yes." / "No.")."""
    return re.match(rf"\s*{expected}\b", answer, re.IGNORECASE) is not None


def crag_score(answerable: bool, abstained: bool, correct: bool) -> int:
    """+1 correct, 0 abstained, -1 wrong; for unanswerable questions +1 abstained, -1 answered."""
    if not answerable:
        return 1 if abstained else -1
    if abstained:
        return 0
    return 1 if correct else -1


# -- citations -------------------------------------------------------------------------------------------


answer_sentences = split_answer


@dataclass
class CitationScores:
    validity: float
    coverage: float
    support: float
    sentences: int


def citation_scores(answer: str, citations: Sequence[dict], documents: dict[str, str]) -> CitationScores:
    """Validity (quotes equal the document text at their offsets), coverage and support of one answer."""
    valid = [documents.get(c["doc_id"], "")[c["start"] : c["end"]] == c["quote"] for c in citations]
    by_n = {c["n"]: c["quote"] for c in citations}
    sentences = answer_sentences(answer)
    covered = [bool(markers) and all(n in by_n for n in markers) for _, markers in sentences]
    supported = [sentence_support(text, [by_n[n] for n in markers if n in by_n]) for text, markers in sentences]
    n = len(sentences) or 1
    return CitationScores(
        validity=sum(valid) / len(valid) if valid else 1.0,
        coverage=sum(covered) / n,
        support=sum(supported) / n,
        sentences=len(sentences),
    )


def percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0}
    arr = np.asarray(values, dtype=float)
    return {"p50": float(np.percentile(arr, 50)), "p95": float(np.percentile(arr, 95))}
