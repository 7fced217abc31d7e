"""Index: documents -> passages and sentences with their vectors, kept in a store that is the system of record.

The store (embedded Chroma in the index directory, a Chroma server, or in-process memory for tests) holds
one *space* at a time, a set of collections::

    <prefix>-state                row "live": which space serves, its generation, corpus statistics, and
                                  the documents an unfinished write was touching; row "journal": the
                                  versions (and their statistics) the last ingest replaced
    <prefix>-<space>-documents    a row per document: its text, metadata and current version (`ver`)
    <prefix>-<space>-passages     a row per chunk: vector, offsets, text, and the vectors of its sentences
                                  (the answerer reads them with the passage: no second round trip);
                                  id `<chunk id>@<ver>`
    lexical-<prefix>-<space>/     BM25 over the passages (Tantivy, `app.lexical`), same ids

How a write stays invisible until it is complete:

- Ingest (the same embedder and chunker settings): a changed or new document's rows are written under a
  new version id (a hash of its content and the settings), *then* its document row is upserted with that
  version (the switch: one row), *then* the rows of its old version are deleted. Readers take a passage or
  sentence only when its version is the one its document row names, so they see the old document or the
  new one, never half of either. Before writing, the state row lists the documents being written; a killed
  ingest leaves rows no document row points at, and the next write deletes them; one killed after its
  document rows switched but before the state row left the statistics of the old versions, which the
  next write corrects from the journal row.
- One writer at a time per index directory (`write_lock`); `crash_point` is the tests' kill -9.
- A full rebuild (`--rebuild`, another embedding model or chunker settings) writes a new space and then
  switches the state row to it; the old space is dropped afterwards.

Corpus statistics (`CorpusStats`) are kept up to date by every write (each document row keeps its own
contribution, so a removal subtracts it): opening an index reads one row, whatever the library's size.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import threading
import time
import uuid
from collections import Counter, OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock, Timeout

from app.chunking import Chunk, chunk_document, embedding_text
from app.config import Settings
from app.embeddings import Embedder, get_embedder
from app.errors import BackendError, IndexBusyError, IndexMissingError
from app.ingest import Document, Rejected, load_documents
from app.lexical import LexicalIndex, LexicalRow
from app.stores import Collection, Rows, Store, date_number

log = logging.getLogger(__name__)

FORMAT_VERSION = 5  # 3: sentence vectors inside passage rows; 4: Tantivy lexical index; 5: HNSW search breadth
STATE_ID = "live"
JOURNAL_ID = "journal"  # beside the state row: the versions and statistics an unfinished write replaced
UNIT = np.ones((1, 1), dtype=np.float32)  # the vector of rows that are looked up by id only (documents, state)
YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")


@dataclass
class SentenceRef:
    doc_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document, as the answerer sees it: exact offsets, text and embedding."""

    doc_id: str
    start: int
    end: int
    text: str
    vector: np.ndarray = field(repr=False, compare=False)


@dataclass
class CorpusStats:
    """Corpus-wide figures the answerer needs, kept by the index so that no answer re-reads the library."""

    sentences: int = 0
    df: dict[str, int] = field(default_factory=dict)  # sentences holding each term (`app.text.sentence_terms`)
    latest_year: int | None = None  # the latest year a document's date or period reaches
    latest_as_of: str = ""  # the latest 'as of <Month YYYY>' the sources state of themselves


@dataclass
class BuildReport:
    """What a build did, for the CLI and the API to report."""

    generation: str = ""
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # with `add`: of the given documents only
    removed: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    chunks: int = 0
    embedded_chunks: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- the store: backends by name, the live state, names of a space's collections ---------------------------


def _memory_store(settings: Settings) -> Store:
    from app.stores.memory import MemoryStore

    return MemoryStore(str(settings.index_dir))


def _chroma_store(settings: Settings) -> Store:
    from app.stores.chroma import ChromaStore, make_client

    return ChromaStore(make_client(settings.index_dir / "chroma", settings.chroma_host, settings.chroma_port))


STORES = {"memory": _memory_store, "chroma": _chroma_store}


def open_store(settings: Settings) -> Store:
    """The configured store (embedded or server Chroma, or memory)."""
    try:
        factory = STORES[settings.vector_store]
    except KeyError:
        raise BackendError(
            f"unknown vector store {settings.vector_store!r}; choose one of {', '.join(STORES)}"
        ) from None
    return factory(settings)


@dataclass
class Stats:
    """The running sums `CorpusStats` is made from; each document row keeps its own share."""

    sentences: int = 0
    passages: int = 0
    df: Counter[str] = field(default_factory=Counter)
    years: Counter[int] = field(default_factory=Counter)
    as_of: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)  # passages per document kind

    def apply(self, share: dict[str, Any], sign: int) -> None:
        self.sentences += sign * share["sentences"]
        self.passages += sign * share["passages"]
        for counter, key in ((self.df, "df"), (self.years, "years"), (self.as_of, "as_of"), (self.kinds, "kinds")):
            for term, n in share[key].items():
                counter[int(term) if key == "years" else term] += sign * n
                if counter[int(term) if key == "years" else term] <= 0:
                    del counter[int(term) if key == "years" else term]

    def to_json(self) -> str:
        return json.dumps({"sentences": self.sentences, "passages": self.passages, "df": self.df,
                           "years": {str(y): n for y, n in self.years.items()}, "as_of": self.as_of,
                           "kinds": self.kinds},
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> Stats:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(data["sentences"], data["passages"], Counter(data["df"]),
                   Counter({int(y): n for y, n in data["years"].items()}), Counter(data["as_of"]),
                   Counter(data.get("kinds", {})))

    def corpus(self) -> CorpusStats:
        from app.dates import latest_as_of

        return CorpusStats(
            sentences=self.sentences,
            df=dict(self.df),
            latest_year=max(self.years) if self.years else None,
            latest_as_of=latest_as_of(self.as_of),
        )


@dataclass
class State:
    """The one row that says what is served."""

    space: str
    generation: str
    key: str
    pending: list[str]
    stats_json: str | None  # None: not read
    passages: int = 0
    kinds: dict[str, int] = field(default_factory=dict)  # passages per document kind

    @classmethod
    def read(cls, store: Store, settings: Settings, with_stats: bool = True) -> State | None:
        """The state row; `with_stats=False` leaves the (library-sized) statistics unread."""
        rows = store.collection(f"{settings.collection_prefix}-state").get([STATE_ID], documents=with_stats)
        if not rows.ids:
            return None
        meta = rows.metadatas[0]
        return cls(meta["space"], meta["generation"], meta["key"], json.loads(meta.get("pending", "[]")),
                   rows.documents[0] or "" if with_stats else None, int(meta.get("passages", 0)),
                   json.loads(meta.get("kinds", "{}")))

    def write(self, store: Store, settings: Settings) -> None:
        meta = {"space": self.space, "generation": self.generation, "key": self.key,
                "pending": json.dumps(self.pending), "passages": self.passages,
                "kinds": json.dumps(self.kinds)}
        store.collection(f"{settings.collection_prefix}-state").upsert([STATE_ID], UNIT, [meta], [self.stats_json])


@dataclass(frozen=True)
class Space:
    """The collection names of one space."""

    prefix: str
    id: str

    @property
    def documents(self) -> str:
        return f"{self.prefix}-{self.id}-documents"

    @property
    def passages(self) -> str:
        return f"{self.prefix}-{self.id}-passages"

    def lexical_path(self, settings: Settings) -> str:
        if settings.vector_store == "memory":
            return f"memory:{settings.index_dir}:{self.id}"
        return str((settings.lexical_dir or settings.index_dir) / f"lexical-{self.prefix}-{self.id}")

    def drop(self, store: Store, settings: Settings) -> None:
        for name in (self.documents, self.passages):
            store.drop(name)
        LexicalIndex(self.lexical_path(settings)).drop()


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def chunk_metadata(doc: Document, chunk: Chunk) -> dict[str, Any]:
    """The flat metadata a store keeps for filtering."""
    return {
        "doc_id": doc.id,
        "kind": doc.kind,
        "start_num": date_number(doc.period_start or doc.date, 0),
        "end_num": date_number(doc.period_end or doc.date, 99999999),
        "chunk_index": chunk.index,
    }


def passage_id(chunk_id: str, ver: str) -> str:
    return f"{chunk_id}@{ver}"


def pack_vectors(vectors: np.ndarray) -> str:
    """Sentence vectors as one metadata string (float32, base64): exact, and read with their passage."""
    return base64.b64encode(np.ascontiguousarray(vectors, dtype=np.float32).tobytes()).decode("ascii")


def unpack_vectors(text: str, rows: int) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.float32).reshape(rows, -1)


def chunk_from_row(row_id: str, meta: dict[str, Any], text: str) -> Chunk:
    return Chunk(
        id=row_id.rpartition("@")[0], doc_id=meta["doc_id"], index=meta["chunk_index"], start=meta["start"],
        end=meta["end"], text=text, headings=json.loads(meta["headings"]),
        sentences=[tuple(s) for s in json.loads(meta["sentences"])],
    )


def document_from_row(meta: dict[str, Any], text: str) -> Document:
    return Document.from_dict({**json.loads(meta["doc"]), "text": text})


_NAMES: dict[tuple[str, float], Any] = {}


def _name_index(path: Path) -> Any:
    """names.yaml parsed once per process (and again when it changes): an ingest should not pay for it."""
    from app.names import NameIndex

    key = (str(path), path.stat().st_mtime if path.exists() else 0.0)
    if key not in _NAMES:
        _NAMES[key] = NameIndex.load(path)
    return _NAMES[key]


def write_lock_path(settings: Settings) -> Path:
    """The lock file every writer of this index directory takes (CLI, API, benchmarks alike)."""
    return settings.index_dir / ".write.lock"


@contextlib.contextmanager
def write_lock(settings: Settings) -> Iterator[None]:
    """One writer at a time per index directory (readers never wait). A second writer waits up to
    `settings.write_lock_timeout` seconds, then fails with `IndexBusyError`; the lock is the kernel's
    (flock), so a writer killed with SIGKILL releases it."""
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(write_lock_path(settings), timeout=settings.write_lock_timeout)
    try:
        lock.acquire()
    except Timeout:
        raise IndexBusyError(
            f"another build or ingest is still writing this index (waited {settings.write_lock_timeout:g} s); "
            "try again when it has finished, or raise EXPLAINER_WRITE_LOCK_TIMEOUT"
        ) from None
    try:
        yield
    finally:
        lock.release()


CRASH_POINTS = ("embedding", "store-write", "documents", "switch")


def crash_point(settings: Settings, point: str) -> None:
    """Test-only fault injection: with `EXPLAINER_TEST_CRASH_AT=<point>` the process kills itself with
    SIGKILL here, as `kill -9` or a power cut would (no cleanup, no `finally`). The points, in write order:
    `embedding` (half the batch embedded), `store-write` (passage rows written, lexical and document rows
    not), `documents` (just before the document rows: an ingest's switch), `switch` (just before the state
    row: a rebuild's switch to its new space)."""
    if settings.test_crash_at == point:
        log.warning("EXPLAINER_TEST_CRASH_AT=%s: killing this process", point)
        os.kill(os.getpid(), signal.SIGKILL)


# -- building ------------------------------------------------------------------------------------------------


@dataclass
class _Prepared:
    """One document, chunked and measured, waiting for its vectors."""

    doc: Document
    ver: str
    chunks: list[Chunk]
    spans: list[tuple[int, int]]
    share: dict[str, Any]


class IndexBuilder:
    """Builds or updates the index of `settings` (in its store)."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, progress: bool = False) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings.embedder)
        self.progress = progress

    def _key(self) -> str:
        return json.dumps({
            "format": FORMAT_VERSION,
            "embedder": self.embedder.name,
            "chunk_chars": self.settings.chunk_chars,
            "chunk_overlap_sentences": self.settings.chunk_overlap_sentences,
        }, sort_keys=True)

    def _ver(self, doc: Document) -> str:
        return hashlib.sha1(f"{self._key()}|{doc.content_hash}".encode()).hexdigest()[:12]

    def build(self, sources: Sequence[Path], rebuild: bool = False, add: bool = False) -> BuildReport:
        """Index `sources`. With `add`, keep the documents already indexed (newsroom ingest);
        otherwise the sources are the whole collection and documents no longer there are dropped."""
        started = time.perf_counter()
        loaded = load_documents(sources, self.settings.max_document_bytes)
        report = BuildReport(rejected=loaded.rejected)
        with write_lock(self.settings):
            store = open_store(self.settings)
            try:
                self._build(store, loaded.documents, report, rebuild, add)
            finally:
                store.close()
        self._remove_legacy_files()
        report.seconds = time.perf_counter() - started
        return report

    def _build(self, store: Store, loaded: list[Document], report: BuildReport, rebuild: bool, add: bool) -> None:
        settings = self.settings
        state = State.read(store, settings)
        fresh = state is None or rebuild or state.key != self._key()
        if fresh:
            space = Space(settings.collection_prefix, _stamp())
            stats = Stats()
            old: dict[str, dict[str, Any]] = {}
        else:
            space = Space(settings.collection_prefix, state.space)
            stats = Stats.from_json(state.stats_json)
        # spaces a killed rebuild (or a killed first build) left behind; nothing points at them
        self._drop_stale_spaces(store, keep=state.space if state is not None else None)
        docs_col = store.collection(space.documents)
        passages = store.collection(space.passages)
        lexical = LexicalIndex(space.lexical_path(settings))
        try:
            if not fresh:
                self._sweep(state, docs_col, passages, lexical, store)
                stats = Stats.from_json(state.stats_json)  # the sweep may have repaired them
                wanted = [d.id for d in loaded] if add else None
                old = self._document_rows(docs_col, wanted)
            incoming = {d.id: d for d in loaded}
            docs = {**({k: None for k in old} if add else {}), **incoming}
            for doc_id, doc in incoming.items():
                if doc_id not in old:
                    report.added.append(doc_id)
                elif old[doc_id]["ver"] != self._ver(doc):
                    report.updated.append(doc_id)
                else:
                    report.unchanged.append(doc_id)
            report.removed = [] if add else sorted(set(old) - set(docs))
            if not fresh and not report.changed:
                report.generation = state.generation
                report.chunks = stats.passages
                return
            if not docs:
                raise ValueError("no documents could be indexed; nothing was changed")

            touched = report.added + report.updated + report.removed
            generation = _stamp()
            if not fresh:  # journal first: a killed write leaves rows the next one knows to delete
                journal = {i: {"ver": old[i]["ver"], "share": old[i]["share"]} if i in old else None
                           for i in touched}
                store.collection(f"{settings.collection_prefix}-state").upsert(
                    [JOURNAL_ID], UNIT, [{"kind": "journal"}], [json.dumps(journal, ensure_ascii=False)]
                )
                State(space.id, state.generation, state.key, touched, state.stats_json, state.passages,
                      state.kinds).write(
                    store, settings
                )
            for doc_id in report.updated + report.removed:
                stats.apply(json.loads(old[doc_id]["share"]), -1)
            for doc_id in report.removed:  # the document row goes first: its rows are unreachable from then on
                docs_col.delete([doc_id])
                self._delete_rows(doc_id, None, passages, lexical)
            changed = [incoming[i] for i in report.added + report.updated]
            batch = max(1, settings.ingest_batch_docs)
            for i in range(0, len(changed), batch):
                prepared = [self._prepare(d) for d in changed[i : i + batch]]
                report.embedded_chunks += self._write(prepared, docs_col, passages, lexical)
                for p in prepared:
                    stats.apply(p.share, +1)
                    if not fresh and p.doc.id in report.updated:
                        self._delete_rows(p.doc.id, p.ver, passages, lexical)
            crash_point(settings, "switch")
            State(space.id, generation, self._key(), [], stats.to_json(), stats.passages, dict(stats.kinds)).write(
                store, settings
            )
        except BaseException:
            lexical.close()
            if fresh:  # nothing pointed at the new space: drop it whole
                space.drop(store, settings)
            raise
        lexical.close()
        if fresh and state is not None:
            Space(settings.collection_prefix, state.space).drop(store, settings)
        report.generation = generation
        report.chunks = stats.passages

    def _drop_stale_spaces(self, store: Store, keep: str | None) -> None:
        """Drop spaces a killed rebuild left behind (nothing points at them)."""
        pattern = re.compile(rf"{re.escape(self.settings.collection_prefix)}-(\d{{8}}T\d{{6}}-[0-9a-f]{{6}})-\w+")
        stale = {m.group(1) for m in map(pattern.fullmatch, store.names()) if m and m.group(1) != keep}
        for space_id in stale:
            log.warning("dropping space %s, left by an unfinished rebuild", space_id)
            Space(self.settings.collection_prefix, space_id).drop(store, self.settings)

    def _document_rows(self, docs_col: Collection, ids: list[str] | None) -> dict[str, dict[str, Any]]:
        """doc id -> its row's metadata, for the given ids or (None) every document."""
        if ids is not None:
            rows = docs_col.get(ids)
            return dict(zip(rows.ids, rows.metadatas, strict=True))
        out: dict[str, dict[str, Any]] = {}
        page = self.settings.read_page
        offset = 0
        while True:
            rows = docs_col.get(limit=page, offset=offset)
            out.update(zip(rows.ids, rows.metadatas, strict=True))
            if len(rows.ids) < page:
                return out
            offset += page

    def _sweep(
        self, state: State, docs_col: Collection, passages: Collection, lexical: LexicalIndex, store: Store
    ) -> None:
        """Undo what an unfinished write left: delete the rows of the journalled documents that their
        document rows do not point at, and, for a document whose row did switch (or was deleted) before
        the write died, move its share of the statistics from the version the journal names to the one
        now served, under a new generation (readers then reload)."""
        if not state.pending:
            return
        log.warning("an earlier write did not finish; removing its rows for %d documents", len(state.pending))
        rows = store.collection(f"{self.settings.collection_prefix}-state").get([JOURNAL_ID], documents=True)
        journal = json.loads(rows.documents[0] or "{}") if rows.ids else {}
        current = self._document_rows(docs_col, state.pending)
        stats = Stats.from_json(state.stats_json)
        repaired = False
        for doc_id in state.pending:
            was, now = journal.get(doc_id), current.get(doc_id)
            if doc_id in journal and (was or {}).get("ver") != (now or {}).get("ver"):
                if was:
                    stats.apply(json.loads(was["share"]), -1)
                if now:
                    stats.apply(json.loads(now["share"]), +1)
                repaired = True
            self._delete_rows(doc_id, (now or {}).get("ver"), passages, lexical)
        if repaired:
            log.warning("statistics repaired for documents switched by the unfinished write")
            state.stats_json, state.passages, state.kinds = stats.to_json(), stats.passages, dict(stats.kinds)
            state.generation = _stamp()
        state.pending = []
        state.write(store, self.settings)

    @staticmethod
    def _delete_rows(
        doc_id: str, keep_ver: str | None, passages: Collection, lexical: LexicalIndex
    ) -> None:
        """Delete a document's rows, except those of version `keep_ver`."""
        where: dict[str, Any] = {"doc_id": doc_id}
        if keep_ver:
            where = {"$and": [{"doc_id": doc_id}, {"ver": {"$ne": keep_ver}}]}
        passages.delete(where=where)
        lexical.delete_document(doc_id, keep_ver)

    def _prepare(self, doc: Document) -> _Prepared:
        from app.dates import latest_as_of
        from app.text import sentence_terms

        names = self._names
        chunks = chunk_document(doc, self.settings.chunk_chars, self.settings.chunk_overlap_sentences)
        spans = sorted({span for c in chunks for span in c.sentences})
        df: Counter[str] = Counter()
        for s, e in spans:
            df.update(sentence_terms(doc.text[s:e], names))
        as_of = latest_as_of([doc.text])
        share = {
            "sentences": len(spans), "passages": len(chunks), "df": dict(df), "kinds": {doc.kind: len(chunks)},
            "years": dict(Counter(int(y) for y in YEAR.findall(doc.date_label))),
            "as_of": {as_of: 1} if as_of else {},
        }
        return _Prepared(doc, self._ver(doc), chunks, spans, share)

    @property
    def _names(self) -> Any:
        return _name_index(self.settings.names_file)

    def _write(
        self, prepared: list[_Prepared], docs_col: Collection, passages: Collection, lexical: LexicalIndex
    ) -> int:
        """Embed and write a batch of documents: their rows first, their document rows (the switch) last."""
        chunk_texts = [embedding_text(p.doc, c) for p in prepared for c in p.chunks]
        sent_texts = [p.doc.text[s:e] for p in prepared for s, e in p.spans]
        bs = self.settings.embed_batch_size
        chunk_vecs = self.embedder.embed(chunk_texts, bs, self.progress, "Embedding passages")
        crash_point(self.settings, "embedding")
        sent_vecs = self.embedder.embed(sent_texts, bs, self.progress, "Embedding sentences")
        p_ids, p_meta, p_text, lex = [], [], [], []
        row = 0
        for p in prepared:
            span_row = {span: row + i for i, span in enumerate(p.spans)}
            row += len(p.spans)
            for c in p.chunks:
                meta = {**chunk_metadata(p.doc, c), "ver": p.ver, "start": c.start, "end": c.end,
                        "headings": json.dumps(c.headings, ensure_ascii=False), "sentences": json.dumps(c.sentences)}
                lex.append(LexicalRow(passage_id(c.id, p.ver), p.doc.id, p.ver, p.doc.kind, meta["start_num"],
                                      meta["end_num"], embedding_text(p.doc, c), dict(meta), c.text))
                meta["vectors"] = pack_vectors(sent_vecs[[span_row[span] for span in c.sentences]])
                p_ids.append(passage_id(c.id, p.ver))
                p_meta.append(meta)
                p_text.append(c.text)
        passages.upsert(p_ids, chunk_vecs, p_meta, p_text)
        crash_point(self.settings, "store-write")
        lexical.add(lex)
        doc_meta = []
        for p in prepared:
            record = p.doc.to_dict()
            record.pop("text")
            doc_meta.append({"ver": p.ver, "kind": p.doc.kind, "hash": p.doc.content_hash,
                             "doc": json.dumps(record, ensure_ascii=False),
                             "share": json.dumps(p.share, ensure_ascii=False)})
        crash_point(self.settings, "documents")
        docs_col.upsert([p.doc.id for p in prepared], np.repeat(UNIT, len(prepared), axis=0), doc_meta,
                        [p.doc.text for p in prepared])
        return len(chunk_texts)

    def _remove_legacy_files(self) -> None:
        """Generations of the file-based index (format 1) are no longer read."""
        index_dir = self.settings.index_dir
        if not index_dir.is_dir():
            return
        for path in index_dir.glob("gen-*"):
            shutil.rmtree(path, ignore_errors=True)
        for path in (index_dir / "CURRENT", *index_dir.glob(".CURRENT.*")):
            path.unlink(missing_ok=True)


def index_exists(settings: Settings) -> bool:
    """Whether the configured store holds a built index."""
    store = open_store(settings)
    try:
        return State.read(store, settings) is not None
    finally:
        store.close()


# -- reading -------------------------------------------------------------------------------------------------


class DocumentMap(Mapping[str, Document]):
    """doc id -> Document, read from the store on demand and kept in a bounded cache."""

    def __init__(self, index: Index) -> None:
        self._index = index
        self._cache: OrderedDict[str, tuple[Document, str] | None] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def records(self, ids: Sequence[str]) -> dict[str, tuple[Document, str]]:
        """(Document, version) of each id that exists, one store call for those not cached."""
        with self._lock:
            missing = [i for i in dict.fromkeys(ids) if i not in self._cache]
        if missing:
            rows = self._index._documents.get(missing, documents=True)
            found = {i: (document_from_row(m, t or ""), m["ver"])
                     for i, m, t in zip(rows.ids, rows.metadatas, rows.documents, strict=True)}
            with self._lock:
                for i in missing:
                    self._cache[i] = found.get(i)
                while len(self._cache) > self._index.settings.document_cache:
                    self._cache.popitem(last=False)
        out: dict[str, tuple[Document, str]] = {}
        with self._lock:
            for i in ids:
                record = self._cache.get(i)
                if record is not None:
                    out[i] = record
                    self._cache.move_to_end(i)
        return out

    def version(self, doc_id: str) -> str | None:
        record = self.records([doc_id]).get(doc_id)
        return record[1] if record else None

    def __getitem__(self, doc_id: str) -> Document:
        record = self.records([doc_id]).get(doc_id)
        if record is None:
            raise KeyError(doc_id)
        return record[0]

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and bool(self.records([doc_id]))

    def __len__(self) -> int:
        return self._index._documents.count()

    def _pages(self, documents: bool) -> Iterator[Rows]:
        page = self._index.settings.read_page
        offset = 0
        while True:
            rows = self._index._documents.get(limit=page, offset=offset, documents=documents)
            yield rows
            if len(rows.ids) < page:
                return
            offset += page

    def __iter__(self) -> Iterator[str]:
        for rows in self._pages(documents=False):
            yield from rows.ids

    def versions(self) -> dict[str, str]:
        """doc id -> served version, for every document."""
        return {i: m["ver"] for rows in self._pages(documents=False)
                for i, m in zip(rows.ids, rows.metadatas, strict=True)}

    def values(self) -> Iterator[Document]:  # type: ignore[override] - streamed, not a view
        """Every document, read page by page (the library is not held in memory)."""
        for rows in self._pages(documents=True):
            for meta, text in zip(rows.metadatas, rows.documents, strict=True):
                yield document_from_row(meta, text or "")


class Index:
    """The served index: reads documents and passages (with their sentences' vectors) from the store as
    questions need them; nothing grows with the library but the bounded caches."""

    def __init__(self, settings: Settings, store: Store, state: State) -> None:
        self.settings = settings
        self.store = store
        self.documents = DocumentMap(self)
        self._lock = threading.Lock()
        self._use(state)

    def _use(self, state: State) -> None:
        old = getattr(self, "_state", None)
        self._state = state
        self._checked = time.monotonic()
        self.__dict__.pop("stats", None)
        self.__dict__.pop("_legacy", None)
        self._chunks_of: OrderedDict[str, list[Chunk]] = OrderedDict()
        self._vectors: OrderedDict[str, dict[int, tuple[int, np.ndarray]]] = OrderedDict()
        self.documents.clear()
        if old is None or old.space != state.space:
            space = Space(self.settings.collection_prefix, state.space)
            self._documents = self.store.collection(space.documents)
            self.passages = self.store.collection(space.passages)
            if old is not None:
                self.lexical.close()
            self.lexical = LexicalIndex(space.lexical_path(self.settings))

    @classmethod
    def open(cls, settings: Settings) -> Index:
        store = open_store(settings)
        state = State.read(store, settings, with_stats=False)
        if state is None:
            raise IndexMissingError(
                f"No index found in {settings.index_dir}"
                + (f" or on the Chroma server {settings.chroma_host}" if settings.chroma_host else "")
                + ". Build it first with `explainer index` (or `make run`, which builds it when it is missing)."
            )
        return cls(settings, store, state)

    def refresh(self, force: bool = False) -> bool:
        """Look at the state row (at most every `settings.refresh_seconds`); True if the content changed."""
        if not force and time.monotonic() - self._checked < self.settings.refresh_seconds:
            return False
        with self._lock:
            state = State.read(self.store, self.settings, with_stats=False)
            self._checked = time.monotonic()
            if state is None or state.generation == self._state.generation:
                return False
            log.info("index changed: generation %s -> %s", self._state.generation, state.generation)
            self._use(state)
            self.lexical.reload()
            return True

    @property
    def generation(self) -> str:
        self.refresh()
        return self._state.generation

    @property
    def passage_count(self) -> int:
        """How many passages are served."""
        return self._state.passages

    def passages_of_kinds(self, kinds: Sequence[str]) -> int:
        """How many served passages belong to documents of these kinds."""
        return sum(self._state.kinds.get(k, 0) for k in kinds)

    # -- search primitives (the retriever's view) --------------------------------------------------------

    def _remember(self, chunk: Chunk, meta: dict[str, Any]) -> None:
        """Keep a passage's sentence vectors (bounded), for `sentences_for` right after a search."""
        if "vectors" not in meta or chunk.id in self._vectors:
            return
        vectors = unpack_vectors(meta["vectors"], len(chunk.sentences))
        self._vectors[chunk.id] = {s: (e, vectors[i]) for i, (s, e) in enumerate(chunk.sentences)}
        while len(self._vectors) > self.settings.passage_cache:
            self._vectors.popitem(last=False)

    def live(self, rows: Rows) -> dict[str, tuple[Chunk, Document]]:
        """The rows of served document versions, as (Chunk, Document) by row id (stale rows left out)."""
        docs = self.documents.records([m["doc_id"] for m in rows.metadatas])
        out: dict[str, tuple[Chunk, Document]] = {}
        for row_id, meta, text in zip(rows.ids, rows.metadatas, rows.documents, strict=True):
            record = docs.get(meta["doc_id"])
            if record is not None and record[1] == meta["ver"] and row_id not in out:
                chunk = chunk_from_row(row_id, meta, text or "")
                self._remember(chunk, meta)
                out[row_id] = (chunk, record[0])
        return out

    def passage_rows(self, ids: Sequence[str]) -> Rows:
        return self.passages.get(ids, documents=True)

    # -- what the answering package reads (its whole view of the index) ----------------------------------

    def document(self, doc_id: str) -> Document:
        return self.documents[doc_id]

    def sentences_for(self, chunks: Sequence[Chunk]) -> list[Sentence]:
        """Every sentence of these chunks, once each, in chunk order, with its vector."""
        missing = [c for c in chunks if c.id not in self._vectors]
        if missing:
            docs = self.documents.records([c.doc_id for c in missing])
            ids = [passage_id(c.id, docs[c.doc_id][1]) for c in missing if c.doc_id in docs]
            self.live(self.passages.get(ids, documents=True))
        docs = self.documents.records([c.doc_id for c in chunks])
        seen: set[tuple[str, int]] = set()
        out: list[Sentence] = []
        for chunk in chunks:
            vectors = self._vectors.get(chunk.id, {})
            for start, _end in chunk.sentences:
                if (chunk.doc_id, start) in seen or start not in vectors or chunk.doc_id not in docs:
                    continue
                seen.add((chunk.doc_id, start))
                end, vector = vectors[start]
                out.append(Sentence(chunk.doc_id, start, end, docs[chunk.doc_id][0].text[start:end], vector))
        return out

    def sentence_at(self, doc_id: str, start: int) -> Sentence | None:
        """The sentence of a document that starts at `start`, or None."""
        try:
            chunks = self.chunks_of(doc_id)
        except KeyError:
            return None
        for chunk in chunks:
            if any(s == start for s, _e in chunk.sentences):
                return next((x for x in self.sentences_for([chunk]) if x.start == start), None)
        return None

    @cached_property
    def stats(self) -> CorpusStats:
        """Term document frequencies over sentences, the latest year and 'as of' date of the sources."""
        state = State.read(self.store, self.settings) if self._state.stats_json is None else self._state
        return Stats.from_json(state.stats_json if state else None).corpus()

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        """A document's chunks in order."""
        if doc_id not in self._chunks_of:
            ver = self.documents.version(doc_id)
            if ver is None:
                raise KeyError(doc_id)
            rows = self.passages.get(where={"$and": [{"doc_id": doc_id}, {"ver": ver}]}, documents=True)
            live = self.live(rows)
            self._chunks_of[doc_id] = sorted((c for c, _d in live.values()), key=lambda c: c.index)
            while len(self._chunks_of) > self.settings.document_cache:
                self._chunks_of.popitem(last=False)
        return self._chunks_of[doc_id]

    def chunk_at(self, doc_id: str, offset: int) -> Chunk:
        """The first chunk of a document that contains the character offset."""
        return next(c for c in self.chunks_of(doc_id) if c.start <= offset < c.end)

    # -- the whole library at once: for the answerer before issue 10's rewrite only ------------------------

    @cached_property
    def _legacy(self) -> tuple[list[SentenceRef], dict[tuple[str, int], int], np.ndarray]:
        """Every served sentence in memory. Grows with the library: kept only until every reader uses
        `sentences_for` / `sentence_at` / `stats`."""
        live = self.documents.versions()
        found: dict[tuple[str, int], tuple[int, np.ndarray]] = {}
        page, offset = self.settings.read_page, 0
        while True:
            rows = self.passages.get(limit=page, offset=offset)
            for meta in rows.metadatas:
                if live.get(meta["doc_id"]) != meta["ver"]:
                    continue
                spans = json.loads(meta["sentences"])
                vectors = unpack_vectors(meta["vectors"], len(spans))
                for i, (s, e) in enumerate(spans):
                    found.setdefault((meta["doc_id"], s), (e, vectors[i]))
            if len(rows.ids) < page:
                break
            offset += page
        keys = sorted(found)
        sentences = [SentenceRef(d, s, found[(d, s)][0]) for d, s in keys]
        dim = found[keys[0]][1].shape[0] if keys else 0
        matrix = np.array([found[k][1] for k in keys], dtype=np.float32).reshape(len(keys), dim)
        return sentences, {k: i for i, k in enumerate(keys)}, matrix

    @property
    def sentences(self) -> list[SentenceRef]:
        return self._legacy[0]

    @property
    def sentence_row(self) -> dict[tuple[str, int], int]:
        return self._legacy[1]

    @property
    def sentence_vectors(self) -> np.ndarray:
        return self._legacy[2]

    def sentence_text(self, ref: SentenceRef) -> str:
        return self.documents[ref.doc_id].text[ref.start : ref.end]
