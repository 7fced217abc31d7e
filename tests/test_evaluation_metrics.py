"""The metrics on small hand-computed fixtures give exactly the expected values."""

import math

import pytest

from app.evaluation import metrics as m


def test_retrieval_metrics_hand_computed() -> None:
    gold = {"q1": ["d1", "d2"], "q2": ["d3"], "q3": []}
    ranked = {
        "q1": ["d2", "x", "d1"],  # both relevant found, at ranks 1 and 3
        "q2": ["a", "b", "c", "d", "e", "d3"],  # relevant at rank 6
        "q3": ["d1"],  # no gold: not counted
    }
    got = m.retrieval_metrics(gold, ranked)
    assert got["recall@5"] == pytest.approx((1.0 + 0.0) / 2)
    assert got["recall@10"] == pytest.approx((1.0 + 1.0) / 2)
    assert got["mrr@10"] == pytest.approx((1.0 + 1 / 6) / 2)
    ndcg_q1 = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    ndcg_q2 = (1 / math.log2(7)) / 1
    assert got["ndcg@10"] == pytest.approx((ndcg_q1 + ndcg_q2) / 2)


def test_retrieval_counts_empty_runs_as_misses() -> None:
    assert m.retrieval_metrics({"q": ["d"]}, {"q": []}) == {
        "recall@5": 0.0,
        "recall@10": 0.0,
        "mrr@10": 0.0,
        "ndcg@10": 0.0,
    }


@pytest.mark.parametrize(
    ("answer", "alternative", "expected"),
    [
        ("By 30 September 2023, 100,417 people had arrived.", "100417", True),
        ("By 30 September 2023, 100 417 people had arrived.", "100,417", True),
        ("It was signed on May 5, 1994 [1].", "5 May 1994", True),
        ("It was signed on 5 May 1994.", "1994-05-05", True),
        ("SHUSHA was taken.", "Shusha", True),
        ("Xankəndi is the Azerbaijani name.", "Xankendi", True),
        ("The withdrawal began around 10 April 2024.", "April 2024", True),
        ("In April 2024 the withdrawal began.", "10 April 2024", False),
        ("In May 1992 Shusha was taken.", "May 1992", True),
        ("On 23 July 1993 Agdam was taken.", "23 July", True),
        ("On 23 July 1993 Agdam was taken.", "July 23", True),
        ("On 9 October 2020 Hadrut was said to be taken.", "9 October", True),
        ("On 9 October 2020 Hadrut was said to be taken.", "19 October", False),
        ("On 23 July 1993 Agdam was taken.", "23 June", False),
        ("Sargsyan resigned on 23 April 2018.", "resign", True),
        ("Turkey welcomed the declaration.", "welcome", True),
        ("Sargsyan's resignation", "resign", False),
        ("the town of Agdamsk", "Agdam", False),
        ("1,9600 troops", "1,960", False),
        ("the toll was 6130", "613", False),
    ],
)
def test_normalised_matching(answer: str, alternative: str, expected: bool) -> None:
    assert m.contains(answer, alternative) is expected


def test_fact_recall_and_crag() -> None:
    facts = [["613"], ["161", "one hundred sixty-one"], ["Human Rights Watch", "HRW"]]
    answer = "Azerbaijan's government put the toll at 613 [1]. HRW documented at least 161 deaths [2]."
    assert m.fact_recall(answer, facts) == 1.0
    assert m.fact_recall("The toll was 613.", facts) == pytest.approx(1 / 3)
    assert [m.crag_score(True, False, True), m.crag_score(True, True, False), m.crag_score(True, False, False)] == [
        1,
        0,
        -1,
    ]
    assert [m.crag_score(False, True, False), m.crag_score(False, False, False)] == [1, -1]


def test_answer_sentences_keep_their_markers() -> None:
    answer = "The protocol was signed in 1994. [1] It took effect on 12 May. [2][3] Unsourced claim."
    assert m.answer_sentences(answer) == [
        ("The protocol was signed in 1994.", [1]),
        ("It took effect on 12 May.", [2, 3]),
        ("Unsourced claim.", []),
    ]


def test_initials_do_not_end_sentences() -> None:
    answer = (
        "Thomas de Waal gave about 90, and the Armenian author A. Hakobyan more than 100. [1] "
        "The U.S. State Department said 350. [2]"
    )
    assert [m for _, m in m.answer_sentences(answer)] == [[1], [2]]


def test_citation_scores_hand_computed() -> None:
    doc = "The Bishkek Protocol was signed on 5 May 1994. The ceasefire began on 12 May 1994."
    citations = [
        {"n": 1, "doc_id": "d", "quote": "The Bishkek Protocol was signed on 5 May 1994.", "start": 0, "end": 46},
        {"n": 2, "doc_id": "d", "quote": "The ceasefire began on 12 May 1994.", "start": 47, "end": 82},
        {"n": 3, "doc_id": "d", "quote": "wrong offsets", "start": 0, "end": 5},
    ]
    answer = (
        "The Bishkek Protocol was signed on 5 May 1994. [1] "  # supported
        "The ceasefire began on 14 May 1994. [2] "  # a number the passage does not have: unsupported
        "Mediators from Moscow drafted it in secret. [1] "  # content not in the passage: unsupported
        "Nobody cited this."  # no citation: not covered, not supported
    )
    scores = m.citation_scores(answer, citations, {"d": doc})
    assert scores.validity == pytest.approx(2 / 3)
    assert scores.coverage == pytest.approx(3 / 4)
    assert scores.support == pytest.approx(1 / 4)
    assert scores.sentences == 4


def test_percentiles() -> None:
    assert m.percentiles([10, 20, 30, 40, 50]) == {"p50": 30.0, "p95": 48.0}


def test_a_yes_no_lead_belongs_to_its_cited_sentence() -> None:
    from app.evaluation.metrics import citation_scores

    doc = "The town fell on 8 May 1992. Later it changed."
    answer = "Yes. The town fell on 8 May 1992. [1]"
    citations = [{"n": 1, "doc_id": "d", "quote": "The town fell on 8 May 1992.", "start": 0, "end": 28}]
    scores = citation_scores(answer, citations, {"d": doc})
    assert scores.sentences == 1 and scores.coverage == 1.0 and scores.support == 1.0


def test_answer_precision_counts_the_quotes_that_are_on_point() -> None:
    facts = [["5 May 1994"], ["Bishkek"]]
    cite = (lambda quote, start=0, doc="d": {"doc_id": doc, "start": start, "quote": quote})  # noqa: E731
    on_point = cite("The Bishkek Protocol was signed on 5 May 1994.")
    evidence_only = cite("The protocol called for a ceasefire.", start=40)
    padding = cite("Kyrgyzstan is a country in Central Asia.", start=90)
    evidence = [{"doc_id": "d", "start": 40}]
    assert m.answer_precision([on_point], facts, evidence) == 1.0
    assert m.answer_precision([on_point, evidence_only, padding], facts, evidence) == pytest.approx(2 / 3)
    assert m.answer_precision([padding], facts, evidence) == 0.0
    assert m.answer_precision([padding], [], []) is None  # nothing to measure against
    assert m.answer_precision([], facts, evidence) is None


def test_answer_precision_is_aggregated_over_answered_answerable_questions() -> None:
    from app.evaluation.dataset import EvalQuestion
    from app.evaluation.runner import aggregate, score_question

    q = EvalQuestion(id="q", question="when was it signed", category="factoid", answerable=True,
                     facts=[["5 May 1994"]], gold_docs=["d"])
    text = "It was signed on 5 May 1994. [1] Kyrgyzstan is in Asia. [2]"
    answer = {"answer": text, "abstained": False, "citations": [
        {"n": 1, "doc_id": "d", "start": 0, "end": 28, "quote": text[:28]},
        {"n": 2, "doc_id": "d", "start": 33, "end": 54, "quote": "Kyrgyzstan is in Asia."}]}
    row = score_question(q, answer, {"d": text})
    assert row["answer_precision"] == 0.5 and row["correct"]
    declined = score_question(q, {"answer": "The sources do not say.", "abstained": True, "citations": []}, {"d": text})
    assert "answer_precision" not in declined
    timings = [{"retrieve_ms": 1.0, "answer_ms": 1.0, "total_ms": 2.0}] * 2
    assert aggregate([row, declined], {}, timings)["answer_precision"] == 0.5
    assert aggregate([declined], {}, timings[:1])["answer_precision"] is None
