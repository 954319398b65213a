"""The records that cross the ingest steps: raw pages in, reconstructed pages and chunks out."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class RawPage:
    """One page as a loader read it. ``page`` is the 1-based physical page; ``page_label`` is printed."""

    source: str
    page: int
    page_label: str
    text: str
    layout: Literal["export", "pdf"] = "export"
    # The PDF path reconstructs from geometry and fonts, not from ``text``; the pipeline then uses this as is.
    prebuilt: ReconstructedPage | None = field(default=None, compare=False, repr=False)


@dataclass
class Table:
    """A table as printed: its title, one header per column (the row-label column first) and rows of cells.

    ``rows[i][0]`` is the row label; the other cells line up with ``headers[1:]``. ``notes`` are the lines
    printed under it (source, units).
    """

    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)


@dataclass
class ChartSeries:
    """One series of a chart (a legend entry, or a category of a one-series chart) and its points."""

    label: str
    points: list[tuple[str, str]]  # (category or year, value as printed)


@dataclass
class Chart:
    """A chart's title and the series its text holds. ``values_in_text`` is False when the export carries
    no data labels (the values were only in the image): an answer can say so instead of guessing."""

    title: str
    series: list[ChartSeries] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    values_in_text: bool = True
    notes: list[str] = field(default_factory=list)


@dataclass
class Block:
    """A heading, a paragraph, a list item, a table or a chart of the reconstructed page, with its place in
    the text. ``lang`` is "en" or "zh". A table or chart block's ``text`` is its rendering in the page text
    (one line per row or series) and ``table``/``chart`` hold its structure."""

    kind: Literal["heading", "paragraph", "list_item", "table", "chart"]
    text: str
    section: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    start: int = 0
    end: int = 0
    lang: str = "en"
    table: Table | None = None
    chart: Chart | None = None


@dataclass
class ReconstructedPage:
    """A page in reading order: clean text plus the blocks that index into it."""

    source: str
    page: int
    page_label: str
    text: str
    blocks: list[Block]
    footnotes: dict[str, str]
    title: str | None = None

    def sentences(self) -> list[tuple[int, int]]:
        """Character spans of the sentences of every non-heading block."""
        from rag.text import split_sentences

        spans = []
        for block in self.blocks:
            if block.kind == "heading":
                continue
            for start, end in split_sentences(block.text):
                spans.append((block.start + start, block.start + end))
        return spans


@dataclass(frozen=True)
class Chunk:
    """What is embedded and indexed: a block (or part of one) with everything needed to cite it."""

    id: str
    text: str
    source: str
    page: int
    page_label: str
    section: str
    footnotes: tuple[str, ...]
    start: int
    end: int
    kind: str

    @property
    def embed_text(self) -> str:
        """Text the embedding sees: the section path gives a bare list item its subject."""
        text = f"Source: {self.text}" if self.kind == "footnote" else self.text
        return f"{self.section}\n{text}" if self.section else text

    def metadata(self) -> dict[str, str | int]:
        return {
            "source": self.source,
            "page": self.page,
            "page_label": self.page_label,
            "section": self.section,
            "footnotes": "\n".join(self.footnotes),
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
        }
