"""`explainer train` on the fixture corpus: labels from evidence, models fitted, thresholds chosen on dev,
saved with their tuning, the same twice (deterministic), and loadable as the answer scorer."""

import json
from pathlib import Path

import numpy as np
import pytest

from app.answering.scoring import YES_NO_FEATURES, AveragedModel, LearnedModels, LearnedScorer
from app.answering.training import PARTITIONS, train
from app.answering.tuning import Tuning
from app.config import Settings
from app.evaluation import labels
from app.explainer import Explainer
from app.ingest import load_documents

TRAIN = [
    ("when was the bishkek protocol signed", "The Bishkek Protocol was signed on 5 May 1994", [["5 May 1994"]]),
    ("when did the truce take effect", "The ceasefire took effect at midnight on 12 May 1994.", [["12 May 1994"]]),
    ("how many peacekeepers did russia deploy", "deployed 1,960 Russian peacekeepers", [["1,960"]]),
    ("what drones did azerbaijan use in 2020", "Turkish-made Bayraktar TB2 drones", [["Bayraktar TB2"]]),
    ("how many people reached armenia by 30 september 2023", "100,417 people had arrived", [["100,417"]]),
    ("how many died in the fuel depot explosion", "A fuel depot explosion near Stepanakert", [["218"]]),
    ("who signed the truce", "Defence ministers Serzh Sargsyan and Mamedrafi Mamedov", [["Serzh Sargsyan"]]),
    ("what colour were the bayraktar drones", None, "missing-attribute"),
    ("who won the 2031 election in armenia", None, "after-sources"),
    ("what is the capital of france", None, "off-topic"),
    ("what was the name of the pilot of the drones", None, "missing-attribute"),
]
DEV = [
    ("when did armenian forces take control of shusha", "Armenian forces took control of Shusha", [["8-9 May 1992"]]),
    ("how many deaths did human rights watch document at khojaly", "Human Rights Watch documented", [["161"]]),
    ("how tall was the mayor of shusha", None, "missing-attribute"),
]


YES_NO = [
    ("did armenian forces take control of shusha in may 1992", "Armenian forces took control of Shusha",
     [["8-9 May 1992"]], "yes"),
    ("did azerbaijan's government put the khojaly toll at 161", "Azerbaijan's government put the number",
     [["613"]], "no"),
]


def write(path: Path, rows: list, docs: dict) -> Path:
    spans = {doc_id: labels.sentence_spans(doc) for doc_id, doc in docs.items()}
    with path.open("w") as fh:
        for i, (question, quote, facts, *yes_no) in enumerate(rows):
            row = {"id": f"{path.stem}-{i}", "question": question}
            if quote:
                doc_id = next(d for d, doc in docs.items() if quote in doc.text)
                row.update(category="yes-no" if yes_no else "factoid", answerable=True, facts=facts,
                           evidence=[{"doc_id": doc_id, "quote": quote}], **({"yes_no": yes_no[0]} if yes_no else {}))
            else:
                row.update(category="unanswerable", answerable=False, facts=[], unanswerable_kind=facts)
            assert labels.resolve(row, docs, spans) == [] and labels.check(row) == [], row
            fh.write(json.dumps(row) + "\n")
    return path


@pytest.fixture
def sets(built: Settings, corpus_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    docs = {d.id: d for d in load_documents([corpus_dir]).documents}
    return write(tmp_path / "train.jsonl", TRAIN, docs), write(tmp_path / "dev.jsonl", DEV, docs)


def test_training_is_deterministic_and_ships_a_loadable_scorer(built: Settings, sets: tuple[Path, Path],
                                                               tmp_path: Path) -> None:
    explainer = Explainer(built)  # the rule scorer: features need no model
    first = train(explainer, *sets, out_dir=tmp_path / "model-a")
    second = train(explainer, *sets, out_dir=tmp_path / "model-b")
    assert first["tuning"] == second["tuning"]
    assert first["train_questions"] == len(TRAIN) and first["dev_questions"] == len(DEV)
    tuning = Tuning.load(tmp_path / "model-a" / "tuning.json")
    assert tuning.trained_on == "train.jsonl" and 0 < tuning.answer_threshold < 1
    a, b = (LearnedScorer.load(tmp_path / name) for name in ("model-a", "model-b"))
    q, hits, vector = explainer.retrieve("when was the bishkek protocol signed")
    cands, matrix = explainer.answerer.candidates(q, hits, vector)
    assert np.array_equal(a.models.sentence.predict_proba(matrix), b.models.sentence.predict_proba(matrix))
    # the question-level models are averaged over the partitions of the questions into folds
    assert len(a.models.answerable.models) == len(a.models.correction.models) == PARTITIONS
    a.score(q, cands, matrix)
    ranked = sorted(cands, key=lambda c: c.p, reverse=True)
    assert a.answerable(q, ranked, None) == b.answerable(q, ranked, None)


def test_an_averaged_model_gives_the_mean_probability() -> None:
    class Fixed:
        def __init__(self, p: float) -> None:
            self.p = p

        def predict_proba(self, x: np.ndarray) -> np.ndarray:
            return np.tile([1 - self.p, self.p], (len(x), 1))

    averaged = AveragedModel([Fixed(0.2), Fixed(0.5), Fixed(0.8)])
    assert np.allclose(averaged.predict_proba(np.zeros((2, 3))), [[0.5, 0.5], [0.5, 0.5]])
    assert np.allclose(AveragedModel([Fixed(0.1), Fixed(0.4)]).predict_proba(np.zeros((1, 3)))[:, 1], [0.25])


def test_answerability_is_labelled_by_whether_the_forced_answer_is_right(built: Settings,
                                                                        sets: tuple[Path, Path]) -> None:
    """P(answerable) learns 'the answer given if it had to answer holds the facts', not 'a labelled sentence
    was retrieved': a retrieved evidence sentence the answer leaves out or garbles still counts as wrong."""
    from dataclasses import replace

    from app.answering.training import ForcedScorer, answered_right, answerer_with, collect
    from app.evaluation.dataset import load_questions

    explainer = Explainer(built)
    items = load_questions(sets[0])
    examples = collect(explainer, explainer.answerer, items)
    tuning = Tuning(answer_threshold=0.0)
    forced = answerer_with(explainer, ForcedScorer(tuning), tuning)
    right = {}
    for ex in examples:
        explainer.answerer.scorer.score(ex.q, ex.cands, ex.matrix)
        ranked = sorted(ex.cands, key=lambda c: c.p, reverse=True)
        right[ex.item.question] = answered_right(explainer, forced, ex, ranked)
        if ex.item.question.startswith("when was the bishkek"):
            impossible = replace(ex, item=ex.item.model_copy(update={"facts": [["5 May 1995"]]}))
            assert not answered_right(explainer, forced, impossible, ranked)  # the facts decide, not retrieval
    assert right["when was the bishkek protocol signed"] and right["how many died in the fuel depot explosion"]
    assert not any(right[q] for q, _, facts in TRAIN if isinstance(facts, str))  # unanswerable: never right


def test_a_saved_tuning_rejects_unknown_fields(tmp_path: Path) -> None:
    path = tmp_path / "tuning.json"
    Tuning(answer_threshold=0.4).save(path)
    assert Tuning.load(path).answer_threshold == 0.4
    path.write_text(json.dumps({"answer_threshold": 0.4, "typo_field": 1}))
    with pytest.raises(ValueError, match="typo_field"):
        Tuning.load(path)


def test_a_model_trained_on_other_yes_no_features_is_refused() -> None:
    """The yes/no model reads its features by position: a pickle written before a feature was added would read
    the wrong columns, so loading it says to retrain instead."""
    for old in (LearnedModels(None, None, None, None, yes_no_features=YES_NO_FEATURES[:-1]),
                LearnedModels(None, None, None, None)):  # a file written before models said what they read
        with pytest.raises(ValueError, match="explainer train"):
            LearnedScorer(old, Tuning())
    current = LearnedModels(None, None, None, None, yes_no_features=YES_NO_FEATURES)
    assert LearnedScorer(current, Tuning()).models is current


def test_the_yes_no_model_is_refitted_alone(built: Settings, sets: tuple[Path, Path], corpus_dir: Path,
                                           tmp_path: Path) -> None:
    """`explainer train --only yes-no` fits the yes/no model on the train split's yes/no questions and keeps
    every other model of the directory as it was."""
    from app.answering.training import refit_yes_no

    explainer = Explainer(built)
    model_dir = tmp_path / "model"
    train(explainer, *sets, out_dir=model_dir)
    before = LearnedScorer.load(model_dir)
    assert before.models.yes_no is None  # the train split of `sets` has no yes/no question
    docs = {d.id: d for d in load_documents([corpus_dir]).documents}
    yes_no_train = write(tmp_path / "yes-no.jsonl", YES_NO, docs)
    result = refit_yes_no(explainer, yes_no_train, sets[1], model_dir)
    after = LearnedScorer.load(model_dir)
    assert result["train_questions"] == len(YES_NO) and -1 <= result["dev_crag"] <= 1
    assert after.models.yes_no is not None and after.models.yes_no_features == YES_NO_FEATURES
    assert after.tuning == before.tuning
    q, hits, vector = explainer.retrieve("when was the bishkek protocol signed")
    cands, matrix = explainer.answerer.candidates(q, hits, vector)
    assert np.array_equal(before.models.sentence.predict_proba(matrix), after.models.sentence.predict_proba(matrix))
