"""Selection: which scored sentences make the answer, by what the question asks.

A factoid gets the sentence that holds its answer and at most one close second; a list gathers every
sentence that adds items, across passages and from the office holders of claims.yaml; a contested or
compared figure gets every side's claim with who makes it; an explanation is told in the order things
happened. Nothing is said twice: a sentence close in meaning to a chosen one that adds no figure of its
own is left out.
"""

from __future__ import annotations

from collections.abc import Callable

from app.answering import cues
from app.answering.claims import Claims
from app.answering.features import Candidate, Featurizer
from app.answering.question import Question
from app.answering.tuning import Tuning
from app.index import Index
from app.retrieval import Hit

FACT_KINDS = frozenset({"count", "date", "person", "place", "yes-no"})


def repeats(c: Candidate, chosen: list[Candidate], tuning: Tuning) -> bool:
    """Whether a sentence says again what a chosen one says: nearly the same meaning and no figure or date
    of its own ('... Armenians displaced ... 300,000' and '... Azerbaijanis displaced ... 724,000' are two
    facts)."""
    close = [o for o in chosen if float(c.sentence.vector @ o.sentence.vector) > tuning.near_duplicate]
    if not close:
        return False
    have = set().union(*(cues.claims(o.text) for o in close))
    return cues.claims(c.text) <= have


def limit_for(q: Question, tuning: Tuning) -> int:
    if q.kind == "list":
        return tuning.max_list_sentences
    if q.kind in FACT_KINDS:
        return tuning.max_fact_sentences
    return tuning.max_sentences


def by_probability(q: Question, ranked: list[Candidate], tuning: Tuning) -> list[Candidate]:
    """The best sentence and those close enough in probability, without repeats."""
    best = ranked[0]
    ratio = tuning.list_keep_ratio if q.kind == "list" else tuning.keep_ratio
    floor = max(tuning.keep_min, best.p * ratio)
    limit = limit_for(q, tuning)
    chosen = [best]
    for c in ranked[1:]:
        if len(chosen) >= limit or c.p < floor:
            break
        if not repeats(c, chosen, tuning):
            chosen.append(c)
    return chosen


def naming_all(q: Question, ranked: list[Candidate], tuning: Tuning) -> Candidate:
    """For a yes/no question: the best close sentence that names everything the question names ('was agdam
    inside the nkao' is settled by a sentence about Agdam and the NKAO, not by one about the NKAO alone)."""
    best = ranked[0]
    floor = max(tuning.keep_min, best.p * tuning.keep_ratio)
    names = set(q.names)
    for c in ranked[: tuning.named_depth]:
        if c.p < floor:
            break
        if names <= c.terms:
            return c
    return best


def rival_claims(q: Question, ranked: list[Candidate], chosen: list[Candidate], claims: Claims,
                 find: Callable[[str, str], Candidate | None], tuning: Tuning) -> list[Candidate]:
    """For a contested figure: every claim of claims.yaml about the quantities the chosen sentences state,
    and attributed sentences among the candidates that bring a figure the answer lacks."""
    if not (q.kind in ("count", "compare", "date") or q.rival) or q.claimant:
        return chosen
    out = list(chosen)
    keys = {c.key for c in out}
    for c in chosen:
        for figure in claims.rivals(c.sentence.doc_id, c.text):
            found = find(figure.doc_id, figure.sentence)
            if found is not None and found.key not in keys and len(out) < tuning.max_rival_claims:
                out.append(found)
                keys.add(found.key)
    if q.kind == "date":
        return out
    have = set().union(*(cues.claims(c.text) for c in out))
    for c in ranked[1:]:
        if len(out) >= tuning.max_rival_claims or c.p < tuning.rival_min:
            break
        if c.key in keys or not cues.ATTRIBUTION.search(c.text):
            continue
        new = cues.claims(c.text) - have
        if new and cues.number_near(c.text, q.predicate | set(q.names)):
            out.append(c)
            keys.add(c.key)
            have |= new
    return out


def office_holders(q: Question, claims: Claims, featurizer: Featurizer, index: Index) -> list[Candidate]:
    """For 'who were the presidents of artsakh': every holder's sentence, in order of term."""
    if q.kind != "list":
        return []
    found: list[Candidate] = []
    for holder in claims.holders(q.own_terms, lambda text: set(featurizer.terms_of(text))):
        c = locate(index, featurizer, holder.doc_id, holder.sentence)
        if c is not None and c.key not in {f.key for f in found}:
            found.append(c)
    return found


def locate(index: Index, featurizer: Featurizer, doc_id: str, sentence: str) -> Candidate | None:
    """The candidate for a sentence of claims.yaml (found in its document), or None if it is not there."""
    doc = index.documents.get(doc_id)
    if doc is None:
        return None
    at = doc.text.find(sentence)
    if at < 0:
        return None
    chunk = index.chunk_at(doc_id, at)
    starts = [s for s, e in chunk.sentences if s <= at < e]
    found = index.sentence_at(doc_id, starts[0]) if starts else None
    if found is None:
        return None
    return Candidate(found, Hit(chunk, doc, 0.0), len(chunk.sentences), featurizer.terms(found))


def latest_first(chosen: list[Candidate], ranked: list[Candidate], tuning: Tuning) -> list[Candidate]:
    """For a question about the present ('who is currently...'): the sources' own statement of the state
    they last saw ('As of November 2025, ...') leads, when a close sentence makes one."""
    floor = max(tuning.keep_min, ranked[0].p * tuning.keep_ratio) if ranked else 1.0
    stated = [c for c in ranked if cues.AS_OF.search(c.text) and c.p >= floor]
    if not stated:
        return chosen
    lead = stated[0]
    return [lead, *(c for c in chosen if c.key != lead.key)][: max(len(chosen), 1)]


def chronological(chosen: list[Candidate]) -> list[Candidate]:
    """The best sentence first, then the others in the order of their documents' periods and positions."""
    def when(c: Candidate) -> tuple[str, str, int]:
        doc = c.hit.document
        return (doc.period_start or doc.date or "", doc.id, c.sentence.start)

    return [chosen[0], *sorted(chosen[1:], key=when)]
