"""Name variants (corpus/data/names.yaml): any variant of a place, person or organisation finds the same
passages, because a question is expanded with every other variant of the entities it mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.text import fold

VARIANT_KEYS = ("armenian", "azerbaijani", "russian", "historical", "other")


@dataclass
class Entity:
    id: str
    type: str
    label: str
    variants: list[str]
    pair: bool = False


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
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entities = []
        for raw in data.get("entities", []):
            variants = list(dict.fromkeys(v for k in VARIANT_KEYS for v in raw.get(k) or [] if str(v).strip()))
            entities.append(
                Entity(str(raw["id"]), str(raw.get("type", "")), str(raw.get("label", raw["id"])),
                       [str(v) for v in variants], bool(raw.get("pair")))
            )
        return cls(entities)

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
            return " entity" + re.sub(r"\W", "", entity.id) + f" {words} "

        return self._pattern.sub(token, fold(text))

    def expand(self, text: str) -> str:
        """`text` followed by the Latin-script variants of every entity it mentions."""
        extra = [v for e in self.find(text) for v in e.variants if v.isascii() and fold(v) not in fold(text)]
        return f"{text} {' '.join(extra)}" if extra else text
