"""Chunking: `Document` -> `Chunk`, along the document's structure.

Headings open sections (their path is kept on each chunk), blank lines close paragraphs, list items are
blocks of their own. Sentences are found inside blocks with pysbd, and every sentence and chunk keeps
character offsets into `Document.text`, so `text[start:end]` is exactly the passage a citation quotes.
Markup (heading lines, list markers) never falls inside a sentence span.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from app.ingest import Document

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass
class Block:
    """A paragraph or list item: contiguous text under one heading path."""

    start: int
    end: int
    headings: tuple[str, ...]


@dataclass
class Chunk:
    """A retrievable passage: consecutive sentences of one section, with offsets into its document."""

    id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    headings: list[str]
    sentences: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        data = dict(data)
        data["sentences"] = [tuple(s) for s in data.get("sentences", [])]
        return cls(**data)


def chunk_id(doc_id: str, index: int) -> str:
    return f"{doc_id}#{index}"


def split_blocks(text: str) -> list[Block]:
    """Paragraphs and list items with the heading path they sit under."""
    blocks: list[Block] = []
    path: list[tuple[int, str]] = []
    current: Block | None = None
    offset = 0
    for line in text.split("\n"):
        line_start, offset = offset, offset + len(line) + 1
        stripped = line.strip()
        heading = HEADING.match(line)
        marker = LIST_ITEM.match(line)
        if not stripped or heading or marker:
            current = None
        if heading:
            level = len(heading.group(1))
            path = [(lvl, title) for lvl, title in path if lvl < level] + [(level, heading.group(2))]
            continue
        if not stripped:
            continue
        content_start = line_start + (marker.end() if marker else len(line) - len(line.lstrip()))
        content_end = line_start + len(line.rstrip())
        if current is None:
            current = Block(content_start, content_end, tuple(title for _, title in path))
            blocks.append(current)
        else:
            current.end = content_end
    return blocks


@lru_cache(maxsize=1)
def _segmenter():  # noqa: ANN202 - pysbd has no type hints
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans of `text[start:end]`, as absolute offsets, trimmed of surrounding whitespace."""
    end = len(text) if end is None else end
    piece = text[start:end]
    spans: list[Span] = []
    cursor = 0
    for segment in _segmenter().segment(piece):
        seg = segment.strip()
        if not seg:
            continue
        found = piece.find(seg, cursor)
        if found < 0:  # pysbd altered the text: fall back to the rest of the block as one sentence
            rest = piece[cursor:].strip()
            if rest:
                found = piece.find(rest, cursor)
                spans.append(Span(start + found, start + found + len(rest)))
            break
        spans.append(Span(start + found, start + found + len(seg)))
        cursor = found + len(seg)
    return spans


def chunk_document(doc: Document, chunk_chars: int = 900, overlap_sentences: int = 1) -> list[Chunk]:
    """Group a document's sentences into chunks of about `chunk_chars`, never crossing a heading."""
    sections: list[tuple[tuple[str, ...], list[Span]]] = []
    for block in split_blocks(doc.text):
        spans = split_sentences(doc.text, block.start, block.end)
        if not spans:
            continue
        if sections and sections[-1][0] == block.headings:
            sections[-1][1].extend(spans)
        else:
            sections.append((block.headings, list(spans)))

    chunks: list[Chunk] = []
    for headings, spans in sections:
        i = 0
        while i < len(spans):
            j = i + 1
            while j < len(spans) and spans[j].end - spans[i].start <= chunk_chars:
                j += 1
            group = spans[i:j]
            start, end = group[0].start, group[-1].end
            chunks.append(
                Chunk(
                    id=chunk_id(doc.id, len(chunks)),
                    doc_id=doc.id,
                    index=len(chunks),
                    start=start,
                    end=end,
                    text=doc.text[start:end],
                    headings=list(headings),
                    sentences=[(s.start, s.end) for s in group],
                )
            )
            if j >= len(spans):
                break
            i = max(j - overlap_sentences, i + 1)
    return chunks


def embedding_text(doc: Document, chunk: Chunk) -> str:
    """What the embedder sees: title and heading path give a passage its context."""
    context = " > ".join([doc.title, *chunk.headings])
    return f"{context}\n{chunk.text}"
