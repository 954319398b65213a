"""From column lines to the page's structure: paragraphs, headings, list items, footnotes.

    columns = reconstruct_columns(lines)
    page = build_page(columns, source="corpus/page-156.txt", page=156, page_label="156")
    print(page.text)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.ingest.clean import join_lines, repair_mojibake
from rag.ingest.layout import Columns
from rag.ingest.models import Block, ReconstructedPage

_BULLET_RE = re.compile(r"^(?:\?\s{2,}|\?\s(?=[A-Z])|[•●▪◦·]\s*)")
_FOOTNOTE_RE = re.compile(r"^(\d{1,4})\s+(\S.*)$")
_MARKER_RE = re.compile(r"^(.*\S)\s+(\d{1,4})$")
_TERMINAL = tuple(".!?:;)”\"’")
LIST_MARK = "• "


@dataclass
class _Paragraph:
    lines: list[str]
    bullet: bool = False
    heading: bool = False
    marker: str | None = None

    @property
    def raw(self) -> str:
        return " ".join(l.strip() for l in self.lines)


@dataclass
class SectionState:
    """The heading path in force; carried from one page of a source to the next."""

    path: list[str] = field(default_factory=list)
    footnotes: dict[str, str] = field(default_factory=dict)  # heading -> footnote text
    last_was_heading: bool = False


def extract_footnotes(column: list[str], markers: set[str]) -> tuple[list[str], dict[str, str]]:
    """Take footnote lines ("123  GAXQ, https://…") off the bottom of a column."""
    lines = list(column)
    notes: dict[str, str] = {}
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and (m := _FOOTNOTE_RE.match(lines[-1].strip())):
        number, body = m.groups()
        if number not in markers and "http" not in body and "www." not in body:
            break
        notes[number] = repair_mojibake(re.sub(r"\s+", " ", body).strip())
        lines.pop()
    return lines, notes


def column_paragraphs(column: list[str]) -> list[_Paragraph]:
    """Paragraphs of one column: an empty line or a new bullet item starts a new one."""
    paragraphs: list[_Paragraph] = []
    current: _Paragraph | None = None
    for line in column:
        text = line.strip()
        if not text:
            current = None
            continue
        bullet = _BULLET_RE.match(text)
        if bullet:
            current = _Paragraph([text[bullet.end():].strip()], bullet=True)
            paragraphs.append(current)
        elif current is None:
            current = _Paragraph([text])
            paragraphs.append(current)
        else:
            current.lines.append(text)
    return paragraphs


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(_TERMINAL)


def _looks_like_heading(p: _Paragraph, previous: _Paragraph | None, footnotes: dict[str, str]) -> bool:
    text = p.raw
    if p.bullet or len(p.lines) > 3 or len(text) > 90:
        return False
    m = _MARKER_RE.match(text)
    if m and m.group(2) in footnotes:
        text = m.group(1)
    if _ends_sentence(text) or text.endswith(",") or not (text[0].isupper() or text[0].isdigit()):
        return False
    return previous is None or previous.heading or _ends_sentence(previous.raw)


def order_paragraphs(columns: Columns, footnotes: dict[str, str]) -> list[_Paragraph]:
    """Reading order (left column, then right), with sentences that run on across breaks rejoined."""
    ordered = column_paragraphs(columns.left) + column_paragraphs(columns.right)
    out: list[_Paragraph] = []
    for p in ordered:
        previous = out[-1] if out else None
        if _looks_like_heading(p, previous, footnotes):
            p.heading = True
            m = _MARKER_RE.match(p.raw)
            if m and m.group(2) in footnotes:
                p.marker = m.group(2)
                p.lines = [m.group(1)]
            out.append(p)
        elif previous and not previous.heading and not p.bullet and not _ends_sentence(previous.raw):
            previous.lines.extend(p.lines)  # a sentence cut by a column or a figure continues here
        else:
            out.append(p)
    return out


def build_page(
    columns: Columns,
    *,
    source: str,
    page: int,
    page_label: str,
    title: str | None = None,
    state: SectionState | None = None,
    vocabulary: set[str] | None = None,
) -> ReconstructedPage:
    """Assemble the reconstructed page: blocks with section paths, footnotes and text offsets."""
    state = state or SectionState()
    markers = {m.group(2) for l in columns.left + columns.right if (m := _MARKER_RE.match(l.strip()))}
    left, notes = extract_footnotes(columns.left, markers)
    right, right_notes = extract_footnotes(columns.right, markers)
    notes.update(right_notes)
    paragraphs = order_paragraphs(Columns(left=left, right=right, gutter=columns.gutter), notes)

    blocks: list[Block] = []
    parts: list[str] = []
    offset = 0
    for p in paragraphs:
        text = join_lines([repair_mojibake(l) for l in p.lines], vocabulary)
        if not text:
            continue
        if p.heading:
            if state.last_was_heading:
                state.path.append(text)
            elif len(state.path) >= 2:
                state.path[-1] = text
            else:
                state.path = [text]
            if p.marker:
                state.footnotes[text] = notes[p.marker]
            state.last_was_heading = True
            block = Block("heading", text, section=list(state.path))
            rendered = text
        else:
            state.last_was_heading = False
            section = list(state.path)
            kind = "paragraph"
            rendered = text
            if p.bullet:
                kind = "list_item"
                label = re.match(r"^([^:.]{2,90}):\s", text)
                if label and len(label.group(1).split()) <= 12:
                    section.append(label.group(1).strip())
                rendered = LIST_MARK + text
            block = Block(kind, text, section=section)
        block.footnotes = [state.footnotes[h] for h in state.path if h in state.footnotes]
        if parts:
            offset += 2
        start = offset + (len(LIST_MARK) if block.kind == "list_item" else 0)
        block.start, block.end = start, start + len(block.text)
        parts.append(rendered)
        offset += len(rendered)
        blocks.append(block)
    body = "\n\n".join(parts)
    if notes:
        body += "\n\n" + "\n".join(f"[{n}] {t}" for n, t in sorted(notes.items(), key=lambda kv: int(kv[0])))
    return ReconstructedPage(source=source, page=page, page_label=page_label, text=body, blocks=blocks,
                             footnotes=notes, title=title)
