"""Cues read from a sentence's words: what contradicts a question's presupposition."""

from app.answering.cues import contradicts
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
