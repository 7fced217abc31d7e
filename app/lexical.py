"""BM25 lexical index over passages that grows with the library: SQLite FTS5, updated row by row.

Chroma 1.5 ranks by BM25 only through its Search API and sparse-vector indexes, which run on Chroma Cloud
only ("Search is not implemented for Local Chroma", also through a `chroma run` server). FTS5 ships with
Python's sqlite3, ranks with `bm25()` (k1=1.2, b=0.75), takes inserts and deletes without a rebuild, and
is one file that every app process on the machine (or on a shared volume) opens read-only-concurrently
(WAL). Passages are stored as their `app.text.tokenize` tokens, so lexical matching stays the project's
own (stems, stopwords); the metadata table beside it lets a filtered query run inside SQLite.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.stores.base import Filters, Rows, date_number
from app.text import tokenize

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL, ver TEXT NOT NULL,
    kind TEXT NOT NULL, start_num INTEGER NOT NULL, end_num INTEGER NOT NULL, meta TEXT NOT NULL,
    text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS meta_doc ON meta (doc_id, ver);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(tokens, tokenize = 'unicode61 remove_diacritics 0');
"""

_MEMORY: dict[str, sqlite3.Connection] = {}
_MEMORY_LOCK = threading.Lock()


def fts_token(token: str) -> str:
    """A token FTS5's unicode61 tokenizer keeps whole (anything else is spelled in hex)."""
    return token if token.isalnum() else "x" + token.encode().hex()


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
    """BM25 over passage tokens; `path` is a SQLite file, or `memory:<name>` for a process-wide one."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        if self.path.startswith("memory:"):
            with _MEMORY_LOCK:
                if self.path not in _MEMORY:
                    _MEMORY[self.path] = sqlite3.connect(":memory:", check_same_thread=False)
                    _MEMORY[self.path].executescript(SCHEMA)
                self._db = _MEMORY[self.path]
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)

    def add(self, rows: Iterable[LexicalRow]) -> None:
        """Insert or replace passages (one transaction: all or nothing)."""
        rows = list(rows)
        with self._lock, self._db:
            self._delete_ids([r.id for r in rows])
            for row in rows:
                cur = self._db.execute(
                    "INSERT INTO meta (id, doc_id, ver, kind, start_num, end_num, meta, text) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (row.id, row.doc_id, row.ver, row.kind, row.start_num, row.end_num,
                     json.dumps(row.meta, ensure_ascii=False), row.passage),
                )
                tokens = " ".join(fts_token(t) for t in tokenize(row.text)) or "_empty_"
                self._db.execute("INSERT INTO fts (rowid, tokens) VALUES (?, ?)", (cur.lastrowid, tokens))

    def _delete_ids(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), 500):
            part = list(ids[i : i + 500])
            marks = ",".join("?" * len(part))
            rowids = [r[0] for r in self._db.execute(f"SELECT rowid FROM meta WHERE id IN ({marks})", part)]
            self._delete_rowids(rowids)

    def _delete_rowids(self, rowids: list[int]) -> None:
        for i in range(0, len(rowids), 500):
            part = rowids[i : i + 500]
            marks = ",".join("?" * len(part))
            self._db.execute(f"DELETE FROM fts WHERE rowid IN ({marks})", part)
            self._db.execute(f"DELETE FROM meta WHERE rowid IN ({marks})", part)

    def delete_document(self, doc_id: str, keep_ver: str | None = None) -> None:
        """Drop a document's passages, except those of version `keep_ver`."""
        with self._lock, self._db:
            rowids = [r[0] for r in self._db.execute(
                "SELECT rowid FROM meta WHERE doc_id = ? AND ver != ?", (doc_id, keep_ver or "")
            )]
            self._delete_rowids(rowids)

    def versions(self) -> dict[str, set[str]]:
        """doc id -> the versions the index holds rows of (for sweeping rows a killed ingest left)."""
        out: dict[str, set[str]] = {}
        with self._lock:
            for doc_id, ver in self._db.execute("SELECT DISTINCT doc_id, ver FROM meta"):
                out.setdefault(doc_id, set()).add(ver)
        return out

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM meta").fetchone()[0])

    def search(
        self, query: str | Sequence[str], k: int, filters: Filters | None = None
    ) -> tuple[list[tuple[str, float]], Rows]:
        """The k best passages by BM25 as (id, score), best first, and their rows (metadata and text, so
        the store need not be asked for them); filters are applied inside SQLite."""
        tokens = tokenize(query) if isinstance(query, str) else list(query)
        terms = sorted({fts_token(t) for t in tokens})
        if not terms or k <= 0:
            return [], Rows()
        sql = ("SELECT m.id, -bm25(fts) AS score, m.meta, m.text FROM fts JOIN meta m ON m.rowid = fts.rowid "
               "WHERE fts MATCH ?")
        args: list[object] = [" OR ".join(f'"{t}"' for t in terms)]
        if filters and filters.kinds:
            sql += f" AND m.kind IN ({','.join('?' * len(filters.kinds))})"
            args.extend(filters.kinds)
        if filters and filters.date_to:
            sql += " AND m.start_num <= ?"
            args.append(date_number(filters.date_to, 0))
        if filters and filters.date_from:
            sql += " AND m.end_num >= ?"
            args.append(date_number(filters.date_from, 0))
        sql += " ORDER BY bm25(fts) LIMIT ?"
        args.append(k)
        with self._lock:
            found = self._db.execute(sql, args).fetchall()
        rows = Rows(ids=[r[0] for r in found], metadatas=[json.loads(r[2]) for r in found],
                    documents=[r[3] for r in found])
        return [(r[0], float(r[1])) for r in found], rows

    def drop(self) -> None:
        """Remove the whole index (its file, or its in-memory database)."""
        with self._lock:
            self._db.close()
        if self.path.startswith("memory:"):
            with _MEMORY_LOCK:
                _MEMORY.pop(self.path, None)
            return
        for suffix in ("", "-wal", "-shm"):
            Path(self.path + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        if not self.path.startswith("memory:"):
            with self._lock:
                self._db.close()
