"""Cues read from a sentence's words: what contradicts a question's presupposition."""

from app.answering.cues import contradicts, gives
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


def test_what_gives_an_age_a_time_of_day_or_names() -> None:
    assert gives("an age", "The 73-year-old man was shot.", "how old was he")
    assert gives("an age", "Babayan, born in 1966 in Stepanakert, led the army.", "how old was babayan")
    assert not gives("an age", "Babayan signed the truce in May 1994.", "how old was babayan")
    assert gives("a time of day", "The ceasefire took effect at midnight on 12 May 1994.", "what time")
    assert gives("a time of day", "A ceasefire came into force at 13:00 on 20 September 2023.", "what time")
    assert not gives("a time of day", "The share fell to 76.9% by 1989, over 12 days.", "what time")
    assert gives("a sum of money", "Each drone cost about $5 million.", "how much did it cost")
    assert gives("a sum of money", "The budget was 2.5 million euros.", "budget")
    assert not gives("a sum of money", "Russia sent 1,960 peacekeepers.", "how much did russia spend")
    assert gives("a length", "The corridor was about 5 km wide.", "in km")
    assert not gives("a length", "The war lasted 44 days.", "in km")
    assert gives("a percentage", "Kocharyan won 59% in the run-off.", "what percentage")
    assert gives("a percentage", "The share was 76.9 per cent.", "what percentage")
    assert not gives("a percentage", "Kocharyan won the run-off of 30 March 1998.", "what percentage")
    assert gives("a spouse", "Aliyev and his wife Mehriban Aliyeva attended.", "whats aliyev's wife called")
    assert not gives("a spouse", "Aliyev was elected president in 2003.", "whats aliyev's wife called")
    assert gives("their names", "The two men, Ali Hajiyev and Bakhtiyar Guliyev, were killed.", "names of the men")
    assert not gives("their names", "Two soldiers were killed near the village.", "names of the soldiers")
