"""Cues read from a sentence's words: what contradicts a question's presupposition, what it gives."""

import pytest

from app.answering.cues import contradicts, contrary, gives
from app.text import concepts


def terms(text: str) -> set[str]:
    return set(concepts(text))


def test_a_sentence_holding_the_opposite_contradicts_the_question() -> None:
    assert contradicts(terms("was agdam inside the oblast"), terms("Agdam lay outside the oblast"))
    assert contradicts(terms("did they hold the whole district"), terms("they held part of the district"))
    assert contradicts(terms("was he in favour of the plan"), terms("he opposed the plan"))
    assert contradicts(terms("did the fighting stop"), terms("the fighting continued"))


def test_a_sentence_holding_both_or_neither_does_not() -> None:
    assert not contradicts(terms("was agdam inside the oblast"), terms("Agdam lay inside the oblast"))
    assert not contradicts(terms("did they hold the whole district"), terms("the whole district, not part of it"))
    assert not contradicts(terms("did the fighting stop"), terms("the town was shelled"))



GIVES_CASES = [
    ("an age", "The 73-year-old man was shot.", True),
    ("an age", "Babayan, born in 1966 in Stepanakert, led the army.", True),
    ("an age", "Babayan signed the truce in May 1994.", False),
    ("a time of day", "The ceasefire took effect at midnight on 12 May 1994.", True),
    ("a time of day", "A ceasefire came into force at 13:00 on 20 September 2023.", True),
    ("a time of day", "The share fell to 76.9% by 1989, over 12 days.", False),
    ("a sum of money", "Each drone cost about $5 million.", True),
    ("a sum of money", "The budget was 2.5 million euros.", True),
    ("a sum of money", "Russia sent 1,960 peacekeepers.", False),
    ("a length", "The corridor was about 5 km wide.", True),
    ("a length", "The war lasted 44 days.", False),
    ("a percentage", "Kocharyan won 59% in the run-off.", True),
    ("a percentage", "The share was 76.9 per cent.", True),
    ("a percentage", "Kocharyan won the run-off of 30 March 1998.", False),
    ("a spouse", "Aliyev and his wife Mehriban Aliyeva attended.", True),
    ("a spouse", "Aliyev was elected president in 2003.", False),
    ("their names", "The two men, Ali Hajiyev and Bakhtiyar Guliyev, were killed.", True),
    ("their names", "Two soldiers were killed near the village.", False),
]


@pytest.mark.parametrize(("asked", "sentence", "answered"), GIVES_CASES)
def test_what_gives_an_age_a_time_of_day_a_sum_or_names(asked: str, sentence: str, answered: bool) -> None:
    assert gives(asked, sentence, "what were the names of the men killed") is answered


def test_every_kind_of_fact_a_question_asks_for_has_its_cue() -> None:
    from app.answering.cues import GIVES
    from app.answering.question import ASKS_FOR

    assert {what for what, _ in ASKS_FOR} == {*GIVES, "their names"}


@pytest.mark.parametrize(("sentence", "least"), [
    ("On 1 May 2018 he received 45 votes, short of the 53 votes he needed, but the vote was repeated.", 2),
    ("Armenia's defence ministry denied that its forces had fired at Ganja.", 1),
    ("The town of Lachin lay outside the former oblast.", 1),
    ("The Karabakh conflict played only a small part in the protests.", 1),
    ("Azerbaijan's government refused a European Parliament delegation access to the site.", 1),
    ("The trilateral statement didn't mention Turkey.", 1),
])
def test_a_sentence_that_takes_back_or_limits_something_is_contrary(sentence: str, least: int) -> None:
    assert contrary(sentence) >= least


def test_a_plain_statement_is_not_contrary() -> None:
    assert contrary("Azerbaijani forces entered the Agdam district on 20 November 2020.") == 0
    assert contrary("Nobody knows the notion of a bunny.") == 0  # words only: 'not' inside 'notion' is no negation
