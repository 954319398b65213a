"""What an ingest did (IngestReport), and the one name a file is stored under (never absolute, never shared)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.ingest.loaders import source_name


def unique_source(path: Path, sources: dict[str, Any]) -> str:
    """The file's source name (``source_name``: never absolute); when another file already holds that name, the
    name with a short hash of this file's real path, so two files are never one source."""
    name = source_name(path)
    real = str(path.resolve())
    held = sources.get(name, {}).get("file")
    if held is None or held == real:
        return name
    return f"{name}@{hashlib.sha256(real.encode()).hexdigest()[:8]}"


@dataclass
class IngestReport:
    files: int = 0
    pages: int = 0
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    repaired: int = 0  # committed chunks the vector store had lost, embedded again
    skipped: list[tuple[str, str]] = field(default_factory=list)
    removed_sources: list[str] = field(default_factory=list)  # files no longer in an ingested folder
    seconds: float = 0.0
    parse_seconds: float = 0.0  # loading, layout reconstruction and chunking
    embed_seconds: float = 0.0  # the embedding model alone
    store_seconds: float = 0.0  # Chroma writes and the manifest

