"""Abstention rules on hand-made candidates (no index needed)."""

import numpy as np

from app.answering import abstention
from app.answering.features import Candidate
from app.answering.question import Question
from app.answering.tuning import Tuning
from app.index import Sentence


def candidate(p: float, text: str, axis: int) -> Candidate:
    vector = np.zeros(8, dtype=np.float32)
    vector[axis] = 1.0  # sentences on different axes never repeat one another
    return Candidate(Sentence("d", axis * 100, axis * 100 + len(text), text, vector), None, 0,  # type: ignore[arg-type]
                     frozenset(), p=p)


BORN = Question(text="where was general vladislav safonov born", kind="place", terms={}, own_terms=frozenset(),
                names={}, predicate=frozenset(), words_of={}, asks_for="a birth")


CONTEXT = abstention.Context(featurizer=None, tuning=Tuning(), latest_year=2025, p_answerable=1.0)  # type: ignore[arg-type]


def test_the_answer_itself_must_give_what_is_asked_for() -> None:
    """Safonov's career is no answer to where he was born, even when another man's birth is among the closest
    sentences: only the sentences the answer would quote count."""
    career = candidate(0.9, "General Vladislav Safonov commanded the Russian contingent from 2020.", 0)
    deputy = candidate(0.8, "His deputy took over the headquarters in Stepanakert.", 1)
    other_birth = candidate(0.05, "Samvel Babayan was born in 1965 in Stepanakert.", 2)
    assert abstention.not_given(BORN, [career, deputy, other_birth], CONTEXT) == "no close source gives a birth"


def test_a_quoted_sentence_that_gives_it_answers() -> None:
    career = candidate(0.9, "General Vladislav Safonov commanded the Russian contingent from 2020.", 0)
    birth = candidate(0.7, "Safonov was born in 1968 in Orenburg.", 1)  # close enough to be quoted too
    assert abstention.not_given(BORN, [career, birth], CONTEXT) is None
    assert abstention.not_given(BORN, [], CONTEXT) == "no close source gives a birth"
