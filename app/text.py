"""Word-level text helpers shared by lexical search and sentence scoring."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.names import NameIndex

WORD = re.compile(r"\w+(?:['’]\w+)?", re.UNICODE)

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "else",
        "ever",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "tell",
        "explain",
        "happened",
        "happen",
        "please",
        "many",
        "much",
        "say",
        "said",
        "says",
        "according",
        "us",
        "let",
        "give",
        "know",
    ]
)


@lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202 - PyStemmer has no type hints
    import Stemmer

    return Stemmer.Stemmer("english")


def fold(text: str) -> str:
    """Lowercase and strip accents so 'Xankəndi' and 'Xankendi' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ə", "e").replace("ı", "i")


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def _content_words(text: str) -> list[str]:
    content = [w.replace("’", "'").split("'")[0] for w in words(text)]
    return [w for w in content if len(w) > 1 and w not in STOPWORDS]


def tokenize(text: str) -> list[str]:
    """Stemmed content words: the unit of BM25 and of term overlap between question and sentence."""
    return _stemmer().stemWords(_content_words(text))


# Words that ask the same thing in different ways. Phrases are rewritten first, then stems are mapped to
# the first stem of their group, so "step down" in a question meets "resigned" in a source.
PHRASES = {
    r"\bstep(?:ped|s|ping)? down\b": "resign",
    r"\bhand(?:ed|s|ing)? (?:back|over)\b": "return",
    r"\bg(?:ive|ives|ave|iven|iving) ((?:\w+ ){0,3}?)back\b": r"return \1",  # 'give the district back'
    r"\b(?:t(?:ake|ook|aken|aking)|g(?:et|ot|etting)|w(?:in|on|inning)) (?:\w+ )?back\b": "recapture",
    r"\bt(?:ake|ook|aken|aking) (?:control|over)\b": "capture",
    r"\bs(?:et|ets|etting) up\b": "establish",
    r"\bcame to power\b": "elect",
    r"\bpull(?:ed|ing)? out\b": "withdraw",
}
SYNONYM_GROUPS = [
    "resign quit",
    "return releas freed",
    "captur seiz fell fall retook retak recaptur overran overrun",
    "kill die dead death toll casualti fatal",
    "sign signatori",
    "found establish creat form",
    "begin began start launch",
    "end ceas conclud finish",
    "withdraw withdrew departur",
    "displac flee fled refuge expel",
    "fail failur unsuccess collaps",
    "win won victori victor triumph",
    "lose lost loss defeat",
    "refus declin reject",
]


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for group in SYNONYM_GROUPS:
        stems = group.split()
        for stem in stems:
            mapping[stem] = stems[0]
    return mapping


def concepts(text: str) -> list[str]:
    """`tokenize` with synonyms merged: the unit of question-to-sentence word overlap."""
    for pattern, word in PHRASES.items():
        text = re.sub(pattern, word, text, flags=re.IGNORECASE)
    synonyms = _synonyms()
    return [synonyms.get(t, t) for t in tokenize(text)]


def word_concepts(tokens: list[str]) -> list[set[str]]:
    """`set(concepts(t))` for each single word `t` (no phrase spans one word), stemming them all at once."""
    content = [_content_words(t) for t in tokens]
    stems = iter(_stemmer().stemWords([w for ws in content for w in ws]))
    synonyms = _synonyms()
    return [{synonyms.get(s, s) for s in (next(stems) for _ in ws)} for ws in content]


def sentence_terms(text: str, names: NameIndex) -> set[str]:
    """The terms a sentence is matched on: `concepts` of its text with every name variant made one token."""
    return set(concepts(names.canonical(text)))
