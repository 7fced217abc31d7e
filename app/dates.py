"""Dates in text: the month names, the date patterns of sentences and questions, the period a question asks
about ('May 1992', 'between 1988 and 1994') and the 'as of' date the sources give themselves."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTH_RE = "|".join(m.capitalize() for m in MONTHS)
MONTH = rf"(?:{MONTH_RE})"
YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
FULL_DATE = re.compile(rf"\b\d{{1,2}}(?:-\d{{1,2}})?\s+{MONTH}\s+\d{{4}}\b|\b{MONTH}\s+\d{{1,2}},\s+\d{{4}}\b")
DAY_MONTH = re.compile(rf"\b\d{{1,2}}(?:-\d{{1,2}})?\s+{MONTH}\b|\b{MONTH}\s+\d{{1,2}}\b(?!\d)")
DATE_MENTION = re.compile(rf"{FULL_DATE.pattern}|\b(?:(?:early|mid|late)[- ])?{MONTH}\s+\d{{4}}\b", re.IGNORECASE)
MONTH_YEAR = re.compile(rf"\b{MONTH}\s+\d{{4}}\b")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(value: object) -> dt.date:
    """A calendar date written YYYY-MM-DD, or a `ValueError` that says so. Stricter than
    `date.fromisoformat`, which also takes week dates ('2020W011') and compact forms ('20200101')."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        shown = value if isinstance(value, str) and len(value) <= 40 else type(value).__name__
        raise ValueError(f"{shown!r} is not a date written YYYY-MM-DD (e.g. 2020-09-27)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a calendar date: {exc}") from None


def parse_period(question: str) -> tuple[dt.date, dt.date] | None:
    """The date range a question asks about, or None. Understands '1993', 'May 1992', '19 September
    2023', 'between 1988 and 1994', '1988-1994', 'between 19 and 21 September 2023', 'late April 2023',
    'spring 2001', 'the winter of 1993-1994', 'between December 2022 and April 2023', 'September 19-21,
    2023', whatever the case of the month ('between 5 and 12 may 1994')."""
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
    m = re.search(rf"\b(\d{{1,2}})\s*(?:-|and|to)\s*(\d{{1,2}})\s+({MONTH_RE})\s+(\d{{4}})\b", q, re.I)
    if m:
        month, year = MONTHS[m.group(3).lower()], int(m.group(4))
        return dt.date(year, month, int(m.group(1))), dt.date(year, month, int(m.group(2)))
    m = re.search(rf"\b(\d{{1,2}})\s+({MONTH_RE})\s+(\d{{4}})\b", q, re.I)
    if m:
        day = dt.date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
        return day, day
    # the month first, as American copy and many readers write it: 'September 19-21, 2023', 'may 12 1994'
    m = re.search(rf"\b({MONTH_RE})\s+(\d{{1,2}})(?:\s*(?:-|and|to)\s*(\d{{1,2}}))?,?\s+(\d{{4}})\b", q, re.I)
    if m:
        month, year = MONTHS[m.group(1).lower()], int(m.group(4))
        return dt.date(year, month, int(m.group(2))), dt.date(year, month, int(m.group(3) or m.group(2)))
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


def latest_as_of(texts: Iterable[str]) -> str:
    """The latest 'as of <Month YYYY>' the sources state about themselves ('as of November 2025'), or ''."""
    latest: tuple[int, int] | None = None
    for text in texts:
        for m in re.finditer(rf"\b[Aa]s of ({MONTH}) (\d{{4}})\b", text):
            when = (int(m.group(2)), MONTHS[m.group(1).lower()])
            latest = max(latest, when) if latest else when
    if latest is None:
        return ""
    return f"as of {dt.date(latest[0], latest[1], 1):%B %Y}"
