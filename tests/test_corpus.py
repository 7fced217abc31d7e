"""Checks on the real corpus: schema, ids, dates, data files, size, repetition and naming of places."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import frontmatter
import pytest
import yaml

from .conftest import CORPUS

DOCS = sorted((CORPUS / "documents").glob("*.md"))
KINDS = {"background", "event", "agreement", "profile", "place", "timeline", "glossary", "news"}
pytestmark = pytest.mark.skipif(not DOCS, reason="corpus not written yet")


@lru_cache(maxsize=1)
def posts() -> dict[Path, frontmatter.Post]:
    return {p: frontmatter.load(str(p)) for p in DOCS}


@lru_cache(maxsize=1)
def names() -> list[dict]:
    return yaml.safe_load((CORPUS / "data" / "names.yaml").read_text(encoding="utf-8"))["entities"]


@lru_cache(maxsize=1)
def timeline() -> list[dict]:
    return yaml.safe_load((CORPUS / "data" / "timeline.yaml").read_text(encoding="utf-8"))["events"]


def iso(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def words(text: str) -> int:
    return len(re.findall(r"\b\w[\w'-]*\b", text))


def test_front_matter_schema() -> None:
    for path, post in posts().items():
        meta = post.metadata
        assert {"id", "title", "kind", "period", "sources", "updated"} <= set(meta), path.name
        assert meta["id"] == path.stem, path.name
        assert meta["kind"] in KINDS, path.name
        assert isinstance(meta["sources"], list) and meta["sources"], path.name
        start, end = iso(meta["period"]["start"]), iso(meta["period"]["end"])
        assert start <= end, path.name
        iso(meta["updated"])


def test_ids_are_unique() -> None:
    ids = Counter(post.metadata["id"] for post in posts().values())
    assert not [i for i, n in ids.items() if n > 1]


def test_size_and_document_lengths() -> None:
    counts = {p.stem: words(post.content) for p, post in posts().items()}
    assert len(counts) >= 50
    assert sum(counts.values()) >= 50_000
    assert not {k: v for k, v in counts.items() if not 300 <= v <= 2000}


def test_no_paragraph_repeated_across_documents() -> None:
    owners: dict[str, str] = {}
    repeated = []
    for path, post in posts().items():
        for para in re.split(r"\n\s*\n", post.content):
            key = " ".join(para.split()).lower()
            if len(key) < 80 or key.startswith("#"):
                continue
            if key in owners and owners[key] != path.stem:
                repeated.append((owners[key], path.stem, key[:60]))
            owners.setdefault(key, path.stem)
    assert not repeated


def test_name_variants_belong_to_one_entity() -> None:
    owner: dict[str, str] = {}
    clashes = []
    ids = Counter(e["id"] for e in names())
    assert not [i for i, n in ids.items() if n > 1]
    for entity in names():
        assert entity["type"] in {"place", "region", "person", "organisation", "agreement"}, entity["id"]
        for variant in variant_list(entity):
            key = variant.casefold()
            if key in owner and owner[key] != entity["id"]:
                clashes.append((variant, owner[key], entity["id"]))
            owner[key] = entity["id"]
    assert not clashes
    assert len(names()) >= 40


def variant_list(entity: dict) -> list[str]:
    keys = ("armenian", "azerbaijani", "russian", "historical", "other")
    return [v for k in keys for v in entity.get(k, []) or []]


def test_timeline_events() -> None:
    events = timeline()
    assert len(events) >= 150
    doc_ids = {p.stem for p in DOCS}
    ids = Counter(e["id"] for e in events)
    assert not [i for i, n in ids.items() if n > 1]
    dates = []
    for event in events:
        date = iso(event["date"])
        dates.append(date)
        assert event["precision"] in {"day", "month", "year"}, event["id"]
        assert event["title"] and event["summary"], event["id"]
        assert 1921 <= date.year <= 2025, event["id"]
        assert event["docs"] and set(event["docs"]) <= doc_ids, (event["id"], set(event["docs"]) - doc_ids)
    assert dates == sorted(dates)



def paired_places() -> list[tuple[str, list[str], list[str]]]:
    """(id, Armenian-usage names, Azerbaijani-usage names) of places that must carry both names."""
    out = []
    for entity in names():
        if entity.get("pair"):
            arm = [v for v in entity.get("armenian", []) if v.isascii()]
            aze = [v for v in entity.get("azerbaijani", []) + entity.get("other", []) if v.isascii()]
            out.append((entity["id"], arm, [v for v in aze if v not in arm]))
    return out


def first_mention_ok(text: str, arm: list[str], aze: list[str], window: int = 250) -> bool:
    def find(variants: list[str]) -> list[int]:
        return [m.start() for v in variants for m in re.finditer(rf"\b{re.escape(v)}\b", text)]

    a, b = find(arm), find(aze)
    if not a and not b:
        return True
    first = min(a + b)
    other = b if first in a else a
    return any(abs(pos - first) <= window for pos in other)


def test_contested_places_carry_both_names_on_first_mention() -> None:
    pairs = paired_places()
    assert len(pairs) >= 6
    failures = [
        (path.stem, place)
        for path, post in posts().items()
        for place, arm, aze in pairs
        if not first_mention_ok(post.content, arm, aze)
    ]
    assert not failures


def test_first_mention_check_itself() -> None:
    arm, aze = ["Stepanakert"], ["Khankendi"]
    assert first_mention_ok("Stepanakert (Khankendi in Azerbaijani usage) is a city.", arm, aze)
    assert not first_mention_ok("Stepanakert is a city. " + "x " * 200 + "Khankendi.", arm, aze)
    assert first_mention_ok("No place named here.", arm, aze)
