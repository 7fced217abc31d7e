"""Ingest: files on disk -> `Document`.

Three formats: Markdown with YAML front matter, plain text with an optional `<name>.meta.yaml` sidecar,
and HTML (main text extracted by trafilatura). A file that cannot be read is reported with its path and
reason and skipped; the rest still load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from app import yamldata
from app.errors import IngestError

KINDS = {"background", "event", "agreement", "profile", "place", "timeline", "glossary", "news", "other"}
TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
SIDECAR_SUFFIX = ".meta.yaml"
TIMELINE_FILE = "timeline.yaml"  # rendered into one citable document of kind "timeline"
DEFAULT_PUBLISHER = "Karabakh Explainer corpus"


@dataclass
class Document:
    """One source document. `text` is what citations' offsets point into."""

    id: str
    title: str
    kind: str
    text: str
    source_path: str
    content_hash: str
    date: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    publisher: str = DEFAULT_PUBLISHER
    sources: list[str] = field(default_factory=list)

    @property
    def date_label(self) -> str:
        """A date for display and citations: the publication date, else the period covered."""
        if self.date:
            return self.date
        if self.period_start and self.period_end and self.period_start != self.period_end:
            return f"{self.period_start}/{self.period_end}"
        return self.period_start or self.period_end or ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(**data)


@dataclass
class Rejected:
    """A file that was skipped, with the reason."""

    path: str
    reason: str


@dataclass
class IngestResult:
    documents: list[Document]
    rejected: list[Rejected]


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "document"


def discover(paths: Iterable[Path]) -> list[Path]:
    """Expand files and folders into the supported document files, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and (p.suffix.lower() in SUPPORTED_SUFFIXES or p.name == TIMELINE_FILE)
                and p.name.lower() != "readme.md"
            )
        elif path.exists():
            found.append(path)
        else:
            found.append(path)  # reported as missing by load_document
    return found


def load_documents(paths: Iterable[Path], max_bytes: int | None = None) -> IngestResult:
    """Load every supported file under `paths`; bad files go to `rejected`, never abort the batch.
    A file larger than `max_bytes` is rejected before it is read (a 50 MB upload must not stall a build)."""
    documents: list[Document] = []
    rejected: list[Rejected] = []
    seen: dict[str, str] = {}
    for path in discover(paths):
        try:
            doc = load_document(path, max_bytes)
        except IngestError as exc:
            rejected.append(Rejected(str(path), str(exc)))
            continue
        if doc.id in seen:
            rejected.append(Rejected(str(path), f"duplicate document id {doc.id!r} (also in {seen[doc.id]})"))
            continue
        seen[doc.id] = str(path)
        documents.append(doc)
    return IngestResult(documents, rejected)


def load_document(path: Path, max_bytes: int | None = None) -> Document:
    """Load one file, raising `IngestError` with a reader-friendly reason when it is malformed or larger
    than `max_bytes`."""
    if not path.exists():
        raise IngestError("file not found")
    if max_bytes is not None and path.stat().st_size > max_bytes:
        raise IngestError(
            f"file is larger than the limit of {max_bytes:,} bytes ({path.stat().st_size:,} bytes); "
            "raise EXPLAINER_MAX_DOCUMENT_BYTES to index it"
        )
    if path.name == TIMELINE_FILE:
        return _load_timeline(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(f"unsupported file type {suffix or '(none)'}; use .md, .txt or .html")
    raw = _read_text(path)
    if not raw.strip():
        raise IngestError("file is empty")
    meta = _read_sidecar(path)
    if suffix in HTML_SUFFIXES:
        text, html_meta = _extract_html(raw)
        meta = {**html_meta, **meta}
    elif suffix in {".md", ".markdown"}:
        text, front = _split_front_matter(raw)
        meta = {**front, **meta}
    else:
        text = raw
    return _build_document(path, text, meta)


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"not valid UTF-8 text (byte {exc.start}); save the file as UTF-8") from exc
    if "\x00" in text:
        raise IngestError("binary content (NUL bytes) in a text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_sidecar(path: Path) -> dict[str, Any]:
    sidecar = path.with_name(path.name[: -len(path.suffix)] + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    return _parse_yaml_mapping(_read_text(sidecar), f"sidecar {sidecar.name}")


def _parse_yaml_mapping(text: str, what: str) -> dict[str, Any]:
    try:
        data = yamldata.loads(text)
    except yaml.YAMLError as exc:
        raise IngestError(f"bad YAML in {what}: {str(exc).splitlines()[0]}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise IngestError(f"{what} must be a YAML mapping of fields, not {type(data).__name__}")
    return data


def _split_front_matter(raw: str) -> tuple[str, dict[str, Any]]:
    if not raw.startswith("---"):
        return raw, {}
    try:
        post = frontmatter.loads(raw)
    except yaml.YAMLError as exc:
        raise IngestError(f"bad YAML front matter: {str(exc).splitlines()[0]}") from exc
    except Exception as exc:  # frontmatter wraps odd inputs in assorted errors
        raise IngestError(f"bad front matter: {exc}") from exc
    if not isinstance(post.metadata, dict):
        raise IngestError("front matter must be a YAML mapping of fields")
    return post.content, dict(post.metadata)


def _extract_html(raw: str) -> tuple[str, dict[str, Any]]:
    import trafilatura

    text = trafilatura.extract(raw, favor_recall=True, include_comments=False, include_tables=False)
    if not text or not text.strip():
        raise IngestError("no readable main text found in the HTML")
    meta: dict[str, Any] = {}
    info = trafilatura.extract_metadata(raw)
    if info is not None:
        for key, value in (("title", info.title), ("date", info.date), ("publisher", info.sitename)):
            if value:
                meta[key] = value
    return text, meta


def _iso_date(value: Any, field_name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    for candidate in (text, text + "-01", text + "-01-01"):
        if len(candidate) != 10:
            continue
        try:
            return dt.date.fromisoformat(candidate).isoformat()
        except ValueError:
            continue
    raise IngestError(f"field {field_name!r} is not an ISO date (YYYY-MM-DD): {text!r}")


def _build_document(path: Path, text: str, meta: dict[str, Any]) -> Document:
    text = text.strip("\n")
    if not text.strip():
        raise IngestError("document has no text after its metadata")
    doc_id = str(meta.get("id") or slugify(path.stem))
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", doc_id):
        raise IngestError(f"id {doc_id!r} may contain only letters, digits, '.', '_' and '-'")
    kind = str(meta.get("kind") or ("news" if path.suffix.lower() in HTML_SUFFIXES else "other"))
    if kind not in KINDS:
        raise IngestError(f"kind {kind!r} is not one of {', '.join(sorted(KINDS))}")
    period = meta.get("period") or {}
    if not isinstance(period, dict):
        raise IngestError("period must be a mapping with start and end")
    sources = meta.get("sources") or []
    if not isinstance(sources, list):
        raise IngestError("sources must be a list")
    title = str(meta.get("title") or _title_from_text(text) or path.stem)
    date = _iso_date(meta.get("date"), "date")
    start = _iso_date(period.get("start"), "period.start") or date
    end = _iso_date(period.get("end"), "period.end") or start
    return Document(
        id=doc_id,
        title=title.strip(),
        kind=kind,
        text=text,
        source_path=str(path),
        content_hash=content_hash(text, repr(sorted((k, str(v)) for k, v in meta.items()))),
        date=date,
        period_start=start,
        period_end=end,
        publisher=str(meta.get("publisher") or DEFAULT_PUBLISHER),
        sources=[str(s) for s in sources],
    )


def _load_timeline(path: Path) -> Document:
    from app.timeline import TIMELINE_ID, TIMELINE_TITLE, load_events, render

    try:
        events = load_events(path)
    except (ValueError, yaml.YAMLError) as exc:
        raise IngestError(str(exc).splitlines()[0]) from exc
    if not events:
        raise IngestError("timeline has no events")
    text = render(events)
    return Document(
        id=TIMELINE_ID, title=TIMELINE_TITLE, kind="timeline", text=text, source_path=str(path),
        content_hash=content_hash(text), period_start=events[0].date.isoformat(),
        period_end=events[-1].date.isoformat(), sources=["corpus/data/timeline.yaml"],
    )


def _title_from_text(text: str) -> str | None:
    for line in text.splitlines():
        stripped = line.strip().lstrip("#").strip()
        if stripped:
            return stripped[:120]
    return None
