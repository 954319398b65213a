"""The embedding model of the index, loaded through rag/embeddings.py; a missing model is ModelNotFoundError."""
from __future__ import annotations

from pathlib import Path

from rag import embeddings as embeddings_mod
from rag.store.errors import ModelNotFoundError

BUNDLED_MODELS = embeddings_mod.BUNDLED_MODELS
Embeddings_ = embeddings_mod.TorchEmbeddings | embeddings_mod.OnnxEmbeddings


def resolve_model_path(name: str) -> Path:
    """The on-disk directory of an embedding model; never a download."""
    try:
        return embeddings_mod.resolve_model_path(name)
    except embeddings_mod.EmbeddingError as exc:
        raise ModelNotFoundError(str(exc)) from exc


def load_embeddings(name: str, batch_size: int = 64, *, backend: str = "torch",
                    cache_dir: Path | None = None) -> Embeddings_:
    """One model per process and backend, whoever asks (rag.embeddings has the backends)."""
    try:
        return embeddings_mod.load(name, backend=backend, cache_dir=cache_dir, batch_size=batch_size)
    except embeddings_mod.EmbeddingError as exc:
        raise ModelNotFoundError(str(exc)) from exc
