"""Scale benchmark: build, one-story ingest, ask p50/p95, start-up and RSS at growing library sizes.

    python bench/scale.py --sizes 1x,20000,100000 --questions 50 --minilm-docs 73 --out bench/scale.json

Libraries are made from the corpus's own documents, copied with varied names, numbers and dates until the
size (in passages) is reached. The fake embedder isolates the non-model costs; the MiniLM run (on the
first `--minilm-docs` corpus documents) gives the model cost as the ratio of a build to the pure encoder
time for the same texts. Each size is built once in embedded Chroma; server mode then serves the same data
through `chroma run --path <that directory>` (its build time is measured at the sizes in
`--server-build-sizes`, where a build goes over HTTP). Start-up, asks and RSS are measured in a fresh
child process. "ask" is what a question costs the index: the query embedding, hybrid retrieval, and the
reads the answerer makes (`sentences_for` the hits, `stats`); the LangChain baseline is a plain
langchain-chroma `similarity_search` (k=8) over the same passages collection.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import PROJECT_ROOT, Settings, set_offline_env  # noqa: E402

SYLLABLES = ["ka", "ra", "ban", "vor", "lis", "tan", "mer", "dzh", "ash", "gor", "nak", "sel", "tur", "vil"]
NAME = re.compile(r"\b[A-Z][a-z]{3,}\b")
NUMBER = re.compile(r"\b(?<![-./])\d{1,3}(?:,\d{3})*\b(?![-./]\d)")
YEAR = re.compile(r"\b(19[5-9]\d|20[0-2]\d)\b")


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def vary(text: str, copy: int) -> str:
    """The same prose with other names, numbers and years (deterministic per copy)."""
    rng = random.Random(copy)
    names: dict[str, str] = {}

    def name(m: re.Match[str]) -> str:
        word = m.group(0)
        if word not in names:
            names[word] = _name(rng) if rng.random() < 0.35 else word
        return names[word]

    text = NAME.sub(name, text)
    text = YEAR.sub(lambda m: str(int(m.group(0)) - copy % 9), text)
    return NUMBER.sub(lambda m: str(int(m.group(0).replace(",", "")) + copy % 97), text)


def write_library(target: Path, copies: int, docs: list[Any]) -> None:
    """The corpus (copy 0) plus `copies - 1` varied copies of it, as Markdown files with front matter."""
    target.mkdir(parents=True, exist_ok=True)
    for j in range(copies):
        for doc in docs:
            if doc.kind == "timeline" and j:  # one timeline document per library
                continue
            meta: dict[str, Any] = {"id": doc.id if j == 0 else f"{doc.id}-s{j}", "kind": doc.kind,
                                    "title": doc.title if j == 0 else vary(doc.title, j), "publisher": doc.publisher}
            shift = j % 9
            if doc.date:
                meta["date"] = str(int(doc.date[:4]) - shift) + doc.date[4:] if j else doc.date
            if doc.period_start:
                meta["period"] = {"start": str(int(doc.period_start[:4]) - shift) + doc.period_start[4:],
                                  "end": str(int((doc.period_end or doc.period_start)[:4]) - shift)
                                  + (doc.period_end or doc.period_start)[4:]}
            for key in ("date",):
                if key in meta and meta[key].endswith("-02-29"):
                    meta[key] = meta[key][:-2] + "28"
            if "period" in meta:
                for key in ("start", "end"):
                    if meta["period"][key].endswith("-02-29"):
                        meta["period"][key] = meta["period"][key][:-2] + "28"
            text = doc.text if j == 0 else vary(doc.text, j)
            body = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + text + "\n"
            (target / f"{meta['id']}.md").write_text(body, encoding="utf-8")


def rss_mb() -> float:
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(values: list[float]) -> tuple[float, float]:
    p50, p95 = np.percentile(values, [50, 95])
    return float(p50), float(p95)


# -- the child process: start-up, asks, LangChain baseline, RSS --------------------------------------------


def probe(settings_json: str, questions_file: str, rounds: int) -> None:
    set_offline_env()
    started = time.perf_counter()
    from app.embeddings import get_embedder
    from app.index import Index, Space
    from app.retrieval import Retriever

    settings = Settings.model_validate_json(settings_json)
    embedder = get_embedder(settings.embedder)
    index = Index.open(settings)
    retriever = Retriever(index, embedder)
    _ = index.stats
    startup = time.perf_counter() - started
    questions = [json.loads(line)["question"] for line in Path(questions_file).read_text().splitlines()]
    ask_ms: list[float] = []
    retriever.search(questions[0])  # warm-up
    for _round in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            vector = embedder.embed_query(q)
            hits = retriever.search(q, query_vector=vector)
            index.sentences_for([h.chunk for h in hits])
            ask_ms.append((time.perf_counter() - t0) * 1000)
    rss = rss_mb()

    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

    class Adapter(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text).tolist()

    from app.stores.chroma import make_client

    client = make_client(settings.index_dir / "chroma", settings.chroma_host, settings.chroma_port)
    name = Space(settings.collection_prefix, index._state.space).passages
    baseline = Chroma(client=client, collection_name=name, embedding_function=Adapter())
    baseline.similarity_search(questions[0], k=8)
    lc_ms: list[float] = []
    for _round in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            baseline.similarity_search(q, k=8)
            lc_ms.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"startup_s": startup, "ask_ms": ask_ms, "langchain_ms": lc_ms, "rss_mb": rss}))


def run_probe(settings: Settings, questions: Path, rounds: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--probe", settings.model_dump_json(), str(questions), str(rounds)],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- the parent ----------------------------------------------------------------------------------------------


def story(path: Path, n: int) -> Path:
    path.write_text(
        f"---\nid: bench-wire-{n}\nkind: news\ndate: 2025-11-{10 + n % 15:02d}\ntitle: Wire story {n}\n---\n"
        f"Negotiators from Baku and Yerevan met in Geneva on Monday to discuss border delimitation, "
        f"officials said. The talks, the {n}th round, ended without a signed text. Both sides said the "
        f"commission would meet again within a month to review maps of the northern section.\n",
        encoding="utf-8",
    )
    return path


def measure_ingest(settings: Settings, work: Path, n: int) -> dict[str, float]:
    from app.chunking import chunk_document, embedding_text
    from app.embeddings import get_embedder
    from app.index import IndexBuilder
    from app.ingest import load_documents

    embedder = get_embedder(settings.embedder)
    path = story(work / f"wire-{n}.md", n)
    doc = load_documents([path]).documents[0]
    chunks = chunk_document(doc, settings.chunk_chars, settings.chunk_overlap_sentences)
    spans = sorted({s for c in chunks for s in c.sentences})
    t0 = time.perf_counter()
    embedder.embed([embedding_text(doc, c) for c in chunks])
    embedder.embed([doc.text[s:e] for s, e in spans])
    embed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    IndexBuilder(settings, embedder=embedder).build([path], add=True)
    total = time.perf_counter() - t0
    return {"ingest_s": total, "ingest_embed_s": embed_s}


def minilm_ratio(docs_dir: Path, work: Path, n_docs: int, questions: Path, rounds: int) -> dict[str, Any]:
    """Build time with MiniLM over `n_docs` corpus documents, against encoding the same texts alone."""
    from app.chunking import chunk_document, embedding_text
    from app.embeddings import get_embedder
    from app.index import IndexBuilder
    from app.ingest import load_documents

    loaded = load_documents([docs_dir]).documents[:n_docs]
    subset = work / "minilm-docs"
    write_library(subset, 1, loaded)
    settings = Settings(index_dir=work / "minilm-index", embedder="minilm")
    embedder = get_embedder("minilm")
    embedder.embed(["warm up the model"])
    docs = load_documents([subset]).documents
    chunk_texts, sent_texts = [], []
    for doc in docs:
        chunks = chunk_document(doc, settings.chunk_chars, settings.chunk_overlap_sentences)
        chunk_texts += [embedding_text(doc, c) for c in chunks]
        sent_texts += [doc.text[s:e] for s, e in sorted({s for c in chunks for s in c.sentences})]
    t0 = time.perf_counter()
    embedder.embed(chunk_texts, settings.embed_batch_size)
    embedder.embed(sent_texts, settings.embed_batch_size)
    encoder = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = IndexBuilder(settings, embedder=embedder).build([subset])
    build = time.perf_counter() - t0
    out: dict[str, Any] = {"docs": len(docs), "passages": report.chunks, "sentences": len(sent_texts),
                           "encoder_s": encoder, "build_s": build, "ratio": build / encoder}
    _release_embedded_clients()
    out.update(_summary("minilm", run_probe(settings, questions, rounds)))  # asks that embed with the model
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1x,20000,100000", help="library sizes in passages ('1x': the corpus)")
    parser.add_argument("--questions", type=int, default=50, help="dev-set questions asked per size and mode")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the questions")
    parser.add_argument("--minilm-docs", type=int, default=0, help="corpus documents for the MiniLM ratio (0: skip)")
    parser.add_argument("--server-build-sizes", default="1x", help="sizes whose build is also timed over HTTP")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here too")
    parser.add_argument("--probe", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--probe-only", action="store_true",
                        help="measure start-up, asks and RSS again on the indexes already in --work")
    args = parser.parse_args()
    if args.probe:
        probe(args.probe[0], args.probe[1], int(args.probe[2]))
        return
    set_offline_env()
    from app.index import IndexBuilder
    from app.ingest import load_documents
    from tests.chroma_server import ChromaServer, free_port

    work = args.work or Path(tempfile.mkdtemp(prefix="scale-"))
    work.mkdir(parents=True, exist_ok=True)
    questions = work / "questions.jsonl"
    lines = (PROJECT_ROOT / "eval/datasets/dev.jsonl").read_text().splitlines()[: args.questions]
    questions.write_text("\n".join(lines) + "\n")
    corpus = load_documents([PROJECT_ROOT / "corpus"]).documents
    results: list[dict[str, Any]] = []
    per_copy: tuple[int, int] | None = None  # passages of the corpus, and of one varied copy (no timeline)
    server_builds = set(args.server_build_sizes.split(","))
    for size in [s for s in args.sizes.split(",") if s]:
        lib = work / f"lib-{size}"
        copies = 1 + max(0, -(-(int(size) - per_copy[0]) // per_copy[1])) if size != "1x" and per_copy else 1
        embedded = Settings(index_dir=work / f"index-{size}", embedder="fake", vector_store="chroma")
        if args.probe_only:
            results.append(reprobe(embedded, size, questions, args.rounds))
            print(json.dumps(results[-1]), flush=True)
            continue
        if not lib.exists():
            write_library(lib, copies, corpus)
        row: dict[str, Any] = {"size": size}
        t0 = time.perf_counter()
        report = IndexBuilder(embedded).build([lib])
        row["embedded_build_s"] = time.perf_counter() - t0
        row["passages"] = report.chunks
        row["documents"] = len(report.added) + len(report.unchanged)
        if size == "1x":
            from app.index import Index

            timeline = Index.open(embedded).passages_of_kinds(["timeline"])
            per_copy = (report.chunks, report.chunks - timeline)
        row.update({f"embedded_{k}": v for k, v in measure_ingest(embedded, work, 1).items()})
        probe_e = run_probe(embedded, questions, args.rounds)
        row.update(_summary("embedded", probe_e))
        print(json.dumps(row), flush=True)
        _release_embedded_clients()  # the server process takes over the directory

        server = ChromaServer(embedded.index_dir / "chroma", free_port())
        server.start()
        try:
            served = embedded.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": server.port})
            row.update({f"server_{k}": v for k, v in measure_ingest(served, work, 2).items()})
            probe_s = run_probe(served, questions, args.rounds)
            row.update(_summary("server", probe_s))
            if size in server_builds:
                fresh = served.model_copy(update={"index_dir": work / f"server-index-{size}",
                                                  "collection_prefix": "fresh"})
                t0 = time.perf_counter()
                IndexBuilder(fresh).build([lib])
                row["server_build_s"] = time.perf_counter() - t0
        finally:
            server.stop()
        results.append(row)
        print(json.dumps(row), flush=True)
    minilm = (minilm_ratio(PROJECT_ROOT / "corpus", work, args.minilm_docs, questions, args.rounds)
              if args.minilm_docs else None)
    if minilm:
        print(json.dumps({"minilm": minilm}), flush=True)
    print(table(results, minilm))
    if args.out:
        args.out.write_text(json.dumps({"results": results, "minilm": minilm}, indent=2))


def reprobe(embedded: Settings, size: str, questions: Path, rounds: int) -> dict[str, Any]:
    """Start-up, asks and RSS in both modes on an index built by an earlier run."""
    from tests.chroma_server import ChromaServer, free_port

    row: dict[str, Any] = {"size": size}
    row.update(_summary("embedded", run_probe(embedded, questions, rounds)))
    server = ChromaServer(embedded.index_dir / "chroma", free_port())
    server.start()
    try:
        served = embedded.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": server.port})
        row.update(_summary("server", run_probe(served, questions, rounds)))
    finally:
        server.stop()
    return row


def _release_embedded_clients() -> None:
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def _summary(mode: str, probe_out: dict[str, Any]) -> dict[str, Any]:
    p50, p95 = percentiles(probe_out["ask_ms"])
    _, lc95 = percentiles(probe_out["langchain_ms"])
    return {f"{mode}_startup_s": probe_out["startup_s"], f"{mode}_ask_p50_ms": p50, f"{mode}_ask_p95_ms": p95,
            f"{mode}_langchain_p95_ms": lc95, f"{mode}_rss_mb": probe_out["rss_mb"]}


def table(results: list[dict[str, Any]], minilm: dict[str, float] | None) -> str:
    head = ("| size (passages) | mode | build s | ingest one story s (embedding) | ask p50 ms | ask p95 ms | "
            "LangChain p95 ms | ask p95 / LangChain | start-up s | RSS MB |\n|---|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in results:
        for mode in ("embedded", "server"):
            if f"{mode}_ask_p95_ms" not in r:
                continue
            build = r.get(f"{mode}_build_s")
            ingest = r.get(f"{mode}_ingest_s")
            passages = f"{r['passages']:,} ({r['size']})" if "passages" in r else r["size"]
            lines.append(
                f"| {passages} | {mode} | {f'{build:.1f}' if build else 'same data'} | "
                + (f"{ingest:.2f} ({r[f'{mode}_ingest_embed_s']:.2f})" if ingest is not None else "-")
                + f" | {r[f'{mode}_ask_p50_ms']:.1f} | "
                f"{r[f'{mode}_ask_p95_ms']:.1f} | {r[f'{mode}_langchain_p95_ms']:.1f} | "
                f"{r[f'{mode}_ask_p95_ms'] / r[f'{mode}_langchain_p95_ms']:.2f} | {r[f'{mode}_startup_s']:.2f} | "
                f"{r[f'{mode}_rss_mb']:.0f} |"
            )
    if minilm:
        lines.append(
            f"\nMiniLM, {minilm['docs']} documents ({minilm['passages']} passages, {minilm['sentences']} sentences): "
            f"build {minilm['build_s']:.1f} s, pure encoder {minilm['encoder_s']:.1f} s, ratio {minilm['ratio']:.2f}; "
            f"ask with the model's query embedding p50 {minilm['minilm_ask_p50_ms']:.1f} ms, p95 "
            f"{minilm['minilm_ask_p95_ms']:.1f} ms, LangChain p95 {minilm['minilm_langchain_p95_ms']:.1f} ms "
            f"(ratio {minilm['minilm_ask_p95_ms'] / minilm['minilm_langchain_p95_ms']:.2f})"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
