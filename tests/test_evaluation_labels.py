"""The label checker: quotes resolve to whole sentences, facts must be in the evidence, splits by document."""

from pathlib import Path

import pytest

from app.evaluation import labels
from app.evaluation.dataset import load_questions
from app.ingest import Document

READER = Path(__file__).resolve().parent.parent / "eval" / "datasets" / "reader"


@pytest.fixture(scope="module")
def docs() -> dict:
    return labels.corpus_documents()


@pytest.fixture(scope="module")
def spans(docs: dict) -> dict:
    return {doc_id: labels.sentence_spans(doc) for doc_id, doc in docs.items()}


def row(**changes: object) -> dict:
    base = {"id": "t-1", "question": "when did the four day war end", "category": "factoid", "answerable": True,
            "facts": [["5 April 2016"]],
            "evidence": [{"doc_id": "april-2016-war", "quote": "ended with a ceasefire on 5 April 2016"}]}
    base.update(changes)
    return base


def test_a_quote_resolves_to_the_whole_sentence(docs: dict, spans: dict) -> None:
    r = row()
    assert labels.resolve(r, docs, spans) == [] and labels.check(r) == []
    (ev,) = r["evidence"]
    text = docs["april-2016-war"].text
    assert text[ev["start"] : ev["end"]] == ev["quote"] and ev["quote"].startswith("The Four-Day War began")
    assert r["gold_docs"] == ["april-2016-war"]


def test_wrong_labels_are_caught(docs: dict, spans: dict) -> None:
    missing = row(evidence=[{"doc_id": "april-2016-war", "quote": "a sentence that is not there"}])
    assert labels.resolve(missing, docs, spans)
    wrong_fact = row(facts=[["6 April 2016"]])
    labels.resolve(wrong_fact, docs, spans)
    assert any("not in the evidence" in p for p in labels.check(wrong_fact))
    unanswerable = row(answerable=False, facts=[], evidence=[])
    assert labels.check(unanswerable)  # needs category 'unanswerable' and a kind
    premise = row(answerable=False, category="unanswerable", unanswerable_kind="false-premise", facts=[], evidence=[])
    assert any("false premise" in p for p in labels.check(premise))
    follow = row(category="follow-up")
    labels.resolve(follow, docs, spans)
    assert any("history" in p for p in labels.check(follow))


def test_splits_are_fixed_by_document() -> None:
    assert labels.split_of("april-2016-war") == labels.split_of("april-2016-war")
    splits = {labels.split_of(f"doc-{i}") for i in range(50)}
    assert splits == {"train", "dev", "test"}


@pytest.mark.skipif(not (READER / "test.jsonl").exists(), reason="reader sets not built")
def test_the_built_reader_sets_are_checked_and_disjoint_by_document(docs: dict, seeds_dir: Path) -> None:
    # the seed report's questions resolve against its text in ../shared/seeds (skipped without it)
    seen: dict[str, str] = {}
    total = unanswerable = 0
    for split in ("train", "dev", "test"):
        for q in load_questions(READER / f"{split}.jsonl"):
            source = q.source_doc or q.gold_docs[0]
            assert seen.setdefault(source, split) == split, f"{source} is in two splits"
            total += 1
            unanswerable += not q.answerable
            for ev in q.evidence:
                doc = docs[ev["doc_id"]]
                assert ev.get("quote", doc.text[ev["start"] : ev["end"]]) == doc.text[ev["start"] : ev["end"]]
                if not labels.inside_repository(doc):
                    assert "quote" not in ev  # the seed report's text stays outside the repository
    assert total >= 2000 and unanswerable / total >= 0.25


def test_the_raw_labels_all_pass_the_checker(seeds_dir: Path) -> None:
    good, problems = labels.process(sorted((READER / "raw").glob("*.jsonl")))
    assert not problems, [str(p) for p in problems[:5]]
    assert len(good) >= 2000


def test_withhold_replaces_the_sentences_of_a_document_outside_the_repository(tmp_path: Path) -> None:
    text = "Shelling began on Tuesday. Talks were called for Thursday."
    outside = Document(id="wire", title="Wire", kind="news", text=text, source_path=str(tmp_path / "wire.txt"),
                       content_hash="x")
    assert not labels.inside_repository(outside)
    answer = "Talks were called for Thursday. [1] The NKAO was created in 1923. [2]"
    withheld = labels.withheld_sentences([outside])
    assert labels.withhold(answer, withheld) == "[wire 27-58] [1] The NKAO was created in 1923. [2]"
    assert labels.withhold("Nothing of it here. [1]", withheld) == "Nothing of it here. [1]"


@pytest.mark.parametrize("suffix", ["json", "jsonl", "md", "py", "yaml"])
def test_no_file_of_the_repository_copies_a_sentence_of_the_seed_report(seeds_dir: Path, suffix: str) -> None:
    """The seed report is read from ../shared/seeds; reports, tests and docs hold at most short facts of it."""
    withheld = labels.withheld_sentences(labels.corpus_documents().values())
    sentences = {sentence for sentence, _ in withheld if len(sentence) > 40}
    assert sentences, "the seed report was not read"
    skip = {".venv", "indexes", ".git", "node_modules"}
    for path in labels.PROJECT_ROOT.rglob(f"*.{suffix}"):
        if skip & set(path.relative_to(labels.PROJECT_ROOT).parts):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        copied = [s for s in sentences if s in text]
        assert not copied, f"{path.relative_to(labels.PROJECT_ROOT)} copies the seed report: {copied[0][:60]}"
