"""The index on a real Chroma server (`chroma run` on 127.0.0.1, started and stopped here): build, ask,
ingest, a server restart, two app processes sharing the server, and an ingest killed mid-write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT, Settings
from app.embeddings.fake import FakeEmbedder
from app.index import Index, IndexBuilder, Space, State, open_store
from tests.chroma_server import ChromaServer, free_port

pytestmark = pytest.mark.integration

STORY = "---\nid: {id}\nkind: news\ndate: 2025-03-01\ntitle: Wire\n---\n{text}\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    chroma = ChromaServer(tmp_path_factory.mktemp("chroma-server"), free_port())
    chroma.start()
    yield chroma
    chroma.stop()


@pytest.fixture
def settings(server: ChromaServer, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """Server-mode settings with a collection prefix of this test's own."""
    prefix = "t" + str(abs(hash(request.node.name)) % 10**8)
    return Settings(index_dir=tmp_path / "app", embedder="fake", vector_store="chroma", chroma_host="127.0.0.1",
                    chroma_port=server.port, collection_prefix=prefix, refresh_seconds=0)


def _env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXPLAINER_")}
    env.update({
        "EXPLAINER_INDEX_DIR": str(settings.index_dir), "EXPLAINER_EMBEDDER": "fake",
        "EXPLAINER_CHROMA_HOST": "127.0.0.1", "EXPLAINER_CHROMA_PORT": str(settings.chroma_port),
        "EXPLAINER_REFRESH_SECONDS": "0.5", "EXPLAINER_COLLECTION_PREFIX": settings.collection_prefix,
        "PYTHONPATH": str(PROJECT_ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
    })
    return env


def test_build_and_ask_on_the_server(settings: Settings, corpus_dir: Path) -> None:
    from app.explainer import Explainer

    report = IndexBuilder(settings).build([corpus_dir])
    assert not list(settings.index_dir.glob("chroma"))  # nothing of Chroma on the app's disk
    explainer = Explainer(settings, embedder=FakeEmbedder())
    answer = explainer.ask("When did the ceasefire take effect in May 1994?")
    assert not answer.abstained and answer.citations
    for c in answer.citations:
        assert explainer.index.documents[c.doc_id].text[c.start : c.end] == c.quote
    assert explainer.index.generation == report.generation


def test_ingest_is_seen_by_a_running_reader(settings: Settings, corpus_dir: Path, tmp_path: Path) -> None:
    from app.retrieval import Retriever

    IndexBuilder(settings).build([corpus_dir])
    reader = Retriever(Index.open(settings), FakeEmbedder())
    story = tmp_path / "story.md"
    story.write_text(STORY.format(id="wire-zeta", text="Quxvillean envoys met in Zanzibarton on Monday."))
    report = IndexBuilder(settings).build([story], add=True)
    assert report.added == ["wire-zeta"]
    hits = reader.search("Quxvillean envoys Zanzibarton", mode="hybrid")
    assert hits[0].document.id == "wire-zeta"


def test_server_restart_keeps_the_index(server: ChromaServer, settings: Settings, corpus_dir: Path) -> None:
    from app.retrieval import Retriever

    IndexBuilder(settings).build([corpus_dir])
    question = "Who signed the Bishkek Protocol ceasefire in May 1994?"
    before = [h.chunk.id for h in Retriever(Index.open(settings), FakeEmbedder()).search(question)]
    server.stop()
    server.start()
    index = Index.open(settings)
    assert [h.chunk.id for h in Retriever(index, FakeEmbedder()).search(question)] == before
    assert len(index.documents) == 8


def _wait_health(port: int, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as resp:
                return json.loads(resp.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _search(port: int, q: str) -> list[dict]:
    query = urllib.parse.urlencode({"q": q, "k": 3, "mode": "bm25"})
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?{query}", timeout=10) as resp:
        return json.loads(resp.read())["hits"]


def test_two_app_processes_share_one_server(settings: Settings, corpus_dir: Path, tmp_path: Path) -> None:
    IndexBuilder(settings).build([corpus_dir])
    env = {**_env(settings), "EXPLAINER_INGEST_TOKEN": "tok"}
    ports = [free_port(), free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(p)], env=env, cwd=PROJECT_ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for p in ports]
    try:
        for port in ports:
            assert _wait_health(port)["documents"] == 8
        body = STORY.format(id="wire-omega", text="Omegalith negotiators reached Quxville.").encode()
        boundary = "xXx"
        payload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"omega.md\"\r\n"
                   f"Content-Type: text/markdown\r\n\r\n").encode() + body + f"\r\n--{boundary}--\r\n".encode()
        req = urllib.request.Request(f"http://127.0.0.1:{ports[0]}/api/ingest", data=payload, method="POST",
                                     headers={"Authorization": "Bearer tok",
                                              "Content-Type": f"multipart/form-data; boundary={boundary}"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            assert json.loads(resp.read())["results"][0]["status"] == "indexed"
        deadline = time.monotonic() + 10  # the other process sees the story within seconds
        while True:
            hits = _search(ports[1], "Omegalith negotiators Quxville")
            if hits and hits[0]["doc_id"] == "wire-omega":
                break
            assert time.monotonic() < deadline, hits
            time.sleep(0.5)
        assert _wait_health(ports[1])["documents"] == 9
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)


KILLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import app.index
    from app.config import Settings
    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)  # killed after the new rows reached the server, before the switch
    app.index.LexicalIndex.add = die
    app.index.IndexBuilder(Settings.from_env()).build([Path(sys.argv[1])], add=True)
""")


def test_killed_ingest_leaves_what_was_served(settings: Settings, corpus_dir: Path, tmp_path: Path) -> None:
    from app.retrieval import Retriever

    good = IndexBuilder(settings).build([corpus_dir])
    changed = tmp_path / "drones.md"
    changed.write_text((corpus_dir / "drones.md").read_text().replace("44-day war", "six-week war"))
    env = _env(settings)
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    run = subprocess.run([sys.executable, str(script), str(changed)], env=env, cwd=PROJECT_ROOT, timeout=120)
    assert run.returncode == -9
    index = Index.open(settings)
    assert index.generation == good.generation and "44-day war" in index.documents["drones-2020"].text
    hits = Retriever(index, FakeEmbedder()).search("six-week war", k=20, mode="dense")
    assert all("six-week war" not in h.chunk.text for h in hits)
    store = open_store(settings)
    space = Space(settings.collection_prefix, State.read(store, settings).space)
    assert store.collection(space.passages).count() > index.passage_count  # the killed write's rows

    report = IndexBuilder(settings).build([changed], add=True)  # the next write sweeps them and succeeds
    assert report.updated == ["drones-2020"]
    index = Index.open(settings)
    assert "six-week war" in index.documents["drones-2020"].text
    assert store.collection(space.passages).count() == index.passage_count
