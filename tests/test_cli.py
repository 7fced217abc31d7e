import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    index_dir = tmp_path / "index"
    monkeypatch.setenv("EXPLAINER_INDEX_DIR", str(index_dir))
    monkeypatch.setenv("EXPLAINER_EMBEDDER", "fake")
    monkeypatch.setenv("EXPLAINER_VECTOR_STORE", "memory")
    monkeypatch.setenv("EXPLAINER_ANSWER_SCORER", "rules")  # the learned model is trained on MiniLM features
    return index_dir


def test_index_reports_and_exits_nonzero_on_bad_files(env: Path, corpus_dir: Path) -> None:
    (corpus_dir / "broken.md").write_text("---\nid: [oops\n---\nText\n")
    result = runner.invoke(cli, ["index", "--source", str(corpus_dir), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert len(report["added"]) == 8
    assert "broken.md" in result.stderr and "bad YAML front matter" in result.stderr


def test_index_then_ask_json(env: Path, corpus_dir: Path) -> None:
    assert runner.invoke(cli, ["index", "--source", str(corpus_dir)]).exit_code == 0
    result = runner.invoke(cli, ["ask", "--json", "When did the ceasefire take effect in May 1994?"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert {"question", "answer", "abstained", "citations", "latency_ms"} <= set(answer)
    assert not answer["abstained"]
    citation = answer["citations"][0]
    assert set(citation) >= {
        "n", "doc_id", "chunk_id", "title", "kind", "date", "publisher", "source_path", "quote", "start", "end"
    }
    assert "12 May 1994" in answer["answer"]


def test_ingest_adds_to_existing_index(env: Path, corpus_dir: Path, tmp_path: Path) -> None:
    runner.invoke(cli, ["index", "--source", str(corpus_dir / "ceasefire.md")])
    story = tmp_path / "story.md"
    story.write_text("---\nid: story\nkind: news\ndate: 2025-03-13\n---\nNegotiators finished the treaty text.\n")
    result = runner.invoke(cli, ["ingest", str(story), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["added"] == ["story"]
    found = runner.invoke(cli, ["search", "treaty text negotiators", "--json", "--k", "1"])
    assert json.loads(found.stdout)[0]["doc_id"] == "story"


def test_batch_keeps_ids_and_reports_bad_lines(env: Path, corpus_dir: Path, tmp_path: Path) -> None:
    runner.invoke(cli, ["index", "--source", str(corpus_dir)])
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "a", "question": "When was the Bishkek Protocol signed?"}\n'
        '{"id": "b", "question": "What is the best chocolate cake recipe?"}\n'
        "not json\n"
        '{"id": "d", "question": ""}\n'
    )
    out = tmp_path / "answers.jsonl"
    result = runner.invoke(cli, ["ask", "--batch", str(batch), "--out", str(out)])
    assert result.exit_code == 1  # two lines failed
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "line-3", "d"]
    assert not rows[0]["abstained"] and rows[0]["citations"]
    assert rows[1]["abstained"]
    assert "not JSON" in rows[2]["error"] and "empty" in rows[3]["error"]


def test_missing_index_message(env: Path) -> None:
    result = runner.invoke(cli, ["ask", "What happened in 1992?"])
    assert result.exit_code == 2
    assert "explainer index" in result.stderr


def test_question_errors(env: Path, corpus_dir: Path) -> None:
    runner.invoke(cli, ["index", "--source", str(corpus_dir)])
    assert "empty" in runner.invoke(cli, ["ask", "  "]).stderr
    result = runner.invoke(cli, ["ask", "why " * 400])
    assert result.exit_code == 2 and "too long" in result.stderr


def test_follow_up_with_history(env: Path, corpus_dir: Path, tmp_path: Path) -> None:
    runner.invoke(cli, ["index", "--source", str(corpus_dir)])
    result = runner.invoke(
        cli, ["ask", "--json", "When did it take effect?", "--history", "Who signed the 1994 ceasefire truce?"]
    )
    assert "12 May 1994" in json.loads(result.stdout)["answer"]
    batch = tmp_path / "f.jsonl"
    batch.write_text(
        '{"id": "f", "question": "When did it take effect?", "history": ["Who signed the 1994 ceasefire truce?"]}\n'
    )
    out = runner.invoke(cli, ["ask", "--batch", str(batch)])
    assert "12 May 1994" in json.loads(out.stdout.splitlines()[0])["answer"]


def test_index_keeps_documents_uploaded_through_the_api(
    env: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole-corpus rebuild must not drop the newsroom's uploads (kept under the index directory)."""
    monkeypatch.setenv("EXPLAINER_CORPUS_DIR", str(corpus_dir))
    uploads = env / "uploads" / "documents"
    uploads.mkdir(parents=True)
    (uploads / "wire-1.md").write_text("---\nid: wire-1\nkind: news\ndate: 2025-08-08\n---\nLeaders met.\n")
    result = runner.invoke(cli, ["index", "--json"])
    assert result.exit_code == 0, result.stderr
    assert "wire-1" in json.loads(result.stdout)["added"]
    result = runner.invoke(cli, ["index", "--json"])
    assert json.loads(result.stdout)["removed"] == []


def test_ingest_rejects_files_over_the_size_limit(env: Path, corpus_dir: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    assert runner.invoke(cli, ["index", "--source", str(corpus_dir)]).exit_code == 0
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # 3 MB, over the default limit (the API's 2 MB)
        fh.truncate(3_000_000)
    small = tmp_path / "small.md"
    small.write_text("---\nid: wire-small\nkind: news\ndate: 2025-01-02\n---\nEnvoys met in Quxville.\n")
    result = runner.invoke(cli, ["ingest", str(big), str(small), "--json"])
    assert result.exit_code == 1  # reported and skipped; the other file is indexed
    assert json.loads(result.stdout)["added"] == ["wire-small"]
    assert "big.txt" in result.stderr and "larger than the limit of 2,000,000 bytes" in result.stderr
    monkeypatch.setenv("EXPLAINER_MAX_DOCUMENT_BYTES", "10")
    result = runner.invoke(cli, ["ingest", str(small)])
    assert result.exit_code == 1 and "larger than the limit of 10 bytes" in result.stderr
