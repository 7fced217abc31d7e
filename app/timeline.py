"""The timeline (corpus/data/timeline.yaml): dated events, rendered as one citable document, and the
periods that questions like "What happened in May 1992?" or "between 1988 and 1994" ask about."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from app import yamldata

TIMELINE_ID = "timeline"
TIMELINE_TITLE = "Timeline of the Nagorno-Karabakh conflict"


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
    data = yamldata.loads(path.read_text(encoding="utf-8")) or {}
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
