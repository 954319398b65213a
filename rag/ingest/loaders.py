"""Loaders: report files to raw pages. Text page exports and PDFs.

    pages = load_file(Path("corpus/page-156.txt"))   # -> [RawPage(page=156, page_label="156", ...)]
"""
from __future__ import annotations

import logging
from pathlib import Path

from rag.ingest.layout import HEADER_RE, strip_furniture
from rag.ingest.models import RawPage

# pypdf (the page-label fallback) logs every oddity of a broken file; LoadError already says what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)

TEXT_SUFFIXES = {".txt", ".text"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES


class LoadError(Exception):
    """A file that cannot be read as a report; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def source_name(path: Path) -> str:
    """A stable name for a file, never an absolute path: relative to the working directory when inside it, else
    its folder's name and its own ("pages/page-12.txt"), so the server's layout never reaches a citation and the
    same folder ingested from elsewhere keeps its names. (Two files that would share a name are told apart by
    the index, which records each source's real path.)"""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return f"{resolved.parent.name}/{resolved.name}" if resolved.parent.name else resolved.name


def decode_export(data: bytes, path: Path) -> str:
    if b"\x00" in data[:4096]:
        raise LoadError(path, "binary file, not a text page export")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LoadError(path, "text is neither UTF-8 nor GB18030")


def split_export_pages(text: str) -> list[str]:
    """Pages of an export: each starts at a ``Page N - Title`` header or after a form feed."""
    pages: list[str] = []
    for chunk in text.split("\f"):
        current: list[str] = []
        for line in chunk.split("\n"):
            if HEADER_RE.match(line) and any(l.strip() for l in current):
                pages.append("\n".join(current))
                current = []
            current.append(line)
        if any(l.strip() for l in current):
            pages.append("\n".join(current))
    return pages


def load_text_export(path: Path, source: str | None = None) -> list[RawPage]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(path, exc.strerror or str(exc)) from exc
    text = decode_export(data, path).replace("\r\n", "\n").replace("\r", "\n")
    chunks = split_export_pages(text)
    if not chunks:
        raise LoadError(path, "no text in file")
    source = source or source_name(path)
    pages = []
    for index, chunk in enumerate(chunks, start=1):
        _, furniture = strip_furniture(chunk.split("\n"))
        number = furniture.physical_page or index
        label = furniture.header_label or (furniture.footer_labels[0] if furniture.footer_labels else str(number))
        pages.append(RawPage(source=source, page=number, page_label=label, text=chunk))
    return pages


def load_pdf(path: Path, source: str | None = None) -> list[RawPage]:
    """PDF pages reconstructed from PyMuPDF's spans (``rag.ingest.pdf``); ``text`` is the reading-order text."""
    from rag.ingest.pdf import read_pdf

    source = source or source_name(path)
    return [RawPage(source=source, page=p.page, page_label=p.page_label, text=p.text, layout="pdf", prebuilt=p)
            for p in read_pdf(path, source)]


def load_file(path: Path, source: str | None = None) -> list[RawPage]:
    """Raw pages of one file (named ``source``, default ``source_name(path)``); raises LoadError naming the file
    when it cannot be read."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise LoadError(path, "no such file")
    if suffix in PDF_SUFFIXES:
        return load_pdf(path, source)
    if suffix in TEXT_SUFFIXES:
        return load_text_export(path, source)
    raise LoadError(path, f"unsupported file type '{suffix or path.name}' (use .txt page exports or .pdf)")


def discover(paths: list[Path]) -> list[Path]:
    """The report files named or found (recursively) under the given folders, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        else:
            found.append(path)
    return found


