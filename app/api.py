"""The REST API for newsrooms (FastAPI), with the Gradio chat UI mounted at `/`.

The server holds one `Explainer`; `POST /api/ingest` builds a new index generation and swaps the
explainer only after the build succeeded, so readers keep getting answers while documents are added.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Header, HTTPException, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from app.batch import answer_rows
from app.config import Settings
from app.explainer import Explainer, QuestionError
from app.ingest import SUPPORTED_SUFFIXES, load_documents
from app.stores import Filters
from app.timeline import TIMELINE_ID

MAX_UPLOAD_BYTES = 2_000_000
MAX_BATCH = 200


class FiltersIn(BaseModel):
    kinds: list[str] = Field(default_factory=list, description="Only documents of these kinds.")
    date_from: str | None = Field(None, description="Only documents covering this ISO date or later.")
    date_to: str | None = Field(None, description="Only documents covering this ISO date or earlier.")

    def build(self) -> Filters:
        try:
            return Filters(tuple(self.kinds), self.date_from, self.date_to)
        except ValueError as exc:
            raise HTTPException(422, f"bad date filter: {exc}") from exc


class AskIn(BaseModel):
    question: str
    history: list[str] = Field(default_factory=list, description="Earlier questions, oldest first.")
    filters: FiltersIn | None = None


class ExplainIn(BaseModel):
    text: str = Field(..., description="The article's text.")
    date: dt.date | None = Field(None, description="The article's date (ISO), when the text has no dateline.")


class CitationOut(BaseModel):
    n: int
    doc_id: str
    chunk_id: str
    title: str
    kind: str
    date: str
    publisher: str
    source_path: str
    quote: str = Field(..., description="Exactly document.text[start:end].")
    start: int
    end: int


class CardOut(BaseModel):
    title: str
    type: str = Field(..., description="event, summary, person, place, region, organisation, agreement...")
    date: str = Field("", description="ISO date, for events.")
    score: float = Field(..., description="Closeness to the article (cosine).")
    text: str = Field(..., description="Quoted sentences with [n] markers.")
    citations: list[CitationOut]


class FigureOut(BaseModel):
    figure: str = Field(..., description="As the article gives it: 'at least 32'.")
    claimant: str = Field(..., description="Who the article says claims it ('' when it states it itself).")
    sentence: str = Field(..., description="The article's sentence giving it.")
    others: str = Field(..., description="What the sources say beside it, with [n] markers.")
    citations: list[CitationOut]


class RelativeDateOut(BaseModel):
    text: str = Field(..., description="As the article says it: 'Tuesday'.")
    date: str = Field(..., description="Resolved against the article's date (ISO).")


class ExplainOut(BaseModel):
    date: str = Field(..., description="The article's own date (ISO), or ''.")
    date_source: str = Field(..., description="given, metadata, dateline, latest date in the text, or ''.")
    relative_dates: list[RelativeDateOut]
    summary: CardOut | None = Field(None, description="Key background, at the top.")
    reported: list[CardOut] = Field(..., description="The timeline event(s) the article reports.")
    earlier: list[CardOut] = Field(..., description="What led to it (earlier events, one per year).")
    later: list[CardOut] = Field(..., description="What came after.")
    entities: list[CardOut] = Field(..., description="Background on the people, places and bodies it names.")
    figures: list[FigureOut]


class BatchItem(BaseModel):
    id: str
    question: str
    history: list[str] = Field(default_factory=list)


class BatchIn(BaseModel):
    questions: list[BatchItem] = Field(..., max_length=MAX_BATCH)


def safe_name(name: str) -> str:
    """A file name that cannot leave the upload folder, whatever the client sent."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    return base[:120] or "upload"


class Server:
    """Holds the live explainer and swaps it after an ingest."""

    def __init__(self, settings: Settings, explainer: Explainer | None = None) -> None:
        self.settings = settings
        self.explainer = explainer or Explainer(settings)
        self.lock = threading.Lock()
        self.ingest_token = settings.ingest_token
        self._articles: Any = None

    def articles(self) -> Any:
        """The article explainer of the live explainer (rebuilt after an ingest swapped it)."""
        from app.article import ArticleExplainer

        if self._articles is None or self._articles.explainer is not self.explainer:
            self._articles = ArticleExplainer(self.explainer)
        return self._articles

    def check_token(self, supplied: str) -> None:
        """PermissionError unless ingest is enabled and `supplied` is its token."""
        if not self.ingest_token:
            raise PermissionError("ingest is disabled: set EXPLAINER_INGEST_TOKEN to enable it")
        if not secrets.compare_digest(supplied.strip().encode(), self.ingest_token.encode()):
            raise PermissionError("wrong or missing API token")

    def ingest(self, files: list[tuple[str, bytes]], token: str) -> dict[str, Any]:
        self.check_token(token)
        return ingest_files(self, files)

    def ask(self, body: AskIn) -> dict[str, Any]:
        filters = body.filters.build() if body.filters else None
        try:
            return self.explainer.ask(body.question, filters, history=body.history).to_dict()
        except QuestionError as exc:
            raise HTTPException(422, str(exc)) from exc


def create_app(settings: Settings, explainer: Explainer | None = None, mount_ui: bool = True) -> FastAPI:
    server = Server(settings, explainer)
    api = FastAPI(
        title="Karabakh Explainer API",
        description="Cited answers about the Nagorno-Karabakh conflict. Every answer sentence carries [n] "
        "markers that map to citations with exact quotes and character offsets.",
        version="0.1.0",
    )
    api.state.server = server

    @api.get("/api/health")
    def health() -> dict[str, Any]:
        """Whether an index is loaded, which one, and how big it is."""
        index = server.explainer.index
        return {"status": "ok", "index": index.generation, "documents": len(index.documents),
                "passages": index.passage_count, "ingest_enabled": bool(server.ingest_token)}

    @api.post("/api/ask")
    def ask(body: AskIn) -> dict[str, Any]:
        """Answer one question (optionally with history and filters): the same JSON as `explainer ask --json`."""
        return server.ask(body)

    @api.post("/api/ask/stream")
    def ask_stream(body: AskIn) -> StreamingResponse:
        """The answer as it is composed: newline-delimited JSON, `{"text"}` lines then `{"answer"}`."""
        filters = body.filters.build() if body.filters else None
        try:
            server.explainer.check_question(body.question)
        except QuestionError as exc:
            raise HTTPException(422, str(exc)) from exc

        def lines():  # noqa: ANN202
            final = None
            for text, answer in server.explainer.ask_stream(body.question, filters, body.history):
                final = answer
                yield json.dumps({"text": text}, ensure_ascii=False) + "\n"
            if final is not None:
                yield json.dumps({"answer": final.to_dict()}, ensure_ascii=False) + "\n"

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    @api.post("/api/explain", response_model=ExplainOut)
    def explain(body: ExplainIn) -> dict[str, Any]:
        """Explain a news article: its date and relative days, the event it reports with what led to it and
        what came after, background on the people, places and bodies it names, and its figures beside
        what the sources say. The same JSON as `explainer explain FILE --json`."""
        try:
            return server.articles().explain(body.text, body.date).to_dict()
        except QuestionError as exc:
            raise HTTPException(422, str(exc)) from exc

    @api.post("/api/ask/batch")
    def ask_batch(body: BatchIn) -> dict[str, Any]:
        """Many questions at once; a bad question gets an `error` in its own result, with its id."""
        return {"answers": answer_rows(server.explainer, [item.model_dump() for item in body.questions])}

    @api.get("/api/search")
    def search(
        q: str = Query(..., description="The question."),
        k: int = Query(5, ge=1, le=50),
        mode: str = Query("hybrid", pattern="^(hybrid|dense|bm25)$"),
        kind: Annotated[list[str] | None, Query(description="Only documents of these kinds.")] = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> dict[str, Any]:
        """The retrieved passages with their scores."""
        filters = FiltersIn(kinds=kind or [], date_from=date_from, date_to=date_to).build()
        try:
            hits = server.explainer.search(q, k, filters, mode)  # type: ignore[arg-type]
        except QuestionError as exc:
            raise HTTPException(422, str(exc)) from exc
        return {"hits": [h.to_dict() for h in hits]}

    @api.get("/api/documents/{doc_id}")
    def document(doc_id: str) -> dict[str, Any]:
        """A document's full text and metadata (citation offsets point into `text`)."""
        doc = server.explainer.index.documents.get(doc_id)
        if doc is None:
            raise HTTPException(404, f"no document {doc_id!r}")
        return doc.to_dict()

    @api.get("/api/documents")
    def documents(kind: str | None = None) -> dict[str, Any]:
        """The indexed documents (metadata only)."""
        docs = [d for d in server.explainer.index.documents.values() if kind in (None, d.kind)]
        return {"documents": [{k: v for k, v in d.to_dict().items() if k != "text"} for d in docs]}

    @api.post("/api/ingest")
    def ingest(
        files: Annotated[list[UploadFile], File(description="Documents: .md, .txt (+ .meta.yaml), .html")],
        authorization: str | None = Header(None),
    ) -> dict[str, Any]:
        """Add documents (Markdown, text, HTML) to the index. Needs `Authorization: Bearer <token>` and is
        off unless EXPLAINER_INGEST_TOKEN is set. Reports per file what was indexed or rejected and why."""
        if not server.ingest_token:
            raise HTTPException(403, "ingest is disabled: set EXPLAINER_INGEST_TOKEN to enable it")
        supplied = (authorization or "").removeprefix("Bearer ")
        try:
            server.check_token(supplied)
        except PermissionError as exc:
            raise HTTPException(401, str(exc)) from exc
        return ingest_files(server, [(u.filename or "", u.file.read(MAX_UPLOAD_BYTES + 1)) for u in files])

    @api.get("/api/timeline")
    def timeline(
        date_from: str | None = Query(None, description="ISO date: events on or after it."),
        date_to: str | None = Query(None, description="ISO date: events on or before it."),
        q: str | None = Query(None, description="Only events whose text mentions this (any name variant)."),
    ) -> dict[str, Any]:
        """Dated events from the timeline, optionally within a period and about a topic."""
        import datetime as dt

        try:
            start = dt.date.fromisoformat(date_from) if date_from else dt.date.min
            end = dt.date.fromisoformat(date_to) if date_to else dt.date.max
        except ValueError as exc:
            raise HTTPException(422, f"bad date: {exc}") from exc
        explainer = server.explainer
        wanted = {e.id for e in explainer.names.find(q)} if q else set()
        events = []
        for e in explainer.events:
            if not start <= e.date <= end:
                continue
            text = " ".join([e.title, e.summary, *e.places, *e.actors])
            if q and not ({x.id for x in explainer.names.find(text)} & wanted or q.lower() in text.lower()):
                continue
            events.append({
                "id": e.id, "date": e.date.isoformat(), "precision": e.precision, "label": e.label,
                "title": e.title, "summary": e.summary, "places": e.places, "actors": e.actors, "docs": e.docs,
                "citation": {"doc_id": TIMELINE_ID, "start": e.start, "end": e.end},
            })
        return {"events": events}

    if mount_ui:
        import gradio as gr

        from app.ui import UI_CSS, UI_HEAD, build_ui

        page = build_ui(lambda: server.explainer, server.ingest if server.ingest_token else None, server.articles)
        api = gr.mount_gradio_app(api, page, path="/", head=UI_HEAD, css=UI_CSS)
    return api


def ingest_files(server: Server, files: list[tuple[str, bytes]]) -> dict[str, Any]:
    """Stage, check and index uploaded files; a report line per file, and the live explainer swapped."""
    from app.index import IndexBuilder

    results: list[dict[str, Any]] = []
    upload_root = server.settings.index_dir / "uploads"
    upload_root.mkdir(parents=True, exist_ok=True)
    with server.lock, tempfile.TemporaryDirectory(dir=upload_root) as tmp:
        staged: dict[str, str] = {}
        for original, data in files:
            name = safe_name(original)
            suffix = Path(name).suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES and not name.endswith(".meta.yaml"):
                results.append({"file": original, "status": "rejected",
                                "reason": f"unsupported file type {suffix or '(none)'}; use .md, .txt or .html"})
            elif len(data) > MAX_UPLOAD_BYTES:
                results.append({"file": original, "status": "rejected",
                                "reason": f"file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB"})
            elif name in staged.values():
                results.append({"file": original, "status": "rejected", "reason": "duplicate file name"})
            else:
                target = Path(tmp) / name
                target.write_bytes(data)
                staged[str(target)] = original
        docs = [p for p in staged if not p.endswith(".meta.yaml")]
        if docs:
            loaded = load_documents([Path(p) for p in docs])
            for bad in loaded.rejected:
                results.append({"file": staged[bad.path], "status": "rejected", "reason": bad.reason})
            if loaded.documents:
                # keep the uploaded files in the data directory so a rebuild can find them again
                keep = server.settings.uploads_dir
                keep.mkdir(parents=True, exist_ok=True)
                kept = []
                for doc in loaded.documents:
                    src = Path(doc.source_path)
                    for extra in (src, src.with_name(src.name[: -len(src.suffix)] + ".meta.yaml")):
                        if extra.exists():
                            dest = keep / extra.name
                            dest.write_bytes(extra.read_bytes())
                            if extra == src:
                                kept.append(dest)
                report = IndexBuilder(server.settings, embedder=server.explainer.embedder).build(kept, add=True)
                server.explainer = Explainer(server.settings, embedder=server.explainer.embedder)
                for doc in loaded.documents:
                    status = "updated" if doc.id in report.updated else "indexed"
                    if doc.id in report.unchanged:
                        status = "unchanged"
                    results.append({"file": staged[doc.source_path], "status": status, "doc_id": doc.id})
    return {"results": results}
