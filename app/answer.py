"""Answer: question + `Hit`s -> `Answer`, by choosing source sentences (no LLM needed).

Every answer sentence is a sentence of a retrieved passage, quoted exactly and followed by its `[n]`
marker, so every claim is grounded by construction. When no sentence is close enough to the question the
answerer abstains and says so plainly, offering the nearest sources instead of quoting something loosely
related.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from app.index import Index, SentenceRef
from app.names import NameIndex
from app.retrieval import Hit
from app.text import tokenize

ABSTAIN_MESSAGE = "My sources don't cover this question, so I can't answer it without guessing."

NUMBER = re.compile(r"\d")
YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
DATE_WORDS = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|\d{4})\b"
)
PROPER = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")
CLAIMANT = re.compile(
    r"\b(?:did|does|do|has|have|had)\s+(?:the\s+)?(?P<who>[\w' -]+?)\s+"
    r"(?:say|said|claim|report|state|estimate|put|give|count)\b|\baccording to\s+(?:the\s+)?(?P<src>[\w' -]+)",
    re.IGNORECASE,
)
ATTRIBUTION = re.compile(
    r"according to|\b(?:said|says|say|reported|reports|claimed|claims|put|puts|estimated|estimates|gave|"
    r"counted|documented|recorded|figure|toll)\b",
    re.IGNORECASE,
)


@dataclass
class Citation:
    """One cited passage: `quote == document.text[start:end]`, always."""

    n: int
    doc_id: str
    chunk_id: str
    title: str
    kind: str
    date: str
    publisher: str
    source_path: str
    quote: str
    start: int
    end: int


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.id is None:
            data.pop("id")
        return data


@dataclass
class Scored:
    ref: SentenceRef
    hit: Hit
    row: int
    score: float
    dense: float
    overlap: float


def question_type(question: str) -> str:
    q = question.lower().strip()
    if re.search(r"\bhow (many|much)\b|\bnumber of\b|\bdeath toll\b|\bhow large\b", q):
        return "count"
    if re.search(r"^(when|what (year|date|day|month))\b|\bin what year\b|\bon what date\b", q):
        return "date"
    if re.search(r"^(who|whom|whose)\b", q):
        return "person"
    if re.search(r"^(why|how did|how does|how was|how were|explain|describe|what (led|caused))\b", q):
        return "explain"
    if re.search(r"^(list|name|which (were|are))\b|\bwhat were the\b", q):
        return "list"
    return "other"


class ExtractiveAnswerer:
    """Scores the sentences of the retrieved passages against the question and composes the best ones."""

    name = "extractive"

    def __init__(
        self, index: Index, min_score: float = 0.45, max_sentences: int = 5, names: NameIndex | None = None
    ) -> None:
        self.index = index
        self.names = names or NameIndex()
        self.min_score = min_score
        self.max_sentences = max_sentences
        df: Counter[str] = Counter()
        self._sentence_tokens: list[set[str]] = []
        for ref in index.sentences:
            toks = set(tokenize(self.names.canonical(index.sentence_text(ref))))
            self._sentence_tokens.append(toks)
            df.update(toks)
        n = max(len(index.sentences), 1)
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self._max_idf = math.log(1 + n)
        years = [int(y) for d in index.documents.values() for y in YEAR.findall(d.date_label)]
        self.latest_year = max(years) if years else None

    def idf(self, token: str) -> float:
        return self._idf.get(token, self._max_idf)

    def score_sentences(self, question: str, hits: list[Hit], query_vector: np.ndarray) -> list[Scored]:
        q_tokens = set(tokenize(self.names.canonical(question)))
        q_weight = sum(self.idf(t) for t in q_tokens) or 1.0
        qtype = question_type(question)
        claimant = claimant_phrase(question)
        best_hit = max((h.score for h in hits), default=1.0) or 1.0
        seen: set[tuple[str, int]] = set()
        scored: list[Scored] = []
        for hit in hits:
            for start, _end in hit.chunk.sentences:
                key = (hit.chunk.doc_id, start)
                if key in seen:
                    continue
                seen.add(key)
                row = self.index.sentence_row.get(key)
                if row is None:
                    continue
                ref = self.index.sentences[row]
                text = self.index.sentence_text(ref)
                dense = float(self.index.sentence_vectors[row] @ query_vector)
                overlap = sum(self.idf(t) for t in q_tokens & self._sentence_tokens[row]) / q_weight
                score = 0.55 * dense + 0.35 * overlap + 0.10 * (hit.score / best_hit)
                score += _cue_bonus(qtype, text)
                score += 0.2 * attribution_strength(text, claimant)
                if qtype == "count" and number_near(text, q_tokens):
                    score += 0.06
                scored.append(Scored(ref, hit, row, score, dense, overlap))
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored

    def answer(self, question: str, hits: list[Hit], query_vector: np.ndarray) -> Answer:
        scored = self.score_sentences(question, hits, query_vector)
        if not scored or self._should_abstain(question, scored):
            return self.abstain(question, hits)
        qtype = question_type(question)
        limit = {"count": 2, "date": 2, "person": 2}.get(qtype, self.max_sentences)
        best = scored[0]
        floor = max(self.min_score, best.score - (0.12 if qtype in ("explain", "list", "other") else 0.06))
        chosen = [best]
        for cand in scored[1:]:
            if len(chosen) >= limit or cand.score < floor:
                break
            vec = self.index.sentence_vectors[cand.row]
            if any(float(vec @ self.index.sentence_vectors[c.row]) > 0.9 for c in chosen):
                continue
            chosen.append(cand)
        return self.compose(question, chosen)

    def _should_abstain(self, question: str, scored: list[Scored]) -> bool:
        best = scored[0]
        if best.score < self.min_score:
            return True
        asked_years = [int(y) for y in YEAR.findall(question)]
        return bool(self.latest_year and asked_years and max(asked_years) > self.latest_year)

    def compose(self, question: str, chosen: list[Scored]) -> Answer:
        """Join the chosen sentences, each followed by its citation marker."""
        citations: list[Citation] = []
        parts: list[str] = []
        for cand in chosen:
            doc = cand.hit.document
            quote = doc.text[cand.ref.start : cand.ref.end]
            n = len(citations) + 1
            citations.append(
                Citation(
                    n=n, doc_id=doc.id, chunk_id=cand.hit.chunk.id, title=doc.title, kind=doc.kind,
                    date=doc.date_label, publisher=doc.publisher, source_path=doc.source_path,
                    quote=quote, start=cand.ref.start, end=cand.ref.end,
                )
            )
            parts.append(f"{quote} [{n}]")
        return Answer(question=question, answer=" ".join(parts), abstained=False, citations=citations)

    def abstain(self, question: str, hits: list[Hit]) -> Answer:
        related = [
            {"doc_id": h.document.id, "title": h.document.title, "kind": h.document.kind}
            for h in _unique_docs(hits)[:3]
        ]
        return Answer(question=question, answer=ABSTAIN_MESSAGE, abstained=True, related=related)


def claimant_phrase(question: str) -> str:
    """Who a question asks a claim of: 'How many did Armenia say ...' -> 'Armenia'."""
    match = CLAIMANT.search(question)
    if not match:
        return ""
    return (match.group("who") or match.group("src") or "").strip()


def claimant_tokens(question: str) -> set[str]:
    return set(tokenize(claimant_phrase(question)))


def attribution_strength(text: str, claimant: str) -> float:
    """How directly a sentence attributes its content to the claimant: 1.0 when the claimant itself is
    named at the attribution ('according to Armenia', 'Armenia said'), 0.4 when only something of the
    claimant's is ('Armenia's Security Council said'), else 0."""
    if not claimant:
        return 0.0
    name = re.escape(claimant)
    verbs = r"(?:said|says|reported|reports|claimed|claims|put|puts|estimated|estimates|gave|counted|documented)"
    direct = rf"according to (?:the )?{name}\b(?!['’]s)|\b{name}\b(?!['’]s)\s+(?:has |had |also )?{verbs}\b"
    if re.search(direct, text, re.IGNORECASE):
        return 1.0
    stems = set(tokenize(claimant))
    for match in ATTRIBUTION.finditer(text):
        if stems & set(tokenize(text[max(0, match.start() - 60) : match.end() + 40])):
            return 0.4
    return 0.0


def number_near(text: str, stems: set[str], distance: int = 4) -> bool:
    """Whether a number stands within `distance` words of one of the question's content words."""
    tokens = re.findall(r"\d[\d,.]*|\w+", text)
    numbers = [i for i, t in enumerate(tokens) if t[0].isdigit()]
    words = [i for i, t in enumerate(tokens) if not t[0].isdigit() and set(tokenize(t)) & stems]
    return any(abs(n - w) <= distance for n in numbers for w in words)


def _cue_bonus(qtype: str, text: str) -> float:
    if qtype == "count":
        return 0.08 if NUMBER.search(text) else -0.08
    if qtype == "date":
        return 0.08 if DATE_WORDS.search(text) else -0.08
    if qtype == "person":
        return 0.04 if PROPER.search(text) else -0.04
    return 0.0


def _unique_docs(hits: list[Hit]) -> list[Hit]:
    seen: set[str] = set()
    out: list[Hit] = []
    for hit in hits:
        if hit.document.id not in seen:
            seen.add(hit.document.id)
            out.append(hit)
    return out
