"""What a sentence holds, read off its words: numbers, dates, names, reasons, attributions, denials.

These are the features a learned scorer cannot find by itself in a few thousand examples; the scorer
learns how much each one matters for each kind of question.
"""

from __future__ import annotations

import datetime as dt
import re

from app.dates import DATE_MENTION, DAY_MONTH, FULL_DATE, MONTH_YEAR, YEAR, parse_period
from app.text import concepts, tokenize, word_concepts, words

PERSON = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?:yan|yev|ov|ev|ian|in)?\b")
NEGATION = frozenset({"not", "no", "never", "neither", "nor", "none", "without", "nobody", "nothing"})
ATTRIBUTION = re.compile(
    r"according to|\b(?:said|says|say|saying|reported|reports|claimed|claims|put|puts|estimated|estimates|gave|"
    r"give|gives|counted|counts|documented|recorded|stated|states|figures?|tolls?|told|announced|accused)\b",
    re.IGNORECASE,
)
REASON = re.compile(
    r"\b(?:because|since|due to|owing to|as a result|in order to|so that|so as to|on the grounds|in protest|"
    r"the reason|reasons?|argu(?:ed|ing|es)|citing|cited|saying that|said that|for fear|to prevent|to avoid|"
    r"to protect|to secure|to ensure|which meant|aimed at|intended to|after|following|led to|caused|"
    r"triggered|prompted|in response)\b",
    re.IGNORECASE,
)
MEASURE_QUESTION = re.compile(r"\bhow (?:long|large|big|far|wide)\b|\bwhat (?:area|length|distance|size)\b", re.I)
MEASURE = re.compile(
    r"\d[\d,.]*[- ](?:square )?(?:kilomet|km|met|mile|hectare|year|month|week|day|hour)", re.IGNORECASE
)
#: what answers a question that asks for a kind of fact (`Question.asks_for`): an age, a time of day, a sum of
#: money, a length, a percentage, a birth, a spouse
AGE = re.compile(r"\b\d{1,3}[- ]years?[- ]olds?\b|\baged \d{1,3}\b|\bage of \d{1,3}\b|\bborn\b", re.I)
CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{1,2} ?[ap]\.?m\b|\b(?:midnight|noon|midday|o'clock|dawn|morning|afternoon|"
                   r"evening)\b", re.I)
MONEY = re.compile(r"[$€£]\s?\d|\bUS\$|\b(?:USD|EUR|AZN|AMD)\s?\d|"
                   r"\b\d[\d,.]*\s?(?:million |billion |bn )?(?:dollars|euros|manats?|roubles|rubles|pounds|drams?)\b",
                   re.I)
LENGTH = re.compile(r"\b\d[\d,.]*[- ]?(?:kilomet\w*|km|met(?:re|er)s?|miles?)\b", re.I)
PERCENT = re.compile(r"\d\s?%|\d\s?per ?cent\b", re.I)
BIRTH = re.compile(r"\bborn\b|\bbirth\b", re.I)
SPOUSE = re.compile(r"\b(?:wife|husband|spouse|married|widow|widower)\b", re.I)
#: the cue of each kind of fact `Question.asks_for` names (people's names are found by `new_person`)
GIVES = {"an age": AGE, "a time of day": CLOCK, "a sum of money": MONEY, "a length": LENGTH, "a percentage": PERCENT,
         "a birth": BIRTH, "a spouse": SPOUSE}
AS_OF = re.compile(r"\b(?:as of|by the end of|since)\s+(?:\d{1,2}\s+)?[A-Z][a-z]+\s+\d{4}|\bas of\s+\d{4}\b", re.I)
#: a sentence whose subject is a pronoun needs its speaker or referent from the sentence before
PRONOUN_SUBJECT = re.compile(r"^(?:He|She|They|It|His|Her|Their|Its|This|These|That|The two|Both)\b")
FUTURE = re.compile(
    r"\b(?:due|scheduled|expected|planned|set|to be held)\s+(?:in|for|by)\s+(?:[A-Z]\w+\s+)?(?P<year>\d{4})\b"
)
PROSPECTIVE = re.compile(r"\b(?:to|for|before|towards|about|on)\s+(\w+ing)\b", re.IGNORECASE)
CLAUSE_END = re.compile(r"[;:]|,\s+(?:and|but|while|whereas|which|although|so|when)\b|\s+but\s+")
TEMPORAL_LIMIT = re.compile(r"\b(?:until|only (?:in|on|after|when)|before|later|yet)\b", re.IGNORECASE)
LIST_SEPARATORS = re.compile(r",|;|\band\b")
NUMBER_NEAR_WORDS = 4  # a count answers a question when it stands this close to one of the question's words
PREFIX = 5  # a denied word and a question word match on this many first letters ('deploy' / 'deployed')
MIN_PREMISE_CHARS = 4  # shorter words are no premise


def undated(text: str) -> str:
    """`text` without its dates ('27 February 1988', 'May 5'), so that the numbers left are counts."""
    return DAY_MONTH.sub(" ", FULL_DATE.sub(" ", text))


def has_count(text: str) -> bool:
    """A number that is not a year or part of a date."""
    return bool(re.search(r"\d[\d,.]*(?!\d)", YEAR.sub("", undated(text))))


def number_near(text: str, terms: set[str] | frozenset[str], distance: int = NUMBER_NEAR_WORDS) -> bool:
    """Whether a number (not a year) stands within `distance` words of one of the question's terms."""
    tokens = re.findall(r"\d[\d,.]*|\w+", undated(text))  # '27 February 1988' is no count
    numbers = [i for i, t in enumerate(tokens) if t[0].isdigit() and not YEAR.fullmatch(t.rstrip(",."))]
    if not numbers:
        return False
    per_word = word_concepts(tokens)
    near = [i for i, t in enumerate(tokens) if not t[0].isdigit() and per_word[i] & terms]
    return any(abs(n - w) <= distance for n in numbers for w in near)


def new_person(text: str, question: str) -> bool:
    """A person's name the question does not already give ('Who signed for Azerbaijan?' wants a name)."""
    asked = set(words(question))
    return any(not set(words(m.group(0))) <= asked for m in PERSON.finditer(text))


def gives(asked: str, text: str, question: str) -> bool:
    """Whether a sentence gives what a question asks for (`Question.asks_for`): an age, a time of day, a sum
    of money, a length, a percentage, a birth, a spouse, or the names of the people asked about."""
    if asked == "their names":
        return new_person(text, question)
    return bool(GIVES[asked].search(text))


def new_full_date(text: str, question: str) -> bool:
    return any(m.group(0) not in question for m in FULL_DATE.finditer(text))


def has_month_year(text: str) -> bool:
    return bool(MONTH_YEAR.search(text))


def list_items(text: str) -> int:
    """How many items a sentence lists (commas, semicolons and 'and's)."""
    return len(LIST_SEPARATORS.findall(text))


def attribution_strength(text: str, claimant: str) -> float:
    """How directly a sentence attributes its content to the claimant: 1.0 when the claimant itself is
    named at the attribution ('according to Armenia', 'Armenia said'), 0.5 when only something of the
    claimant's is ('Armenia's Security Council said'), else 0."""
    if not claimant:
        return 0.0
    name = re.escape(claimant)
    verbs = r"(?:said|says|reported|reports|claimed|claims|put|puts|estimated|estimates|gave|counted|documented)"
    direct = rf"according to (?:the )?{name}\b(?!['’]s)|\b{name}\b(?!['’]s)\s+(?:has |had |also )?{verbs}\b"
    if re.search(direct, text, re.IGNORECASE):
        return 1.0
    stems = set(tokenize(claimant))
    window = 60
    for match in ATTRIBUTION.finditer(text):
        if stems & set(tokenize(text[max(0, match.start() - window) : match.end() + window])):
            return 0.5
    return 0.0


def claims(text: str) -> set[str]:
    """The figures and dates a sentence states (years alone do not count as a claim)."""
    found = {m.group(0) for m in FULL_DATE.finditer(text)}
    found |= {n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", YEAR.sub(" ", FULL_DATE.sub(" ", text)))}
    return found


def denied_term(sentence: str, premise: set[str] | frozenset[str], question: str, window: int) -> str | None:
    """The question term a sentence denies ('no ... force was deployed' against 'how many peacekeepers were
    deployed'), or None. A denial limited in time ('had not been delimited ... until 2024') denies nothing
    about the later time, and an act the question asks about in prospect ('conditions for signing') is no
    premise."""
    prospective = set(concepts(" ".join(PROSPECTIVE.findall(question))))
    premises = [t for t in premise if t not in prospective and len(t) >= MIN_PREMISE_CHARS]
    for clause in CLAUSE_END.split(sentence):  # 'did not intervene, and the ceasefire...' denies no ceasefire
        clause_words = words(clause)
        for i, word in enumerate(clause_words):
            if word not in NEGATION and not word.endswith("n't"):
                continue
            if TEMPORAL_LIMIT.search(" ".join(clause_words[i + 1 :])):
                continue
            for t in tokenize(" ".join(clause_words[i + 1 : i + 1 + window])):
                for p in premises:
                    if len(t) >= MIN_PREMISE_CHARS and (t.startswith(p[:PREFIX]) or p.startswith(t[:PREFIX])):
                        return p
    return None


#: concept pairs where a sentence holding one contradicts a question presupposing the other ('how did armenia
#: win the war' against 'Armenia lost'; 'was it inside the oblast' against 'outside'; 'the whole district'
#: against 'part of the district'); concepts as `app.text.concepts` makes them
ANTONYMS: dict[str, frozenset[str]] = {}
for _a, _b in (("win", "lose"), ("captur", "withdraw"), ("accept", "refus"), ("open", "close"), ("begin", "end"),
               ("rise", "fall"), ("increas", "decreas"), ("sign", "refus"), ("recogn", "refus"), ("agre", "refus"),
               ("insid", "outsid"), ("whole", "part"), ("entir", "part"), ("support", "oppos"), ("favour", "oppos"),
               ("favor", "oppos"), ("stop", "continu"), ("end", "continu")):
    ANTONYMS[_a] = ANTONYMS.get(_a, frozenset()) | {_b}
    ANTONYMS[_b] = ANTONYMS.get(_b, frozenset()) | {_a}


def contradicts(predicate: set[str] | frozenset[str], terms: set[str] | frozenset[str]) -> bool:
    """Whether a sentence's terms hold the opposite of a term the question presupposes, and not the term."""
    return any(t not in terms and ANTONYMS.get(t, frozenset()) & terms for t in predicate)


#: words by which a sentence takes back, limits or sets against what a yes/no question supposes: a negation, a
#: contrast ('but', 'instead', 'rather than'), a limit ('only', 'short of', 'little'), a refusal or a denial ('refused',
#: 'denied', 'rejected', 'boycotted'), an end ('ended', 'removed'), an error ('wrongly') or an opposite
#: place ('outside'); the more a sentence holds, the likelier its answer is "No."
CONTRARY = re.compile(
    r"\b(?:not|no|never|neither|nor|none|without|but|however|although|though|yet|instead|rather than|"
    r"only|short of|little|separately|outside|refused|refuses|rejected|rejects|denied|denies|deny|failed|fails|"
    r"boycotted|unresolved|remained|removed|ended|wrongly|falsely|mistakenly)\b|n't\b",
    re.IGNORECASE,
)


def contrary(text: str) -> int:
    """How many words of `text` take back, limit or set against something (`CONTRARY`)."""
    return len(CONTRARY.findall(text))


def has_negation(text: str) -> bool:
    return any(w in NEGATION or w.endswith("n't") for w in words(text))


def stated_period(text: str, within: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date] | None:
    """The first date (a day or a month) a sentence states inside the period `within`, as a range."""
    for match in DATE_MENTION.finditer(text):
        when = parse_period(match.group(0))
        if when is not None and when[1] >= within[0] and when[0] <= within[1]:
            return when
    return None


def years_in(text: str) -> set[int]:
    return {int(y) for y in YEAR.findall(text)}


def expected_only(texts: list[str], year: int) -> bool:
    """Whether close sentences give `year` only as a future date ('elections due in 2026'): written before
    it, they cannot say what happened then."""
    future = [m for t in texts for m in FUTURE.finditer(t) if m.group("year") == str(year)]
    mentions = sum(t.count(str(year)) for t in texts)
    return bool(future) and mentions == len(future)
