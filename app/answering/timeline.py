"""Timeline answers: "What happened in May 1992?" answered by the dated events of that period that fit the
question's topic, completed by document sentences dated inside the period, in date order, each cited."""

from __future__ import annotations

import datetime as dt

import numpy as np

from app.answering import cues
from app.answering.features import Candidate, Featurizer
from app.answering.question import TIME_TERMS, Question
from app.answering.selection import repeats
from app.answering.tuning import Tuning
from app.dates import FULL_DATE
from app.index import Index
from app.retrieval import Hit
from app.timeline import TIMELINE_ID, Event, in_period, render

MONTH_DAYS = 31  # a document sentence completes a timeline when it dates something to a month or better
SHORT_PERIOD_DAYS = 10  # in a period this short, events dated only by month or year are too vague


def usable_events(index: Index, events: list[Event]) -> list[Event]:
    """The timeline events, if the index holds the same rendering of them (else none: offsets would be off)."""
    doc = index.documents.get(TIMELINE_ID)
    if not events or doc is None or render(list(events)) != doc.text:
        return []
    if any(index.sentence_at(TIMELINE_ID, e.start) is None for e in events):
        return []
    return list(events)


def chronological_key(text: str, within: tuple[dt.date, dt.date]) -> tuple[int, int, int, int]:
    """Where a sentence goes in a chronological answer about `within`: by its date there (a month after
    the days of that month), else at the end."""
    start, end = cues.stated_period(text, within) or (within[1], within[1])
    return (start.year, start.month, int(start != end), start.day)


class TimelineAnswers:
    def __init__(self, index: Index, events: list[Event], featurizer: Featurizer, tuning: Tuning) -> None:
        self.index = index
        self.events = usable_events(index, events)
        self.featurizer = featurizer
        self.tuning = tuning
        most = max((len(e.docs) for e in self.events), default=0) or 1
        # how much the documents talk about an event: how many of them it draws on
        self.salience = {e.id: np.log1p(len(e.docs)) / np.log1p(most) for e in self.events}

    def select(self, q: Question, query_vector: np.ndarray, ranked: list[Candidate]) -> list[Candidate] | None:
        """The events (and dated sentences) answering a timeline question, in date order, or None."""
        t = self.tuning
        period = q.period
        if period is None or not self.events:
            return None
        days = (period[1] - period[0]).days
        short = days <= t.timeline_short_days
        coarse = {"year", "month"} if days <= SHORT_PERIOD_DAYS else {"year"} if short else set()
        events = [e for e in self.events if in_period(e, period) and e.precision not in coarse]
        if not events:
            return None
        f = self.featurizer
        common = f.n * t.common_df_share
        topic = {term for term in q.own_terms
                 if not term.isdigit() and term not in TIME_TERMS and f.df.get(term, 0) <= common}
        doc = self.index.document(TIMELINE_ID)
        scored: list[tuple[float, float, float, Candidate]] = []
        for event in events:
            sentence = self.index.sentence_at(TIMELINE_ID, event.start)
            if sentence is None:
                continue
            terms = f.terms(sentence)
            dense = float(sentence.vector @ query_vector)
            overlap = f.share(topic, terms) if topic else 0.0
            score = t.timeline_dense * dense + t.timeline_overlap * overlap + t.timeline_salience * self.salience[
                event.id]
            chunk = self.index.chunk_at(TIMELINE_ID, event.start)
            scored.append((score, dense, overlap, Candidate(sentence, Hit(chunk, doc, score), 0, terms, p=score)))
        if not scored:
            return None
        scored.sort(key=lambda s: s[0], reverse=True)
        best, best_dense, best_overlap, _ = scored[0]
        if topic and best_overlap == 0 and best_dense < t.timeline_min_dense:
            # nothing in the period names what was asked: no timeline answer when a place, person or body was
            # named, or the period is long; in a short period every event is about the conflict
            if q.names or days > t.timeline_short_days:
                return None
            scored.sort(key=lambda s: s[1], reverse=True)
            chosen = [s[3] for s in scored[: t.timeline_max_events]]
        else:
            chosen = [s[3] for s in scored
                      if s[2] >= t.timeline_topic_overlap or s[0] >= best - t.timeline_margin][: t.timeline_max_events]
        if topic and len(chosen) < t.timeline_max_events:
            chosen += self.dated_sentences(q, period, topic, ranked, chosen)
        chosen.sort(key=lambda c: chronological_key(c.text, period))
        return chosen

    def dated_sentences(self, q: Question, period: tuple[dt.date, dt.date], topic: set[str],
                        ranked: list[Candidate], chosen: list[Candidate]) -> list[Candidate]:
        """Sentences of the retrieved passages that date something of the question's topic inside the period,
        where the timeline has no such event: the timeline is a digest, the documents hold more."""
        t = self.tuning
        found: list[Candidate] = []
        for c in ranked:
            when = cues.stated_period(c.text, period)
            if when is None or (when[1] - when[0]).days > MONTH_DAYS or c.p < t.keep_min:
                continue
            dates = {m.group(0) for m in FULL_DATE.finditer(c.text)}
            taken = chosen + found
            if repeats(c, taken, t) or any(dates & {m.group(0) for m in FULL_DATE.finditer(o.text)} for o in taken):
                continue
            found.append(c)
            if len(chosen) + len(found) >= t.timeline_max_events or len(found) >= t.timeline_dated_extra:
                break
        return found
