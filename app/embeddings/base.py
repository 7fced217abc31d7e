"""The embedder contract: backends implement `embed_batch`; batching and progress are written once here."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors (so a dot product is a cosine similarity)."""

    #: Recorded in the index manifest: changing it forces a full re-embed.
    name: str = "embedder"
    dimension: int = 0

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed one batch; returns an array of shape (len(texts), dimension)."""

    def embed(
        self, texts: Sequence[str], batch_size: int = 64, progress: bool = False, desc: str = "Embedding"
    ) -> np.ndarray:
        """Embed any number of texts in batches, optionally with a progress bar."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        batches = range(0, len(texts), batch_size)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc=desc, unit="batch", total=len(batches))
        parts = [self.embed_batch(texts[i : i + batch_size]) for i in batches]
        return _normalise(np.vstack(parts).astype(np.float32))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self.embed_batch([text]).astype(np.float32))[0]


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms
