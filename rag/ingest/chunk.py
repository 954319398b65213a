"""Structure-following chunks: one block (paragraph or list item) per chunk, split only at sentences."""
from __future__ import annotations

import hashlib

from rag.ingest.models import Chunk, ReconstructedPage
from rag.text import split_sentences

SECTION_SEPARATOR = " > "


def chunk_id(source: str, page: int, start: int, text: str) -> str:
    """Derived from content and position: the same text at the same place keeps its id."""
    return hashlib.sha1(f"{source}\x1f{page}\x1f{start}\x1f{text}".encode()).hexdigest()[:20]


def chunk_page(page: ReconstructedPage, max_chars: int = 700) -> list[Chunk]:
    """Chunks of one page. A chunk never spans two blocks; long blocks split between sentences."""
    chunks: list[Chunk] = []
    for block in page.blocks:
        if block.kind == "heading":
            continue
        pieces: list[tuple[int, int]] = []
        for start, end in split_sentences(block.text) or [(0, len(block.text))]:
            if pieces and end - pieces[-1][0] <= max_chars:
                pieces[-1] = (pieces[-1][0], end)
            else:
                pieces.append((start, end))
        for start, end in pieces:
            text = block.text[start:end]
            absolute = block.start + start
            chunks.append(
                Chunk(
                    id=chunk_id(page.source, page.page, absolute, text),
                    text=text,
                    source=page.source,
                    page=page.page,
                    page_label=page.page_label,
                    section=SECTION_SEPARATOR.join(block.section),
                    footnotes=tuple(block.footnotes),
                    start=absolute,
                    end=absolute + len(text),
                    kind=block.kind,
                )
            )
    for heading_path, note in _footnote_sections(page):
        start = page.text.rfind(note)
        if start < 0:
            continue
        chunks.append(Chunk(id=chunk_id(page.source, page.page, start, note), text=note, source=page.source,
                            page=page.page, page_label=page.page_label, section=SECTION_SEPARATOR.join(heading_path),
                            footnotes=(note,), start=start, end=start + len(note), kind="footnote"))
    return chunks


def _footnote_sections(page: ReconstructedPage) -> list[tuple[list[str], str]]:
    """Each footnote with the heading path of the section that cites it (so "what source…" finds it)."""
    out, seen = [], set()
    for block in page.blocks:
        if block.kind == "heading":
            for note in block.footnotes:
                if note not in seen:
                    seen.add(note)
                    out.append((block.section, note))
    for note in page.footnotes.values():
        if note not in seen:
            out.append(([], note))
    return out
