"""Load benchmark: concurrent clients on POST /api/ask of a real `explainer serve` on 127.0.0.1, with one
ingest swapped in while they ask (prints figures; exits 1 if an ask failed).

    .venv/bin/python bench/load.py                                   # fake embedder, index built here
    .venv/bin/python bench/load.py --copy-index indexes --embedder minilm --out bench/results/load.json

The server is started here on a free loopback port over a private copy of the index (the copied index
is never written); the clients run in this process, one thread each, with keep-alive connections. First
one client asks back to back for `--single-seconds` (its p95 is the baseline); then `--clients` clients
ask for `--seconds`, each starting at a random moment within one think time and waiting a think time
(uniform, 0.5x to 1.5x) between its questions (a reader reads the answer; 0 makes it a closed-loop
stress test), and `--ingest-at` seconds in, one new story is uploaded through
POST /api/ingest, which builds a new generation and swaps the explainer while the asks go on. Every
loop is bounded by time and by a number of requests.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only
TOKEN = "load-bench-token"
STORY_ID = "load-bench-story"
STORY = (f"---\nid: {STORY_ID}\nkind: news\ndate: 2025-06-01\ntitle: Envoys meet in Quxville\n---\n"
         "Envoys of Armenia and Azerbaijan met in Quxville on 1 June 2025 to discuss the border commission. "
         "The talks, the third round this year, ended without a joint statement.\n")
STALE_RETRIES: list[int] = []  # asks resent once on a new connection (list.append is thread-safe)
FALLBACK_QUESTIONS = ["When was the Bishkek Protocol signed?", "What happened in Khojaly in 1992?",
                      "Who were the presidents of Artsakh?", "When did the 2020 war start?"]


@dataclass
class Sample:
    start: float
    end: float
    ok: bool
    status: int

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def questions() -> list[str]:
    path = PROJECT_ROOT / "eval" / "datasets" / "dev.jsonl"
    if not path.exists():
        return FALLBACK_QUESTIONS
    return [json.loads(line)["question"] for line in path.open(encoding="utf-8") if line.strip()]


def ask_once(conn: http.client.HTTPConnection, question: str) -> tuple[bool, int]:
    body = json.dumps({"question": question})
    conn.request("POST", "/api/ask", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        return False, response.status
    answer = json.loads(data)
    return isinstance(answer.get("answer"), str) and bool(answer["answer"]), 200


def client(port: int, pool: list[str], seed: int, until: float, think: float, max_requests: int,
           out: list[Sample]) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    if think:  # clients arrive spread over one think time, not all in the same millisecond
        time.sleep(rng.uniform(0, think))
    for _ in range(max_requests):
        if time.monotonic() >= until:
            break
        question = rng.choice(pool)
        started = time.monotonic()
        try:
            try:
                ok, status = ask_once(conn, question)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server closed an idle keep-alive connection (uvicorn: after 5 s): a new one, as any
                # HTTP client does; counted apart, and an error if the retry fails too
                STALE_RETRIES.append(1)
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=120)
                ok, status = ask_once(conn, question)
        except (OSError, http.client.HTTPException, ValueError):
            ok, status = False, 0
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=120)
        out.append(Sample(started, time.monotonic(), ok, status))
        if think:
            time.sleep(think * rng.uniform(0.5, 1.5))
    conn.close()


def ingest(port: int, path: Path, result: dict) -> None:
    boundary = "loadbench"
    payload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{path.name}\"\r\n"
               "Content-Type: text/markdown\r\n\r\n").encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"http://{HOST}:{port}/api/ingest", data=payload, method="POST", headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    result["start"] = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            result["status"] = response.status
            result["results"] = json.loads(response.read())["results"]
    except OSError as exc:
        result["status"], result["error"] = 0, str(exc)
    result["end"] = time.monotonic()


def wait_for(port: int, proc: subprocess.Popen, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/api/health", timeout=5) as response:
                return json.loads(response.read())
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start") from None
            time.sleep(0.5)


def pct(samples: list[Sample], q: float) -> float:
    return float(np.percentile([s.ms for s in samples], q)) if samples else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the concurrent phase")
    parser.add_argument("--single-seconds", type=float, default=20.0, help="length of the one-client phase")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds a client waits between asks")
    parser.add_argument("--ingest-at", type=float, default=20.0, help="seconds into the concurrent phase")
    parser.add_argument("--max-requests", type=int, default=5000, help="per client and phase")
    parser.add_argument("--embedder", default="fake", help="fake or minilm (must match a copied index)")
    parser.add_argument("--copy-index", type=Path, help="serve a copy of this index directory (else build one)")
    parser.add_argument("--ask-concurrency", type=int, help="the server's EXPLAINER_ASK_CONCURRENCY (default: cores)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="explainer-load-"))
    index_dir = work / "index"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXPLAINER_")}
    env.update({"EXPLAINER_INDEX_DIR": str(index_dir), "EXPLAINER_EMBEDDER": args.embedder,
                "EXPLAINER_INGEST_TOKEN": TOKEN, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                "PYTHONPATH": str(PROJECT_ROOT)})
    if args.ask_concurrency:
        env["EXPLAINER_ASK_CONCURRENCY"] = str(args.ask_concurrency)
    if args.embedder == "fake":
        env["EXPLAINER_ANSWER_SCORER"] = "rules"  # the learned scorer is trained on MiniLM features
    port = free_port()
    proc: subprocess.Popen | None = None
    try:
        if args.copy_index:
            shutil.copytree(args.copy_index, index_dir, ignore=shutil.ignore_patterns(".write.lock", "uploads"))
        else:
            subprocess.run([sys.executable, "-m", "app", "index"], env=env, cwd=PROJECT_ROOT, check=True,
                           stdout=subprocess.DEVNULL)
        proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--host", HOST, "--port", str(port)],
                                env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        health = wait_for(port, proc)
        pool = questions()
        warm: list[Sample] = []
        client(port, pool, 0, time.monotonic() + 5, 0.0, 20, warm)  # warm-up, not counted

        single: list[Sample] = []
        client(port, pool, 1, time.monotonic() + args.single_seconds, 0.0, args.max_requests, single)

        story = work / f"{STORY_ID}.md"
        story.write_text(STORY, encoding="utf-8")
        load: list[list[Sample]] = [[] for _ in range(args.clients)]
        until = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client, args=(port, pool, 100 + i, until, args.think, args.max_requests,
                                                         load[i])) for i in range(args.clients)]
        swap: dict = {}
        ingester = threading.Timer(args.ingest_at, ingest, args=(port, story, swap))
        started = time.monotonic()
        for t in threads:
            t.start()
        ingester.start()
        for t in threads:
            t.join()
        ingester.join()
        elapsed = time.monotonic() - started
        with urllib.request.urlopen(f"http://{HOST}:{port}/api/documents/{STORY_ID}", timeout=30) as response:
            story_served = response.status == 200
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)

    samples = [s for per_client in load for s in per_client]
    errors = [s for s in samples if not s.ok]
    during = [s for s in samples if "start" in swap and s.start < swap["end"] and s.end > swap["start"]]
    figures = {
        "embedder": args.embedder, "index": f"copy of {args.copy_index.name}/" if args.copy_index else "built here",
        "documents": health["documents"], "passages": health["passages"], "cores": os.cpu_count(),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "ask_concurrency": args.ask_concurrency or os.cpu_count(), "clients": args.clients,
        "seconds": round(elapsed, 1), "think_s": args.think,
        "single_client": {"requests": len(single), "errors": sum(not s.ok for s in single),
                          "p50_ms": round(pct(single, 50), 1), "p95_ms": round(pct(single, 95), 1)},
        "under_load": {"requests": len(samples), "errors": len(errors),
                       "error_statuses": sorted({s.status for s in errors}),
                       "resent_on_a_new_connection": len(STALE_RETRIES),
                       "requests_per_s": round(len(samples) / elapsed, 1),
                       "p50_ms": round(pct(samples, 50), 1), "p95_ms": round(pct(samples, 95), 1),
                       "p99_ms": round(pct(samples, 99), 1),
                       "max_ms": round(max((s.ms for s in samples), default=0), 1)},
        "ingest": {"status": swap.get("status"), "seconds": round(swap.get("end", 0) - swap.get("start", 0), 2),
                   "results": swap.get("results", swap.get("error")), "asks_during": len(during),
                   "failed_during": sum(not s.ok for s in during), "story_served_after": story_served},
    }
    figures["p95_ratio"] = round(figures["under_load"]["p95_ms"] / figures["single_client"]["p95_ms"], 2)
    print(f"embedder {args.embedder}; {health['documents']} documents, {health['passages']} passages; "
          f"{os.cpu_count()} cores")
    print(f"single client: {len(single)} requests, p50 {figures['single_client']['p50_ms']} ms, "
          f"p95 {figures['single_client']['p95_ms']} ms")
    print(f"{args.clients} clients for {elapsed:.1f} s (think {args.think} s): {len(samples)} requests "
          f"({figures['under_load']['requests_per_s']}/s), {len(errors)} errors "
          f"({len(STALE_RETRIES)} resent after the server closed an idle connection), "
          f"p50 {figures['under_load']['p50_ms']} ms, p95 {figures['under_load']['p95_ms']} ms, "
          f"p99 {figures['under_load']['p99_ms']} ms")
    print(f"ingest swapped in: status {swap.get('status')}, {figures['ingest']['seconds']} s; "
          f"{len(during)} asks during it, {figures['ingest']['failed_during']} failed; story served after: "
          f"{story_served}")
    print(f"p95 under load / single-client p95: {figures['p95_ratio']}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if errors or figures["ingest"]["failed_during"] or swap.get("status") != 200 or not story_served:
        sys.exit(1)


if __name__ == "__main__":
    main()
