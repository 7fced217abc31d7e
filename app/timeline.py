"""The timeline (corpus/data/timeline.yaml): dated events, rendered as one citable document, and the
periods that questions like "What happened in May 1992?" or "between 1988 and 1994" ask about."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

TIMELINE_ID = "timeline"
TIMELINE_TITLE = "Timeline of the Nagorno-Karabakh conflict"
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTH_RE = "|".join(m.capitalize() for m in MONTHS)


@dataclass
class Event:
    id: str
    date: dt.date
    precision: str
    title: str
    summary: str
    places: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    start: int = 0  # offsets of the summary in the rendered timeline text
    end: int = 0

    @property
    def label(self) -> str:
        if self.precision == "year":
            return str(self.date.year)
        if self.precision == "month":
            return f"{calendar.month_name[self.date.month]} {self.date.year}"
        return f"{self.date.day} {calendar.month_name[self.date.month]} {self.date.year}"


def load_events(path: Path) -> list[Event]:
    """Events in date order; raises ValueError naming the first bad event."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    events = []
    for raw in data.get("events", []):
        try:
            date = raw["date"] if isinstance(raw["date"], dt.date) else dt.date.fromisoformat(str(raw["date"]))
            events.append(
                Event(
                    id=str(raw["id"]), date=date, precision=str(raw.get("precision", "day")),
                    title=str(raw["title"]).strip(), summary=" ".join(str(raw["summary"]).split()),
                    places=[str(p) for p in raw.get("places") or []],
                    actors=[str(a) for a in raw.get("actors") or []],
                    docs=[str(d) for d in raw.get("docs") or []],
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"bad timeline event {raw.get('id', raw)!r}: {exc}") from exc
    events.sort(key=lambda e: e.date)
    return events


def render(events: list[Event]) -> str:
    """The timeline as Markdown, one event summary a line under a heading per year; sets offsets."""
    lines: list[str] = []
    offset = 0
    year = None

    def add(line: str) -> int:
        nonlocal offset
        start = offset
        lines.append(line)
        offset += len(line) + 1
        return start

    for event in events:
        if event.date.year != year:
            year = event.date.year
            if lines:
                add("")
            add(f"## {year}")
        start = add(f"- {event.summary}") + 2
        event.start, event.end = start, start + len(event.summary)
    return "\n".join(lines)


def parse_period(question: str) -> tuple[dt.date, dt.date] | None:
    """The date range a question asks about, or None. Understands '1993', 'May 1992', '19 September
    2023', 'between 1988 and 1994', '1988-1994', 'between 19 and 21 September 2023', 'late April 2023',
    'spring 2001', 'the winter of 1993-1994', 'between December 2022 and April 2023'."""
    q = question.replace("–", "-")
    m = re.search(
        rf"\b(?:between|from)\s+(?:(early|mid|late)[- ])?({MONTH_RE})(?:\s+(\d{{4}}))?\s+(?:and|to|until)\s+"
        rf"(?:(early|mid|late)[- ])?({MONTH_RE})\s+(\d{{4}})\b",
        q,
        re.I,
    )
    if m:  # 'between December 2022 and April 2023', 'from late May to July 1992'
        last_year, last = int(m.group(6)), MONTHS[m.group(5).lower()]
        first = MONTHS[m.group(2).lower()]
        first_year = int(m.group(3)) if m.group(3) else last_year - (first > last)
        start = dt.date(first_year, first, 20 if (m.group(1) or "").lower() == "late" else 1)
        end_day = 10 if (m.group(4) or "").lower() == "early" else calendar.monthrange(last_year, last)[1]
        return start, dt.date(last_year, last, end_day)
    m = re.search(rf"\b(\d{{1,2}})\s*(?:-|and|to)\s*(\d{{1,2}})\s+({MONTH_RE})\s+(\d{{4}})\b", q)
    if m:
        month, year = MONTHS[m.group(3).lower()], int(m.group(4))
        return dt.date(year, month, int(m.group(1))), dt.date(year, month, int(m.group(2)))
    m = re.search(rf"\b(\d{{1,2}})\s+({MONTH_RE})\s+(\d{{4}})\b", q)
    if m:
        day = dt.date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
        return day, day
    m = re.search(rf"\b(?:(early|mid|late)[- ])?({MONTH_RE})(?:\s+and\s+({MONTH_RE}))?\s+(\d{{4}})\b", q, re.I)
    if m:
        year = int(m.group(4))
        first = MONTHS[m.group(2).lower()]
        last = MONTHS[m.group(3).lower()] if m.group(3) else first
        start, end = dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
        part = (m.group(1) or "").lower()  # 'late November and December 1991' starts on 20 November
        if part == "early" and last == first:
            end = dt.date(year, first, 10)
        elif part == "late":
            start = dt.date(year, first, 20)
        return start, end
    m = re.search(r"\bwinter of (\d{4})\s*-\s*(\d{2,4})\b", q, re.I)
    if m:
        return dt.date(int(m.group(1)), 12, 1), dt.date(int(m.group(1)) + 1, 2, 28)
    m = re.search(r"\b(spring|summer|autumn|fall|winter) (?:of )?(\d{4})\b", q, re.I)
    if m:
        year = int(m.group(2))
        months = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (1, 2)}
        first, last = months[m.group(1).lower()]
        return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
    m = re.search(r"\b(?:between|from)\s+(\d{4})\s+(?:and|to|until)\s+(\d{4})\b|\b(\d{4})\s*-\s*(\d{4})\b", q)
    if m:
        a, b = (int(x) for x in (m.group(1, 2) if m.group(1) else m.group(3, 4)))
        return dt.date(min(a, b), 1, 1), dt.date(max(a, b), 12, 31)
    years = re.findall(r"\b(1[89]\d\d|20\d\d)\b", q)
    if len(years) == 1:
        year = int(years[0])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    return None


def in_period(event: Event, period: tuple[dt.date, dt.date]) -> bool:
    """Whether an event falls in the period, taking its precision into account."""
    start = event.date
    if event.precision == "year":
        end = dt.date(start.year, 12, 31)
    elif event.precision == "month":
        end = dt.date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    else:
        end = start
    return start <= period[1] and end >= period[0]
