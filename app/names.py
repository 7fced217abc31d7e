"""Name variants (corpus/data/names.yaml): any variant of a place, person or organisation finds the same
passages, because a question is expanded with every other variant of the entities it mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app import yamldata
from app.text import fold

VARIANT_KEYS = ("armenian", "azerbaijani", "russian", "historical", "other")
ENTITY_PREFIX = "entity"  # how `NameIndex.canonical` writes an entity as one token ('entitystepanakert')


@dataclass
class Entity:
    id: str
    type: str
    label: str
    variants: list[str]
    pair: bool = False  # a contested place with an Armenian and an Azerbaijani name, both given in answers
    sides: dict[str, list[str]] = field(default_factory=dict)  # 'armenian' / 'azerbaijani' -> its names


def surname(variant: str) -> str:
    """The last word of a person's name in Latin letters ('Kocharyan' of 'Robert Kocharyan'), or ''."""
    words = variant.split()
    return words[-1] if len(words) > 1 and words[-1].isascii() and words[-1][:1].isupper() else ""


def with_surnames(entities: list[Entity]) -> list[Entity]:
    """Readers name people by surname ('what did kocharyan do'): each person's surnames become variants,
    unless another entity owns the same word (two Aliyevs, two Sargsyans), which would make it ambiguous."""
    owners: dict[str, set[str]] = {}
    for entity in entities:
        for variant in entity.variants:
            owners.setdefault(fold(variant), set()).add(entity.id)
            if entity.type == "person" and (last := surname(variant)):
                owners.setdefault(fold(last), set()).add(entity.id)
    for entity in entities:
        if entity.type == "person":
            own = [s for s in dict.fromkeys(surname(v) for v in entity.variants) if s]
            entity.variants += [s for s in own if owners[fold(s)] == {entity.id} and s not in entity.variants]
    return entities


@dataclass
class NameIndex:
    entities: list[Entity] = field(default_factory=list)

    def __post_init__(self) -> None:
        pairs = [(fold(v), e) for e in self.entities for v in e.variants]
        pairs.sort(key=lambda p: -len(p[0]))  # longest first: "Lachin corridor" before "Lachin"
        self._pattern = (
            re.compile(r"(?<!\w)(" + "|".join(re.escape(v) for v, _ in pairs) + r")(?!\w)") if pairs else None
        )
        self._owner = {v: e for v, e in pairs}

    @classmethod
    def load(cls, path: Path) -> NameIndex:
        """Read names.yaml; a missing file gives an empty index (no expansion)."""
        if not path.exists():
            return cls()
        data = yamldata.loads(path.read_text(encoding="utf-8")) or {}
        entities = []
        for raw in data.get("entities", []):
            variants = list(dict.fromkeys(v for k in VARIANT_KEYS for v in raw.get(k) or [] if str(v).strip()))
            sides = {k: [str(v) for v in raw.get(k) or []] for k in ("armenian", "azerbaijani") if raw.get(k)}
            entities.append(
                Entity(str(raw["id"]), str(raw.get("type", "")), str(raw.get("label", raw["id"])),
                       [str(v) for v in variants], bool(raw.get("pair")), sides)
            )
        return cls(with_surnames(entities))

    def find(self, text: str) -> list[Entity]:
        """Entities mentioned in `text`, in order of first mention."""
        if self._pattern is None:
            return []
        found: dict[str, Entity] = {}
        for match in self._pattern.finditer(fold(text)):
            entity = self._owner[match.group(1)]
            found.setdefault(entity.id, entity)
        return list(found.values())

    def mentions(self, text: str) -> list[tuple[int, int, Entity]]:
        """(start, end, entity) of every variant in `text`; offsets are into `text` when folding keeps its
        length (it does for text without decomposable accents), else into `fold(text)`."""
        if self._pattern is None:
            return []
        return [(m.start(), m.end(), self._owner[m.group(1)]) for m in self._pattern.finditer(fold(text))]

    def canonical(self, text: str) -> str:
        """`text` folded, with every variant replaced by one token per entity, so that 'Khankendi' in a
        sentence matches 'Stepanakert' in a question when words are compared."""
        if self._pattern is None:
            return text
        def token(match: re.Match[str]) -> str:
            entity = self._owner[match.group(1)]
            # an agreement goes by descriptions ('the 1994 ceasefire'): its words stay, to meet other ones
            words = match.group(1) if entity.type == "agreement" else ""
            return f" {ENTITY_PREFIX}" + re.sub(r"\W", "", entity.id) + f" {words} "

        return self._pattern.sub(token, fold(text))

    def pair_names(self, text: str) -> str:
        """`text` with both names of every contested place it names: where only one side's name occurs
        ('Shusha'), the other side's ('Shushi') is added in brackets after its first mention. Offsets are
        only found on text that folding leaves the same length; other text is returned as it is."""
        if self._pattern is None or len(fold(text)) != len(text):
            return text
        inserts: list[tuple[int, str]] = []
        folded = fold(text)
        mentions = self.mentions(text)
        for entity in {e.id: e for _, _, e in mentions if e.pair and len(e.sides) == 2}.values():
            present = {side for side, names in entity.sides.items()
                       if any(re.search(rf"(?<!\w){re.escape(fold(n))}(?!\w)", folded) for n in names)}
            if len(present) != 1:
                continue
            other = entity.sides[next(iter(set(entity.sides) - present))][0]
            ends = [end for _, end, e in mentions if e.id == entity.id]
            plain = [end for end in ends if text[end : end + 2] not in ("'s", "’s")]  # not inside "Shusha's"
            inserts.append((min(plain) if plain else min(ends) + 2, f" ({other})"))
        for at, words in sorted(inserts, reverse=True):
            text = text[:at] + words + text[at:]
        return text

    def expand(self, text: str) -> str:
        """`text` followed by the Latin-script variants of every entity it mentions."""
        extra = [v for e in self.find(text) for v in e.variants if v.isascii() and fold(v) not in fold(text)]
        return f"{text} {' '.join(extra)}" if extra else text
