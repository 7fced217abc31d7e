"""The REST API for newsrooms (FastAPI), with the Gradio chat UI mounted at `/`.

The server holds one `Explainer`; `POST /api/ingest` builds a new index generation and swaps the
explainer only after the build succeeded, so readers keep getting answers while documents are added.

Every parameter is validated at the edge by the request models below (their limits come from `Settings`,
so `/docs` states the limits this deployment enforces), every route declares its response model, and the
project's errors (`app.errors`) become status codes in one place, `STATUS`. Whatever else goes wrong is
logged here and answered with a plain 500 message: no traceback or local path ever reaches a client.

No `from __future__ import annotations` here: the request models are made per app in `create_app`, and
FastAPI must see the routes' annotations as objects, not as names it would look up in this module.
"""

import datetime as dt
import json
import logging
import os
import re
import secrets
import tempfile
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, File, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema

from app.batch import answer_rows
from app.config import Settings
from app.dates import iso_date
from app.errors import (
    AuthError,
    BackendError,
    DisabledError,
    ExplainerError,
    IndexBusyError,
    IndexMissingError,
    IngestError,
    NotFoundError,
    QuestionError,
)
from app.explainer import Explainer
from app.ingest import KINDS, SUPPORTED_SUFFIXES, load_documents
from app.stores import Filters
from app.timeline import TIMELINE_ID

log = logging.getLogger(__name__)

MAX_BATCH = 200
MAX_UPLOAD_FILES = 50  # files per POST /api/ingest; the rest are reported as rejected
MAX_ID_CHARS = 200  # batch item ids, document ids in paths
MAX_KIND_CHARS = 40
INTERNAL_ERROR = "internal server error; the server log has the details"

#: The one mapping of the project's errors to HTTP status codes (the most specific class wins).
STATUS: dict[type[ExplainerError], int] = {
    QuestionError: 422,
    IngestError: 422,
    NotFoundError: 404,
    AuthError: 401,
    DisabledError: 403,
    IndexMissingError: 503,
    IndexBusyError: 503,
    BackendError: 500,
    ExplainerError: 500,
}


def status_of(exc: ExplainerError) -> int:
    return next(STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS)


# -- request models ---------------------------------------------------------------------------------------

#: A calendar date written YYYY-MM-DD (nothing else: no week dates, no timestamps).
IsoDate = Annotated[dt.date, BeforeValidator(iso_date), WithJsonSchema({"type": "string", "format": "date"})]
Kind = Annotated[str, StringConstraints(max_length=MAX_KIND_CHARS)]
SearchMode = Literal["hybrid", "dense", "bm25"]
#: "Not blank": one character that is not whitespace as Python (the question check) sees it, spelt out:
#: `\S` means different sets in Python, Rust and JSON Schema (ECMA) regular expressions.
NOT_BLANK = "[^" + "".join(f"\\u{ord(c):04x}" for c in map(chr, range(0x10000)) if c.isspace()) + "]"


class Strict(BaseModel):
    """Request bodies: unknown fields are an error (a misspelt `filter` must not be silently ignored), and
    patterns use Python's regular expressions, as the question checks do."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


class FiltersIn(Strict):
    kinds: list[Kind] = Field(default_factory=list, max_length=len(KINDS),
                              description="Only documents of these kinds.")
    date_from: IsoDate | None = Field(None, description="Only documents covering this date (YYYY-MM-DD) or later.")
    date_to: IsoDate | None = Field(None, description="Only documents covering this date (YYYY-MM-DD) or earlier.")

    def build(self) -> Filters:
        return Filters(tuple(self.kinds), iso(self.date_from), iso(self.date_to))


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def request_models(settings: Settings) -> SimpleNamespace:
    """The request bodies, with this deployment's limits in their schemas: a request the schema accepts is
    never refused for its shape, and one it refuses gets a 422 that names the field and the rule."""
    QuestionText = Annotated[str, StringConstraints(max_length=settings.max_question_chars, pattern=NOT_BLANK)]
    Earlier = Annotated[str, StringConstraints(max_length=settings.max_question_chars)]
    History = Annotated[list[Earlier], Field(max_length=settings.max_history,
                                             description="Earlier questions of the conversation, oldest first.")]

    class AskIn(Strict):
        question: QuestionText = Field(..., description="The question (not blank).")
        history: History = Field(default_factory=list)
        filters: FiltersIn | None = None

    class ExplainIn(Strict):
        text: Annotated[str, StringConstraints(max_length=settings.max_article_chars, pattern=NOT_BLANK)] = Field(
            ..., description="The article's text."
        )
        date: IsoDate | None = Field(
            None, description="The article's date (YYYY-MM-DD), when the text has no dateline."
        )

    class BatchItem(Strict):
        id: Annotated[str, StringConstraints(max_length=MAX_ID_CHARS)]
        question: str = Field(..., description="A question that cannot be asked gets an `error` in its result.")
        history: History = Field(default_factory=list)

    class BatchIn(Strict):
        questions: list[BatchItem] = Field(..., max_length=MAX_BATCH)

    return SimpleNamespace(AskIn=AskIn, ExplainIn=ExplainIn, BatchIn=BatchIn, question=QuestionText)


# -- response models ----------------------------------------------------------------------------------------


class FieldErrorOut(BaseModel):
    loc: list[str | int] = Field(..., description="Where: ['body', 'filters', 'date_from'].")
    msg: str
    type: str


class ErrorOut(BaseModel):
    detail: str = Field(..., description="What is wrong, for a person to read.")
    errors: list[FieldErrorOut] = Field(default_factory=list, description="For a 422: one entry per bad field.")


class CitationOut(BaseModel):
    n: int
    doc_id: str
    chunk_id: str
    title: str
    kind: str
    date: str
    publisher: str
    source_path: str = Field(..., description="The source file: corpus/..., uploads/... or its file name.")
    quote: str = Field(..., description="Exactly document.text[start:end].")
    start: int
    end: int


class AnswerOut(BaseModel):
    id: str | None = Field(None, description="Batch answers only: the question's id.")
    question: str
    answer: str = Field(..., description="The text with [n] markers, or a plain statement that it abstains.")
    abstained: bool
    citations: list[CitationOut]
    related: list[dict[str, Any]] = Field(..., description="Nearest sources when it abstains: doc_id, title, kind.")
    latency_ms: float
    timings: dict[str, float]
    answered_by: str
    as_of: str
    reason: str


class BatchErrorOut(BaseModel):
    id: str
    question: str | None = None
    error: str


class BatchOut(BaseModel):
    answers: list[AnswerOut | BatchErrorOut]


class HitOut(BaseModel):
    chunk_id: str
    doc_id: str
    title: str
    kind: str
    date: str
    headings: list[str]
    text: str
    start: int
    end: int
    score: float
    dense: float
    bm25: float


class HitsOut(BaseModel):
    hits: list[HitOut]


class DocumentMetaOut(BaseModel):
    id: str
    title: str
    kind: str
    source_path: str
    content_hash: str
    date: str | None
    period_start: str | None
    period_end: str | None
    publisher: str
    sources: list[str]


class DocumentOut(DocumentMetaOut):
    text: str = Field(..., description="The text citation offsets point into.")


class DocumentsOut(BaseModel):
    documents: list[DocumentMetaOut]


class HealthOut(BaseModel):
    status: Literal["ok"]
    index: str = Field(..., description="The served generation.")
    documents: int
    passages: int
    ingest_enabled: bool


class EventCitationOut(BaseModel):
    doc_id: str
    start: int
    end: int


class EventOut(BaseModel):
    id: str
    date: str
    precision: str
    label: str
    title: str
    summary: str
    places: list[str]
    actors: list[str]
    docs: list[str]
    citation: EventCitationOut


class TimelineOut(BaseModel):
    events: list[EventOut]


class IngestResultOut(BaseModel):
    file: str = Field(..., description="The file name as the client sent it.")
    status: Literal["indexed", "updated", "unchanged", "rejected"]
    doc_id: str | None = None
    reason: str | None = Field(None, description="Why a file was rejected.")


class IngestOut(BaseModel):
    results: list[IngestResultOut]


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


class NDJSONResponse(StreamingResponse):
    media_type = "application/x-ndjson"


#: Documented on every route: the errors any request may get (the limiter's 429 only when it is on).
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body cannot be parsed (not JSON, or not form data)."},
    422: {"model": ErrorOut, "description": "A parameter is invalid; `detail` says which and why."},
    429: {"model": ErrorOut, "description": "Too many requests from this client (when a rate limit is set)."},
    500: {"model": ErrorOut, "description": "An internal error (logged on the server; no details are sent)."},
    503: {"model": ErrorOut, "description": "No index is loaded, or another writer holds the index."},
}


def safe_name(name: str) -> str:
    """A file name that cannot leave the upload folder, whatever the client sent."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    return base[:120] or "upload"


def public_path(path: str, settings: Settings) -> str:
    """A source path as a client may see it: relative to the corpus or the uploads folder, else the file
    name alone (the server's directory layout stays on the server)."""
    resolved = Path(path).resolve()
    for root, label in ((settings.uploads_dir, "uploads"), (settings.corpus_dir, "corpus")):
        try:
            return f"{label}/{resolved.relative_to(root.resolve()).as_posix()}"
        except ValueError:
            continue
    return Path(path).name


def publish(data: Any, settings: Settings) -> Any:
    """`data` (answers, documents, explanations) with every `source_path` made public."""
    if isinstance(data, dict):
        return {k: public_path(v, settings) if k == "source_path" and isinstance(v, str) else publish(v, settings)
                for k, v in data.items()}
    if isinstance(data, list):
        return [publish(v, settings) for v in data]
    return data


def validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    """One line a person can read ('body.filters.date_from: Value error, '2020W011' is not a date ...')
    and the field errors, without echoing the (possibly huge) input back."""
    errors = [{"loc": [x if isinstance(x, int) else str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")),
               "type": str(e.get("type", ""))} for e in exc.errors()]
    parts = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors[:5]]
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "invalid request: " + "; ".join(parts) + more, errors


class Server:
    """Holds the live explainer and swaps it after an ingest."""

    def __init__(self, settings: Settings, explainer: Explainer | None = None) -> None:
        self.settings = settings
        self.explainer = explainer or Explainer(settings)
        self.lock = threading.Lock()
        # at most this many answers computed at once; the other requests wait their turn: on a few cores,
        # forty threads each running the model (and its own intra-op threads) at once are slower in all
        self.compute = threading.BoundedSemaphore(settings.ask_concurrency or os.cpu_count() or 1)
        self.ingest_token = settings.ingest_token
        self._articles: Any = None

    def articles(self) -> Any:
        """The article explainer of the live explainer (rebuilt after an ingest swapped it)."""
        from app.article import ArticleExplainer

        if self._articles is None or self._articles.explainer is not self.explainer:
            self._articles = ArticleExplainer(self.explainer)
        return self._articles

    def check_token(self, supplied: str) -> None:
        """`DisabledError` unless ingest is enabled, `AuthError` unless `supplied` is its token."""
        if not self.ingest_token:
            raise DisabledError("ingest is disabled: set EXPLAINER_INGEST_TOKEN to enable it")
        if not secrets.compare_digest(supplied.strip().encode(), self.ingest_token.encode()):
            raise AuthError("wrong or missing API token")

    def ingest(self, files: list[tuple[str, bytes]], token: str) -> dict[str, Any]:
        self.check_token(token)
        return ingest_files(self, files)

    def ask(self, question: str, filters: FiltersIn | None, history: list[str]) -> dict[str, Any]:
        with self.compute:
            answer = self.explainer.ask(question, filters.build() if filters else None, history=history)
        return publish(answer.to_dict(), self.settings)


def install_error_handlers(api: FastAPI) -> None:
    """The one place errors become responses."""

    @api.exception_handler(ExplainerError)
    async def explainer_error(request: Request, exc: ExplainerError) -> JSONResponse:
        status = status_of(exc)
        if status >= 500:
            log.error("%s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
            detail = str(exc) if status == 503 else INTERNAL_ERROR
        else:
            detail = str(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)

    @api.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail, errors = validation_message(exc)
        return JSONResponse({"detail": detail, "errors": errors}, status_code=422)

    @api.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return JSONResponse({"detail": INTERNAL_ERROR}, status_code=500)


def create_app(settings: Settings, explainer: Explainer | None = None, mount_ui: bool = True) -> FastAPI:
    server = Server(settings, explainer)
    models = request_models(settings)
    AskIn, ExplainIn, BatchIn, QuestionParam = models.AskIn, models.ExplainIn, models.BatchIn, models.question
    api = FastAPI(
        title="Karabakh Explainer API",
        description="Cited answers about the Nagorno-Karabakh conflict. Every answer sentence carries [n] "
        "markers that map to citations with exact quotes and character offsets. Errors are "
        '`{"detail": "..."}` with a status code: 401/403 (ingest token), 404, 422 (what is invalid), '
        "429 (rate limit), 503 (no index, or the index is busy), 500 (logged, no details).",
        version="0.1.0",
        responses=ERRORS,
    )
    api.state.server = server
    install_error_handlers(api)
    bearer = HTTPBearer(auto_error=False, description="The ingest token (EXPLAINER_INGEST_TOKEN).")

    def require_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        """The token is checked before the body is read: a request without it is a 401 (or 403), whatever
        else is wrong with it."""
        server.check_token(credentials.credentials if credentials else "")

    @api.get("/api/health", response_model=HealthOut)
    def health() -> dict[str, Any]:
        """Whether an index is loaded, which one, and how big it is."""
        index = server.explainer.index
        return {"status": "ok", "index": index.generation, "documents": len(index.documents),
                "passages": index.passage_count, "ingest_enabled": bool(server.ingest_token)}

    @api.post("/api/ask", response_model=AnswerOut, response_model_exclude_unset=True)
    def ask(body: AskIn) -> dict[str, Any]:
        """Answer one question (optionally with history and filters): the same JSON as `explainer ask --json`."""
        return server.ask(body.question, body.filters, body.history)

    @api.post("/api/ask/stream", responses={200: {
        "description": 'Newline-delimited JSON: `{"text"}` lines as the answer grows, then `{"answer"}`.',
        "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
    }})
    def ask_stream(body: AskIn) -> NDJSONResponse:
        """The answer as it is composed: newline-delimited JSON, `{"text"}` lines then `{"answer"}`."""
        filters = body.filters.build() if body.filters else None
        explainer = server.explainer
        explainer.check_question(body.question)

        def lines():  # noqa: ANN202
            final = None
            with server.compute:
                for text, answer in explainer.ask_stream(body.question, filters, body.history):
                    final = answer
                    yield json.dumps({"text": text}, ensure_ascii=False) + "\n"
            if final is not None:
                yield json.dumps({"answer": publish(final.to_dict(), settings)}, ensure_ascii=False) + "\n"

        return NDJSONResponse(lines())

    @api.post("/api/explain", response_model=ExplainOut)
    def explain(body: ExplainIn) -> dict[str, Any]:
        """Explain a news article: its date and relative days, the event it reports with what led to it and
        what came after, background on the people, places and bodies it names, and its figures beside
        what the sources say. The same JSON as `explainer explain FILE --json`."""
        # stripped: the explainer reads the first 20,000 characters, which must not all be blank
        with server.compute:
            explained = server.articles().explain(body.text.strip(), body.date)
        return publish(explained.to_dict(), settings)

    @api.post("/api/ask/batch", response_model=BatchOut, response_model_exclude_unset=True)
    def ask_batch(body: BatchIn) -> dict[str, Any]:
        """Many questions at once; a bad question gets an `error` in its own result, with its id."""
        with server.compute:
            rows = answer_rows(server.explainer, [item.model_dump() for item in body.questions])
        return {"answers": publish(rows, settings)}

    @api.get("/api/search", response_model=HitsOut)
    def search(
        q: Annotated[QuestionParam, Query(description="The question.")],
        k: Annotated[int, Query(ge=1, le=50, description="How many passages.")] = 5,
        mode: Annotated[SearchMode, Query(description="hybrid, dense or bm25.")] = "hybrid",
        kind: Annotated[list[Kind] | None, Query(max_length=len(KINDS), description="Only these kinds.")] = None,
        date_from: Annotated[IsoDate | None, Query(description="Documents covering this date or later.")] = None,
        date_to: Annotated[IsoDate | None, Query(description="Documents covering this date or earlier.")] = None,
    ) -> dict[str, Any]:
        """The retrieved passages with their scores."""
        filters = Filters(tuple(kind or ()), iso(date_from), iso(date_to))
        with server.compute:
            hits = server.explainer.search(q, k, filters, mode)
        return {"hits": [h.to_dict() for h in hits]}

    @api.get("/api/documents/{doc_id}", response_model=DocumentOut,
             responses={404: {"model": ErrorOut, "description": "No such document."}})
    def document(doc_id: Annotated[str, PathParam(max_length=MAX_ID_CHARS)]) -> dict[str, Any]:
        """A document's full text and metadata (citation offsets point into `text`)."""
        doc = server.explainer.index.documents.get(doc_id)
        if doc is None:
            raise NotFoundError(f"no document {doc_id!r}")
        return publish(doc.to_dict(), settings)

    @api.get("/api/documents", response_model=DocumentsOut)
    def documents(kind: Annotated[Kind | None, Query(description="Only documents of this kind.")] = None,
                  ) -> dict[str, Any]:
        """The indexed documents (metadata only)."""
        docs = [d for d in server.explainer.index.documents.values() if kind in (None, d.kind)]
        return publish({"documents": [{k: v for k, v in d.to_dict().items() if k != "text"} for d in docs]},
                       settings)

    @api.post("/api/ingest", response_model=IngestOut, response_model_exclude_none=True, responses={
        401: {"model": ErrorOut, "description": "Wrong or missing token."},
        403: {"model": ErrorOut, "description": "Ingest is disabled (no EXPLAINER_INGEST_TOKEN)."},
    })
    def ingest(
        files: Annotated[list[UploadFile], File(min_length=1, description="Documents: .md, .txt (+ .meta.yaml), "
                                                 ".html; each is reported on, up to 50 a request")],
        _token: Annotated[None, Depends(require_token)] = None,
    ) -> dict[str, Any]:
        """Add documents (Markdown, text, HTML) to the index. Needs `Authorization: Bearer <token>` and is
        off unless EXPLAINER_INGEST_TOKEN is set. Reports per file what was indexed or rejected and why."""
        limit = settings.max_document_bytes
        return ingest_files(server, [(u.filename or "", u.file.read(limit + 1)) for u in files])

    @api.get("/api/timeline", response_model=TimelineOut)
    def timeline(
        date_from: Annotated[IsoDate | None, Query(description="Events on or after this date.")] = None,
        date_to: Annotated[IsoDate | None, Query(description="Events on or before this date.")] = None,
        q: Annotated[QuestionParam | None, Query(description="Only events whose text mentions this.")] = None,
    ) -> dict[str, Any]:
        """Dated events from the timeline, optionally within a period and about a topic."""
        start, end = date_from or dt.date.min, date_to or dt.date.max
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

    if settings.rate_limit_per_minute > 0:  # inside CORS, so that a browser can read a 429
        from app.ratelimit import RateLimitMiddleware, TokenBucket

        bucket = TokenBucket(settings.rate_limit_per_minute, settings.rate_limit_burst)
        api.add_middleware(RateLimitMiddleware, bucket=bucket, trust_forwarded_for=settings.trust_forwarded_for)
    if settings.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        api.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"], allow_credentials=False, max_age=600)

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
    limit = server.settings.max_document_bytes
    with server.lock, tempfile.TemporaryDirectory(dir=upload_root) as tmp:
        staged: dict[str, str] = {}
        for number, (original, data) in enumerate(files):
            name = safe_name(original)
            suffix = Path(name).suffix.lower()
            if number >= MAX_UPLOAD_FILES:
                results.append({"file": original, "status": "rejected",
                                "reason": f"too many files in one request (the limit is {MAX_UPLOAD_FILES})"})
            elif suffix not in SUPPORTED_SUFFIXES and not name.endswith(".meta.yaml"):
                results.append({"file": original, "status": "rejected",
                                "reason": f"unsupported file type {suffix or '(none)'}; use .md, .txt or .html"})
            elif len(data) > limit:
                results.append({"file": original, "status": "rejected",
                                "reason": f"file is larger than the limit of {limit:,} bytes"})
            elif name in staged.values():
                results.append({"file": original, "status": "rejected", "reason": "duplicate file name"})
            else:
                target = Path(tmp) / name
                target.write_bytes(data)
                staged[str(target)] = original
        docs = [p for p in staged if not p.endswith(".meta.yaml")]
        if docs:
            loaded = load_documents([Path(p) for p in docs], limit)
            for bad in loaded.rejected:  # a reason may name another staged file: by the name the client gave
                reason = bad.reason
                for path, given in staged.items():
                    reason = reason.replace(path, given)
                results.append({"file": staged[bad.path], "status": "rejected", "reason": reason})
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
