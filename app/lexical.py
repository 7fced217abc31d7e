"""BM25 lexical index over passages that grows with the library: Tantivy, updated document by document.

Chroma 1.5 ranks by BM25 only through its Search API and sparse-vector indexes, which run on Chroma Cloud
only ("Search operation is not implemented for local executor", also through a `chroma run` server).
Tantivy (a Lucene-like engine in Rust, the `tantivy` package) takes additions and deletions without a
rebuild, commits atomically, ranks with BM25 (k1 = 1.2, b = 0.75) using block-max WAND, so a top-k query
does not score every passage that shares a common word, and keeps one folder that any number of reader
processes open while one writer commits. (SQLite FTS5 was tried first: ~300 ms a question at 90k
passages, because its `bm25()` scores every match of an OR query.) Passages are indexed as their
`app.text.tokenize` tokens, so lexical matching stays the project's own (stems, stopwords, synonyms);
kind and dates are indexed fields, so a filtered query runs inside the engine.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.stores.base import Filters, Rows, date_number
from app.text import tokenize

log = logging.getLogger(__name__)

WRITER_HEAP = 64_000_000  # bytes the writer buffers before it flushes a segment
_MEMORY: dict[str, Any] = {}
_MEMORY_LOCK = threading.Lock()


def _tantivy() -> Any:
    try:
        import tantivy
    except ImportError as exc:  # pragma: no cover - a dependency
        raise RuntimeError("lexical search needs the tantivy package: pip install tantivy") from exc
    return tantivy


def _schema() -> Any:
    tantivy = _tantivy()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("tokens", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("doc_id", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("ver", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("start_num", indexed=True, fast=True)
    builder.add_integer_field("end_num", indexed=True, fast=True)
    builder.add_bytes_field("row", stored=True)
    return builder.build()


@dataclass(frozen=True)
class LexicalRow:
    """One passage as the lexical index keeps it."""

    id: str
    doc_id: str
    ver: str
    kind: str
    start_num: int
    end_num: int
    text: str  # what is matched (the passage with its title and headings)
    meta: dict[str, Any]  # the passage row's metadata, as the store keeps it
    passage: str  # the passage's own text


class LexicalIndex:
    """BM25 over passage tokens; `path` is a folder, or `memory:<name>` for a process-wide in-RAM index."""

    def __init__(self, path: str | Path) -> None:
        tantivy = _tantivy()
        self.path = str(path)
        self._lock = threading.RLock()
        self._schema = _schema()
        if self.path.startswith("memory:"):
            with _MEMORY_LOCK:
                if self.path not in _MEMORY:
                    _MEMORY[self.path] = tantivy.Index(self._schema)
                self._index = _MEMORY[self.path]
        else:
            Path(self.path).mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(self._schema, path=self.path, reuse=True)
        self._index.reload()

    def reload(self) -> None:
        """See what other processes committed since this one opened the index."""
        with self._lock:
            self._index.reload()

    def _writer(self) -> Any:
        return self._index.writer(WRITER_HEAP, 1)

    def _commit(self, writer: Any) -> None:
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()

    def add(self, rows: Iterable[LexicalRow]) -> None:
        """Insert or replace passages (one commit: all or nothing)."""
        tantivy = _tantivy()
        with self._lock:
            writer = self._writer()
            for row in rows:
                writer.delete_documents_by_term("id", row.id)
                doc = tantivy.Document()
                doc.add_text("tokens", " ".join(tokenize(row.text)) or "_empty_")
                doc.add_text("id", row.id)
                doc.add_text("doc_id", row.doc_id)
                doc.add_text("ver", row.ver)
                doc.add_text("kind", row.kind)
                doc.add_integer("start_num", row.start_num)
                doc.add_integer("end_num", row.end_num)
                doc.add_bytes("row", json.dumps({"meta": row.meta, "text": row.passage}, ensure_ascii=False).encode())
                writer.add_document(doc)
            self._commit(writer)

    def delete_document(self, doc_id: str, keep_ver: str | None = None) -> None:
        """Drop a document's passages, except those of version `keep_ver`."""
        tantivy = _tantivy()
        clauses = [(tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "doc_id", doc_id))]
        if keep_ver:
            clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_query(self._schema, "ver", keep_ver)))
        with self._lock:
            writer = self._writer()
            writer.delete_documents_by_query(tantivy.Query.boolean_query(clauses))
            self._commit(writer)

    def count(self) -> int:
        with self._lock:
            return int(self._index.searcher().num_docs)

    def search(
        self, query: str | Sequence[str], k: int, filters: Filters | None = None
    ) -> tuple[list[tuple[str, float]], Rows]:
        """The k best passages by BM25 as (id, score), best first, and their rows (metadata and text, so
        the store need not be asked for them); filters are applied inside the engine."""
        tantivy = _tantivy()
        tokens = tokenize(query) if isinstance(query, str) else list(query)
        terms = sorted(set(tokens))
        if not terms or k <= 0:
            return [], Rows()
        schema = self._schema
        words = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "tokens", t)) for t in terms]
        )
        clauses = [(tantivy.Occur.Must, words)]
        if filters and filters.kinds:
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(
                tantivy.Query.term_set_query(schema, "kind", list(filters.kinds)), 0.0)))
        if filters and filters.date_to:
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(tantivy.Query.range_query(
                schema, "start_num", tantivy.FieldType.Integer, None, date_number(filters.date_to, 0)), 0.0)))
        if filters and filters.date_from:
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(tantivy.Query.range_query(
                schema, "end_num", tantivy.FieldType.Integer, date_number(filters.date_from, 0), None), 0.0)))
        with self._lock:
            searcher = self._index.searcher()
            found = searcher.search(tantivy.Query.boolean_query(clauses), k, count=False).hits
            docs = [searcher.doc(address) for _score, address in found]
        ranked: list[tuple[str, float]] = []
        rows = Rows()
        for (score, _address), doc in zip(found, docs, strict=True):
            row = json.loads(bytes(doc["row"][0]))
            ranked.append((doc["id"][0], float(score)))
            rows.ids.append(doc["id"][0])
            rows.metadatas.append(row["meta"])
            rows.documents.append(row["text"])
        return ranked, rows

    def drop(self) -> None:
        """Remove the whole index (its folder, or its in-memory index)."""
        if self.path.startswith("memory:"):
            with _MEMORY_LOCK:
                _MEMORY.pop(self.path, None)
            return
        shutil.rmtree(self.path, ignore_errors=True)

    def close(self) -> None:  # Tantivy closes its files when the index is dropped
        """Release the index."""
