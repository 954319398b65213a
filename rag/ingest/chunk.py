"""Structure-following chunks: one block (paragraph or list item) per chunk, split only at sentences."""
from __future__ import annotations

import hashlib

from rag.ingest.models import Block, Chunk, ReconstructedPage
from rag.text import split_sentences

SECTION_SEPARATOR = " > "  # between the headings of a chunk's section path, outermost first


def innermost_section(path: str) -> str:
    """The last heading of a section path: "Special economic zones > Gui’an New Area" -> "Gui’an New Area"."""
    return path.rsplit(SECTION_SEPARATOR, 1)[-1].strip()


def chunk_id(source: str, page: int, start: int, text: str) -> str:
    """Derived from content and position: the same text at the same place keeps its id."""
    return hashlib.sha1(f"{source}\x1f{page}\x1f{start}\x1f{text}".encode()).hexdigest()[:20]


def chunk_page(page: ReconstructedPage, max_chars: int = 700) -> list[Chunk]:
    """Chunks of one page. A chunk never spans two blocks; long blocks split between sentences."""
    chunks: list[Chunk] = []
    for block in page.blocks:
        if block.kind == "heading":
            continue
        if block.table is not None or block.chart is not None:
            chunks += structured_chunks(page, block)
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


def _context(title: str) -> str:
    """"Table 3 Offices by city" -> "Table 3 (Offices by city)": the caption, then what it is about."""
    from rag.ingest.tables import caption_label

    label = caption_label(title)
    rest = title[len(label):].strip() if label else ""
    return f"{label} ({rest})" if label and rest else title


def structured_chunks(page: ReconstructedPage, block: Block) -> list[Chunk]:
    """One chunk per table row ("table_row") or chart series ("chart_series"), said the way a reader would:
    "Table 3 (Offices by city) — Foshan: 2021 12; 2022 14". A chart without values keeps one chunk that
    says so. Offsets point at the row's line in the page text."""
    from rag.ingest.charts import NO_VALUES, chart_lines

    lines = block.text.split("\n")
    starts, pos = [], block.start
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    items: list[tuple[str, str, int]] = []  # (text, kind, line index)
    if block.table is not None:
        table = block.table
        context = _context(table.title)
        first = 2 if any(table.headers[1:]) else 1
        for k, row in enumerate(table.rows):
            cells = [f"{h} {c}".strip() if h else c for h, c in zip(table.headers[1:], row[1:]) if c]
            items.append((f"{context} — {row[0]}: " + "; ".join(cells), "table_row", first + k))
        for k, note in enumerate(table.notes):
            items.append((f"{context} — {note}", "table_note", first + len(table.rows) + k))
    else:
        chart = block.chart
        assert chart is not None
        context = _context(chart.title)
        if chart.values_in_text:
            for k, line in enumerate(chart_lines(chart)):
                items.append((f"{context} — {line}", "chart_series", 1 + k))
        else:
            said = [NO_VALUES.strip("()")]
            if chart.series:
                said.append("series: " + ", ".join(s.label for s in chart.series))
            if chart.categories:
                said.append("categories: " + ", ".join(chart.categories))
            items.append((f"{context} — " + "; ".join(said), "chart_series", 1))
        for note in chart.notes:
            k = lines.index(note) if note in lines else 0
            items.append((f"{context} — {note}", "chart_note", k))
    out = []
    for text, kind, k in items:
        k = min(k, len(lines) - 1)
        start = starts[k]
        out.append(Chunk(id=chunk_id(page.source, page.page, start, text), text=text, source=page.source,
                         page=page.page, page_label=page.page_label, section=SECTION_SEPARATOR.join(block.section),
                         footnotes=tuple(block.footnotes), start=start, end=start + len(lines[k]), kind=kind))
    return out
