"""Candidate features: shares of the question's terms that do not depend on the order a set is iterated in."""

import math

from app.answering.features import Featurizer


class Weights(Featurizer):
    """A featurizer whose idf is given directly (no index)."""

    def __init__(self, idf: dict[str, float]) -> None:
        self._idf = idf

    def idf(self, term: str) -> float:
        return self._idf[term]


def test_a_share_is_the_same_whatever_order_its_terms_come_in() -> None:
    """Summed in order, 0.1 + 0.2 + 0.3 and 0.3 + 0.2 + 0.1 differ in the last bit, and so did a feature
    between two processes (sets of words iterate in another order); the share must not."""
    f = Weights({"a": 0.1, "b": 0.2, "c": 0.3})
    have = frozenset({"a", "b"})
    forward, backward = f.share(["a", "b", "c"], have), f.share(["c", "b", "a"], have)  # type: ignore[arg-type]
    assert forward == backward == math.fsum([0.1, 0.2]) / math.fsum([0.1, 0.2, 0.3])
