"""Selection rules on hand-made candidates (no index needed)."""

from app.answering.features import Candidate
from app.answering.question import Question
from app.answering.selection import naming_all
from app.answering.tuning import Tuning


def candidate(p: float, *terms: str) -> Candidate:
    return Candidate(sentence=None, hit=None, rank=0, terms=frozenset(terms), p=p)  # type: ignore[arg-type]


def yes_no(*names: str) -> Question:
    return Question(text="was agdam inside the nkao", kind="yes-no", terms={}, own_terms=frozenset(),
                    names=dict.fromkeys(names, ""), predicate=frozenset({"insid"}), words_of={})


def test_a_yes_no_answer_comes_from_a_sentence_naming_everything_asked_about() -> None:
    tuning = Tuning(keep_ratio=0.3, keep_min=0.1)
    nkao_only = candidate(0.9, "nkao", "insid")
    both = candidate(0.5, "agdam", "nkao", "outsid")
    assert naming_all(yes_no("agdam", "nkao"), [nkao_only, both], tuning) is both


def test_without_a_close_sentence_naming_everything_the_best_one_answers() -> None:
    tuning = Tuning(keep_ratio=0.5, keep_min=0.1)
    nkao_only = candidate(0.9, "nkao", "insid")
    far = candidate(0.2, "agdam", "nkao")  # below half the best: not close enough to answer instead
    assert naming_all(yes_no("agdam", "nkao"), [nkao_only, far], tuning) is nkao_only
    assert naming_all(yes_no(), [nkao_only, far], tuning) is nkao_only
