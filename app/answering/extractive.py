"""Answer: question + `Hit`s -> `Answer`, by choosing source sentences (no LLM needed).

Every answer sentence is a sentence of a retrieved passage, quoted exactly and followed by its `[n]`
marker, so every claim is grounded by construction. When no sentence is close enough to the question the
answerer abstains and says so plainly, offering the nearest sources instead of quoting something loosely
related.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.answering.answer import ABSTAIN_MESSAGE, Answer, Citation
from app.dates import DATE_MENTION, DAY_MONTH, FULL_DATE, MONTH_YEAR, YEAR, latest_as_of, parse_period  # noqa: F401
from app.index import Index, SentenceRef
from app.names import NameIndex
from app.retrieval import Hit
from app.text import concepts, fold, tokenize, word_concepts, words
from app.timeline import TIMELINE_ID, Event, in_period, render

PRESENT = re.compile(
    r"\b(?:current|currently|now|today|still|at present|presently|nowadays|these days|any ?more|as of)\b", re.I
)
AS_OF = re.compile(r"\b(?:as of|by the end of|since)\s+(?:\d{1,2}\s+)?[A-Z][a-z]+\s+\d{4}|\bas of\s+\d{4}\b", re.I)

NUMBER = re.compile(r"\d")
PERSON = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?:yan|yev|ov|ev|ian|in)?\b")
NEGATION = frozenset({"not", "no", "never", "neither", "nor", "none", "without", "nobody", "nothing"})
QUESTION_WORDS = frozenset(
    [
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "how",
        "did",
        "does",
        "do",
        "was",
        "were",
        "is",
        "are",
        "has",
        "have",
        "had",
        "can",
        "could",
        "would",
        "should",
        "will",
        "in",
        "on",
        "at",
        "of",
        "the",
        "a",
        "an",
        "and",
        "or",
        "after",
        "before",
        "during",
        "between",
        "since",
        "from",
        "to",
        "for",
        "by",
    ]
)
CLAIMANT = re.compile(
    r"\b(?:did|does|do|has|have|had)\s+(?:the\s+)?(?P<who>[\w' -]+?)\s+"
    r"(?:say|said|claim|report|state|estimate|put|give|count)\b|\baccording to\s+(?:the\s+)?(?P<src>[\w' -]+)",
    re.IGNORECASE,
)
ATTRIBUTION = re.compile(
    r"according to|\b(?:said|says|say|saying|reported|reports|claimed|claims|put|puts|estimated|estimates|gave|"
    r"give|gives|counted|counts|documented|recorded|stated|states|figures?|tolls?)\b",
    re.IGNORECASE,
)


@dataclass
class Weights:
    """How a sentence's score is made; tuned on the dev set (see eval/README.md)."""

    dense: float = 0.55  # cosine similarity of sentence and question embeddings
    overlap: float = 0.35  # share of the question's (idf-weighted, synonym-aware) words in the sentence
    passage: float = 0.10  # fused retrieval score of the passage the sentence is in
    cue: float = 0.12  # the sentence has the kind of answer asked for (number, date, name, list)
    claimant: float = 0.20  # the sentence attributes its claim to the claimant the question names


W = Weights()


@dataclass
class Scored:
    ref: SentenceRef
    hit: Hit
    row: int
    score: float
    dense: float
    overlap: float


def question_type(question: str) -> str:
    """The kind of answer a question wants, which decides the cues and how many sentences to give."""
    q = question.lower().strip()
    if re.search(r"^what happened\b|\bwhat (?:happened|took place|were the main events)\b", q):
        return "timeline"
    if re.search(r"\b(compare|compared|differ|different|difference|each side|both sides|versus)\b", q):
        return "compare"
    if re.search(
        r"\bhow (many|much)\b|\bnumber of\b|\bdeath toll\b|\bhow (large|big|long)\b|\bvote count\b|"
        r"\bwhat (percentage|share|proportion)\b|\bwhat was the (toll|count|area|population|turnout)\b",
        q,
    ):
        return "count"
    if re.search(r"^(when|what (year|date|day|month))\b|\b(in|on) (what|which) (year|date|day)\b", q):
        return "date"
    if re.search(r"^(who|whom|whose)\b|^which \w*\s?(official|leader|president|minister|person|man|woman)\b", q):
        return "person"
    if re.search(r"^(why|how did|how does|how was|how were|how has|explain|describe|what (led|caused))\b", q):
        return "explain"
    if re.search(r"^(list|name)\b|^which (\w+ )*(\w+s)\b|\bwhat were the\b", q):
        return "list"
    return "other"


@dataclass
class QuestionInfo:
    """What the answerer needs to know about a question, worked out once."""

    text: str
    qtype: str
    tokens: set[str]
    claimant: str
    years: list[int]
    anchors: list[str]
    named: dict[str, str] = field(default_factory=dict)  # token of each name in the question -> the name
    present: bool = False  # asks about the present state ('Who currently...', 'Is X still...')

    @property
    def wants_several(self) -> bool:
        return self.qtype in ("explain", "list", "timeline", "compare", "other")


def anchors(question: str) -> list[str]:
    """Names and years a good answer must be about: capitalised words past the first, and years."""
    words = re.findall(r"[A-Za-z][\w'’-]*|\d{4}", question)
    found: list[str] = []
    for i, word in enumerate(words):
        if word[0].isdigit():
            if YEAR.fullmatch(word):
                found.append(word)
        elif i > 0 and word[0].isupper() and word.lower() not in QUESTION_WORDS and len(word) > 1:
            found.append(re.sub(r"['’]s$", "", word))
    return found


class ExtractiveAnswerer:
    """Scores the sentences of the retrieved passages against the question and composes the best ones."""

    name = "extractive"

    def __init__(
        self,
        index: Index,
        min_score: float = 0.45,
        max_sentences: int = 5,
        names: NameIndex | None = None,
        events: list[Event] | None = None,
    ) -> None:
        self.index = index
        self.events = timeline_events(index, events or [])
        self._salience = date_salience(d.text for d in index.documents.values() if d.id != TIMELINE_ID)
        self.names = names or NameIndex()
        self.min_score = min_score
        self.max_sentences = max_sentences
        df: Counter[str] = Counter()
        self._sentence_tokens: list[set[str]] = []
        for ref in index.sentences:
            toks = set(concepts(self.names.canonical(index.sentence_text(ref))))
            self._sentence_tokens.append(toks)
            df.update(toks)
        n = max(len(index.sentences), 1)
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self._max_idf = math.log(1 + n)
        self._vocabulary = {w for d in index.documents.values() for w in words(d.text)}
        years = [int(y) for d in index.documents.values() for y in YEAR.findall(d.date_label)]
        self.latest_year = max(years) if years else None

    def idf(self, token: str) -> float:
        return self._idf.get(token, self._max_idf)

    def overlap(self, tokens: set[str], row: int, weight: float) -> float:
        """The idf-weighted share of `tokens` (of total idf `weight`) that sentence `row` contains."""
        return sum(self.idf(t) for t in tokens & self._sentence_tokens[row]) / weight

    def analyse(self, question: str) -> QuestionInfo:
        return QuestionInfo(
            text=question,
            qtype=question_type(question),
            tokens=set(concepts(self.names.canonical(question))),
            claimant=claimant_phrase(question),
            years=[int(y) for y in YEAR.findall(question)],
            anchors=anchors(question),
            named=self.named_tokens(question),
            present=bool(PRESENT.search(question)),
        )

    def named_tokens(self, question: str) -> dict[str, str]:
        """The distinctive names a question gives (an entity of names.yaml, or another capitalised word that
        is not a month), as token -> name. Names found in most of the corpus ('Armenia') are left out."""
        named: dict[str, str] = {}
        masked = question
        same_offsets = len(fold(question)) == len(question)
        for start, end, entity in self.names.mentions(question):
            if entity.type != "agreement":  # agreements go by descriptions ('the 1994 ceasefire'), not names
                named.update({t: entity.label for t in concepts("entity" + re.sub(r"\W", "", entity.id))})
            if same_offsets:
                masked = masked[:start] + " " * (end - start) + masked[end:]
        runs = [m.group(0) for m in re.finditer(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*", masked)]
        for word in anchors(masked):
            if not word.isdigit():
                name = next((run for run in runs if word in run.split()), word)  # 'United States', not 'United'
                named.update({t: name for t in concepts(word) if t not in TIME_WORDS})
        return {t: name for t, name in named.items() if self.idf(t) > COMMON_IDF}

    def score_sentences(
        self, question: str, hits: list[Hit], query_vector: np.ndarray, info: QuestionInfo | None = None
    ) -> list[Scored]:
        """Every sentence of the retrieved passages, scored against the question, best first."""
        info = info or self.analyse(question)
        q_weight = sum(self.idf(t) for t in info.tokens) or 1.0
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
                overlap = self.overlap(info.tokens, row, q_weight)
                score = W.dense * dense + W.overlap * overlap + W.passage * (hit.score / best_hit)
                score += W.cue * answer_type_cue(info, text)
                score += W.claimant * attribution_strength(text, info.claimant)
                if info.present and AS_OF.search(text):  # the present, as the sources last saw it
                    score += W.cue
                scored.append(Scored(ref, hit, row, score, dense, overlap))
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored

    def answer(self, question: str, hits: list[Hit], query_vector: np.ndarray) -> Answer:
        info = self.analyse(question)
        if info.qtype == "timeline" and self.events:
            period = parse_period(question)
            if period:
                dated = self.answer_from_timeline(info, period, query_vector, hits)
                if dated is not None:
                    return dated
        scored = self.score_sentences(question, hits, query_vector, info)
        reason = self.abstain_reason(info, scored) if scored else "no passage was retrieved"
        if reason:
            return self.abstain(question, hits, reason)
        limit = self.max_sentences if info.wants_several else 3
        margin = 0.12 if info.wants_several else 0.06
        best = scored[0]
        floor = max(self.min_score, best.score - margin)
        chosen = [best]
        for cand in scored[1:]:
            if len(chosen) >= limit or cand.score < floor:
                break
            if self.repeats(cand, chosen):
                continue
            chosen.append(cand)
        chosen = self.add_rival_claims(info, scored, chosen)
        if info.qtype in ("explain", "timeline"):
            chosen = [best, *sorted(chosen[1:], key=self._chronology)]
        return self.compose(question, chosen)

    def add_rival_claims(self, info: QuestionInfo, scored: list[Scored], chosen: list[Scored]) -> list[Scored]:
        """For a contested figure or date, the other sides' attributed claims too, never just one of them.

        Applies to 'how many' and 'when' questions that do not name a claimant, and to questions that ask
        about sides, blame or disputes. A rival claim is an attributed sentence ('according to', 'said',
        'estimated'...) close in score that brings a figure or date the answer does not have yet."""
        figures = info.qtype in ("count", "date") and not info.claimant
        if not (figures or RIVAL_CUE.search(info.text)):
            return chosen
        have = set().union(*(claims(self.index.sentence_text(c.ref)) for c in chosen))
        out = list(chosen)
        for cand in scored[1:15]:
            if len(out) >= max(len(chosen), 4) or cand.score < scored[0].score - RIVAL_MARGIN:
                break
            if cand in out:
                continue
            text = self.index.sentence_text(cand.ref)
            if not ATTRIBUTION.search(text):
                continue
            new = claims(text) - have
            if figures and not new:
                continue
            if info.qtype == "count" and not number_near(text, info.tokens) and not RIVAL_CUE.search(info.text):
                continue  # a figure about something else, unless the question asks for each side's figure
            out.append(cand)
            have |= new
        return out

    def repeats(self, cand: Scored, chosen: list[Scored]) -> bool:
        """Whether a sentence says again what a chosen one says: nearly the same meaning, and no figure or
        date of its own ('... Armenians displaced ... 300,000' and '... Azerbaijanis displaced ... 724,000'
        are close in meaning but are two facts)."""
        vec = self.index.sentence_vectors[cand.row]
        close = [c for c in chosen if float(vec @ self.index.sentence_vectors[c.row]) > 0.9]
        if not close:
            return False
        have = set().union(*(claims(self.index.sentence_text(c.ref)) for c in close))
        return claims(self.index.sentence_text(cand.ref)) <= have

    def answer_from_timeline(
        self, info: QuestionInfo, period: tuple[dt.date, dt.date], query_vector: np.ndarray, hits: list[Hit]
    ) -> Answer | None:
        """Dated events of the period that fit the question's topic, in date order, each cited."""
        days = (period[1] - period[0]).days
        coarse = {"year", "month"} if days <= 10 else {"year"} if days <= 62 else set()
        candidates = [e for e in self.events if in_period(e, period) and e.precision not in coarse]
        if not candidates:
            return None
        # what the question is about, beyond time words and words found everywhere ("Nagorno-Karabakh")
        topic = {t for t in info.tokens if not t.isdigit() and self.idf(t) > COMMON_IDF} - TIME_WORDS
        weight = sum(self.idf(t) for t in topic) or 1.0
        doc = self.index.documents[TIMELINE_ID]
        scored: list[Scored] = []
        for event in candidates:
            row = self.index.sentence_row[(TIMELINE_ID, event.start)]
            dense = float(self.index.sentence_vectors[row] @ query_vector)
            overlap = self.overlap(topic, row, weight) if topic else 0.0
            chunk = self.index.chunk_at(TIMELINE_ID, event.start)
            ref = self.index.sentences[row]
            score = 0.6 * dense + 0.4 * overlap + SALIENCE * self._salience.get(event.date, 0.0)
            scored.append(Scored(ref, Hit(chunk, doc, score), row, score, dense, overlap))
        scored.sort(key=lambda c: c.score, reverse=True)
        if topic and scored[0].overlap == 0 and scored[0].dense < 0.45:
            # nothing in the period names what was asked: no answer from the timeline when a place, person or
            # body was named, or the period is long; in a short period every event is about the conflict
            # ("What happened in the dispute in June 1988?")
            if any(t.startswith("entity") for t in topic) or days > 62:
                return None
            scored.sort(key=lambda c: c.dense, reverse=True)
            chosen = scored[: self.max_sentences]
        else:
            best = scored[0].score
            chosen = [c for c in scored if c.overlap >= 0.3 or c.score >= best - 0.3][: self.max_sentences]
        if topic and len(chosen) < self.max_sentences:
            chosen += self.dated_sentences(info, period, topic, hits, query_vector, chosen)
        chosen.sort(key=lambda c: chronological(self.index.sentence_text(c.ref), period))
        return self.compose(info.text, chosen)

    def dated_sentences(
        self, info: QuestionInfo, period: tuple[dt.date, dt.date], topic: set[str], hits: list[Hit],
        query_vector: np.ndarray, chosen: list[Scored],
    ) -> list[Scored]:
        """Sentences of the retrieved passages that date something of the question's topic inside the period
        (to a month or better), where the timeline has no such event: the timeline is a digest, the
        documents hold more."""
        weight = sum(self.idf(t) for t in topic) or 1.0
        found: list[Scored] = []
        for cand in self.score_sentences(info.text, hits, query_vector, info):
            overlap = self.overlap(topic, cand.row, weight)
            when = stated_period(self.index.sentence_text(cand.ref), period)
            if when is None or (when[1] - when[0]).days > 31 or (overlap < 0.5 and cand.dense < 0.45):
                continue
            if self.repeats(cand, chosen + found) or any(same_date(cand, c, self.index) for c in chosen + found):
                continue
            found.append(cand)
            if len(chosen) + len(found) >= self.max_sentences or len(found) >= DATED_EXTRA:
                break
        return found

    def _chronology(self, cand: Scored) -> tuple[str, str, int]:
        """Sentences in the order of their documents' periods, then as they stand in the document."""
        doc = cand.hit.document
        return (doc.period_start or doc.date or "", doc.id, cand.ref.start)

    def abstain_reason(self, info: QuestionInfo, scored: list[Scored]) -> str | None:
        """Why the sources do not support an answer, or None when they do."""
        best = scored[0]
        if best.score < self.min_score:
            return "no passage is close enough to the question"
        if self.latest_year and info.years and max(info.years) > self.latest_year:
            return "the question is about a time after the sources end"
        unknown = [a for a in info.anchors if not a.isdigit() and not set(words(a)) <= self._vocabulary]
        if unknown:
            return f"the sources never mention {', '.join(unknown)}"
        present = set().union(*(self._sentence_tokens[c.row] for c in scored[:NAMED_DEPTH]))
        if not set(info.named) <= present:  # 'Karabakh' is also a word of 'Nagorno-Karabakh'
            present |= set(tokenize(" ".join(self.index.sentence_text(c.ref) for c in scored[:NAMED_DEPTH])))
        absent = list(dict.fromkeys(name for t, name in info.named.items() if t not in present))
        if absent:
            return f"no close source mentions {', '.join(absent)}"
        expected = self.only_expected(info, scored[:PREMISE_DEPTH])
        if expected:
            return f"the closest sources, written before it, only expect it in {expected}"
        if info.qtype in PREMISE_TYPES and not negative(info.text):
            for cand in scored[:PREMISE_DEPTH]:
                if cand.score < best.score - PREMISE_GAP:
                    break
                denied = negated_premise(info, self.index.sentence_text(cand.ref))
                if denied:
                    return f"a close source contradicts the question's premise ({denied})"
        return None

    def only_expected(self, info: QuestionInfo, close: list[Scored]) -> int | None:
        """A year the question asks about that the close sources give only as a future date ('elections
        due in 2026'): they were written before it, so they cannot say what happened then."""
        texts = [self.index.sentence_text(c.ref) for c in close]
        for year in info.years:
            future = [m for t in texts for m in FUTURE.finditer(t) if m.group("year") == str(year)]
            mentions = sum(t.count(str(year)) for t in texts)
            if future and mentions == len(future):
                return year
        return None

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
                    n=n,
                    doc_id=doc.id,
                    chunk_id=cand.hit.chunk.id,
                    title=doc.title,
                    kind=doc.kind,
                    date=doc.date_label,
                    publisher=doc.publisher,
                    source_path=doc.source_path,
                    quote=quote,
                    start=cand.ref.start,
                    end=cand.ref.end,
                )
            )
            parts.append(f"{quote} [{n}]")
        return Answer(question=question, answer=" ".join(parts), abstained=False, citations=citations)

    def abstain(self, question: str, hits: list[Hit], reason: str = "") -> Answer:
        related = [
            {"doc_id": h.document.id, "title": h.document.title, "kind": h.document.kind}
            for h in _unique_docs(hits)[:3]
        ]
        return Answer(question=question, answer=ABSTAIN_MESSAGE, abstained=True, related=related, reason=reason)


def as_of(answer: Answer, documents: dict[str, Any]) -> str:
    """The latest date the documents an answer cites cover ('30 November 2025'), or '' without citations."""
    dates = []
    for c in answer.citations:
        doc = documents.get(c.doc_id)
        if doc is not None:
            dates += [d for d in (doc.date, doc.period_end, doc.period_start) if d]
    latest = max((d for d in dates if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d)), default="")
    return dt.date.fromisoformat(latest).strftime("%-d %B %Y") if latest else ""


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


def stated_period(text: str, within: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date] | None:
    """The first date (a day or a month) a sentence states inside the period `within`, as a range."""
    for match in DATE_MENTION.finditer(text):
        when = parse_period(match.group(0))
        if when is not None and when[1] >= within[0] and when[0] <= within[1]:
            return when
    return None


def chronological(text: str, within: tuple[dt.date, dt.date]) -> tuple[int, int, int, int]:
    """Where a sentence goes in a chronological answer about `within`: by its date there (a month after
    the days of that month), else at the end."""
    start, end = stated_period(text, within) or (within[1], within[1])
    return (start.year, start.month, int(start != end), start.day)


def date_salience(texts: Iterable[str]) -> dict[dt.date, float]:
    """How much the documents talk about each day, from 0 to 1: the share of the most-mentioned day's count
    (on a log scale). 10 November 2020 is mentioned far more than 17 October 2020."""
    counts: Counter[dt.date] = Counter()
    for text in texts:
        for match in FULL_DATE.finditer(text):
            when = parse_period(match.group(0))
            if when:
                counts[when[0]] += 1
    top = math.log1p(max(counts.values(), default=0)) or 1.0
    return {day: math.log1p(n) / top for day, n in counts.items()}


def same_date(a: Scored, b: Scored, index: Index) -> bool:
    """Whether two sentences state the same full date (so tell of the same event, most likely)."""
    dates = [{m.group(0) for m in FULL_DATE.finditer(index.sentence_text(c.ref))} for c in (a, b)]
    return bool(dates[0] & dates[1])


def undated(text: str) -> str:
    """`text` without its dates ('27 February 1988', 'May 5'), so that the numbers left are counts."""
    return DAY_MONTH.sub(" ", FULL_DATE.sub(" ", text))


MEASURE_QUESTION = re.compile(r"\bhow (?:long|large|big|far|wide)\b|\bwhat (?:area|length|distance)\b", re.I)
MEASURE = re.compile(
    r"\d[\d,.]*[- ](?:square )?(?:kilomet|km|met|mile|hectare|year|month|week|day|hour)", re.IGNORECASE
)


def number_near(text: str, stems: set[str], distance: int = 4) -> bool:
    """Whether a number (not a year) stands within `distance` words of one of the question's content words."""
    text = undated(text)  # '27 February 1988' is no count
    tokens = re.findall(r"\d[\d,.]*|\w+", text)
    numbers = [i for i, t in enumerate(tokens) if t[0].isdigit() and not YEAR.fullmatch(t.rstrip(",."))]
    per_word = word_concepts(tokens)
    words = [i for i, t in enumerate(tokens) if not t[0].isdigit() and per_word[i] & stems]
    return any(abs(n - w) <= distance for n in numbers for w in words)


SALIENCE = 0.15  # weight of how much the documents talk about an event's day, in choosing timeline events
DATED_EXTRA = 2  # at most this many document sentences complete a timeline answer
COMMON_IDF = math.log(1 + 10)  # a word in more than a tenth of all sentences says little about a topic
TIME_WORDS = frozenset(
    concepts(
        "happen happened event events period time year month day early late spring summer autumn winter between "
        "january february march april may june july august september october november december "
        "around near inside"
    )
)


def timeline_events(index: Index, events: list[Event]) -> list[Event]:
    """The timeline events, if the index holds the same rendering of them (else none: offsets would be off)."""
    doc = index.documents.get(TIMELINE_ID)
    if not events or doc is None or render(list(events)) != doc.text:
        return []
    if any((TIMELINE_ID, e.start) not in index.sentence_row for e in events):
        return []
    return list(events)


RIVAL_MARGIN = 0.3  # how far below the best sentence another side's claim may score and still be given
RIVAL_CUE = re.compile(
    r"\b(each side|both sides|each say|each said|responsib\w*|blame\w*|disput\w*|contested|"
    r"according to \w+ and|armenian and azerbaijani|azerbaijani and armenian)\b",
    re.IGNORECASE,
)


def claims(text: str) -> set[str]:
    """The figures and dates a sentence states (years alone do not count as a claim)."""
    found = {m.group(0) for m in FULL_DATE.finditer(text)}
    found |= {n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", YEAR.sub(" ", FULL_DATE.sub(" ", text)))}
    return found


NAMED_DEPTH = 10  # every name in the question must occur in one of this many best sentences
REASON = re.compile(
    r"\b(?:because|since|due to|owing to|as a result|in order to|so that|so as to|on the grounds|in protest|"
    r"the reason|reasons?|argu(?:ed|ing|es)|citing|cited|saying that|said that|for fear|to prevent|to avoid|"
    r"to protect|to secure|to ensure|which meant|aimed at|intended to)\b",
    re.IGNORECASE,
)
PREMISE_TYPES = frozenset({"explain", "date", "count", "person", "other"})
PREMISE_DEPTH = 3  # how many of the best sentences may reveal a false premise...
PREMISE_GAP = 0.1  # ...if they score this close to the best one
FUTURE = re.compile(
    r"\b(?:due|scheduled|expected|planned|set|to be held)\s+(?:in|for|by)\s+(?:[A-Z]\w+\s+)?(?P<year>\d{4})\b"
)
PROSPECTIVE = re.compile(r"\b(?:to|for|before|towards|about|on)\s+(\w+ing)\b", re.IGNORECASE)
CLAUSE_END = re.compile(r"[;:]|,\s+(?:and|but|while|whereas|which|although|so|when)\b|\s+but\s+")
COMMON_TOPIC_WORDS = frozenset(
    tokenize("war conflict karabakh nagorno azerbaijan azerbaijani armenia armenian soviet year")
)


NEGATIVE_WORDS = NEGATION | {"refuse", "refused", "reject", "rejected", "instead", "fail", "failed", "deny", "denied"}
AUXILIARIES = frozenset({"did", "does", "do", "was", "were", "is", "are", "has", "have", "had", "could", "would"})
TEMPORAL_LIMIT = re.compile(r"\b(?:until|only (?:in|on|after|when)|before|later|yet)\b", re.IGNORECASE)


def negative(question: str) -> bool:
    """Whether a question is itself about something not done ('Why didn't...', 'Why did X refuse...'), so
    that a source saying 'not' answers it rather than denying it."""
    return any(
        w in NEGATIVE_WORDS or w.endswith("n't") or (w.endswith("nt") and w[:-2] in AUXILIARIES)
        for w in words(question)
    )



def negated_premise(info: QuestionInfo, sentence: str, window: int = 6) -> str | None:
    """The question word a sentence denies ('no ... force was deployed' against 'How many peacekeepers were
    deployed'), or None. Names and years are not premises; only the question's other content words are. A
    denial limited in time ('had not been delimited ... until 2024') denies nothing about the later time."""
    names = set(tokenize(" ".join(info.anchors)))
    # 'conditions for signing' asks about an act in prospect: it does not presuppose the signing
    prospective = set(concepts(" ".join(PROSPECTIVE.findall(info.text))))
    premises = [
        t for t in info.tokens if t not in names | prospective and t not in COMMON_TOPIC_WORDS and not t.isdigit()
    ]
    for clause in CLAUSE_END.split(sentence):  # 'did not intervene, and the ceasefire...' denies no ceasefire
        clause_words = words(clause)
        for i, word in enumerate(clause_words):
            if word not in NEGATION and not word.endswith("n't"):
                continue
            if TEMPORAL_LIMIT.search(" ".join(clause_words[i + 1 :])):
                continue
            for t in tokenize(" ".join(clause_words[i + 1 : i + 1 + window])):
                for p in premises:
                    if len(p) >= 4 and len(t) >= 4 and (t.startswith(p[:5]) or p.startswith(t[:5])):
                        return p
    return None


def answer_type_cue(info: QuestionInfo, text: str) -> float:
    """How well a sentence has the kind of content the question asks for, from -0.5 to 1."""
    if info.qtype == "count":
        if MEASURE_QUESTION.search(info.text) and not MEASURE.search(text):
            return -0.5  # 'How long was the section?' wants kilometres (or years), not any number
        if number_near(text, info.tokens):
            return 1.0
        return 0.4 if re.search(r"\d[\d,.]*(?!\d)", YEAR.sub("", undated(text))) else -0.5
    if info.qtype == "date":
        if any(m.group(0) not in info.text for m in FULL_DATE.finditer(text)):
            return 1.0
        return 0.5 if MONTH_YEAR.search(text) else (0.1 if YEAR.search(text) else -0.5)
    if info.qtype == "person":
        # a name the question does not already give ("Who signed for Azerbaijan?" -> not "Heydar Aliyev"
        # when the question names him)
        asked = set(words(info.text))
        names = [m.group(0) for m in PERSON.finditer(text)]
        if any(not set(words(n)) <= asked for n in names):
            return 0.6
        return 0.0 if names else -0.3
    if info.qtype == "list":
        return 0.8 if text.count(",") >= 3 else 0.0
    if info.qtype == "timeline":
        return 0.5 if FULL_DATE.search(text) or MONTH_YEAR.search(text) else 0.0
    if info.qtype == "explain" and info.text.lower().startswith("why"):
        return 0.6 if REASON.search(text) else 0.0  # 'Why...?' wants a reason given
    return 0.0


def _unique_docs(hits: list[Hit]) -> list[Hit]:
    seen: set[str] = set()
    out: list[Hit] = []
    for hit in hits:
        if hit.document.id not in seen:
            seen.add(hit.document.id)
            out.append(hit)
    return out
