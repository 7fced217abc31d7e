"""Labelled reader questions: check raw labels against the documents and resolve them to sentence offsets.

A raw label names the sentence(s) that answer a question by quoting them (`evidence: [{doc_id, quote}]`);
`resolve` finds each quote in its document's text and widens it to the whole sentences it overlaps, as the
chunker splits them, so a label carries the exact offsets an answer's citation would have. `check` rejects
a label whose quote is not in its document, whose required facts are not in its evidence, or whose fields
contradict each other, so a wrong label is caught before anything learns from it.

    python -m app.evaluation.labels check eval/datasets/reader/raw/*.jsonl
    python -m app.evaluation.labels build            # raw/ -> train/dev/test.jsonl, split by document
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.chunking import split_blocks, split_sentences
from app.config import PROJECT_ROOT
from app.evaluation.metrics import contains
from app.ingest import Document, load_documents

log = logging.getLogger(__name__)

READER_DIR = PROJECT_ROOT / "eval" / "datasets" / "reader"
SEED_DIR = PROJECT_ROOT.parent / "shared" / "seeds"
CATEGORIES = frozenset(
    {"factoid", "yes-no", "why", "how", "list", "compare", "contested", "timeline", "names", "follow-up",
     "unanswerable"}
)
UNANSWERABLE_KINDS = frozenset({"missing-attribute", "false-premise", "never-happened", "after-sources", "off-topic"})
#: Share of documents in each split; the split of a document is fixed by a hash of its id.
SPLITS = (("train", 0.6), ("dev", 0.2), ("test", 0.2))


def corpus_documents(extra: Iterable[Path] = ()) -> dict[str, Document]:
    """The documents labels may cite: the corpus, the rendered timeline and the seed news report."""
    paths = [PROJECT_ROOT / "corpus", *(p for p in [SEED_DIR] if p.exists()), *extra]
    return {d.id: d for d in load_documents(paths).documents}


def inside_repository(doc: Document) -> bool:
    """Whether a document's text lives in this repository (the seed news report does not)."""
    path = Path(doc.source_path)
    path = path if path.is_absolute() else PROJECT_ROOT / path
    return path.resolve().is_relative_to(PROJECT_ROOT)


def withheld_sentences(documents: Iterable[Document]) -> list[tuple[str, str]]:
    """Each sentence of the documents whose text stays outside the repository (the seed news report), with
    what a report writes instead: where it is ("[doc 120-231]")."""
    return [(doc.text[start:end], f"[{doc.id} {start}-{end}]")
            for doc in documents if not inside_repository(doc) for start, end in sentence_spans(doc)]


def withhold(text: str, withheld: list[tuple[str, str]]) -> str:
    """Text as an evaluation report stores it, no `withheld_sentences` copied; the scores were computed on
    the answer as given."""
    for sentence, where in withheld:
        text = text.replace(sentence, where)
    return text


def sentence_spans(doc: Document) -> list[tuple[int, int]]:
    """Every sentence of a document as the chunker splits it (block by block)."""
    return [(s.start, s.end) for b in split_blocks(doc.text) for s in split_sentences(doc.text, b.start, b.end)]


def _find(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quote stands in a text: exactly, else with whitespace and apostrophes normalised."""
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    parts = [re.escape(p) for p in re.split(r"\s+", quote.strip().replace("’", "'")) if p]
    pattern = r"\s+".join(parts).replace("'", "['’]")
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else None


@dataclass
class Problem:
    id: str
    message: str

    def __str__(self) -> str:
        return f"{self.id}: {self.message}"


def resolve(row: dict[str, Any], docs: dict[str, Document], spans: dict[str, list[tuple[int, int]]]) -> list[str]:
    """Fill `row['evidence']` with sentence offsets and `gold_docs`; return what is wrong with the label."""
    problems: list[str] = []
    resolved: list[dict[str, Any]] = []
    for ev in row.get("evidence") or []:
        doc = docs.get(ev.get("doc_id", ""))
        if doc is None:
            problems.append(f"unknown doc_id {ev.get('doc_id')!r}")
            continue
        if "quote" not in ev and isinstance(ev.get("start"), int) and isinstance(ev.get("end"), int):
            found = (ev["start"], ev["end"])  # a document kept outside the repository is cited by offsets only
        else:
            found = _find(doc.text, ev.get("quote", "")) if ev.get("quote", "").strip() else None
        if found is None:
            problems.append(f"quote not in {doc.id}: {ev.get('quote', '')[:80]!r}")
            continue
        for start, end in spans[doc.id]:
            if start < found[1] and end > found[0]:
                resolved.append({"doc_id": doc.id, "start": start, "end": end, "quote": doc.text[start:end]})
                if not inside_repository(doc):  # its text is read from there, never copied here
                    resolved[-1]["_text"] = resolved[-1].pop("quote")
    unique = {(e["doc_id"], e["start"]): e for e in resolved}
    row["evidence"] = list(unique.values())
    row["gold_docs"] = list(dict.fromkeys(e["doc_id"] for e in row["evidence"]))
    return problems


def check(row: dict[str, Any]) -> list[str]:
    """What contradicts itself in a resolved label."""
    problems: list[str] = []
    for key in ("id", "question", "category"):
        if not isinstance(row.get(key), str) or not row[key].strip():
            problems.append(f"missing {key}")
    if row.get("category") not in CATEGORIES:
        problems.append(f"category {row.get('category')!r} is not one of {sorted(CATEGORIES)}")
    answerable = row.get("answerable")
    if not isinstance(answerable, bool):
        problems.append("answerable must be true or false")
    evidence_text = " ".join(e.get("quote") or e.get("_text", "") for e in row.get("evidence", []))
    if answerable:
        if not row.get("evidence"):
            problems.append("an answerable question needs evidence")
        yes_no = row.get("yes_no")
        if yes_no not in (None, "yes", "no"):
            problems.append("yes_no must be 'yes', 'no' or absent")
        if not row.get("facts") and not yes_no:
            problems.append("an answerable question needs facts (or a yes_no)")
        for fact in row.get("facts", []):
            alternatives = [fact] if isinstance(fact, str) else fact
            if not any(contains(evidence_text, alt) for alt in alternatives):
                problems.append(f"fact {alternatives} is not in the evidence")
    elif answerable is False:
        if row.get("category") != "unanswerable":
            problems.append("an unanswerable question has category 'unanswerable'")
        if row.get("unanswerable_kind") not in UNANSWERABLE_KINDS:
            problems.append(f"unanswerable_kind must be one of {sorted(UNANSWERABLE_KINDS)}")
        if row.get("unanswerable_kind") == "false-premise" and not row.get("evidence"):
            problems.append("a false premise needs the evidence that contradicts it")
    if row.get("category") == "follow-up" and not row.get("history"):
        problems.append("a follow-up needs its history")
    return problems


def split_of(doc_id: str) -> str:
    """The split a document's questions go to, fixed by its id (never by what a model does on it)."""
    fraction = int(hashlib.sha256(doc_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    total = 0.0
    for name, share in SPLITS:
        total += share
        if fraction <= total:
            return name
    return SPLITS[-1][0]


def read_raw(paths: Iterable[Path]) -> list[tuple[Path, int, dict[str, Any]]]:
    rows = []
    for path in paths:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rows.append((path, lineno, json.loads(line)))
                except json.JSONDecodeError as exc:
                    rows.append((path, lineno, {"id": f"{path.name}:{lineno}", "_error": str(exc)}))
    return rows


def process(paths: list[Path]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Resolve and check every raw label; return the good rows and the problems of the others."""
    docs = corpus_documents()
    spans = {doc_id: sentence_spans(doc) for doc_id, doc in docs.items()}
    good: list[dict[str, Any]] = []
    problems: list[Problem] = []
    seen: Counter[str] = Counter()
    for path, lineno, row in read_raw(paths):
        where = f"{path.name}:{lineno} {row.get('id', '?')}"
        if "_error" in row:
            problems.append(Problem(where, f"not JSON ({row['_error']})"))
            continue
        seen[row.get("id", "")] += 1
        found = resolve(row, docs, spans) + check(row)
        if seen[row.get("id", "")] > 1:
            found.append("duplicate id")
        if found:
            problems.extend(Problem(where, p) for p in found)
        else:
            row.setdefault("history", [])
            good.append(row)
    return good, problems


def primary_doc(row: dict[str, Any]) -> str:
    """The document a question was written from (its first evidence, else its `source_doc`)."""
    return (row.get("gold_docs") or [row.get("source_doc", "")])[0] or row.get("source_doc", "")


def build(raw_dir: Path = READER_DIR / "raw", out_dir: Path = READER_DIR) -> dict[str, int]:
    """raw/*.jsonl -> train/dev/test.jsonl (checked labels only), each question in its document's split."""
    good, problems = process(sorted(raw_dir.glob("*.jsonl")))
    for p in problems:
        log.warning("skipped %s", p)
    by_split: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in good:
        by_split[split_of(row.get("source_doc") or primary_doc(row))].append(row)
    counts = {}
    for name, _ in SPLITS:
        rows = sorted(by_split[name], key=lambda r: r["id"])
        with (out_dir / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            for row in rows:
                row["evidence"] = [{k: v for k, v in e.items() if not k.startswith("_")} for e in row["evidence"]]
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        counts[name] = len(rows)
    counts["skipped"] = len(problems)
    return counts


CLAIMS_FILE = PROJECT_ROOT / "corpus" / "data" / "claims.yaml"


def build_claims(raw_dir: Path = READER_DIR / "raw" / "claims", out: Path = CLAIMS_FILE) -> dict[str, int]:
    """raw/claims/*.yaml -> corpus/data/claims.yaml: the entries whose sentence is in its document and
    whose value is in its sentence (the others are reported and left out)."""
    import yaml

    docs = corpus_documents()
    merged: dict[str, list[dict[str, Any]]] = {"figures": [], "office_holders": []}
    skipped = 0
    for path in sorted(raw_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for section in merged:
            for raw in data.get(section) or []:
                entry = {k: ("" if v is None else str(v)) for k, v in raw.items()}
                doc = docs.get(entry.get("doc_id", ""))
                if doc is not None and not inside_repository(doc):
                    continue  # the corpus's claims only; a news report's text stays outside the repository
                value = entry.get("value") or entry.get("holder", "")
                if doc is None or entry.get("sentence", "") not in doc.text or not contains(entry["sentence"], value):
                    what = entry.get("what") or entry.get("holder")
                    log.warning("%s: left out %s entry %s", path.name, section, what)
                    skipped += 1
                    continue
                merged[section].append(entry)
    merged["figures"].sort(key=lambda e: (e["topic"], e["doc_id"], e["claimant"]))
    merged["office_holders"].sort(key=lambda e: (e["office"], e["start"], e["holder"]))
    header = ("# Contested figures (who claims what) and office holders with their terms, each tied to the exact\n"
              "# sentence of its document that states it. Built from eval/datasets/reader/raw/claims/ by\n"
              "# `python -m app.evaluation.labels build`; tests/test_claims.py checks every entry.\n")
    out.write_text(header + yaml.safe_dump(merged, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    return {"figures": len(merged["figures"]), "office_holders": len(merged["office_holders"]), "left_out": skipped}


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if argv[:1] == ["check"]:
        good, problems = process([Path(p) for p in argv[1:]])
        for p in problems:
            print(p)
        kinds = Counter(r["category"] for r in good)
        print(f"{len(good)} good, {len(problems)} problems; by category: {dict(sorted(kinds.items()))}")
        return 1 if problems else 0
    if argv[:1] == ["build"]:
        print(json.dumps(build()))
        print(json.dumps(build_claims()))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
