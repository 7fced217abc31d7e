from pathlib import Path

import numpy as np
import pytest

from app.stores import Filters, Store
from app.stores.memory import MemoryStore


@pytest.fixture(params=["memory", "chroma"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "memory":
        return MemoryStore(str(tmp_path))
    from app.stores.chroma import ChromaStore, make_client

    return ChromaStore(make_client(tmp_path / "chroma"))


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_upsert_get_in_order_query_and_delete(store: Store) -> None:
    col = store.collection("things")
    vectors = np.stack([_unit(1, 0), _unit(0, 1), _unit(1, 1)])
    metas = [{"doc_id": "a", "kind": "news", "ver": "1"}, {"doc_id": "b", "kind": "event", "ver": "1"},
             {"doc_id": "a", "kind": "news", "ver": "2"}]
    col.upsert(["x", "y", "z"], vectors, metas, ["tx", "ty", "tz"])
    rows = col.get(["z", "nope", "x"], documents=True, vectors=True)
    assert rows.ids == ["z", "x"] and rows.documents == ["tz", "tx"] and rows.vectors.shape == (2, 2)
    ranked, rows = col.query(_unit(1, 0.1), 2, documents=True)
    assert [i for i, _ in ranked] == ["x", "z"] and rows.documents == ["tx", "tz"]
    ranked, _ = col.query(_unit(1, 0.1), 3, Filters(kinds=("event",)).to_chroma_where())
    assert [i for i, _ in ranked] == ["y"]
    col.delete(where={"$and": [{"doc_id": "a"}, {"ver": {"$ne": "2"}}]})
    assert sorted(col.get().ids) == ["y", "z"] and col.count() == 2
    col.upsert(["y"], vectors[:1], [{"doc_id": "b", "kind": "event", "ver": "2"}])
    assert col.get(["y"]).metadatas[0]["ver"] == "2"
    assert "things" in store.names()
    store.drop("things")
    assert "things" not in store.names()


NEIGHBOURS = """
import sys, hashlib, numpy as np
from pathlib import Path
from app.stores.chroma import ChromaStore, make_client
col = ChromaStore(make_client(Path(sys.argv[1]))).collection("vectors")
queries = np.random.default_rng(1).normal(size=(300, 384)).astype(np.float32)
found = [[i for i, _ in col.query(q, 40)[0]] for q in queries]
print(hashlib.sha1(repr(found).encode()).hexdigest())
"""


def clustered(n: int) -> np.ndarray:
    """Vectors in twenty clusters around a common offset, as text embeddings are (uniform random vectors
    are too easy: every graph finds their neighbours)."""
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(20, 384))
    offset = rng.normal(size=384) * 3
    return (offset + centres[rng.integers(0, 20, n)] + 0.5 * rng.normal(size=(n, 384))).astype(np.float32)


def neighbour_runs(path: Path, processes: int = 4) -> set[str]:
    import subprocess
    import sys

    return {subprocess.run([sys.executable, "-c", NEIGHBOURS, str(path)], capture_output=True, text=True,
                           check=True, cwd=Path(__file__).parents[1]).stdout for _ in range(processes)}


def test_embedded_chroma_finds_the_same_neighbours_in_every_process(tmp_path: Path) -> None:
    """Writes Chroma had not yet saved were replayed into its search graph on several threads by every
    process that opened the collection, so each built a different graph and the same query found different
    neighbours (answers, evaluations and training varied run to run); every process must see the same ones.
    With the old settings (saved every 1,000 writes) these 800 vectors gave four processes four answers."""
    from app.stores.chroma import ChromaStore, make_client

    store = ChromaStore(make_client(tmp_path / "chroma"))
    store.collection("vectors").upsert([str(i) for i in range(800)], clustered(800), [{"doc_id": "d"}] * 800)
    store.close()
    assert len(neighbour_runs(tmp_path / "chroma")) == 1


def test_a_collection_made_with_old_settings_gets_todays_on_opening(tmp_path: Path) -> None:
    import chromadb

    from app.stores.chroma import HNSW, ChromaStore, make_client

    old = chromadb.PersistentClient(path=str(tmp_path / "chroma"))
    col = old.create_collection("vectors", configuration={"hnsw": {"space": "cosine", "sync_threshold": 1000}},
                                embedding_function=None)
    col.upsert(ids=[str(i) for i in range(800)], embeddings=clustered(800), metadatas=[{"doc_id": "d"}] * 800)
    del old, col
    store = ChromaStore(make_client(tmp_path / "chroma"))
    store.collection("vectors")
    have = store._client.get_collection("vectors").configuration_json["hnsw"]
    assert (have["sync_threshold"], have["ef_search"]) == (HNSW["sync_threshold"], HNSW["ef_search"])
    store.close()
    assert len(neighbour_runs(tmp_path / "chroma")) == 1
