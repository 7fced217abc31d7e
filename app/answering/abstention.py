"""When to decline: a list of rules, each returning the reason the sources do not support an answer.

The rules run in order and the first reason wins. The hard rules catch what no score can (a time after the
sources end, a name they never mention); the last one is the learned answerability: the probability that
the best candidates answer the question, against a threshold chosen on the dev split. Reasons name the
reader's own words ('height'), never stems.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.answering import cues, selection
from app.answering.features import Candidate, Featurizer
from app.answering.question import HOW_TYPED, Question
from app.answering.tuning import Tuning


@dataclass
class Context:
    """What the rules may look at besides the question and the ranked candidates."""

    featurizer: Featurizer
    tuning: Tuning
    latest_year: int | None
    p_answerable: float


Rule = Callable[[Question, list[Candidate], Context], str | None]


def nothing_retrieved(q: Question, ranked: list[Candidate], ctx: Context) -> str | None:
    return "no passage was retrieved" if not ranked else None


def after_the_sources(q: Question, ranked: list[Candidate], ctx: Context) -> str | None:
    if ctx.latest_year and q.years and max(q.years) > ctx.latest_year:
        return f"the question is about {max(q.years)}, after the sources end ({ctx.latest_year})"
    return None


def unknown_name(q: Question, ranked: list[Candidate], ctx: Context) -> str | None:
    """A capitalised name none of the documents has a word of ('Japan', 'Zelensky')."""
    unknown = [w for w in q.capitalised if not any(ctx.featurizer.df.get(t) for t in ctx.featurizer.terms_of(w))]
    return f"the sources never mention {', '.join(dict.fromkeys(unknown))}" if unknown else None


def name_not_close(q: Question, ranked: list[Candidate], ctx: Context) -> str | None:
    """A name the question gives that none of the closest sentences (nor their documents) mentions."""
    close = ranked[: ctx.tuning.named_depth]
    present: set[str] = set()
    for c in close:
        present |= c.terms
    missing = [name for term, name in q.names.items() if term not in present]
    if missing and close:
        docs = set().union(*(ctx.featurizer.doc_terms(c.sentence.doc_id) for c in close[:1]))
        missing = [name for term, name in q.names.items() if term not in present and term not in docs]
    return f"no close source mentions {', '.join(dict.fromkeys(missing))}" if missing else None


def only_expected(q: Question, ranked: list[Candidate], ctx: Context) -> str | None:
    texts = [c.text for c in ranked[: ctx.tuning.premise_depth]]
    for year in q.years:
        if cues.expected_only(texts, year):
            return f"the closest sources, written before it, only expect it in {year}"
    return None


def not_given(q: Question, ranked: list[Candidate], ctx: Context) -> str | None:
    """A question asking for a kind of fact no paraphrase stands in for (`Question.asks_for`: an age, a time of
    day, a sum of money, a length, a percentage, a birth, a spouse, people's names), when none of the sentences
    the answer would quote (the best and those close to it, as `selection.by_probability` keeps them) gives
    one: a biography is no answer to 'how old was he', a date none to 'at what hour', and another man's birth
    among the ten closest sentences none to 'where was general safonov born'."""
    if not q.asks_for:
        return None
    quoted = selection.by_probability(q, ranked[: ctx.tuning.named_depth], ctx.tuning) if ranked else []
    if any(cues.gives(q.asks_for, c.text, q.text) for c in quoted):
        return None
    return f"no close source gives {q.asks_for}"


def not_answerable(q: Question, ranked: list[Candidate], ctx: Context) -> str | None:
    """The learned (or rule) answerability below its threshold; the reason names what no source says."""
    if ctx.p_answerable >= ctx.tuning.answer_threshold:
        return None
    best = ranked[0]
    missing = [q.words_of[t] for t in sorted(q.predicate)
               if t not in best.terms and t in q.words_of and not HOW_TYPED.fullmatch(q.words_of[t])]
    if missing:
        return f"no close source says anything about {', '.join(dict.fromkeys(missing))}"
    return "no passage is close enough to the question"


#: the rules no score can overrule, in order; then the learned answerability
HARD_RULES: tuple[Rule, ...] = (nothing_retrieved, after_the_sources, unknown_name, name_not_close, only_expected,
                                not_given)
RULES: tuple[Rule, ...] = (*HARD_RULES, not_answerable)


def reason(q: Question, ranked: list[Candidate], ctx: Context, rules: tuple[Rule, ...] = RULES) -> str | None:
    """The first rule's reason for declining, or None when the sources support an answer."""
    for rule in rules:
        why = rule(q, ranked, ctx)
        if why:
            return why
    return None
