"""`explainer train`: fit the answer scorer on the train split, choose its thresholds on the dev split.

Deterministic (fixed seeds, no early stopping, one pass over the questions in file order) and a few
minutes on 2 CPU cores. The test split is never read here.

1. Every train question is asked through the product's own retrieval; each sentence of the retrieved
   passages becomes a row of features, labelled 1 when it is a labelled evidence sentence (or, for an
   answerable question, holds all of its required facts).
2. Gradient-boosted trees learn P(sentence answers). Out-of-fold predictions (folds by question) feed the
   question-level models, so they learn from probabilities like those seen on new questions:
   P(answerable) from the best candidates and P(sentence corrects a false premise). Each is the mean of
   models fitted on several partitions of the questions into folds (`PARTITIONS`), as one partition's
   luck moved dev CRAG by up to 0.03. P(yes) for a yes/no question reads the sentence that settles it
   against the question, no probability, so `refit_yes_no` (`explainer train --only yes-no`) can fit it
   alone and keep the other models.
3. On the dev split the answer threshold, the keep ratio and floor and the correction threshold are
   chosen by the CRAG-style score of the whole answerer, and saved with the models in one `Tuning`.
"""

from __future__ import annotations

import itertools
import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from app.answering.answer import Answer
from app.answering.extractive import ExtractiveAnswerer
from app.answering.features import FEATURES, Candidate
from app.answering.question import Question
from app.answering.scoring import (
    MODEL_DIR,
    QUESTION_FEATURES,
    YES_NO_FEATURES,
    AveragedModel,
    LearnedModels,
    LearnedScorer,
    as_row,
    load_models,
    question_features,
    yes_no_features,
)
from app.answering.tuning import Tuning
from app.evaluation import metrics
from app.evaluation.dataset import EvalQuestion, load_questions
from app.evaluation.labels import READER_DIR
from app.evaluation.metrics import contains, crag_score, fact_recall

log = logging.getLogger(__name__)

SEED = 0
FOLDS = 3
#: how many partitions of the train questions into folds the question-level models are averaged over (the
#: first is GroupKFold's own, the others shuffled with seeds 1, 2, ...)
PARTITIONS = 5
#: gradient-boosted trees for sentences (many rows) and for questions (few rows)
SENTENCE_TREES = {"max_iter": 300, "learning_rate": 0.05, "max_leaf_nodes": 31, "min_samples_leaf": 20,
                  "l2_regularization": 1.0, "early_stopping": False, "random_state": SEED}
QUESTION_TREES = {"max_iter": 150, "learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 10,
                  "l2_regularization": 1.0, "early_stopping": False, "random_state": SEED}
#: the grid the dev split chooses from
ANSWER_THRESHOLDS = tuple(np.round(np.arange(0.2, 0.81, 0.05), 2))
KEEP_RATIOS = (0.15, 0.2, 0.3, 0.5, 0.7)
KEEP_MINS = (0.1, 0.2, 0.3)
CORRECTION_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


@dataclass
class Example:
    """One question as the answerer sees it: analysis, retrieval, candidates, features and labels."""

    item: EvalQuestion
    q: Question
    hits: list[Any]
    vector: np.ndarray
    cands: list[Candidate]
    matrix: np.ndarray
    labels: np.ndarray  # 1 = this sentence answers the question
    corrects: np.ndarray  # 1 = this sentence says what did happen, for a false premise
    oofs: list[np.ndarray] = field(default_factory=list)  # out-of-fold P(sentence answers), one per partition
    ranked: list[Candidate] = field(default_factory=list)  # scored by the final model (dev examples)


def sentence_labels(item: EvalQuestion, cands: list[Candidate]) -> tuple[np.ndarray, np.ndarray]:
    keys = metrics.evidence_keys(item.evidence)
    answers = np.zeros(len(cands), dtype=np.int8)
    corrects = np.zeros(len(cands), dtype=np.int8)
    for i, c in enumerate(cands):
        if item.answerable:
            holds_facts = bool(item.facts) and all(any(contains(c.text, a) for a in f) for f in item.facts)
            answers[i] = c.key in keys or holds_facts
        elif item.unanswerable_kind == "false-premise":
            corrects[i] = c.key in keys
    return answers, corrects


def collect(explainer: Any, answerer: ExtractiveAnswerer, items: list[EvalQuestion]) -> list[Example]:
    """Retrieve for every question and turn its candidates into labelled feature rows."""
    from tqdm import tqdm

    examples = []
    for item in tqdm(items, desc="candidates", unit="q", disable=not log.isEnabledFor(logging.INFO)):
        q, hits, vector = explainer.retrieve(item.question, item.history)
        cands, matrix = answerer.candidates(q, hits, vector)
        answers, corrects = sentence_labels(item, cands)
        examples.append(Example(item, q, hits, vector, cands, matrix, answers, corrects))
    return examples


def trees(params: dict[str, Any]) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(**params)


def fit_sentences(examples: list[Example], partitions: int = PARTITIONS) -> Any:
    """P(sentence answers), and out-of-fold probabilities for every train example under each of `partitions`
    partitions of the questions into folds (`ex.oofs`)."""
    from sklearn.model_selection import GroupKFold

    rows = [ex for ex in examples if len(ex.cands)]
    x = np.vstack([ex.matrix for ex in rows])
    y = np.concatenate([ex.labels for ex in rows])
    groups = np.concatenate([[i] * len(ex.cands) for i, ex in enumerate(rows)])
    for ex in rows:
        ex.oofs = []
    for partition in range(partitions):
        split = (GroupKFold(n_splits=FOLDS) if partition == 0
                 else GroupKFold(n_splits=FOLDS, shuffle=True, random_state=SEED + partition))
        oof = np.zeros(len(y))
        for train, held in split.split(x, y, groups):
            oof[held] = trees(SENTENCE_TREES).fit(x[train], y[train]).predict_proba(x[held])[:, 1]
        at = 0
        for ex in rows:
            ex.oofs.append(oof[at : at + len(ex.cands)])
            at += len(ex.cands)
    log.info("sentence model: %d rows, %d positive, %d partitions", len(y), int(y.sum()), partitions)
    return trees(SENTENCE_TREES).fit(x, y)


def ranked_with(ex: Example, probs: np.ndarray) -> list[Candidate]:
    for c, p in zip(ex.cands, probs, strict=True):
        c.p = float(p)
    return sorted(ex.cands, key=lambda c: c.p, reverse=True)


class ForcedScorer:
    """Scores already set (out of fold), never declines, no correction: the answer the pipeline would give
    if it had to answer, whose rightness is what P(answerable) is trained to predict."""

    name = "forced"

    def __init__(self, tuning: Tuning) -> None:
        self.tuning = tuning

    def score(self, q: Question, cands: list[Candidate], matrix: np.ndarray) -> None:
        """Keep the out-of-fold probabilities the candidates carry."""

    def answerable(self, q: Question, ranked: list[Candidate], latest_year: int | None) -> float:
        return 1.0

    def correction(self, q: Question, ranked: list[Candidate]) -> Candidate | None:
        return None

    def yes(self, q: Question, best: Candidate) -> bool:
        return True


def answered_right(explainer: Any, forced: ExtractiveAnswerer, ex: Example, ranked: list[Candidate]) -> bool:
    """Whether the answer the pipeline gives when it must answer holds every required fact (a yes/no
    question's polarity is the yes model's part, not answerability's)."""
    if not ex.item.answerable or not ranked:
        return False
    # a hard rule may still decline it, whatever the model says
    return holds_every_fact(explainer, ex.item, forced.respond(ex.q, ranked, ex.vector))


def holds_every_fact(explainer: Any, item: EvalQuestion, answer: Answer) -> bool:
    """Whether an answer was given and holds every required fact (contested places named both ways, as the
    reader sees them)."""
    return not answer.abstained and fact_recall(explainer.names.pair_names(answer.answer), item.facts) == 1.0


def fit_question_models(explainer: Any, examples: list[Example], latest_year: int | None
                        ) -> tuple[AveragedModel, AveragedModel]:
    """P(answerable) and P(sentence corrects a false premise): each the mean of the models fitted on the
    out-of-fold probabilities of every partition (`ex.oofs`, from `fit_sentences`)."""
    partitions = max(len(ex.oofs) for ex in examples)
    fitted = [fit_question_models_once(explainer, examples, latest_year, partition) for partition in range(partitions)]
    return AveragedModel([a for a, _ in fitted]), AveragedModel([c for _, c in fitted])


def fit_question_models_once(explainer: Any, examples: list[Example], latest_year: int | None, partition: int = 0
                             ) -> tuple[Any, Any]:
    """P(answerable) and P(sentence corrects a false premise), on one partition's out-of-fold probabilities.

    'Answerable' is learned as 'the answer the pipeline would give is right': the CRAG-style score rewards
    answering exactly when that is likelier than not, so this is the probability the threshold should cut."""
    untuned = Tuning(answer_threshold=0.0)  # the defaults, not the shipped choice: training reads no old model
    forced = answerer_with(explainer, ForcedScorer(untuned), untuned)
    xa, ya, xc, yc = [], [], [], []
    for ex in examples:
        ranked = ranked_with(ex, ex.oofs[partition]) if len(ex.cands) else []
        xa.append(as_row(question_features(ex.q, ranked, latest_year), QUESTION_FEATURES)[0])
        ya.append(int(answered_right(explainer, forced, ex, ranked)))
        if not ex.item.answerable:
            for c in ranked[: Tuning().named_depth]:
                xc.append([*c.features, c.p])
                yc.append(int(ex.corrects[ex.cands.index(c)]))
    answerable_model = trees(QUESTION_TREES).fit(np.array(xa), np.array(ya))
    correction_model = trees(QUESTION_TREES).fit(np.array(xc), np.array(yc))
    log.info("question models (partition %d): %d questions (%d answerable), %d correction rows", partition, len(ya),
             sum(ya), len(yc))
    return answerable_model, correction_model


def fit_yes_no(examples: list[Example]) -> Any | None:
    """P(yes) for a yes/no question, from the labelled sentence that settles it (the first retrieved) against
    the question. It reads no probability of the sentence model, so it can be refitted alone."""
    from sklearn.linear_model import LogisticRegression

    x, y = [], []
    for ex in examples:
        if not (ex.item.answerable and ex.item.yes_no):
            continue
        settling = next((c for c, label in zip(ex.cands, ex.labels, strict=True) if label), None)
        if settling is not None:
            x.append(as_row(yes_no_features(ex.q, settling), YES_NO_FEATURES)[0])
            y.append(int(ex.item.yes_no == "yes"))
    log.info("yes/no model: %d questions (%d yes)", len(y), sum(y))
    if len(set(y)) < 2:
        return None
    return LogisticRegression(C=1.0, max_iter=1000, random_state=SEED).fit(np.array(x), np.array(y))


def crag(explainer: Any, answerer: ExtractiveAnswerer, examples: list[Example]) -> tuple[float, dict[str, float]]:
    """The CRAG-style score of the answerer on prepared examples (and a breakdown)."""
    scores, corrections = [], []
    for ex in examples:
        answer = answerer.respond(ex.q, ex.ranked, ex.vector)
        correct = (ex.item.answerable and holds_every_fact(explainer, ex.item, answer)
                   and yes_no_ok(ex.item, answer.answer))
        scores.append(crag_score(ex.item.answerable, answer.abstained, correct))
        if ex.item.unanswerable_kind == "false-premise":
            cited = {(c.doc_id, c.start) for c in answer.citations}
            corrections.append(float(answer.abstained and bool(cited & metrics.evidence_keys(ex.item.evidence))))
    return float(np.mean(scores)), {"premise_corrected": float(np.mean(corrections)) if corrections else 0.0}


def yes_no_ok(item: EvalQuestion, text: str) -> bool:
    """A yes/no question's answer starts with the plain yes or no the sources give."""
    if not item.yes_no:
        return True
    return text.strip().lower().startswith(item.yes_no)


class Remembering(LearnedScorer):
    """A learned scorer that computes P(answerable) and the correction probabilities of each question once:
    they depend on its ranked candidates only, not on the thresholds `choose` tries (with the models
    averaged over partitions, computing them for every grid point took ten minutes)."""

    def __init__(self, scorer: LearnedScorer) -> None:
        super().__init__(scorer.models, scorer.tuning)
        self._answerable: dict[int, float] = {}
        self._corrections: dict[int, np.ndarray] = {}

    def answerable(self, q: Question, ranked: list[Candidate], latest_year: int | None) -> float:
        if id(q) not in self._answerable:
            self._answerable[id(q)] = super().answerable(q, ranked, latest_year)
        return self._answerable[id(q)]

    def correction_probabilities(self, q: Question, top: list[Candidate]) -> np.ndarray:
        if id(q) not in self._corrections:
            self._corrections[id(q)] = super().correction_probabilities(q, top)
        return self._corrections[id(q)]


def choose(explainer: Any, scorer: LearnedScorer, dev: list[Example]) -> Tuning:
    """The thresholds with the best dev CRAG score (ties: the earlier grid point, so the lower threshold).
    The examples' questions must stay alive and ranked as they are while it runs (it remembers by question)."""
    scorer = Remembering(scorer)
    best_tuning, best_score = scorer.tuning, -2.0
    for threshold, ratio, floor in itertools.product(ANSWER_THRESHOLDS, KEEP_RATIOS, KEEP_MINS):
        tuning = scorer.tuning.with_(answer_threshold=float(threshold), keep_ratio=ratio, keep_min=floor)
        score, _ = crag(explainer, answerer_with(explainer, scorer, tuning), dev)
        if score > best_score:
            best_tuning, best_score = tuning, score
    log.info("dev CRAG %.3f at threshold %.2f, keep %.2f/%.2f", best_score, best_tuning.answer_threshold,
             best_tuning.keep_ratio, best_tuning.keep_min)
    best_premise = -1.0
    chosen = best_tuning
    for threshold in CORRECTION_THRESHOLDS:
        tuning = chosen.with_(correction_threshold=threshold)
        score, extra = crag(explainer, answerer_with(explainer, scorer, tuning), dev)
        if extra["premise_corrected"] > best_premise:
            best_tuning, best_premise = tuning, extra["premise_corrected"]
    log.info("dev premise correction %.3f at threshold %.2f", best_premise, best_tuning.correction_threshold)
    return best_tuning


def rank_all(scorer: LearnedScorer, examples: list[Example]) -> None:
    """Score every example's candidates with `scorer` and rank them (`ex.ranked`), as the answerer would."""
    for ex in examples:
        scorer.score(ex.q, ex.cands, ex.matrix)
        ex.ranked = sorted(ex.cands, key=lambda c: c.p, reverse=True)


def answerer_with(explainer: Any, scorer: LearnedScorer | ForcedScorer, tuning: Tuning) -> ExtractiveAnswerer:
    base: ExtractiveAnswerer = getattr(explainer.answerer, "extractive", explainer.answerer)
    scorer.tuning = tuning
    answerer = ExtractiveAnswerer(base.index, explainer.names, scorer, tuning, explainer.events, base.claims)
    answerer.featurizer = base.featurizer  # keep its caches
    return answerer


def train(explainer: Any, train_file: Path = READER_DIR / "train.jsonl", dev_file: Path = READER_DIR / "dev.jsonl",
          out_dir: Path = MODEL_DIR) -> dict[str, Any]:
    """Fit, choose thresholds on dev, save to `out_dir`; returns what was done (for the CLI)."""
    import sklearn

    started = time.perf_counter()
    base: ExtractiveAnswerer = getattr(explainer.answerer, "extractive", explainer.answerer)
    train_items, dev_items = load_questions(train_file), load_questions(dev_file)
    train_examples = collect(explainer, base, train_items)
    dev_examples = collect(explainer, base, dev_items)
    sentence_model = fit_sentences(train_examples)
    answerable_model, correction_model = fit_question_models(explainer, train_examples, base.latest_year)
    models = LearnedModels(sentence_model, answerable_model, correction_model, fit_yes_no(train_examples), FEATURES,
                           sklearn.__version__, YES_NO_FEATURES)
    tuning = Tuning(trained_on=str(train_file.name), model="gradient-boosted trees (scikit-learn)")
    scorer = LearnedScorer(models, tuning)
    rank_all(scorer, dev_examples)
    scorer.tuning = choose(explainer, scorer, dev_examples)
    dev_score, extra = crag(explainer, answerer_with(explainer, scorer, scorer.tuning), dev_examples)
    scorer.save(out_dir)
    return {"train_questions": len(train_items), "dev_questions": len(dev_items), "dev_crag": round(dev_score, 3),
            **{k: round(v, 3) for k, v in extra.items()}, "tuning": scorer.tuning.to_dict(),
            "seconds": round(time.perf_counter() - started, 1), "saved": str(out_dir)}


def refit_yes_no(explainer: Any, train_file: Path = READER_DIR / "train.jsonl",
                 dev_file: Path = READER_DIR / "dev.jsonl", model_dir: Path = MODEL_DIR) -> dict[str, Any]:
    """Refit only the yes/no model on the train split's yes/no questions, keeping the other models of
    `model_dir` and their tuning (the yes/no model depends on none of them); returns the dev figures with it."""
    started = time.perf_counter()
    base: ExtractiveAnswerer = getattr(explainer.answerer, "extractive", explainer.answerer)
    train_items = [item for item in load_questions(train_file) if item.yes_no]
    models = replace(load_models(model_dir), yes_no=fit_yes_no(collect(explainer, base, train_items)),
                     yes_no_features=YES_NO_FEATURES)
    scorer = LearnedScorer(models, Tuning.load(model_dir / "tuning.json"))
    dev_examples = collect(explainer, base, load_questions(dev_file))
    rank_all(scorer, dev_examples)
    dev_score, extra = crag(explainer, answerer_with(explainer, scorer, scorer.tuning), dev_examples)
    scorer.save(model_dir)
    return {"refitted": "yes-no", "train_questions": len(train_items), "dev_questions": len(dev_examples),
            "dev_crag": round(dev_score, 3), **{k: round(v, 3) for k, v in extra.items()},
            "seconds": round(time.perf_counter() - started, 1), "saved": str(model_dir)}
