"""Every weight and threshold of the answerer in one frozen, typed object.

It is saved beside the trained model (`model/tuning.json`), loaded with it, and written into every
evaluation report, so a figure can always be traced to the numbers that produced it. Thresholds marked
"chosen on dev" are set by `explainer train` on the dev split (never the test split); the others are
design constants documented here rather than numbers buried in function bodies.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Tuning:
    # -- candidates -------------------------------------------------------------------------------------
    passages: int = 12  # retrieved passages whose sentences are candidates
    history_weight: float = 0.35  # weight of an earlier question's words against the new question's (1.0)

    # -- rule scorer (the hand-tuned baseline kept for comparison; weights fitted on the old dev set) -------
    rule_dense: float = 0.55  # cosine similarity of sentence and question
    rule_overlap: float = 0.35  # idf-weighted share of the question's terms in the sentence
    rule_passage: float = 0.10  # fused retrieval score of the sentence's passage
    rule_cue: float = 0.12  # the sentence has the kind of answer asked for
    rule_claimant: float = 0.20  # the sentence attributes its claim to the claimant asked about
    rule_min_score: float = 0.45  # below this best score the rule scorer declines

    # -- learned scorer ---------------------------------------------------------------------------------
    answer_threshold: float = 0.5  # declines when P(answerable) is below this (chosen on dev)
    keep_ratio: float = 0.5  # a further sentence is kept when its probability is at least this share of the best
    keep_min: float = 0.2  # ...and at least this probability (chosen on dev)
    correction_threshold: float = 0.5  # a declined question's premise is corrected above this (chosen on dev)
    yes_threshold: float = 0.5  # a yes/no question is answered "Yes." at or above this probability
    list_keep_ratio: float = 0.25  # the same share for list questions, which gather every item
    max_sentences: int = 4  # most sentences in an explanation (why, how, compare, other)
    max_fact_sentences: int = 2  # most sentences for a count, date, name, place or yes/no
    max_list_sentences: int = 8  # most sentences in a list answer
    near_duplicate: float = 0.9  # cosine above which a sentence says again what a chosen one says

    # -- abstention rules -------------------------------------------------------------------------------
    named_depth: int = 10  # every name the question gives must occur in one of this many best sentences
    common_df_share: float = 0.1  # a term in more than this share of sentences says little about a topic
    premise_depth: int = 3  # how many best sentences may reveal a false premise
    premise_window: int = 6  # words after a negation that it denies

    # -- rival claims and structured facts --------------------------------------------------------------
    max_rival_claims: int = 5  # most claims of a contested figure given side by side
    rival_min: float = 0.05  # a rival claim's sentence needs at least this probability

    # -- timeline answers -------------------------------------------------------------------------------
    timeline_dense: float = 0.6  # weight of an event's similarity to the question
    timeline_overlap: float = 0.4  # weight of the question's topic words in the event
    timeline_salience: float = 0.15  # weight of how much the documents talk about the event's day
    timeline_margin: float = 0.3  # events within this score of the best one are given
    timeline_topic_overlap: float = 0.3  # ...and so are events holding this share of the topic words
    timeline_min_dense: float = 0.45  # a period whose best event is less similar names nothing of the topic
    timeline_short_days: int = 62  # a period this short is all about the conflict
    timeline_max_events: int = 5  # most events in a timeline answer
    timeline_dated_extra: int = 2  # most document sentences that complete a timeline answer

    # -- what the model was trained on (filled in by `explainer train`) ---------------------------------
    trained_on: str = ""  # the question files of the training split
    model: str = ""  # which scorer the model file holds

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> Tuning:
        """A saved tuning; fields it lacks keep their defaults, unknown ones are an error."""
        data = json.loads(path.read_text())
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"{path}: unknown tuning fields {sorted(unknown)}")
        return cls(**data)

    def with_(self, **changes: Any) -> Tuning:
        return replace(self, **changes)
