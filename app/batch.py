"""Batch Q&A: a JSONL file of `{id, question, history?}` lines in, one JSON answer per line out (same ids)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from app.explainer import Explainer, QuestionError


def read_questions(path: Path) -> list[dict[str, Any]]:
    """Parse the batch file; a bad line is kept as an error row so the output still has its id."""
    rows: list[dict[str, Any]] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append({"id": f"line-{lineno}", "error": f"line {lineno} is not JSON: {exc.msg}"})
            continue
        if not isinstance(obj, dict) or "question" not in obj:
            rows.append({"id": f"line-{lineno}", "error": f"line {lineno} needs a 'question' field"})
            continue
        history = obj.get("history") or []
        if not isinstance(history, list):
            rows.append({"id": str(obj.get("id", f"line-{lineno}")), "error": f"line {lineno}: history must be a list"})
            continue
        rows.append({"id": str(obj.get("id", f"line-{lineno}")), "question": obj["question"], "history": history})
    return rows


def answer_rows(explainer: Explainer, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in rows:
        if "error" in row:
            out.append(row)
            continue
        try:
            out.append(explainer.ask(row["question"], id=row["id"], history=[str(h) for h in row["history"]]).to_dict())
        except QuestionError as exc:
            out.append({"id": row["id"], "question": row["question"], "error": str(exc)})
    return out


def run_batch(explainer: Explainer, path: Path, out: Path | None) -> int:
    """Answer every question in `path`; returns how many lines failed."""
    results = answer_rows(explainer, read_questions(path))
    stream: IO[str]
    with (out.open("w", encoding="utf-8") if out else _stdout()) as stream:
        for result in results:
            stream.write(json.dumps(result, ensure_ascii=False) + "\n")
    return sum(1 for r in results if "error" in r)


class _stdout:
    def __enter__(self) -> IO[str]:
        return sys.stdout

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()
