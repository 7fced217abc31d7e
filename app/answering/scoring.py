"""Scorers: the probability that each candidate sentence answers the question, and that the question can
be answered at all.

`LearnedScorer` is what `explainer train` fits (app/answering/training.py) and ships in
app/answering/model/: gradient-boosted trees over the candidate features for "this sentence answers it",
a second model over the best candidates for "the sources answer it", one for "this sentence corrects the
question's false premise", and a small one for the plain yes or no of a yes/no question. `RuleScorer` is
the hand-weighted formula the answerer used before, kept to measure the learned one against.
"""

from __future__ import annotations

import logging
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from app.answering import cues
from app.answering.features import FEATURES, Candidate
from app.answering.question import KINDS, Question
from app.answering.tuning import Tuning

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "model"
TOP = 3  # how many best candidates the question-level models look at
UNION_DEPTH = 10  # how many best candidates may hold the asked words between them
QUESTION_FEATURES: tuple[str, ...] = (
    "p1", "p2", "p3", "gap", "above_half", "dense1", "predicate1", "predicate_best", "predicate_dense1",
    "predicate_dense_best", "predicate_union", "names_and_predicate", "names1", "names_in_doc1",
    "denies_top", "contradicts_top", "other_year_only1", "unknown_predicate", "n_predicate", "n_names", "present",
    "after_sources",
    "count_near1", "new_full_date1", "person1", "reason1", *(f"q_{k}" for k in KINDS),
)
YES_NO_FEATURES: tuple[str, ...] = (
    "negation1", "denies1", "contradicts1", "other_year_only1", "predicate1", "names1", "dense1",
    "question_negative", "contrary1",
)
_COL = {name: i for i, name in enumerate(FEATURES)}


def column(matrix: np.ndarray, name: str) -> np.ndarray:
    return matrix[:, _COL[name]] if len(matrix) else np.zeros(0, dtype=np.float32)


def question_features(q: Question, ranked: list[Candidate], latest_year: int | None) -> dict[str, float]:
    """What the question-level models see: the best candidates' probabilities and features."""
    top = ranked[:TOP]
    p = [c.p for c in top] + [0.0] * (TOP - len(top))
    f = (lambda c, name: float(c.features[_COL[name]]))  # noqa: E731 - a short accessor
    first = top[0] if top else None
    get = (lambda name: f(first, name) if first is not None else 0.0)  # noqa: E731
    return {
        "p1": p[0], "p2": p[1], "p3": p[2], "gap": p[0] - p[1],
        "above_half": float(sum(c.p >= 0.5 for c in ranked)),
        "dense1": get("dense"), "predicate1": get("predicate"),
        "predicate_best": max((f(c, "predicate") for c in top), default=0.0),
        "predicate_dense1": get("predicate_dense"),
        "predicate_dense_best": max((f(c, "predicate_dense") for c in ranked), default=0.0),
        # the asked words found anywhere among the close sentences, and in one sentence with the names
        "predicate_union": union_share(q, ranked[:UNION_DEPTH]),
        "names_and_predicate": max((f(c, "names") * f(c, "predicate") for c in ranked[:UNION_DEPTH]), default=0.0),
        "names1": get("names"), "names_in_doc1": get("names_in_doc"),
        "denies_top": max((f(c, "denies") for c in top), default=0.0),
        "contradicts_top": max((f(c, "contradicts") for c in top), default=0.0),
        "other_year_only1": get("other_year_only"),
        "unknown_predicate": get("unknown_predicate"), "n_predicate": float(len(q.predicate)),
        "n_names": float(len(q.names)), "present": float(q.present),
        "after_sources": float(bool(latest_year and q.years and max(q.years) > latest_year)),
        "count_near1": get("count_near"), "new_full_date1": get("new_full_date"), "person1": get("person"),
        "reason1": get("reason"),
        **{f"q_{k}": float(q.kind == k) for k in KINDS},
    }


def union_share(q: Question, close: list[Candidate]) -> float:
    """The share of the question's predicate terms that some close sentence holds (1.0 without any)."""
    if not q.predicate:
        return 1.0
    held = set().union(*(c.terms for c in close)) if close else set()
    return len(q.predicate & held) / len(q.predicate)


def yes_no_features(q: Question, best: Candidate) -> dict[str, float]:
    """What the yes/no model sees: the sentence against the question, not its probability, so that the model
    does not depend on the sentence model and can be refitted alone (`explainer train --only yes-no`)."""
    f = (lambda name: float(best.features[_COL[name]]))  # noqa: E731
    return {
        "negation1": f("negation"), "denies1": f("denies"), "contradicts1": f("contradicts"),
        "other_year_only1": f("other_year_only"),
        "predicate1": f("predicate"), "names1": f("names"), "dense1": f("dense"),
        "question_negative": float(q.negative), "contrary1": float(cues.contrary(best.text)),
    }


def as_row(values: dict[str, float], names: tuple[str, ...]) -> np.ndarray:
    return np.array([[values[n] for n in names]], dtype=np.float32)


class Scorer(Protocol):
    name: str

    def score(self, q: Question, cands: list[Candidate], matrix: np.ndarray) -> None:
        """Set `c.p` of every candidate."""

    def answerable(self, q: Question, ranked: list[Candidate], latest_year: int | None) -> float:
        """The probability that the best candidates answer the question."""

    def correction(self, q: Question, ranked: list[Candidate]) -> Candidate | None:
        """The candidate that says what did happen, when the question's premise is false."""

    def yes(self, q: Question, best: Candidate) -> bool:
        """For a yes/no question: whether the best sentence says yes."""


class AveragedModel:
    """The mean probability of models fitted the same way on different cross-fittings of the train split: one
    partition of the questions into folds moved the answerability model's dev CRAG by up to 0.03, the mean
    of several much less."""

    def __init__(self, models: list[Any]) -> None:
        self.models = models

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return np.mean([m.predict_proba(x) for m in self.models], axis=0)


@dataclass
class LearnedModels:
    """The fitted models, pickled together in one file beside tuning.json."""

    sentence: Any  # P(sentence answers) from FEATURES
    answerable: Any  # P(question answerable) from QUESTION_FEATURES (`explainer train` fits an AveragedModel)
    correction: Any  # P(sentence corrects a false premise) from FEATURES + p (likewise)
    yes_no: Any | None  # P(yes) from YES_NO_FEATURES
    features: tuple[str, ...] = FEATURES
    sklearn_version: str = ""
    yes_no_features: tuple[str, ...] = ()  # what the yes/no model was fitted on (a file that does not say is refused)


def load_models(directory: Path = MODEL_DIR) -> LearnedModels:
    """The fitted models of `directory`, as pickled by `explainer train` (not yet checked against the features)."""
    import sklearn

    with (directory / "models.pkl").open("rb") as fh:
        models: LearnedModels = pickle.load(fh)  # noqa: S301 - our own file, written by `explainer train`
    if models.sklearn_version != sklearn.__version__:
        log.warning("answer model written with scikit-learn %s, running %s: retrain with `explainer train` if "
                    "answers look wrong", models.sklearn_version, sklearn.__version__)
    return models


class LearnedScorer:
    name = "learned"

    def __init__(self, models: LearnedModels, tuning: Tuning) -> None:
        if tuple(models.features) != FEATURES or tuple(models.yes_no_features) != YES_NO_FEATURES:
            raise ValueError("the answer model was trained on other features: run `explainer train`")
        self.models = models
        self.tuning = tuning

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> LearnedScorer:
        return cls(load_models(directory), Tuning.load(directory / "tuning.json"))

    def save(self, directory: Path = MODEL_DIR) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        with (directory / "models.pkl").open("wb") as fh:
            pickle.dump(self.models, fh, protocol=5)
        self.tuning.save(directory / "tuning.json")

    def score(self, q: Question, cands: list[Candidate], matrix: np.ndarray) -> None:
        if not cands:
            return
        probs = self.models.sentence.predict_proba(matrix)[:, 1]
        for c, p in zip(cands, probs, strict=True):
            c.p = float(p)

    def answerable(self, q: Question, ranked: list[Candidate], latest_year: int | None) -> float:
        row = as_row(question_features(q, ranked, latest_year), QUESTION_FEATURES)
        return float(self.models.answerable.predict_proba(row)[0, 1])

    def correction(self, q: Question, ranked: list[Candidate]) -> Candidate | None:
        top = ranked[: self.tuning.named_depth]
        if not top:
            return None
        probs = self.correction_probabilities(q, top)
        best = int(np.argmax(probs))
        return top[best] if probs[best] >= self.tuning.correction_threshold else None

    def correction_probabilities(self, q: Question, top: list[Candidate]) -> np.ndarray:
        """P(this sentence says what did happen, the question's premise being false) for each of `top`."""
        matrix = np.array([[*c.features, c.p] for c in top], dtype=np.float32)
        return self.models.correction.predict_proba(matrix)[:, 1]

    def yes(self, q: Question, best: Candidate) -> bool:
        if self.models.yes_no is None:
            return not best.features[_COL["denies"]]
        row = as_row(yes_no_features(q, best), YES_NO_FEATURES)
        return bool(self.models.yes_no.predict_proba(row)[0, 1] >= self.tuning.yes_threshold)


class RuleScorer:
    """The weighted formula of the hand-tuned answerer: similarity, word overlap, passage score and cues."""

    name = "rules"

    def __init__(self, tuning: Tuning) -> None:
        self.tuning = tuning

    def score(self, q: Question, cands: list[Candidate], matrix: np.ndarray) -> None:
        t = self.tuning
        if not cands:
            return
        cue = np.zeros(len(cands), dtype=np.float32)
        kind_cue = {"count": "count_near", "date": "new_full_date", "person": "person", "why": "reason",
                    "timeline": "month_year"}.get(q.kind)
        if kind_cue:
            cue = column(matrix, kind_cue)
        score = (t.rule_dense * column(matrix, "dense") + t.rule_overlap * column(matrix, "overlap")
                 + t.rule_passage * column(matrix, "passage") + t.rule_cue * cue
                 + t.rule_claimant * column(matrix, "claimant"))
        for c, s in zip(cands, score, strict=True):
            c.p = float(s)

    def answerable(self, q: Question, ranked: list[Candidate], latest_year: int | None) -> float:
        return 1.0 if ranked and ranked[0].p >= self.tuning.rule_min_score else 0.0

    def correction(self, q: Question, ranked: list[Candidate]) -> Candidate | None:
        denies = [c for c in ranked[: self.tuning.premise_depth] if c.features[_COL["denies"]]]
        return denies[0] if denies else None

    def yes(self, q: Question, best: Candidate) -> bool:
        return not best.features[_COL["denies"]] and not best.features[_COL["negation"]]


def load_scorer(name: str, tuning: Tuning | None = None) -> Scorer:
    """'learned' (the shipped model; its own tuning) or 'rules' (the hand-weighted formula)."""
    if name == "rules":
        return RuleScorer(tuning or Tuning())
    if name == "learned":
        return LearnedScorer.load()
    raise ValueError(f"unknown answer scorer {name!r}; choose 'learned' or 'rules'")
