"""Explain a news article: its date and relative days, the event it reports matched to the timeline with
what led to it and what came after, the background of each person, place and body it names, and every
figure it gives with who claims it beside what the sources say.

Everything shown is a sentence quoted from an indexed document (a `Citation` whose quote is
`document.text[start:end]`); the article's own words are only read, never cited. Background sentences
are chosen by their closeness to the article (cosine of the embedder's vectors), not by being the first
ones about a name, so a leader's birthplace loses to what he did in the week the article reports.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from app.answering import Answer, Citation
from app.dates import DAY_MONTH, FULL_DATE, MONTHS, YEAR
from app.explainer import Explainer, QuestionError
from app.text import tokenize
from app.timeline import TIMELINE_ID, Event

log = logging.getLogger(__name__)

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
RELATIVE = re.compile(
    r"\b(?:(last|next|this|on|since|from|until|by)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?:'s)?\b|\b(today|yesterday|tomorrow|last night|overnight|this morning|earlier this week)\b",
    re.IGNORECASE,
)
RELATIVE_DAYS = {"today": 0, "this morning": 0, "overnight": 0, "yesterday": -1, "last night": -1, "tomorrow": 1,
                 "earlier this week": -2}
# 'YEREVAN, 20 September 2023 -' or '20 September 2023 (Reuters) -' at the very start of the text
DATELINE = re.compile(rf"\s*(?:[A-Z][\w .'-]{{0,40}},\s*)?(?P<date>{FULL_DATE.pattern})\s*(?:\([^)]*\)\s*)?[-–—:]")
SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])|\n\s*\n")
QUALIFIER = r"(?:at least|more than|over|close to|nearly|almost|about|around|some|up to|fewer than|roughly)\s+"
FIGURE = re.compile(
    rf"(?P<fig>(?:{QUALIFIER})?\b\d{{1,3}}(?:,\d{{3}})+\b|(?:{QUALIFIER})?\b\d+(?:\.\d+)?\b(?:\s+(?:million|thousand))?)"
    r"(?P<what>(?:\s+(?!(?:and|or|to|of|in|on|at|the|a|had|have|has|was|were|would|will|are|is|could|from|by|for|according)\b)"
    r"[a-z][\w-]*){0,2})"
)
SPEECH = re.compile(
    r"\b(?:said|says|say|told|tells|put|puts|reported|reports|estimated|estimates|claimed|claims|stated|"
    r"announced|counted|documented|according to)\b",
    re.IGNORECASE,
)
PRONOUN = re.compile(r"^(?:he|she|they|it|the official|the ministry)$", re.IGNORECASE)
ENTITY_TYPES = ("person", "place", "region", "organisation", "state", "force", "agreement", "body")


@dataclass(frozen=True)
class ArticleTuning:
    """Every weight and limit of the article explainer (tests pass their own for the fake embedder)."""

    max_chars: int = 20_000  # longer texts are cut: a news report is a few thousand characters
    entity_cards: int = 10  # at most this many person/place/body cards
    sentences_per_entity: int = 2  # quoted background sentences per card
    entity_hits: int = 8  # passages searched per name
    article_weight: float = 0.6  # a background sentence's score: closeness to the whole article...
    context_weight: float = 0.4  # ...and to the article's sentences around the name
    min_entity_score: float = 0.3  # a sentence scoring below this is not background to this article
    reported_window_days: int = 1  # the reported event lies within this many days of a date the article gives
    reported_events: int = 3  # events shown for the days the article reports
    earlier_events: int = 8  # what led to it: at most this many earlier events, at most one per year
    same_year_events: int = 2  # ...except the reported event's own year, which may give this many
    later_events: int = 4  # what came after, within `later_window_days`
    later_window_days: int = 400
    recalled_weight: float = 0.15  # an earlier event whose date the reported event's documents give scores this more
    year_weight: float = 0.1  # ...and one in a year the article names scores this more
    min_event_score: float = 0.2  # timeline events less close to the article than this are left out
    figure_hits: int = 6  # passages searched per figure
    other_figures: int = 2  # what other sources say: at most this many sentences per figure
    min_figure_score: float = 0.45  # a source sentence about a figure must be at least this close to it
    figures: int = 8  # at most this many figures
    summary_earlier: int = 3  # the key background: the reported event, this many earlier events, one later


@dataclass
class Card:
    """One piece of background: a heading, its kind, and a cited `Answer` (quotes with [n] markers)."""

    title: str
    type: str
    answer: Answer
    score: float = 0.0
    date: str = ""  # ISO date, for events

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "type": self.type, "date": self.date, "score": round(self.score, 4),
                "text": self.answer.answer, "citations": [asdict(c) for c in self.answer.citations]}


@dataclass
class Figure:
    """A figure the article gives, who it says claims it, and what the sources say beside it."""

    figure: str
    claimant: str
    sentence: str
    others: Answer

    def to_dict(self) -> dict[str, Any]:
        return {"figure": self.figure, "claimant": self.claimant, "sentence": self.sentence,
                "others": self.others.answer, "citations": [asdict(c) for c in self.others.citations]}


@dataclass
class Explanation:
    date: str = ""  # the article's own date, ISO
    date_source: str = ""  # given | metadata | dateline | latest date in the text | ''
    relative_dates: list[dict[str, str]] = field(default_factory=list)  # {"text": "Tuesday", "date": ISO}
    summary: Card | None = None  # "key background"
    reported: list[Card] = field(default_factory=list)  # the event(s) the article reports
    earlier: list[Card] = field(default_factory=list)  # what led to it
    later: list[Card] = field(default_factory=list)  # what came after
    entities: list[Card] = field(default_factory=list)  # people, places, bodies
    figures: list[Figure] = field(default_factory=list)

    def cards(self) -> list[Card]:
        return [*self.reported, *self.earlier, *self.later, *self.entities]

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date, "date_source": self.date_source, "relative_dates": self.relative_dates,
            "summary": self.summary.to_dict() if self.summary else None,
            "reported": [c.to_dict() for c in self.reported], "earlier": [c.to_dict() for c in self.earlier],
            "later": [c.to_dict() for c in self.later], "entities": [c.to_dict() for c in self.entities],
            "figures": [f.to_dict() for f in self.figures],
        }


# -- dates ------------------------------------------------------------------------------------------------


def parse_full_dates(text: str) -> list[tuple[int, dt.date]]:
    """(offset, date) of every full date ('19 September 2023', 'September 19, 2023') in a text."""
    out = []
    for match in FULL_DATE.finditer(text):
        parts = match.group(0).replace(",", "").split()
        day, month, year = (parts[1], parts[0], parts[2]) if parts[0].lower() in MONTHS else parts
        try:
            out.append((match.start(), dt.date(int(year), MONTHS[month.lower()], int(day.split("-")[0]))))
        except (KeyError, ValueError):
            continue
    return out


def article_date(text: str, given: dt.date | None = None, metadata: dict[str, Any] | None = None) -> tuple[
    dt.date | None, str
]:
    """The article's own date and where it came from: the date the user gives, the metadata's, a dateline
    (a full date in the first line), or else the latest full date the text mentions."""
    if given is not None:
        return given, "given"
    raw = (metadata or {}).get("date")
    if raw:
        try:
            return (raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))), "metadata"
        except ValueError:
            log.warning("metadata date %r is not an ISO date; looking in the text", raw)
    dateline = DATELINE.match(text)
    if dateline:
        return parse_full_dates(dateline.group("date"))[0][1], "dateline"
    dated = parse_full_dates(text)
    if dated:
        return max(d for _, d in dated), "latest date in the text"
    return None, ""


def relative_dates(text: str, on: dt.date) -> list[dict[str, Any]]:
    """'Tuesday', 'yesterday', 'last Friday' resolved against the article's date: a plain weekday is the
    latest such day on or before it (news reports the past week), 'next Monday' the first one after it."""
    out = []
    seen: set[tuple[str, dt.date]] = set()
    for match in RELATIVE.finditer(text):
        if match.group(3):
            day = on + dt.timedelta(days=RELATIVE_DAYS[match.group(3).lower()])
        else:
            weekday = WEEKDAYS.index(match.group(2).lower())
            back = (on.weekday() - weekday) % 7
            ahead = (weekday - on.weekday()) % 7 or 7
            word = (match.group(1) or "").lower()
            if word == "next":
                day = on + dt.timedelta(days=ahead)
            else:
                day = on - dt.timedelta(days=back or (7 if word == "last" else 0))
        key = (match.group(0).lower(), day)
        if key not in seen:
            seen.add(key)
            out.append({"text": match.group(0), "date": day, "offset": match.start()})
    return out


# -- the explainer ----------------------------------------------------------------------------------------


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) of a plain text, split where a sentence ends before a capital."""
    out, start = [], 0
    for match in SENTENCE_END.finditer(text + "\n\n"):
        piece = text[start : match.start()]
        if piece.strip():
            out.append((start + len(piece) - len(piece.lstrip()), " ".join(piece.split())))
        start = match.end()
    return out


class ArticleExplainer:
    """Explains articles against one `Explainer`'s index and timeline; the timeline's vectors are computed
    once, on the first article."""

    def __init__(self, explainer: Explainer, tuning: ArticleTuning | None = None) -> None:
        self.explainer = explainer
        self.tuning = tuning or ArticleTuning()
        self._event_vectors: np.ndarray | None = None
        self._vectors: dict[tuple[str, int], np.ndarray] = {}

    # -- helpers

    def citation(self, n: int, doc_id: str, start: int, end: int, date: str = "") -> Citation:
        doc = self.explainer.index.document(doc_id)
        chunk = self.explainer.index.chunk_at(doc_id, start)
        return Citation(n, doc_id, chunk.id, doc.title, doc.kind, date or doc.date_label, doc.publisher,
                        doc.source_path, doc.text[start:end], start, end)

    def event_vectors(self) -> np.ndarray:
        if self._event_vectors is None:
            self._event_vectors = self.explainer.embedder.embed([e.summary for e in self.explainer.events])
        return self._event_vectors

    def sentence_vectors(self, keys: list[tuple[str, int, int]]) -> np.ndarray:
        """Vectors of document sentences (doc_id, start, end), each embedded once per explainer."""
        missing = [k for k in keys if (k[0], k[1]) not in self._vectors]
        if missing:
            docs = self.explainer.index.documents
            vectors = self.explainer.embedder.embed([docs[d].text[s:e] for d, s, e in missing])
            for key, vector in zip(missing, vectors, strict=True):
                self._vectors[(key[0], key[1])] = vector
        if not keys:
            return np.zeros((0, self.explainer.embedder.dimension), dtype=np.float32)
        return np.vstack([self._vectors[(d, s)] for d, s, _ in keys])

    def event_card(self, event: Event, score: float) -> Card:
        citation = self.citation(1, TIMELINE_ID, event.start, event.end, event.date.isoformat())
        return Card(event.title, "event", Answer(event.title, f"{event.summary} [1]", False, [citation]), score,
                    event.date.isoformat())

    # -- the stages

    def explain(self, text: str, on: dt.date | None = None, metadata: dict[str, Any] | None = None) -> Explanation:
        """The whole explanation of one article (see the module docstring)."""
        text = text[: self.tuning.max_chars]
        if not text.strip():
            raise QuestionError("The article is empty: paste the text of a news article.")
        day, source = article_date(text, on, metadata)
        out = Explanation(date=day.isoformat() if day else "", date_source=source)
        parts = [s for _, s in sentences(text)] or [text]
        vectors = self.explainer.embedder.embed(parts)
        centre = vectors.mean(axis=0)
        centre = centre / (np.linalg.norm(centre) or 1.0)
        days = {d for _, d in parse_full_dates(text)}
        if day is not None:
            rel = relative_dates(text, day)
            out.relative_dates = [{"text": r["text"], "date": r["date"].isoformat()} for r in rel]
            days |= {day, *(r["date"] for r in rel)}
        self.match_events(out, centre, day, days, {int(y) for y in YEAR.findall(text)})
        out.entities = self.entity_cards(text, parts, vectors, centre)
        out.figures = self.figures(text)
        out.summary = self.summary(out)
        return out

    def match_events(
        self, out: Explanation, centre: np.ndarray, day: dt.date | None, days: set[dt.date], years: set[int]
    ) -> None:
        """The event the article reports (a dated event on or next to a day it names, closest to the
        article), the earlier events closest to it (one per year, so decades of background rather than
        one busy week) and the closest later ones."""
        events = self.explainer.events
        if not events or TIMELINE_ID not in self.explainer.index.documents:
            return
        t = self.tuning
        scores = self.event_vectors() @ centre
        window = dt.timedelta(days=t.reported_window_days)
        # the days the article reports: its own date and the relative days; older full dates are background
        near = {d for d in days if day is None or abs((d - day).days) <= 7}
        candidates = [
            i for i, e in enumerate(events)
            if e.precision == "day" and any(abs(e.date - d) <= window for d in near) and scores[i] >= t.min_event_score
        ]
        candidates.sort(key=lambda i: -scores[i])
        reported = sorted(candidates[: t.reported_events], key=lambda i: events[i].date)
        out.reported = [self.event_card(events[i], float(scores[i])) for i in reported]
        if not reported:
            return
        first, last = events[reported[0]].date, events[reported[-1]].date
        # what the reported event's own documents recall ('the blockade since 12 December 2022') led to it
        docs = self.explainer.index.documents
        recalled = {d for i in reported for doc_id in events[i].docs if doc_id in docs
                    for _, d in parse_full_dates(docs[doc_id].text)}
        scores = scores + np.array([t.recalled_weight if e.date in recalled else 0.0 for e in events])
        # a year the article itself recalls ('That war ended in 1994') makes that year's events weigh more
        scores = scores + np.array([t.year_weight if e.date.year in years else 0.0 for e in events])
        per_year: dict[int, list[int]] = {}
        for i, e in enumerate(events):
            if e.date < first and i not in reported and scores[i] >= t.min_event_score:
                per_year.setdefault(e.date.year, []).append(i)
        picked = []
        for year, found in per_year.items():
            keep = t.same_year_events if year == first.year else 1
            picked += sorted(found, key=lambda i: -scores[i])[:keep]
        earlier = sorted(picked, key=lambda i: -scores[i])[: t.earlier_events]
        earlier.sort(key=lambda i: events[i].date)
        out.earlier = [self.event_card(events[i], float(scores[i])) for i in earlier]
        later = [
            i for i, e in enumerate(events)
            if last < e.date <= last + dt.timedelta(days=t.later_window_days) and scores[i] >= t.min_event_score
        ]
        by_doc: dict[str, int] = {}  # one event per document: three steps of one withdrawal are one story
        for i in sorted(later, key=lambda i: -scores[i]):
            by_doc.setdefault(events[i].docs[0] if events[i].docs else events[i].id, i)
        later = sorted(by_doc.values(), key=lambda i: -scores[i])[: t.later_events]
        out.later = [self.event_card(events[i], float(scores[i])) for i in sorted(later, key=lambda i: events[i].date)]

    def entity_cards(self, text: str, parts: list[str], vectors: np.ndarray, centre: np.ndarray) -> list[Card]:
        """For each person, place and body the article names: the source sentences about it that are
        closest to the article and to the article's own sentences about it."""
        t = self.tuning
        names = self.explainer.names
        docs = self.explainer.index.documents
        used: set[tuple[str, int]] = set()
        cards: list[Card] = []
        for entity in names.find(text):
            if entity.type not in ENTITY_TYPES:
                continue
            around = [i for i, p in enumerate(parts) if any(e.id == entity.id for e in names.find(p))]
            context = vectors[around].mean(axis=0) if around else centre
            context = context / (np.linalg.norm(context) or 1.0)
            name = next((v for v in entity.variants if v.isascii()), entity.label)
            query = " ".join([name, *(parts[i] for i in around[:2])])[:600]
            try:
                hits = self.explainer.search(query, t.entity_hits)
            except QuestionError:
                continue
            keys = []
            for hit in hits:
                if hit.document.kind == "news" and hit.document.text.strip()[:200] in text:
                    continue  # the article itself, when it was ingested
                for start, end in hit.chunk.sentences:
                    sentence = docs[hit.document.id].text[start:end]
                    if (hit.document.id, start) not in used and sentence not in text and any(
                        e.id == entity.id for e in names.find(sentence)
                    ):
                        keys.append((hit.document.id, start, end))
            keys = list(dict.fromkeys(keys))
            if not keys:
                continue
            sv = self.sentence_vectors(keys)
            score = t.article_weight * (sv @ centre) + t.context_weight * (sv @ context)
            order = [i for i in np.argsort(-score) if score[i] >= t.min_entity_score][: t.sentences_per_entity]
            if not order:
                continue
            order = sorted(order, key=lambda i: (keys[i][0], keys[i][1]))
            citations = [self.citation(n, *keys[i]) for n, i in enumerate(order, 1)]
            used.update((keys[i][0], keys[i][1]) for i in order)
            answer = Answer(f"What background matters about {name}?",
                            " ".join(f"{c.quote} [{c.n}]" for c in citations), False, citations)
            cards.append(Card(entity.label, entity.type, answer, float(max(score[i] for i in order))))
        best = sorted(cards, key=lambda c: -c.score)[: t.entity_cards]
        return [c for c in cards if c in best]

    def figures(self, text: str) -> list[Figure]:
        """Every figure the article gives (not dates or years), who it says claims it, and the source
        sentences about the same thing that give figures of their own."""
        t = self.tuning
        out: list[Figure] = []
        previous: list[str] = []
        for _, sentence in sentences(text):
            dates = [(m.start(), m.end()) for p in (FULL_DATE, DAY_MONTH) for m in p.finditer(sentence)]
            for match in FIGURE.finditer(sentence):
                number = re.sub(r"\D", "", match.group("fig").split()[-1] if "million" not in match.group("fig")
                                else match.group("fig").split()[-2])
                if not number or any(a <= match.start() < b for a, b in dates):
                    continue
                value = int(number)
                if 1900 <= value <= 2100 and "," not in match.group("fig"):
                    continue  # a year
                if value < 2 and not match.group("what").strip():
                    continue
                figure = (match.group("fig") + match.group("what")).strip()
                who = claimant(sentence, previous, self.explainer)
                out.append(Figure(figure, who, sentence, self.others(sentence, text)))
                if len(out) >= t.figures:
                    return out
            previous.append(sentence)
        return out

    def others(self, sentence: str, article: str = "") -> Answer:
        """What the sources say beside a figure: their closest sentences that give a figure too."""
        t = self.tuning
        docs = self.explainer.index.documents
        try:
            hits = self.explainer.search(sentence[:600], t.figure_hits)
        except QuestionError:
            return Answer(sentence, "", True)
        words = set(tokenize(re.sub(r"\d[\d,.]*", " ", sentence)))
        keys = []
        for hit in hits:
            if hit.document.kind == "news" and hit.document.text.strip()[:200] in article:
                continue  # the article itself, when it was ingested
            for start, end in hit.chunk.sentences:
                text = docs[hit.document.id].text[start:end]
                if text in article:
                    continue
                if re.search(r"\d", re.sub(r"\b(?:1[89]|20)\d\d\b", "", text)) and text not in sentence and (
                    words & set(tokenize(text))
                ):
                    keys.append((hit.document.id, start, end))
        keys = list(dict.fromkeys(keys))
        if not keys:
            return Answer(sentence, "", True)
        query = self.explainer.embedder.embed_query(sentence)
        score = self.sentence_vectors(keys) @ query
        order = [i for i in np.argsort(-score) if score[i] >= t.min_figure_score][: t.other_figures]
        citations = [self.citation(n, *keys[i]) for n, i in enumerate(order, 1)]
        return Answer(sentence, " ".join(f"{c.quote} [{c.n}]" for c in citations), not citations, citations)

    def summary(self, out: Explanation) -> Card | None:
        """Key background: the reported event, the earlier events closest to the article, the next one."""
        t = self.tuning
        earlier = sorted(sorted(out.earlier, key=lambda c: -c.score)[: t.summary_earlier], key=lambda c: c.date)
        picked = [*earlier, *out.reported[:1], *out.later[:1]]
        if not picked:
            picked = sorted(out.entities, key=lambda c: -c.score)[:3]
        if not picked:
            return None
        citations: list[Citation] = []
        for card in picked:
            c = card.answer.citations[0]
            if all((c.doc_id, c.start) != (o.doc_id, o.start) for o in citations):
                citations.append(Citation(**{**asdict(c), "n": len(citations) + 1}))
        text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
        return Card("Key background", "summary", Answer("Key background", text, False, citations),
                    max(c.score for c in picked))


def claimant(sentence: str, previous: list[str], explainer: Explainer) -> str:
    """Who the article says gives a figure: 'according to X', or the speaker before 'said/told/put'; a
    pronoun ('He said') is the last person named before it; '' when the article states it itself."""
    m = re.search(r"(?i:according to)\s+(?:the\s+)?((?:[A-Z][\w’'-]*\s*)+)", sentence)
    if m:
        return m.group(1).strip()
    m = SPEECH.search(sentence)
    if not m:
        return ""
    before = re.split(r"[,;“”\"]|\bthat\b", sentence[: m.start()])[-1].strip() or ""
    if not before:  # 'Karabakh ..., Vardanyan said.': the speaker follows the quote
        after = sentence[m.end() :].strip()
        return after.split(",")[0][:60] if after else ""
    words = before.split()
    if PRONOUN.match(before):
        for earlier in reversed(previous[-3:]):
            people = [e.label for _, _, e in explainer.names.mentions(earlier) if e.type == "person"]
            if people:
                return people[-1]
        return before
    return " ".join(words[-6:])
