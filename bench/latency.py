"""Benchmark: answer latency and memory on the real corpus (prints figures; asserts nothing).

    .venv/bin/python bench/latency.py            # uses the index in indexes/ (built if missing)
    .venv/bin/python bench/latency.py --build    # also times a fresh build into a temporary directory
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from app.config import PROJECT_ROOT, Settings, set_offline_env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="time a full index build first")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the dev questions")
    args = parser.parse_args()
    set_offline_env()
    from app.explainer import Explainer
    from app.index import IndexBuilder, index_exists

    settings = Settings.from_env()
    if args.build:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            report = IndexBuilder(settings.model_copy(update={"index_dir": Path(tmp)})).build([settings.corpus_dir])
            print(f"full build: {len(report.added)} documents, {report.chunks} passages, "
                  f"{time.perf_counter() - started:.1f} s")
    if not index_exists(settings):
        IndexBuilder(settings).build([settings.corpus_dir])
    started = time.perf_counter()
    explainer = Explainer(settings)
    print(f"load index and model: {time.perf_counter() - started:.2f} s")
    questions = [json.loads(line)["question"] for line in (PROJECT_ROOT / "eval/datasets/dev.jsonl").open()]
    explainer.ask(questions[0])  # warm-up
    stages: dict[str, list[float]] = {"retrieve_ms": [], "answer_ms": [], "total_ms": []}
    for _ in range(args.rounds):
        for q in questions:
            a = explainer.ask(q)
            stages["retrieve_ms"].append(a.timings["retrieve_ms"])
            stages["answer_ms"].append(a.timings["answer_ms"])
            stages["total_ms"].append(a.latency_ms)
    for stage, values in stages.items():
        p50, p95, p99 = np.percentile(values, [50, 95, 99])
        print(f"{stage:12s} n={len(values)}  p50={p50:7.1f}  p95={p95:7.1f}  p99={p99:7.1f}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
