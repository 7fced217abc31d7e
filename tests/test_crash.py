"""kill -9 anywhere in a write, and writers racing: real `explainer` processes on embedded Chroma (fake embedder).

Each write is killed with SIGKILL at one of the fault points of `app.index.crash_point`
(EXPLAINER_TEST_CRASH_AT): the index that was served must still answer, and the next write must clean
up what the killed one left (no stale rows, spaces or lexical folders; statistics as a clean build's).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from app.config import PROJECT_ROOT, Settings
from app.index import CRASH_POINTS, Index, IndexBuilder, write_lock_path

pytestmark = pytest.mark.integration

QUESTION = "When was the Bishkek Protocol signed?"
STORY = "---\nid: {id}\nkind: news\ndate: 2025-03-01\ntitle: Wire {id}\n---\n{text}\n"

PROBE = """
import json
import sys
from pathlib import Path
from app.config import Settings
from app.explainer import Explainer
from app.index import Space, State
settings = Settings.from_env()
explainer = Explainer(settings)
index, store = explainer.index, explainer.index.store
state = State.read(store, settings)
space = Space(settings.collection_prefix, state.space)
answer = explainer.ask(sys.argv[1])
exact = all(index.documents[c.doc_id].text[c.start : c.end] == c.quote for c in answer.citations)
print(json.dumps({
    "generation": state.generation, "space": state.space, "pending": state.pending,
    "collections": sorted(store.names()), "lexical_dirs": sorted(p.name for p in settings.index_dir.glob("lexical-*")),
    "documents": sorted(index.documents), "drones": index.documents["drones-2020"].text,
    "passages": index.passage_count, "passage_rows": store.collection(space.passages).count(),
    "lexical_rows": index.lexical.count(), "sentences": index.stats.sentences,
    "answered": not answer.abstained and bool(answer.citations) and exact,
}))
"""


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXPLAINER_")}
    env.update({"EXPLAINER_INDEX_DIR": str(settings.index_dir), "EXPLAINER_EMBEDDER": "fake",
                "EXPLAINER_VECTOR_STORE": "chroma", "EXPLAINER_ANSWER_SCORER": "rules",
                "PYTHONPATH": str(PROJECT_ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **extra})
    return env


def _cli(settings: Settings, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], env=_env(settings, **extra), cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=180)


def _probe(settings: Settings) -> dict:
    """What a fresh reader process sees (a new process: embedded Chroma is read as it is on disk)."""
    run = subprocess.run([sys.executable, "-c", PROBE, QUESTION], env=_env(settings), cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def _changes(corpus_dir: Path, tmp_path: Path) -> Path:
    """What an ingest brings: a changed document and a new one."""
    folder = tmp_path / "changes"
    folder.mkdir()
    (folder / "drones.md").write_text((corpus_dir / "drones.md").read_text().replace("44-day war", "six-week war"))
    (folder / "crash.md").write_text(STORY.format(id="wire-crash", text="Quxvillean envoys met in Zanzibarton."))
    return folder


def _clean(tmp_path: Path, *steps: tuple[list[Path], bool]) -> Index:
    """The same writes, never interrupted (in-process store: the statistics do not depend on the store)."""
    settings = Settings(index_dir=tmp_path / "clean", embedder="fake", vector_store="memory")
    for sources, add in steps:
        IndexBuilder(settings).build(sources, add=add)
    return Index.open(settings)


def _assert_clean(after: dict, reference: Index) -> None:
    """No trace of the killed write: one space (two collections and the state), one lexical folder, no
    unreachable rows, nothing journalled, statistics equal to an uninterrupted run's."""
    assert after["answered"]
    assert after["pending"] == []
    assert len(after["collections"]) == 3 and all(
        c.endswith("-state") or after["space"] in c for c in after["collections"]
    ), after["collections"]
    assert len(after["lexical_dirs"]) == 1
    assert after["passage_rows"] == after["lexical_rows"] == after["passages"] == reference.passage_count
    assert after["sentences"] == reference.stats.sentences
    assert after["documents"] == sorted(reference.documents)


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_killed_ingest_keeps_serving_and_the_next_write_cleans_up(
    point: str, chroma_settings: Settings, corpus_dir: Path, tmp_path: Path
) -> None:
    assert _cli(chroma_settings, "index", "--source", str(corpus_dir)).returncode == 0
    before = _probe(chroma_settings)
    changes = _changes(corpus_dir, tmp_path)

    killed = _cli(chroma_settings, "ingest", str(changes), EXPLAINER_TEST_CRASH_AT=point)
    assert killed.returncode == -9, killed.stderr[-2000:]
    during = _probe(chroma_settings)
    assert during["answered"] and during["generation"] == before["generation"]
    if point != "switch":  # until the document rows switch, readers see exactly what they saw
        assert during["documents"] == before["documents"] and "44-day war" in during["drones"]
    else:  # killed after the documents switched, before the state row: each document whole, old or new
        assert "six-week war" in during["drones"] and "wire-crash" in during["documents"]

    assert _cli(chroma_settings, "ingest", str(changes)).returncode == 0
    after = _probe(chroma_settings)
    assert "six-week war" in after["drones"] and after["generation"] != before["generation"]
    _assert_clean(after, _clean(tmp_path, ([corpus_dir], False), ([changes], True)))


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_killed_rebuild_keeps_serving_and_the_next_build_cleans_up(
    point: str, chroma_settings: Settings, corpus_dir: Path, tmp_path: Path
) -> None:
    assert _cli(chroma_settings, "index", "--source", str(corpus_dir)).returncode == 0
    before = _probe(chroma_settings)
    (corpus_dir / "drones.md").write_text((corpus_dir / "drones.md").read_text().replace("44-day war", "six-week war"))

    killed = _cli(chroma_settings, "index", "--source", str(corpus_dir), "--rebuild", EXPLAINER_TEST_CRASH_AT=point)
    assert killed.returncode == -9, killed.stderr[-2000:]
    during = _probe(chroma_settings)  # the half-built space is there, nothing points at it
    assert during["answered"] and during["generation"] == before["generation"] and during["space"] == before["space"]
    assert during["documents"] == before["documents"] and "44-day war" in during["drones"]

    assert _cli(chroma_settings, "index", "--source", str(corpus_dir)).returncode == 0
    after = _probe(chroma_settings)
    assert "six-week war" in after["drones"]
    _assert_clean(after, _clean(tmp_path, ([corpus_dir], False)))


def test_a_killed_first_build_is_cleaned_up_by_the_next(chroma_settings: Settings, corpus_dir: Path,
                                                         tmp_path: Path) -> None:
    killed = _cli(chroma_settings, "index", "--source", str(corpus_dir), EXPLAINER_TEST_CRASH_AT="store-write")
    assert killed.returncode == -9
    assert _cli(chroma_settings, "ask", QUESTION).returncode == 2  # no index yet: says how to build one
    assert _cli(chroma_settings, "index", "--source", str(corpus_dir)).returncode == 0
    _assert_clean(_probe(chroma_settings), _clean(tmp_path, ([corpus_dir], False)))


def test_two_concurrent_ingests_both_end_up_indexed(chroma_settings: Settings, corpus_dir: Path,
                                                     tmp_path: Path) -> None:
    assert _cli(chroma_settings, "index", "--source", str(corpus_dir)).returncode == 0
    stories = []
    for name in ("alpha", "beta"):
        path = tmp_path / f"{name}.md"
        path.write_text(STORY.format(id=f"wire-{name}", text=f"The {name} envoys met in Zanzibarton."))
        stories.append(path)
    env = _env(chroma_settings)
    # hold the lock while both start, so that they certainly overlap: both must wait, then both write
    with FileLock(write_lock_path(chroma_settings)):
        procs = [subprocess.Popen([sys.executable, "-m", "app", "ingest", str(p)], env=env, cwd=PROJECT_ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for p in stories]
        time.sleep(4)
        assert all(p.poll() is None for p in procs)  # both are waiting for the lock
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    after = _probe(chroma_settings)
    assert {"wire-alpha", "wire-beta"} <= set(after["documents"])
    _assert_clean(after, _clean(tmp_path, ([corpus_dir], False), ([stories[0]], True), ([stories[1]], True)))


def test_a_writer_that_waits_too_long_fails_with_a_clear_message(chroma_settings: Settings, corpus_dir: Path,
                                                                 tmp_path: Path) -> None:
    assert _cli(chroma_settings, "index", "--source", str(corpus_dir)).returncode == 0
    story = tmp_path / "late.md"
    story.write_text(STORY.format(id="wire-late", text="Late envoys."))
    with FileLock(write_lock_path(chroma_settings)):
        run = _cli(chroma_settings, "ingest", str(story), EXPLAINER_WRITE_LOCK_TIMEOUT="0.5")
    assert run.returncode == 2
    assert "another build or ingest is still writing this index" in run.stderr
    assert "wire-late" not in _probe(chroma_settings)["documents"]
