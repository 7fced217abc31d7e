"""Candidate sentences and the features a scorer reads off each (question, sentence) pair.

A candidate is a sentence of a retrieved passage. Its features say how close it is to the question
(embedding similarity, the question's terms it holds, split into the names and what is asked about
them), whether it holds the kind of answer asked for (a count, a date, a name, a reason, a list...), and
where it stands among the other candidates, so that a scorer can tell the best sentence of a close
passage from the best sentence of a passage that only shares a name with the question.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from app.answering import cues
from app.answering.question import KINDS, Question
from app.index import Index, Sentence
from app.ingest import KINDS as DOC_KINDS
from app.names import NameIndex
from app.retrieval import Hit
from app.text import sentence_terms

FEATURES: tuple[str, ...] = (
    "dense", "dense_gap", "passage", "passage_rank", "overlap", "overlap_gap", "history_overlap",
    "predicate", "predicate_gap", "predicate_dense", "predicate_dense_gap", "names", "names_in_doc", "names_gap",
    "unknown_predicate",
    "count", "count_near", "measure", "full_date", "new_full_date", "month_year", "year", "asked_year",
    "other_year_only", "person", "reason", "list_items", "attribution", "claimant", "as_of", "negation",
    "denies", "contradicts", "pronoun_subject", "length", "position", "in_period", "n_predicate", "n_names",
    *(f"q_{k}" for k in KINDS), *(f"doc_{k}" for k in sorted(DOC_KINDS)),
)
CACHE_SIZE = 20000  # sentences whose terms are kept between questions
DOC_CACHE_SIZE = 256  # documents whose terms are kept between questions
LENGTH_SCALE = 200.0  # characters of a typical sentence


@dataclass
class Candidate:
    """A sentence of a retrieved passage, with what a scorer and the composer need of it."""

    sentence: Sentence
    hit: Hit
    rank: int  # the rank of its passage among the retrieved ones
    terms: frozenset[str]
    p: float = 0.0  # the probability that it answers the question, once scored
    features: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32), repr=False)

    @property
    def key(self) -> tuple[str, int]:
        return (self.sentence.doc_id, self.sentence.start)

    @property
    def text(self) -> str:
        return self.sentence.text


class _LRU(OrderedDict):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_or(self, key: object, make):  # noqa: ANN001, ANN202 - a tiny cache
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        if len(self) > self.size:
            self.popitem(last=False)
        return value


class Featurizer:
    """Turns retrieved passages into scored-ready candidates for one index."""

    def __init__(self, index: Index, names: NameIndex) -> None:
        self.index = index
        self.names = names
        stats = index.stats
        self.df = stats.df
        self.n = max(stats.sentences, 1)
        self.max_idf = math.log(1 + self.n)
        self._terms = _LRU(CACHE_SIZE)
        self._doc_terms = _LRU(DOC_CACHE_SIZE)

    def idf(self, term: str) -> float:
        count = self.df.get(term)
        return math.log(1 + self.n / count) if count else self.max_idf

    def terms(self, sentence: Sentence) -> frozenset[str]:
        return self._terms.get_or(
            (sentence.doc_id, sentence.start), lambda: frozenset(sentence_terms(sentence.text, self.names))
        )

    def terms_of(self, text: str) -> frozenset[str]:
        return frozenset(sentence_terms(text, self.names))

    def doc_terms(self, doc_id: str) -> frozenset[str]:
        return self._doc_terms.get_or(
            doc_id, lambda: frozenset(sentence_terms(self.index.document(doc_id).text, self.names))
        )

    def candidates(self, hits: list[Hit]) -> list[Candidate]:
        """Every sentence of the passages, once, with the rank of the first passage that holds it."""
        out: list[Candidate] = []
        seen: set[tuple[str, int]] = set()
        for rank, hit in enumerate(hits):
            for sentence in self.index.sentences_for([hit.chunk]):
                key = (sentence.doc_id, sentence.start)
                if key not in seen:
                    seen.add(key)
                    out.append(Candidate(sentence, hit, rank, self.terms(sentence)))
        return out

    def share(self, terms: set[str] | frozenset[str], have: frozenset[str], weights: dict[str, float] | None = None
              ) -> float:
        """The idf-weighted share of `terms` that `have` holds (1.0 when there are no terms)."""
        if not terms:
            return 1.0
        weight = {t: self.idf(t) * (weights.get(t, 1.0) if weights else 1.0) for t in terms}
        # math.fsum is exact, so the share does not depend on the order a set of terms is iterated in (a last
        # bit of difference between processes was enough to move the trained models)
        total = math.fsum(weight.values()) or 1.0
        return math.fsum(w for t, w in weight.items() if t in have) / total

    def featurize(self, q: Question, cands: list[Candidate], query_vector: np.ndarray, window: int) -> np.ndarray:
        """The feature matrix of the candidates (rows) in FEATURES order (columns); also sets `c.features`."""
        if not cands:
            return np.zeros((0, len(FEATURES)), dtype=np.float32)
        own = {t for t in q.terms if q.terms[t] >= 1.0}
        history = {t for t in q.terms if q.terms[t] < 1.0}
        names = set(q.names)
        unknown = sum(1 for t in q.predicate if t not in self.df) / max(len(q.predicate), 1)
        best_hit = max(c.hit.score for c in cands) or 1.0
        vectors = np.stack([c.sentence.vector for c in cands])
        dense = vectors @ np.asarray(query_vector, dtype=np.float32)
        asked = (vectors @ np.asarray(q.predicate_vector, dtype=np.float32) if q.predicate_vector is not None
                 else np.ones(len(cands), dtype=np.float32))
        rows = []
        for c, sim, predicate_sim in zip(cands, dense, asked, strict=True):
            text = c.text
            doc = c.hit.document
            years = cues.years_in(text)
            rows.append({
                "dense": float(sim),
                "passage": c.hit.score / best_hit,
                "passage_rank": c.rank,
                "overlap": self.share(own, c.terms),
                "history_overlap": self.share(history, c.terms) if history else 0.0,
                "predicate": self.share(q.predicate, c.terms),
                "predicate_dense": float(predicate_sim),
                "names": self.share(names, c.terms),
                "names_in_doc": self.share(names, self.doc_terms(c.sentence.doc_id)),
                "unknown_predicate": unknown,
                "count": float(cues.has_count(text)),
                "count_near": float(cues.number_near(text, own)),
                "measure": float(bool(cues.MEASURE.search(text))),
                "full_date": float(bool(cues.FULL_DATE.search(text))),
                "new_full_date": float(cues.new_full_date(text, q.text)),
                "month_year": float(cues.has_month_year(text)),
                "year": float(bool(years)),
                "asked_year": float(bool(years & set(q.years))),
                "other_year_only": float(bool(q.years) and bool(years) and not years & set(q.years)),
                "person": float(cues.new_person(text, q.text)),
                "reason": float(bool(cues.REASON.search(text))),
                "list_items": float(cues.list_items(text)),
                "attribution": float(bool(cues.ATTRIBUTION.search(text))),
                "claimant": cues.attribution_strength(text, q.claimant),
                "as_of": float(bool(cues.AS_OF.search(text))),
                "negation": float(cues.has_negation(text)),
                "denies": float(bool(cues.denied_term(text, q.predicate, q.text, window))),
                "contradicts": float(cues.contradicts(q.predicate, c.terms)),
                "pronoun_subject": float(bool(cues.PRONOUN_SUBJECT.match(text))),
                "length": len(text) / LENGTH_SCALE,
                "position": c.sentence.start / max(len(doc.text), 1),
                "in_period": float(bool(q.period and cues.stated_period(text, q.period))),
                "n_predicate": float(len(q.predicate)),
                "n_names": float(len(names)),
                **{f"q_{k}": float(q.kind == k) for k in KINDS},
                **{f"doc_{k}": float(doc.kind == k) for k in DOC_KINDS},
            })
        for key, gap in (("dense", "dense_gap"), ("overlap", "overlap_gap"), ("predicate", "predicate_gap"),
                         ("predicate_dense", "predicate_dense_gap"), ("names", "names_gap")):
            top = max(r[key] for r in rows)
            for r in rows:
                r[gap] = top - r[key]
        matrix = np.array([[r[name] for name in FEATURES] for r in rows], dtype=np.float32)
        for c, row in zip(cands, matrix, strict=True):
            c.features = row
        return matrix
