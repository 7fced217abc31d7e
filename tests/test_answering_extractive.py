import pytest

from app.answering import ABSTAIN_MESSAGE
from app.answering.extractive import claimant_tokens, question_type
from app.config import Settings
from app.explainer import Explainer, QuestionError


@pytest.fixture
def explainer(built: Settings) -> Explainer:
    return Explainer(built)


def assert_citations_exact(explainer: Explainer, answer) -> None:  # noqa: ANN001
    for c in answer.citations:
        doc = explainer.index.documents[c.doc_id]
        assert doc.text[c.start : c.end] == c.quote
        assert f"{c.quote} [{c.n}]" in answer.answer
        assert c.chunk_id.startswith(c.doc_id + "#")


def test_answer_cites_exact_passages(explainer: Explainer) -> None:
    answer = explainer.ask("When was the Bishkek Protocol signed?")
    assert not answer.abstained
    assert "5 May 1994" in answer.citations[0].quote
    assert answer.answer.startswith(answer.citations[0].quote)
    assert 1 <= len(answer.citations) <= 5
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert_citations_exact(explainer, answer)
    assert answer.latency_ms > 0 and set(answer.timings) == {"retrieve_ms", "answer_ms"}


def test_contested_figure_prefers_the_named_claimant(explainer: Explainer) -> None:
    answer = explainer.ask("How many deaths did Human Rights Watch document at Khojaly?")
    assert "161" in answer.citations[0].quote
    assert_citations_exact(explainer, answer)


def test_off_topic_question_abstains(explainer: Explainer) -> None:
    answer = explainer.ask("What is the best recipe for chocolate cake?")
    assert answer.abstained and answer.answer == ABSTAIN_MESSAGE and not answer.citations


def test_question_after_the_sources_end_abstains(explainer: Explainer) -> None:
    answer = explainer.ask("What happened to the Russian peacekeepers in 2031?")
    assert answer.abstained
    assert answer.related, "the nearest sources are offered"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 1001])
def test_bad_questions_get_clear_errors(explainer: Explainer, bad: str) -> None:
    with pytest.raises(QuestionError, match="empty|too long"):
        explainer.ask(bad)


def test_question_types_and_claimants() -> None:
    assert question_type("How many people were displaced?") == "count"
    assert question_type("When did the war end?") == "date"
    assert question_type("Who signed the protocol?") == "person"
    assert question_type("Why did the talks fail?") == "explain"
    assert claimant_tokens("How many people did Armenia say were killed?") == {"armenia"}
    assert claimant_tokens("What was the toll according to Human Rights Watch?") == {"human", "right", "watch"}
    assert claimant_tokens("What happened in 1992?") == set()


def test_stream_grows_to_the_full_answer(explainer: Explainer) -> None:
    steps = list(explainer.ask_stream("When was the Bishkek Protocol signed?"))
    texts = [t for t, _ in steps]
    assert texts[-1] == steps[-1][1].answer
    assert all(texts[i + 1].startswith(texts[i]) for i in range(len(texts) - 1))


def test_attribution_strength_prefers_the_claimant_itself() -> None:
    from app.answering.extractive import attribution_strength

    assert attribution_strength("The army killed 32, according to Armenia.", "Armenia") == 1.0
    assert attribution_strength("Armenia said 32 people were killed.", "Armenia") == 1.0
    assert attribution_strength("Armenia's Security Council said 207 were killed.", "Armenia") == 0.4
    assert attribution_strength("According to Armenia's Investigative Committee, 218 died.", "Armenia") == 0.4
    assert attribution_strength("Azerbaijan said 192 soldiers were killed.", "Armenia") == 0.0
    assert attribution_strength("Anything at all.", "") == 0.0


def test_a_denial_stops_at_its_clause() -> None:
    from app.answering.extractive import QuestionInfo, negated_premise
    from app.text import concepts

    question = "At what time did the ceasefire come into force?"
    info = QuestionInfo(question, "other", set(concepts(question)), "", [], [])
    assert negated_premise(info, "The peacekeepers did not intervene, and the ceasefire was agreed at 13:00.") is None
    assert negated_premise(info, "No ceasefire was agreed that day.") == "ceasefir"
    # a denial limited in time says nothing about the later time
    assert negated_premise(info, "No ceasefire was agreed until 20 September.") is None
    # an act in prospect ('conditions for signing') is not presupposed by the question
    question = "What conditions did Azerbaijan attach to signing the peace agreement?"
    info = QuestionInfo(question, "other", set(concepts(question)), "", [], ["Azerbaijan"])
    assert negated_premise(info, "The peace agreement had not been signed.") is None
    assert negated_premise(info, "Azerbaijan attached no conditions.") == "condit"


def test_latest_as_of_and_present_questions() -> None:
    from app.answering.extractive import PRESENT, latest_as_of

    texts = ["As of May 2024 the road was open.", "as of November 2025, it was closed", "In 1990."]
    assert latest_as_of(texts) == "as of November 2025"
    assert latest_as_of(["No date here."]) == ""
    assert PRESENT.search("Who currently leads Armenia?") and PRESENT.search("Are the peacekeepers still there?")
    assert not PRESENT.search("Who led Armenia in 2018?")


def test_timeline_helpers_order_and_weigh_dates() -> None:
    import datetime as dt

    from app.answering.extractive import chronological, date_salience, stated_period

    may = (dt.date(2021, 5, 1), dt.date(2021, 5, 31))
    assert stated_period("In 1990, and again on 27 May 2021, soldiers were seized.", may) == (
        dt.date(2021, 5, 27),
        dt.date(2021, 5, 27),
    )
    assert stated_period("Nothing dated in the period (June 2021).", may) is None
    texts = ["On 12 May 2021 troops advanced.", "In May 2021 talks began.", "On 27 May 2021 six were seized."]
    assert sorted(texts, key=lambda t: chronological(t, may)) == [texts[0], texts[2], texts[1]]
    salience = date_salience(["On 10 November 2020 it ended.", "The 10 November 2020 statement.", "17 October 2020"])
    assert salience[dt.date(2020, 11, 10)] == 1.0 > salience[dt.date(2020, 10, 17)] > 0


def test_why_questions_prefer_sentences_that_give_a_reason() -> None:
    from app.answering.extractive import QuestionInfo, answer_type_cue

    info = QuestionInfo("Why did Armenia freeze its CSTO membership?", "explain", set(), "", [], [])
    assert answer_type_cue(info, "Armenia froze it because the alliance had not honoured its commitments.") > 0
    assert answer_type_cue(info, "Armenia froze its participation in February 2024.") == 0


def test_attribution_covers_how_sources_give_figures() -> None:
    from app.answering.extractive import ATTRIBUTION

    for text in ("Armenian sources give higher figures.", "Officials stated that 80 died.", "Both tolls rose."):
        assert ATTRIBUTION.search(text), text
    assert not ATTRIBUTION.search("The town fell on 9 October.")
