"""Sentences that run off the foot of one page and on at the top of the next: one sentence for answering.

Each page keeps its own text as printed (page 120 ends "…reach the sea through Qinzhou on a route", page 121
begins "more than 560 km shorter…"); neither half answers a question about the route. A *continuation* chunk
holds the whole sentence and cites both pages:

    chunks = continuation_chunks(pages)            # pages of every ingested source
    chunks[0].text        # "Once it is operational, … on a route more than 560 km shorter than … Guangzhou."
    chunks[0].page_label  # "120–121"

Which pages follow each other: consecutive physical pages of one source, or of two files in one folder whose
pages carry the same running title (a report exported page by page into separate files).

Which page a continuation cites (``page``, ``source``): the page that prints more of the sentence's figures
(what a reader looks up to check an answer); on a tie the page that prints more of its text; on a tie the
later page. ``page_label`` names both pages ("120–121"); ``start``/``end`` span the part printed on the
cited page, so ``page.text[start:end]`` is that part.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rag.ingest.chunk import SECTION_SEPARATOR, chunk_id
from rag.ingest.clean import dehyphenate
from rag.ingest.models import Block, Chunk, ReconstructedPage
from rag.text import split_sentences

KIND = "continuation"
RANGE_DASH = "–"
_TERMINAL = tuple(".!?:;”\"’)。！？；：）")
_TEXT_KINDS = ("paragraph", "list_item")
_FIGURE_RE = re.compile(r"\d[\d,.]*")


@dataclass(frozen=True)
class Continuation:
    """A sentence cut by a page break: where each part is printed and the sentence they make."""

    first: ReconstructedPage
    second: ReconstructedPage
    tail: Block  # the last block of ``first``; its text from ``tail_from`` is the sentence's first part
    head: Block  # the first block of ``second``; its text up to ``head_to`` is the rest
    tail_from: int
    head_to: int
    text: str

    @property
    def first_part(self) -> str:
        return self.tail.text[self.tail_from :]

    @property
    def second_part(self) -> str:
        return self.head.text[: self.head_to]


def page_range_label(first: str, second: str) -> str:
    """'120', '121' -> '120–121' (the printed labels of both pages)."""
    return first if first == second else f"{first}{RANGE_DASH}{second}"


def labels_in(label: str) -> list[str]:
    """The printed pages a label names: '120–121' -> ['120', '121'] (so a check against one page accepts it)."""
    return [part for part in re.split(r"\s*[–-]\s*", label) if part] or [label]


def follows(first: ReconstructedPage, second: ReconstructedPage) -> bool:
    """Whether ``second`` is the page printed right after ``first`` in the same report."""
    if second.page != first.page + 1:
        return False
    if first.source == second.source:
        return True
    same_folder = os.path.dirname(first.source) == os.path.dirname(second.source)
    return same_folder and bool(first.title) and first.title == second.title


def _open_tail(page: ReconstructedPage) -> tuple[Block, int] | None:
    """The page's last block when it stops mid-sentence, and where that sentence starts in it."""
    if not page.blocks or page.blocks[-1].kind not in _TEXT_KINDS:
        return None
    block = page.blocks[-1]
    text = block.text.rstrip()
    if not text or text.endswith(_TERMINAL):
        return None
    spans = split_sentences(text)
    return block, (spans[-1][0] if spans else 0)


def _open_head(page: ReconstructedPage, tail: Block) -> tuple[Block, int] | None:
    """The page's first block when it finishes a sentence left open, and where that sentence ends in it.

    It must not be a heading; it starts in lower case or with a figure, or the open sentence stops on a
    lower-case word (a paragraph can end on no such word, a list item can: "• Status: planned")."""
    if not page.blocks or page.blocks[0].kind not in _TEXT_KINDS:
        return None
    block = page.blocks[0]
    text = block.text.lstrip("“‘\"'(")
    if not text:
        return None
    lower_start = text[0].islower() or text[0].isdigit()
    if not lower_start and not (tail.kind == "paragraph" and block.kind == "paragraph"
                                and re.search(r"[a-z]$", tail.text.rstrip())):
        return None
    spans = split_sentences(block.text)
    return block, (spans[0][1] if spans else len(block.text))


def _join(first: str, second: str, vocabulary: set[str] | None) -> str:
    first, second = first.rstrip(), second.lstrip()
    if re.search(r"[A-Za-z]-$", first):
        return dehyphenate(first, second, vocabulary)
    return f"{first} {second}"


def find_continuations(pages: Iterable[ReconstructedPage], vocabulary: set[str] | None = None) -> list[Continuation]:
    """Every sentence that a page break cuts, over pages of any number of sources."""
    ordered = sorted(pages, key=lambda p: (os.path.dirname(p.source), p.title or "", p.page, p.source))
    by_place: dict[tuple[str, int], list[ReconstructedPage]] = {}
    for p in ordered:
        by_place.setdefault((os.path.dirname(p.source), p.page), []).append(p)
    found: list[Continuation] = []
    for first in ordered:
        tail = _open_tail(first)
        if tail is None:
            continue
        # The same source first, then a sibling file with the same running title.
        nexts = sorted(by_place.get((os.path.dirname(first.source), first.page + 1), []),
                       key=lambda p: p.source != first.source)
        second = next((p for p in nexts if follows(first, p)), None)
        if second is None:
            continue
        head = _open_head(second, tail[0])
        if head is None:
            continue
        (tail_block, tail_from), (head_block, head_to) = tail, head
        text = _join(tail_block.text[tail_from:], head_block.text[:head_to], vocabulary)
        found.append(Continuation(first, second, tail_block, head_block, tail_from, head_to, text))
    return found


def _weight(part: str) -> tuple[int, int]:
    return len(_FIGURE_RE.findall(part)), len(part)


def continuation_chunk(c: Continuation) -> Chunk:
    """The whole sentence as one chunk, cited on the page that prints more of it (see the module doc)."""
    on_first = _weight(c.first_part) > _weight(c.second_part)
    page = c.first if on_first else c.second
    if on_first:
        start, end = c.tail.start + c.tail_from, c.tail.end
    else:
        start, end = c.head.start, c.head.start + c.head_to
    footnotes = tuple(dict.fromkeys([*c.tail.footnotes, *c.head.footnotes]))
    section = c.tail.section or c.head.section
    return Chunk(
        id=chunk_id(page.source, page.page, start, f"{KIND}\x1f{c.text}"),
        text=c.text,
        source=page.source,
        page=page.page,
        page_label=page_range_label(c.first.page_label, c.second.page_label),
        section=SECTION_SEPARATOR.join(section),
        footnotes=footnotes,
        start=start,
        end=end,
        kind=KIND,
    )


def continuation_chunks(pages: Iterable[ReconstructedPage], vocabulary: set[str] | None = None) -> list[Chunk]:
    """One chunk per sentence cut by a page break; ids from content and position (stable across ingests)."""
    return [continuation_chunk(c) for c in find_continuations(pages, vocabulary)]
