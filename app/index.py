"""Index: documents -> chunks, vectors, a Chroma collection and a BM25 index, built atomically.

Layout of the index directory::

    CURRENT                  name of the live generation (replaced atomically)
    gen-<stamp>/manifest.json       embedder, chunker settings, per-document content hashes
    gen-<stamp>/documents.jsonl     documents (text and metadata)
    gen-<stamp>/chunks.jsonl        chunks with offsets, in vector row order
    gen-<stamp>/chunk_vectors.npy   chunk embeddings
    gen-<stamp>/sentences.jsonl     every sentence (doc id, offsets), in row order of
    gen-<stamp>/sentence_vectors.npy
    gen-<stamp>/bm25/               bm25s index over chunks
    gen-<stamp>/chroma/             embedded Chroma (or a collection on a Chroma server)

A build writes a new generation in a temporary directory and only then points CURRENT at it, so a crash
mid-build leaves the previous index serving. Unchanged documents (same content hash, same embedder and
chunker settings) reuse their vectors: only new or changed documents are embedded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import re
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.chunking import Chunk, chunk_document, embedding_text
from app.config import Settings
from app.embeddings import Embedder, get_embedder
from app.ingest import Document, Rejected, load_documents
from app.lexical import LexicalIndex
from app.stores import VectorStore, date_number

FORMAT_VERSION = 1
CURRENT = "CURRENT"


class IndexMissingError(RuntimeError):
    """No usable index: the message says how to build one."""


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
    unchanged: list[str] = field(default_factory=list)
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


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def current_generation(index_dir: Path) -> Path | None:
    pointer = index_dir / CURRENT
    if not pointer.exists():
        return None
    gen = index_dir / pointer.read_text().strip()
    return gen if (gen / "manifest.json").exists() else None


def chunk_metadata(doc: Document, chunk: Chunk) -> dict[str, Any]:
    """The flat metadata a vector store keeps for filtering."""
    return {
        "doc_id": doc.id,
        "kind": doc.kind,
        "start_num": date_number(doc.period_start or doc.date, 0),
        "end_num": date_number(doc.period_end or doc.date, 99999999),
        "chunk_index": chunk.index,
    }


def make_store(settings: Settings, gen_dir: Path, create: bool) -> VectorStore:
    """The configured vector store for one generation (a folder of embedded Chroma or a server collection)."""
    if settings.vector_store == "memory":
        from app.stores.memory import MemoryStore

        return MemoryStore()
    if settings.vector_store != "chroma":
        raise ValueError(f"unknown vector store {settings.vector_store!r}; choose 'chroma' or 'memory'")
    from app.stores.chroma import ChromaStore, make_client

    client = make_client(gen_dir / "chroma", settings.chroma_host, settings.chroma_port)
    name = f"{settings.collection_prefix}-{gen_dir.name}"
    return ChromaStore(client, name, create=create)


class IndexBuilder:
    """Builds or updates the index in `settings.index_dir`."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, progress: bool = False) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings.embedder)
        self.progress = progress

    def _manifest_key(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "embedder": self.embedder.name,
            "chunk_chars": self.settings.chunk_chars,
            "chunk_overlap_sentences": self.settings.chunk_overlap_sentences,
        }

    def build(self, sources: Sequence[Path], rebuild: bool = False, add: bool = False) -> BuildReport:
        """Index `sources`. With `add`, keep the documents already indexed (newsroom ingest);
        otherwise the sources are the whole collection and documents no longer there are dropped."""
        started = time.perf_counter()
        loaded = load_documents(sources)
        report = BuildReport(rejected=loaded.rejected)
        previous = None if rebuild else self._load_previous()
        old_docs: dict[str, Document] = previous["documents"] if previous else {}

        docs: dict[str, Document] = dict(old_docs) if add else {}
        for doc in loaded.documents:
            docs[doc.id] = doc
        for doc_id, doc in docs.items():
            old = old_docs.get(doc_id)
            if old is None:
                report.added.append(doc_id)
            elif old.content_hash != doc.content_hash:
                report.updated.append(doc_id)
            else:
                report.unchanged.append(doc_id)
        report.removed = sorted(set(old_docs) - set(docs))

        index_dir = self.settings.index_dir
        if previous and not report.changed and not rebuild:
            report.generation = previous["dir"].name
            report.chunks = previous["chunk_count"]
            report.seconds = time.perf_counter() - started
            return report
        if not docs:
            raise ValueError("no documents could be indexed; nothing was changed")

        chunks, chunk_vecs, sents, sent_vecs, embedded = self._assemble(docs, previous)
        report.chunks, report.embedded_chunks = len(chunks), embedded

        index_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        gen = index_dir / f"gen-{stamp}"
        try:
            # The new generation is invisible until CURRENT names it; writing CURRENT is one rename.
            self._write_generation(gen, docs, chunks, chunk_vecs, sents, sent_vecs)
            pointer_tmp = index_dir / f".{CURRENT}.{stamp}"
            pointer_tmp.write_text(gen.name)
            os.replace(pointer_tmp, index_dir / CURRENT)
        except BaseException:
            self._drop_generation(gen)
            raise
        self._prune(index_dir, keep={gen.name, previous["dir"].name if previous else ""})
        report.generation = gen.name
        report.seconds = time.perf_counter() - started
        return report

    # -- steps ---------------------------------------------------------------------------------------

    def _load_previous(self) -> dict[str, Any] | None:
        gen = current_generation(self.settings.index_dir)
        if gen is None:
            return None
        manifest = json.loads((gen / "manifest.json").read_text())
        if manifest.get("key") != self._manifest_key():
            return None  # different model or chunker: everything is re-embedded
        chunks = [Chunk.from_dict(c) for c in _read_jsonl(gen / "chunks.jsonl")]
        sents = [SentenceRef(**s) for s in _read_jsonl(gen / "sentences.jsonl")]
        return {
            "dir": gen,
            "documents": {d["id"]: Document.from_dict(d) for d in _read_jsonl(gen / "documents.jsonl")},
            "chunks": chunks,
            "chunk_vectors": np.load(gen / "chunk_vectors.npy"),
            "sentences": sents,
            "sentence_vectors": np.load(gen / "sentence_vectors.npy"),
            "chunk_count": len(chunks),
        }

    def _assemble(
        self, docs: dict[str, Document], previous: dict[str, Any] | None
    ) -> tuple[list[Chunk], np.ndarray, list[SentenceRef], np.ndarray, int]:
        reuse: dict[str, tuple[list[int], list[int]]] = {}
        if previous:
            for row, chunk in enumerate(previous["chunks"]):
                reuse.setdefault(chunk.doc_id, ([], []))[0].append(row)
            for row, sent in enumerate(previous["sentences"]):
                reuse.setdefault(sent.doc_id, ([], []))[1].append(row)
            old_docs = previous["documents"]

        chunks: list[Chunk] = []
        chunk_rows: list[np.ndarray | None] = []
        sents: list[SentenceRef] = []
        sent_rows: list[np.ndarray | None] = []
        new_chunk_texts: list[str] = []
        new_sent_texts: list[str] = []
        for doc in docs.values():
            if previous and doc.id in old_docs and old_docs[doc.id].content_hash == doc.content_hash:
                chunk_idx, sent_idx = reuse.get(doc.id, ([], []))
                chunks.extend(previous["chunks"][i] for i in chunk_idx)
                chunk_rows.extend(previous["chunk_vectors"][i] for i in chunk_idx)
                sents.extend(previous["sentences"][i] for i in sent_idx)
                sent_rows.extend(previous["sentence_vectors"][i] for i in sent_idx)
                continue
            doc_chunks = chunk_document(doc, self.settings.chunk_chars, self.settings.chunk_overlap_sentences)
            chunks.extend(doc_chunks)
            chunk_rows.extend([None] * len(doc_chunks))
            new_chunk_texts.extend(embedding_text(doc, c) for c in doc_chunks)
            spans = sorted({span for c in doc_chunks for span in c.sentences})
            sents.extend(SentenceRef(doc.id, s, e) for s, e in spans)
            sent_rows.extend([None] * len(spans))
            new_sent_texts.extend(doc.text[s:e] for s, e in spans)

        bs = self.settings.embed_batch_size
        new_chunks = self.embedder.embed(new_chunk_texts, bs, self.progress, "Embedding passages")
        new_sents = self.embedder.embed(new_sent_texts, bs, self.progress, "Embedding sentences")
        return (
            chunks,
            _fill(chunk_rows, new_chunks, self.embedder.dimension),
            sents,
            _fill(sent_rows, new_sents, self.embedder.dimension),
            len(new_chunk_texts),
        )

    def _write_generation(
        self,
        gen: Path,
        docs: dict[str, Document],
        chunks: list[Chunk],
        chunk_vecs: np.ndarray,
        sents: list[SentenceRef],
        sent_vecs: np.ndarray,
    ) -> None:
        gen.mkdir(parents=True)
        _write_jsonl(gen / "documents.jsonl", (d.to_dict() for d in docs.values()))
        _write_jsonl(gen / "chunks.jsonl", (c.to_dict() for c in chunks))
        _write_jsonl(gen / "sentences.jsonl", (asdict(s) for s in sents))
        np.save(gen / "chunk_vectors.npy", chunk_vecs)
        np.save(gen / "sentence_vectors.npy", sent_vecs)
        LexicalIndex.build([embedding_text(docs[c.doc_id], c) for c in chunks]).save(gen / "bm25")
        store = make_store(self.settings, gen, create=True)
        try:
            store.add([c.id for c in chunks], chunk_vecs, [chunk_metadata(docs[c.doc_id], c) for c in chunks])
        finally:
            store.close()
        manifest = {
            "key": self._manifest_key(),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "vector_store": self.settings.vector_store,
            "chroma_host": self.settings.chroma_host,
            "documents": {d.id: {"hash": d.content_hash, "source_path": d.source_path} for d in docs.values()},
            "chunks": len(chunks),
            "sentences": len(sents),
        }
        # Written last: a generation without a manifest is never treated as usable.
        (gen / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))

    def _drop_generation(self, gen: Path) -> None:
        shutil.rmtree(gen, ignore_errors=True)
        if self.settings.chroma_host and self.settings.vector_store == "chroma":
            from app.stores.chroma import make_client

            client = make_client(None, self.settings.chroma_host, self.settings.chroma_port)
            with contextlib.suppress(Exception):  # absent collection; Chroma raises varying types
                client.delete_collection(f"{self.settings.collection_prefix}-{gen.name}")

    def _prune(self, index_dir: Path, keep: set[str]) -> None:
        """Drop generations other than the live one and the one before it (a reader may still hold it),
        including half-written ones a crash left behind."""
        for path in index_dir.iterdir():
            if path.is_dir() and path.name.startswith("gen-") and path.name not in keep:
                self._drop_generation(path)
        for path in index_dir.glob(f".{CURRENT}.*"):
            path.unlink(missing_ok=True)


def _fill(rows: list[np.ndarray | None], new: np.ndarray, dimension: int) -> np.ndarray:
    """Merge reused vector rows with freshly embedded ones, in order."""
    if not rows:
        return np.zeros((0, dimension), dtype=np.float32)
    out = np.zeros((len(rows), dimension), dtype=np.float32)
    fresh = iter(new)
    for i, row in enumerate(rows):
        out[i] = next(fresh) if row is None else row
    return out


class Index:
    """A loaded, read-only index generation: documents, chunks, sentences, vectors and both searchers."""

    def __init__(self, settings: Settings, gen: Path) -> None:
        self.settings = settings
        self.generation = gen.name
        self.manifest = json.loads((gen / "manifest.json").read_text())
        self.documents = {d["id"]: Document.from_dict(d) for d in _read_jsonl(gen / "documents.jsonl")}
        self.chunks = [Chunk.from_dict(c) for c in _read_jsonl(gen / "chunks.jsonl")]
        self.chunk_vectors = np.load(gen / "chunk_vectors.npy")
        self.sentences = [SentenceRef(**s) for s in _read_jsonl(gen / "sentences.jsonl")]
        self.sentence_vectors = np.load(gen / "sentence_vectors.npy")
        self.lexical = LexicalIndex.load(gen / "bm25")
        self.chunk_row = {c.id: i for i, c in enumerate(self.chunks)}
        self.sentence_row = {(s.doc_id, s.start): i for i, s in enumerate(self.sentences)}
        self.store = make_store(settings, gen, create=False)
        if self.store.count() == 0 and len(self.chunks):
            # the in-memory store is rebuilt from the saved vectors on load
            self.store.add(
                [c.id for c in self.chunks],
                self.chunk_vectors,
                [chunk_metadata(self.documents[c.doc_id], c) for c in self.chunks],
            )
        self.chunk_meta = [chunk_metadata(self.documents[c.doc_id], c) for c in self.chunks]

    @classmethod
    def open(cls, settings: Settings) -> Index:
        gen = current_generation(settings.index_dir)
        if gen is None:
            raise IndexMissingError(
                f"No index found in {settings.index_dir}. Build it first with `explainer index` "
                "(or `make run`, which builds it when it is missing)."
            )
        return cls(settings, gen)

    # -- what the answering package reads (its whole view of the index) ------------------------------

    def document(self, doc_id: str) -> Document:
        return self.documents[doc_id]

    def sentences_for(self, chunks: Sequence[Chunk]) -> list[Sentence]:
        """Every sentence of these chunks, once each, in chunk order, with its vector."""
        seen: set[tuple[str, int]] = set()
        out: list[Sentence] = []
        for chunk in chunks:
            for start, _end in chunk.sentences:
                key = (chunk.doc_id, start)
                if key in seen:
                    continue
                seen.add(key)
                sentence = self.sentence_at(chunk.doc_id, start)
                if sentence is not None:
                    out.append(sentence)
        return out

    @functools.cached_property
    def stats(self) -> CorpusStats:
        """Term document frequencies over sentences, the latest year and 'as of' date of the sources."""
        from app.dates import latest_as_of
        from app.names import NameIndex
        from app.text import sentence_terms

        names = NameIndex.load(self.settings.names_file)
        df: Counter[str] = Counter()
        for ref in self.sentences:
            df.update(sentence_terms(self.documents[ref.doc_id].text[ref.start : ref.end], names))
        years = [int(y) for d in self.documents.values() for y in re.findall(r"\b(?:1[5-9]|20)\d\d\b", d.date_label)]
        return CorpusStats(
            sentences=len(self.sentences),
            df=dict(df),
            latest_year=max(years) if years else None,
            latest_as_of=latest_as_of(d.text for d in self.documents.values()),
        )

    def sentence_at(self, doc_id: str, start: int) -> Sentence | None:
        """The sentence of a document that starts at `start`, or None."""
        row = self.sentence_row.get((doc_id, start))
        if row is None:
            return None
        ref = self.sentences[row]
        text = self.documents[doc_id].text[ref.start : ref.end]
        return Sentence(doc_id, ref.start, ref.end, text, self.sentence_vectors[row])

    def chunk_at(self, doc_id: str, offset: int) -> Chunk:
        """The first chunk of a document that contains the character offset."""
        return next(c for c in self.chunks if c.doc_id == doc_id and c.start <= offset < c.end)

    def sentence_text(self, ref: SentenceRef) -> str:
        return self.documents[ref.doc_id].text[ref.start : ref.end]
