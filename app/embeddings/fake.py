"""A deterministic embedder for fast tests: hashed bag of words and word pairs, no model needed.

It is a real backend (similar texts get similar vectors), so unit tests exercise the same code paths as
the real model without loading it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from app.embeddings.base import Embedder

WORD = re.compile(r"\w+", re.UNICODE)


class FakeEmbedder(Embedder):
    name = "fake-hash-256"

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension

    def _bucket(self, feature: str) -> int:
        return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=4).digest(), "little") % self.dimension

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = [w.lower() for w in WORD.findall(text)]
            for word in words:
                out[row, self._bucket(word)] += 1.0
            for a, b in zip(words, words[1:], strict=False):
                out[row, self._bucket(f"{a} {b}")] += 0.5
        return out
