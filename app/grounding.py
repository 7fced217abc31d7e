"""Grounding checks shared by the LLM verifier and the evaluation's citation-support metric.

A sentence is *supported* by passages when every number in it appears in them and at least `threshold`
of its content words (stemmed, stop words out, accents folded) occur in them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.text import tokenize

MARKER = re.compile(r"\[(\d+)\]")
NUMBER = re.compile(r"\d+")
LEAD = re.compile(r"(?:Yes|No)\.")  # the plain answer of a yes/no question, before its cited sentence


def numbers(text: str) -> set[str]:
    """Digits of every number, with digit grouping removed (100,417 -> 100417)."""
    return set(NUMBER.findall(re.sub(r"(?<=\d)[,\u202f\u00a0 ](?=\d{3}\b)", "", text)))


def sentence_support(sentence: str, passages: Sequence[str], threshold: float = 0.8) -> bool:
    if not passages:
        return False
    cited = " ".join(passages)
    if not numbers(MARKER.sub(" ", sentence)) <= numbers(cited):
        return False
    words = set(tokenize(MARKER.sub(" ", sentence)))
    if not words:
        return True
    return len(words & set(tokenize(cited))) / len(words) >= threshold


def split_answer(answer: str) -> list[tuple[str, list[int]]]:
    """Split an answer into sentences with the citation numbers each carries.

    A sentence ends where one or more markers are followed by text, or at '.', '!' or '?' followed by
    a space and a capital letter, except after an initial (markers right after the punctuation stay with
    their sentence). The plain "Yes." or "No." that opens a yes/no answer belongs to the cited sentence
    after it: that sentence is what the yes or no rests on."""
    # an initial or abbreviation ("A. Hakobyan", "U.S. State") does not end a sentence
    parts = re.split(r"(?<=\])\s+(?=[^\[\s])|(?<=[.!?])(?<![\s.][A-Z]\.)\s+(?=[A-Z\"“(])", answer.strip())
    out: list[tuple[str, list[int]]] = []
    if len(parts) > 1 and LEAD.fullmatch(parts[0].strip()):
        parts = [f"{parts[0].strip()} {parts[1]}", *parts[2:]]
    for part in parts:
        if not part.strip():
            continue
        markers = [int(n) for n in MARKER.findall(part)]
        text = MARKER.sub("", part).strip()
        if not text and out:  # a marker alone belongs to the sentence before
            out[-1][1].extend(markers)
            continue
        out.append((text, markers))
    return out
