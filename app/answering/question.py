"""Question analysis, done once per question: what kind of answer it wants, which of its words name
something and which ask something about it, and what a follow-up borrows from the conversation.

Readers type "whats the death toll of khojaly", "did the us call off the exercise", "and when did it end":
nothing here relies on capital letters or a question mark, and names are found through names.yaml's
variants (case and accents folded) as well as capitalised words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np

from app.dates import YEAR, parse_period
from app.names import ENTITY_PREFIX, Entity, NameIndex
from app.text import PHRASES, STOPWORDS, concepts, fold, sentence_terms, words

KINDS = ("yes-no", "why", "how", "list", "count", "date", "person", "place", "compare", "timeline", "other")

# the kinds of answer, tried in order on the question lower-cased and with "whats"/"wat" spelled out
KIND_PATTERNS: tuple[tuple[str, str], ...] = (
    ("timeline", r"^(?:so |and |ok |then )?what (?:happened|took place|were the (?:main |key )?events)\b"
     r"|^(?:main |key )?events (?:in|of|between|during)\b|\btimeline of\b"),
    ("compare", r"\b(?:compare|compared|comparison|differ|different|difference|versus|vs\.?|each side|both sides|"
     r"each say|each claim|rival (?:figures|claims|accounts)|according to (?:each|both))\b"),
    ("why", r"^(?:so |and |but )?why\b|\bhow come\b|\bwhat (?:caused|led to|triggered|prompted|was behind)\b|"
     r"\b(?:the )?reasons? (?:for|why|behind)\b|\bwhat was the reason\b"),
    ("list", r"^(?:list|name|enumerate)\b|\b(?:list|name) (?:all|every|the)\b|\bwhich (?:\w+ ){0,2}(?:countries|"
     r"districts|towns|cities|villages|states|points|terms|leaders|presidents|people|groups|powers|regions|"
     r"organisations|organizations|resolutions|provisions|principles|members|co-chairs|parties)\b|"
     r"\bwhat (?:were|are) (?:the )?(?:main |key )?(?:points|terms|provisions|principles|districts|conditions|"
     r"elements|demands|parts)\b|\bwho (?:were|are|have been) (?:all )?the\b|\ball the\b|\bevery\b|"
     r"^(?:what|which) (?:\w+ ){0,3}?\w{3,}(?<!ss)(?<!ous)(?<!is)s (?:did|were|are|was|have|had|do|does|came|"
     r"could|can|would|will|took|fell|signed|made)\b|\b(?:the )?(?:two|three|four|five|six|seven|eight) \w+s\b|"
     r"^names? of\b|\bwhat (?:were|are) (?:the |\w+'s )\w+s\b"),
    ("count", r"\bhow (?:many|much)\b|\bnumber of\b|\b(?:death )?toll\b|\bhow (?:large|big|long|far|wide)\b|"
     r"\bwhat (?:percentage|percent|share|proportion|area|size)\b|\bvote count\b|\bturnout\b|\bcasualt"),
    ("date", r"^(?:so |and )?(?:when|what (?:year|date|day|month))\b|\b(?:in|on) (?:what|which) (?:year|date|day|"
     r"month)\b|\bwhen (?:did|was|were|is|does)\b"),
    ("person", r"^(?:so |and )?(?:who|whom|whose)\b|^which (?:\w+ )?(?:official|leader|president|minister|person|"
     r"man|woman|commander)\b"),
    ("place", r"^(?:so |and )?where\b|\bin (?:what|which) (?:town|city|village|place|district|country)\b"),
    ("how", r"^(?:so |and )?how (?:did|does|do|was|were|is|are|has|have|had|could|can)\b|^(?:can you )?explain\b|"
     r"^describe\b|^tell me (?:about|how)\b"),
)
YES_NO = re.compile(
    r"^(?:so |and |but |ok )?(?:is it true that |is it right that |was it true that )?"
    r"(?:is|are|was|were|did|does|do|has|have|had|can|could|will|would|should|didn'?t|wasn'?t|isn'?t|weren'?t|"
    r"doesn'?t|hasn'?t|haven'?t)\b"
)
#: an 'or' that offers alternatives to choose between ('was it shot down or did it crash', 'or just one'), not
#: one that joins the things a yes/no question asks about ('a UN or OSCE mandate')
ALTERNATIVES = re.compile(
    r"\bor (?:is|are|was|were|did|does|do|has|have|had|just|only|rather|merely|simply)\b|"
    r"^(?:so |and |but )?(?:is|was|are|were) (?:it|this|that|they)\b.*\bor\b"
)
#: a request put as a question ('can you explain how...', 'could you list...') asks what follows it
REQUEST = re.compile(r"^(?:so |and )?(?:(?:can|could|would|will) you (?:please )?|please )"
                     r"(?=(?:explain|tell|describe|list|give|name|show|say|summari[sz]e)\b)")
IS_IT_TRUE = re.compile(r"^(?:so |and )?is it (?:true|right|correct) that\b")
#: how readers shorten words: spelled out before anything else reads the question
SPELLING = (
    (r"\bwhats\b", "what is"), (r"\bwat\b", "what"), (r"\bwen\b", "when"), (r"\bwhos\b", "who is"),
    (r"\bwhen's\b", "when is"), (r"\bwheres\b", "where is"), (r"\bhows\b", "how is"), (r"\bu\b", "you"),
    (r"\bppl\b", "people"), (r"\bgovt\b", "government"), (r"\b(?:bc|coz|cuz)\b", "because"),
    (r"\baze\b", "azerbaijan"), (r"\barm\b", "armenia"), (r"\bnk\b", "nagorno-karabakh"),
    (r"\busa\b", "united states"), (r"\b2nd war\b", "second war"),
    (r"\b1st war\b", "first war"), (r"\b44 day war\b", "44-day war"), (r"\b4 day war\b", "four-day war"),
    *((rf"\b{short}\.?(?=\s|$)", month) for short, month in (
        ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("jun", "june"),
        ("jul", "july"), ("aug", "august"), ("sept?", "september"), ("oct", "october"), ("nov", "november"),
        ("dec", "december"))),
    # years of the first war's era written short, after the months are spelled out: '1988-94', '91-92',
    # 'in 93', 'march 92', 'the 94 ceasefire', 'the 90s' (a number that counts something stays: 'of 88 people')
    (r"\b(19|20)(\d\d)-(\d\d)\b(?!-)", r"\1\2-\g<1>\3"),
    (r"(?<![\d,.'-])'?([89]\d)-'?([89]\d)\b(?![-%]| ?(?:km|per))", r"19\1-19\2"),
    (r"\bthe '?([89]0)'?s\b", r"the 19\1s"),
    (r"\b(in|of|since|after|before|by|until|early|late|mid|spring|summer|autumn|fall|winter|the|january|february|"
     r"march|april|may|june|july|august|september|october|november|december) '?([89]\d)\b"
     r"(?=\s*$|[,?.!)]|\s+-|\s+(?:and|or|to|ceasefire|war|offensive|elections?|referendum|census|constitution|"
     r"protocol|agreement|talks|summit|run-?off|clashes|fighting|events|what|when|why|how|did|was|were|who)\b)",
     r"\1 19\2"),
)
#: how readers type a question's frame ('vs', 'wasnt', 'whens'): a reason for declining never names these as
#: what the sources do not say ('whats', 'whos' and the like never get that far: SPELLING spells them out)
HOW_TYPED = re.compile(r"vs\.?|versus|whens|(?:did|does|do|was|were|is|are|has|have|had|could|would|should|wo|ca)nt",
                       re.IGNORECASE)
#: words of a question that say how it is asked, not what is asked about: no premise and no predicate
FILLER = frozenset(concepts(
    "exactly actually really like something someone anything used use called call get got go went goes put even "
    "one guy right per list every try tried know think mostly finally basically kind sort happen happened thing "
    "things stuff please tell explain say said mean means true"
))
#: questions that ask for a kind of fact no paraphrase stands in for: an age, a time of day, a sum of money, a
#: length, a percentage, a birth, a spouse, people's names (each has its cue in `cues.GIVES`)
ASKS_FOR = (
    ("a sum of money", re.compile(r"\bhow much\b.*\b(?:cost|costs|spend|spent|pay|paid)\b|\bbudget\b|\bnet worth\b")),
    ("a length", re.compile(
        r"\b(?:in|how many) (?:km|kilomet\w*|miles|met(?:re|er)s)\b|"
        r"\bhow long (?:is|was|will be) the (?:\w+ )?(?:bridge|tunnel|runway|road|route|border)\b")),
    ("a percentage", re.compile(r"\bwhat (?:percent|percentage)\b|\bhow many percent\b")),
    ("a birth", re.compile(r"\bborn\b|\bdate of birth\b|\bbirthday\b|\bbirthplace\b")),
    ("a spouse", re.compile(r"\b(?:wife|husband|spouse)\b|\bmarried to\b|\bwho did \w+(?: \w+)? marry\b")),
    ("an age", re.compile(r"\bhow old\b|\b(?:at )?what age\b")),
    ("a time of day", re.compile(r"\b(?:what|which) (?:time|hour)\b(?! (?:period|frame|span|line))")),
    ("their names", re.compile(
        r"\bnames? of (?:the |all )?(?:\w+ ){0,4}?(?:soldiers?|crew|people|persons|men|women|victims|members|officers|"
        r"pilots|dead|hostages|prisoners|fighters|servicemen|journalists|civilians|syrians|mercenaries)\b")),
)
PRESENT = re.compile(
    r"\b(?:current|currently|now|today|still|at present|presently|nowadays|these days|any ?more|as of)\b", re.I
)
ANAPHORA = re.compile(
    r"\b(?:it|its|there|this|that|these|those|they|them|their|he|him|his|she|her|then|the same|what about|"
    r"and the|how about)\b",
    re.I,
)
#: a question that opens with a conjunction ('and when did armenia have to give the district back', 'so who did
#: monitor the line') goes on from the one before, unless it names its own subject
GOES_ON = re.compile(r"^(?:and|so|but|also|ok(?:ay)?,? so)\b", re.I)
#: 'what about kalbajar' after a question on Agdam asks the same of another subject: Agdam does not carry over
SUBSTITUTES = re.compile(r"^(?:and |so |but )?(?:what|how) about\b")
NEGATIVE_WORDS = frozenset(
    {"not", "no", "never", "neither", "nor", "none", "without", "refuse", "refused", "reject", "rejected",
     "instead", "fail", "failed", "deny", "denied"}
)
AUXILIARIES = frozenset({"did", "does", "do", "was", "were", "is", "are", "has", "have", "had", "could", "would"})
CLAIMANT = re.compile(
    r"\b(?:did|does|do|has|have|had)\s+(?:the\s+)?(?P<who>[\w' -]+?)\s+"
    r"(?:say|said|claim|report|state|estimate|put|give|count)\b|\baccording to\s+(?:the\s+)?(?P<src>[\w' -]+)",
    re.IGNORECASE,
)
RIVAL_CUE = re.compile(
    r"\b(?:each side|both sides|each say|each said|responsib\w*|blame\w*|disput\w*|contested|rival|"
    r"according to \w+ and|armenian and azerbaijani|azerbaijani and armenian|who says|claims?)\b",
    re.IGNORECASE,
)
QUESTION_WORDS = frozenset(
    {"what", "when", "where", "which", "who", "whom", "whose", "why", "how", "did", "does", "do", "was", "were",
     "is", "are", "has", "have", "had", "can", "could", "would", "should", "will", "in", "on", "at", "of", "the",
     "a", "an", "and", "or", "after", "before", "during", "between", "since", "from", "to", "for", "by", "tell",
     "me", "about", "explain", "list", "name", "give"}
)
# time words say when, not what: they are no premise and no name
TIME_TERMS = frozenset(
    concepts(
        "happen happened event events period time year years month day early late spring summer autumn winter "
        "between january february march april may june july august september october november december "
        "around near inside current currently now today still present presently nowadays anymore"
    )
)
#: words every question about the conflict uses; no premise a source could deny
TOPIC_TERMS = frozenset(concepts("war conflict karabakh nagorno azerbaijan azerbaijani armenia armenian soviet year"))


@dataclass(frozen=True)
class Question:
    """A question, analysed: its kind, weighted terms, names and what it asks about them."""

    text: str
    kind: str
    terms: dict[str, float]  # term -> weight: 1.0 for the question's own words, less for the history's
    own_terms: frozenset[str]
    names: dict[str, str]  # term of each name the question gives -> the name as the reader wrote it
    predicate: frozenset[str]  # own terms that are neither names nor time words: what is asked about the names
    words_of: dict[str, str]  # term -> the reader's word it came from (reasons name words, never stems)
    years: tuple[int, ...] = ()
    period: tuple[dt.date, dt.date] | None = None
    claimant: str = ""
    present: bool = False  # asks about the present state ('Who currently...', 'Is X still...')
    negative: bool = False  # is itself about something not done ('Why didn't...')
    rival: bool = False  # asks for every side's figure or account
    capitalised: tuple[str, ...] = ()  # capitalised words past the first, as names a reader may give
    asks_for: str = ""  # 'an age', 'a length', 'their names'...: the kind of fact it asks for, if one of ASKS_FOR
    history: tuple[str, ...] = field(default_factory=tuple)
    search_text: str = ""  # what retrieval searches with: the question, and for a follow-up the names it refers to
    predicate_text: str = ""  # the reader's words for what is asked about the names ('height')
    predicate_vector: np.ndarray | None = field(default=None, repr=False, compare=False)  # its embedding


def normalise(text: str) -> str:
    """Lower case, spelled-out shorthand ('whats' -> 'what is'), single spaces."""
    q = " ".join(text.lower().replace("’", "'").split())
    for pattern, replacement in SPELLING:
        q = re.sub(pattern, replacement, q)
    return q


def question_kind(text: str) -> str:
    """The kind of answer a question wants (one of KINDS)."""
    q = REQUEST.sub("", normalise(text))
    if IS_IT_TRUE.search(q):
        return "yes-no"
    for kind, pattern in KIND_PATTERNS:
        if kind in ("compare", "timeline") and re.search(pattern, q):
            return kind
    if YES_NO.search(q) and not ALTERNATIVES.search(q):
        return "yes-no"
    for kind, pattern in KIND_PATTERNS:
        if re.search(pattern, q):
            return kind
    return "other"


def claimant_phrase(question: str) -> str:
    """Who a question asks a claim of: 'How many did Armenia say ...' -> 'Armenia'."""
    match = CLAIMANT.search(question)
    if not match:
        return ""
    return (match.group("who") or match.group("src") or "").strip()


def negative(question: str) -> bool:
    """Whether a question is itself about something not done ('Why didn't...', 'Why did X refuse...'), so
    that a source saying 'not' answers it rather than denying it."""
    return any(
        w in NEGATIVE_WORDS or w.endswith("n't") or (w.endswith("nt") and w[:-2] in AUXILIARIES)
        for w in words(question)
    )


def capitalised_names(question: str) -> list[str]:
    """Capitalised words past the first (a reader's names, when they use capitals), without "'s"."""
    found: list[str] = []
    for i, word in enumerate(re.findall(r"[A-Za-z][\w'’-]*", question)):
        if i > 0 and word[0].isupper() and word.lower() not in QUESTION_WORDS and len(word) > 1:
            found.append(re.sub(r"['’]s$", "", word))
    return found


def needs_history(question: str, history: tuple[str, ...], named: bool = False) -> bool:
    """A follow-up ('and when did it end', 'what about azerbaijan') leans on the conversation; a question
    that names its own subject does not. `named`: the question gives a name of its own."""
    if not history:
        return False
    plain = normalise(question)
    own = [w for w in words(plain) if w not in STOPWORDS and w not in QUESTION_WORDS]
    return bool(ANAPHORA.search(plain)) or len(own) < 3 or (not named and bool(GOES_ON.match(plain)))


class QuestionAnalyser:
    """Analyses questions against the corpus's names and term statistics."""

    def __init__(self, names: NameIndex, df: dict[str, int], sentences: int, common_share: float,
                 history_weight: float) -> None:
        self.names = names
        self.df = df
        self.common = max(1, int(sentences * common_share))
        self.history_weight = history_weight

    def named_terms(self, text: str) -> dict[str, str]:
        """Term -> name for every name a text gives: names.yaml entities (whatever the case) and other
        capitalised words; names found in a large share of all sentences ('Armenia') are left out."""
        named: dict[str, str] = {}
        for term, entity in self.mentioned(text):
            if entity.type != "agreement":  # agreements go by descriptions ('the 1994 ceasefire'), not names
                named[term] = entity.label
        masked = self.names.canonical(text) if len(fold(text)) == len(text) else text
        runs = [m.group(0) for m in re.finditer(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*", text)]
        for word in capitalised_names(text):
            if not re.search(rf"(?<!\w){re.escape(fold(word))}(?!\w)", masked):
                continue  # part of an entity variant already counted
            name = next((run for run in runs if word in run.split()), word)  # 'United States', not 'United'
            named.update({t: name for t in concepts(word) if t not in TIME_TERMS})
        return {t: name for t, name in named.items() if self.df.get(t, 0) <= self.common}

    def words_of(self, text: str) -> dict[str, str]:
        """Term -> the word of `text` it was made from ('height' for 'height', 'capture' for 'captur', 'take
        back' for the 'captur' a phrase makes), in the text as typed or as normalised ('aze')."""
        out: dict[str, str] = {}
        for version in dict.fromkeys((text, normalise(text))):
            for word in re.findall(r"[\w'’-]+", version):
                for term in concepts(word):
                    out.setdefault(term, word)
            for pattern in PHRASES:
                for match in re.finditer(pattern, version, flags=re.IGNORECASE):
                    for term in concepts(match.group(0)):
                        out.setdefault(term, match.group(0))
            for term, entity in self.mentioned(version):
                out.setdefault(term, entity.label)
        return out

    def mentioned(self, text: str) -> list[tuple[str, Entity]]:
        """(term, entity) for the terms of every names.yaml entity `text` mentions: its token, and for an
        agreement the words that stay beside it."""
        return [(term, entity) for _, _, entity in self.names.mentions(text)
                for term in sentence_terms(entity.variants[0], self.names)]

    def analyse(self, text: str, history: list[str] | tuple[str, ...] | None = None) -> Question:
        history = tuple(h for h in (history or ()) if h.strip())
        plain = normalise(text)
        own = sentence_terms(plain, self.names)
        names = self.named_terms(text)
        terms = dict.fromkeys(own, 1.0)
        search = plain
        substitutes = False
        follow_up = needs_history(text, history, named=bool(names))
        if follow_up:
            earlier = " ".join(history[-2:])
            for term in sentence_terms(normalise(earlier), self.names) - own:
                terms[term] = self.history_weight
            # names carry over ('it' is the place asked about before); a year does not ('when did they take
            # it back' asks about another time than the capture before), it only weighs as a history term
            substitutes = bool(names) and bool(SUBSTITUTES.match(plain))
            borrowed = {} if substitutes else {t: n for t, n in self.named_terms(earlier).items() if t not in names}
            extra = list(dict.fromkeys(borrowed.values()))
            names = {**borrowed, **names}
            if extra:
                search = f"{plain} ({' '.join(extra)})"
            elif not names:
                # the earlier question named its subject in words no name index knows ('what is tatik-papik',
                # 'the budapest summit'): search with those words, or 'when was it unveiled' finds nothing of it
                search = f"{plain} ({normalise(earlier)})"
        # a name too common to count as one ('nk') is not what is asked either; an agreement's own words stay
        # beside its token
        entities = {t for version in (text, plain) for t, _ in self.mentioned(version) if t.startswith(ENTITY_PREFIX)}
        predicate = frozenset(
            t for t in own if t not in names and t not in TIME_TERMS and not t.isdigit() and t not in TOPIC_TERMS
            and t not in FILLER and t not in entities
        )
        kind = question_kind(text)
        if follow_up and not predicate:
            # 'when was it' after 'who did kocharyan face in the 2003 runoff' asks about the same thing: the
            # earlier question's predicate carries over, and retrieval searches with its words as well
            before = self.analyse(history[-1], history[:-1])
            predicate = before.predicate - names.keys()
            if substitutes:  # 'what about kalbajar' after a 'when' question asks when, of Kalbajar
                kind = before.kind
            if names:  # without any, the search holds the earlier questions already
                search = f"{search} ({normalise(history[-1])})"
        words_of = self.words_of(text)
        for h in history:
            for term, word in self.words_of(h).items():
                words_of.setdefault(term, word)
        return Question(
            text=text,
            kind=kind,
            terms=terms,
            own_terms=frozenset(own),
            names=names,
            predicate=predicate,
            words_of=words_of,
            years=tuple(int(y) for y in YEAR.findall(plain)),  # '92' spelled out first
            period=parse_period(plain),  # 'sept 19-21 2023' spelled out first
            claimant=claimant_phrase(text),
            present=bool(PRESENT.search(text)),
            negative=negative(text),
            rival=bool(RIVAL_CUE.search(text)),
            capitalised=tuple(capitalised_names(text)),
            asks_for=next((what for what, pattern in ASKS_FOR if pattern.search(plain)), ""),
            history=history,
            search_text=search,
            predicate_text=" ".join(words_of.get(t, t) for t in sorted(predicate)),
        )
