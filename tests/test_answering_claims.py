"""corpus/data/claims.yaml, checked against the documents; rival claims and office holders looked up."""

from pathlib import Path

import pytest

from app.answering.claims import Claims
from app.config import Settings
from app.evaluation.metrics import contains
from app.ingest import load_documents
from app.names import NameIndex
from app.text import sentence_terms

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def claims() -> Claims:
    return Claims.load(Settings().claims_file)


@pytest.fixture(scope="module")
def documents() -> dict:
    return {d.id: d for d in load_documents([CORPUS]).documents}


def test_every_figure_is_a_sentence_of_its_document_holding_its_value(claims: Claims, documents: dict) -> None:
    assert len(claims.figures) >= 100
    for f in claims.figures:
        assert f.doc_id in documents, f
        assert f.sentence in documents[f.doc_id].text, f
        assert contains(f.sentence, f.value), f
        assert f.claimant and f.topic and f.what, f


def test_every_office_holder_is_stated_by_its_sentence(claims: Claims, documents: dict) -> None:
    assert len(claims.office_holders) >= 30
    for h in claims.office_holders:
        assert h.sentence in documents[h.doc_id].text, h
        assert contains(h.sentence, h.holder), h


def test_rival_claims_come_together(claims: Claims) -> None:
    contested = [f for f in claims.figures if len(claims.rivals(f.doc_id, f.sentence)) > 1]
    assert contested, "some quantity has more than one claim"
    f = contested[0]
    rivals = claims.rivals(f.doc_id, f.sentence)
    assert f in rivals and len({(r.claimant, r.value) for r in rivals}) > 1


def test_office_holders_of_the_asked_office_in_order(claims: Claims) -> None:
    names = NameIndex.load(Settings().names_file)
    terms = (lambda text: sentence_terms(text, names))  # noqa: E731
    holders = claims.holders(terms("who were the presidents of artsakh"), terms)
    people = [h.holder for h in holders]
    assert len(people) >= 4 and len(people) == len(set(people))
    assert {"Arkadi Ghukasyan", "Bako Sahakyan", "Arayik Harutyunyan"} <= set(people)
    assert people.index("Arkadi Ghukasyan") < people.index("Bako Sahakyan") < people.index("Arayik Harutyunyan")
    assert claims.holders(terms("what happened at khojaly"), terms) == []


def test_a_missing_claims_file_gives_no_claims(tmp_path: Path) -> None:
    empty = Claims.load(tmp_path / "none.yaml")
    assert empty.figures == [] and empty.office_holders == []
