"""The committed state on disk: ``index.json`` (chunks, pages, sources, collection), its JSON codecs, and the
atomic write that is an ingest's one commit point."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rag.ingest.models import Block, Chart, ChartSeries, Chunk, ReconstructedPage, Table
from rag.store.errors import CorruptIndexError

MANIFEST_VERSION = 1
PIPELINE_VERSION = 2  # bump when reconstruction or chunking changes what a file yields


def page_to_json(page: ReconstructedPage) -> dict[str, Any]:
    return asdict(page)


def _block_from_json(data: dict[str, Any]) -> Block:
    table = Table(**data.pop("table")) if data.get("table") else None
    chart = None
    if data.get("chart"):
        c = dict(data.pop("chart"))
        series = [ChartSeries(s["label"], [tuple(p) for p in s["points"]]) for s in c.pop("series")]
        chart = Chart(series=series, **c)
    data.pop("table", None), data.pop("chart", None)
    return Block(**data, table=table, chart=chart)


def page_from_json(data: dict[str, Any]) -> ReconstructedPage:
    blocks = [_block_from_json(dict(b)) for b in data.pop("blocks")]
    return ReconstructedPage(blocks=blocks, **data)


def chunk_from_json(data: dict[str, Any]) -> Chunk:
    return Chunk(**{**data, "footnotes": tuple(data["footnotes"])})


@dataclass(frozen=True)
class Manifest:
    """What one ``index.json`` holds."""

    chunks: list[Chunk]
    pages: list[ReconstructedPage]
    sources: dict[str, Any]
    collection: str


def read_manifest(path: Path, default_collection: str) -> Manifest:
    """The manifest at ``path``; CorruptIndexError (saying how to rebuild) when it cannot be read or parsed."""
    data_dir = path.parent
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("version") != MANIFEST_VERSION:
            raise ValueError(f"manifest version {data.get('version')} (expected {MANIFEST_VERSION})")
        chunks = [chunk_from_json(c) for c in data["chunks"]]
        pages = [page_from_json(p) for p in data["pages"]]
        collection = str(data.get("collection") or default_collection)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:  # deep nesting too
        raise CorruptIndexError(
            f"The index file {path} is corrupt ({exc.__class__.__name__}: {str(exc)[:200]}). "
            f"Delete {data_dir} (or just {path.name}) and run `rag ingest` again to rebuild it."
        ) from exc
    except OSError as exc:
        raise CorruptIndexError(
            f"The index file {path} cannot be read ({exc.strerror or exc}). "
            f"Check its permissions, or delete {data_dir} and run `rag ingest` again."
        ) from exc
    return Manifest(chunks, pages, data.get("sources", {}), collection)


def write_manifest(path: Path, *, embedding_model: str, collection: str, sources: dict[str, Any],
                   chunks: list[Chunk], pages: list[ReconstructedPage]) -> None:
    """Replace the manifest atomically (temporary file, fsync, rename, fsync of the folder)."""
    data = {
        "version": MANIFEST_VERSION,
        "embedding_model": embedding_model,
        "collection": collection,
        "sources": sources,
        "chunks": [asdict(c) for c in chunks],
        "pages": [page_to_json(p) for p in pages],
    }
    tmp = path.with_suffix(f".tmp.{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    try:  # the rename must survive a power cut too
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def temporary_manifests(path: Path) -> list[Path]:
    """Temporary manifests interrupted writes left beside ``path``."""
    return list(path.parent.glob(f"{path.stem}.tmp.*"))
