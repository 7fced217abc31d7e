"""Text helpers: how a sentence's words are written, as evidence of which terms are names."""

from app.text import cased_terms, concepts


def test_cased_terms_split_capitalised_words_from_lower_case_ones() -> None:
    upper, lower = cased_terms("Azerbaijani forces retook Horadiz in 1994; Bellingcat said the war was over.")
    assert set(concepts("Horadiz")) <= upper and set(concepts("Bellingcat")) <= upper
    assert set(concepts("forces")) <= lower and set(concepts("war")) <= lower
    assert not set(concepts("Azerbaijani")) & (upper | lower)  # the opening word says nothing either way


def test_a_term_written_both_ways_counts_both_ways() -> None:
    upper, lower = cased_terms("It ended the Second Karabakh War, and the war ended.")
    assert set(concepts("war")) <= upper & lower
