"""From column lines to the page's structure: paragraphs, headings, list items, footnotes.

    columns = reconstruct_columns(lines)
    page = build_page(columns, source="corpus/page-156.txt", page=156, page_label="156")
    print(page.text)
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rag.ingest.clean import join_lines, reattach_drop_caps, repair_mojibake
from rag.ingest.layout import Columns
from rag.lang.detect import detect_lang
from rag.ingest.models import Block, Chart, ReconstructedPage, Table
from rag.ingest.tables import REGION_MARK

_BULLET_RE = re.compile(r"^(?:\?\s{2,}|\?\s(?=[A-Z])|[•●▪◦·]\s*)")
_FOOTNOTE_RE = re.compile(r"^(\d{1,4})\s+(\S.*)$")
_MARKER_RE = re.compile(r"^(.*\S)\s+(\d{1,4})$")
_TERMINAL = tuple(".!?:;)”\"’。！？；：）")
_SENTENCE_INSIDE_RE = re.compile(r"[.!?][”’\")]?\s+\S")
_REFERENCE_RE = re.compile(r"^\d{1,4}$")  # a footnote reference the export put on a line of its own
LIST_MARK = "• "


@dataclass
class _Paragraph:
    lines: list[str]
    bullet: bool = False
    heading: bool = False
    marker: str | None = None
    table: Table | None = None  # a table block: ``lines`` are its rendered rows (the PDF path sets it)
    chart: Chart | None = None  # a chart block: ``lines`` are its rendered series
    region: int | None = None  # a table/chart cut out of the page's lines (Columns.regions), not yet read
    column: int = 0  # 0 left, 1 right: a paragraph break inside one column is a real one
    refs: list[str] = field(default_factory=list)  # footnote numbers lifted out of its sentences

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


def column_paragraphs(column: list[str], notes: dict[str, str] | None = None, index: int = 0) -> list[_Paragraph]:
    """Paragraphs of one column: an empty line or a new bullet item starts a new one.

    A line holding only the number of a footnote printed on the page, inside a paragraph, is a
    reference mark ("…its role in" / "35" / "trade…"): it goes to the paragraph's ``refs``, not its text.
    """
    notes = notes or {}
    paragraphs: list[_Paragraph] = []
    current: _Paragraph | None = None
    for line in column:
        text = line.strip()
        if not text:
            current = None
            continue
        if text.startswith(REGION_MARK):  # where a table or chart goes: a block of its own
            paragraphs.append(_Paragraph([], region=int(text[len(REGION_MARK):])))
            current = None
            continue
        if current is not None and _REFERENCE_RE.match(text) and text in notes:
            current.refs.append(text)
            continue
        bullet = _BULLET_RE.match(text)
        if bullet:
            current = _Paragraph([text[bullet.end():].strip()], bullet=True, column=index)
            paragraphs.append(current)
        elif current is None:
            current = _Paragraph([text], column=index)
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
    # A list item needs no full stop, so a heading may follow one (a right column's heading after a list).
    return previous is None or previous.heading or previous.bullet or _ends_sentence(previous.raw)


def _starts_lower(p: _Paragraph | None) -> bool:
    text = p.raw.lstrip("“‘\"'(") if p is not None else ""
    return bool(text) and text[0].islower()


def _runs_on(previous: _Paragraph, p: _Paragraph) -> bool:
    """Whether ``p`` finishes the sentence ``previous`` left open. Across the column break any text may
    (the sentence goes on at the top of the right column); after a blank line inside one column, or
    after a list item (which needs no full stop), only text that starts in lower case (or a figure,
    across the break) does."""
    if _ends_sentence(previous.raw):
        return False
    if _starts_lower(p):
        return True
    if previous.bullet:  # an item written in sentences that lacks its full stop is cut, not finished
        return previous.column != p.column and (p.raw[:1].isdigit() or bool(_SENTENCE_INSIDE_RE.search(previous.raw)))
    return previous.column != p.column


def order_paragraphs(columns: Columns, footnotes: dict[str, str]) -> list[_Paragraph]:
    """Reading order (left column, then right), with sentences that run on across breaks rejoined."""
    ordered = column_paragraphs(columns.left, footnotes, 0) + column_paragraphs(columns.right, footnotes, 1)
    out: list[_Paragraph] = []
    for i, p in enumerate(ordered):
        if p.region is not None:
            out.append(p)
            continue
        previous = out[-1] if out else None
        if previous is not None and previous.region is not None:
            # prose resumes after a table or chart: a sentence cut by it continues, anything else starts anew
            before = next((q for q in reversed(out) if q.region is None), None)
            if before and not before.heading and not p.bullet and not _ends_sentence(before.raw) \
                    and p.raw[:1].islower():
                before.lines.extend(p.lines)
                continue
            previous = None
        following = ordered[i + 1] if i + 1 < len(ordered) else None
        # Text that the next paragraph finishes in lower case is a sentence cut by the column break.
        if _looks_like_heading(p, previous, footnotes) and not _starts_lower(following):
            p.heading = True
            m = _MARKER_RE.match(p.raw)
            if m and m.group(2) in footnotes:
                p.marker = m.group(2)
                p.lines = [m.group(1)]
            out.append(p)
        elif previous and not previous.heading and not p.bullet and _runs_on(previous, p):
            previous.lines.extend(p.lines)  # a sentence cut by a column or a figure continues here
            previous.refs.extend(p.refs)
        else:
            out.append(p)
    return out


def _dictionary_test(vocabulary: set[str] | None) -> Callable[[str], bool]:
    """Is a (lower-case) string an English word? The bundled dictionary decides; a page's own words do
    not count, since a broken fragment ("ompanies") is one of them."""
    from rag.ingest.pipeline import default_vocabulary

    dictionary = default_vocabulary()
    if dictionary:
        return dictionary.__contains__
    return (vocabulary or set()).__contains__


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
    markers |= {l.strip() for l in columns.left + columns.right if _REFERENCE_RE.match(l.strip())}
    left, notes = extract_footnotes(columns.left, markers)
    right, right_notes = extract_footnotes(columns.right, markers)
    notes.update(right_notes)
    # Repaired before paragraphs are cut, so a quote that ends a sentence ("…how.Ąą") ends it.
    is_word = _dictionary_test(vocabulary)
    left = reattach_drop_caps([repair_mojibake(l) for l in left], is_word)
    right = reattach_drop_caps([repair_mojibake(l) for l in right], is_word)
    paragraphs = order_paragraphs(Columns(left=left, right=right, gutter=columns.gutter), notes)
    paragraphs = _read_regions(paragraphs, columns.regions)
    return assemble_page(paragraphs, notes, source=source, page=page, page_label=page_label, title=title,
                         state=state, vocabulary=vocabulary)


def _read_regions(paragraphs: list[_Paragraph], regions: list) -> list[_Paragraph]:
    """Region placeholders become table/chart paragraphs (two tables printed side by side: two blocks)."""
    from rag.ingest.charts import render_chart
    from rag.ingest.tables import render_table

    out: list[_Paragraph] = []
    for p in paragraphs:
        if p.region is None:
            out.append(p)
            continue
        for item in regions[p.region].blocks():
            if isinstance(item, Chart):
                out.append(_Paragraph(render_chart(item).split("\n"), chart=item))
            else:
                out.append(_Paragraph(render_table(item).split("\n"), table=item))
    return out


def assemble_page(
    paragraphs: list[_Paragraph],
    notes: dict[str, str],
    *,
    source: str,
    page: int,
    page_label: str,
    title: str | None = None,
    state: SectionState | None = None,
    vocabulary: set[str] | None = None,
) -> ReconstructedPage:
    """Blocks, section paths and text offsets from paragraphs in reading order (shared by the PDF path)."""
    state = state or SectionState()
    blocks: list[Block] = []
    parts: list[str] = []
    offset = 0
    for p in paragraphs:
        if p.table is not None or p.chart is not None:
            text = "\n".join(p.lines)
        else:
            text = join_lines([repair_mojibake(l) for l in p.lines], vocabulary)
        if not text:
            continue
        if p.table is not None or p.chart is not None:
            state.last_was_heading = False
            caption = (p.table or p.chart).title  # type: ignore[union-attr]
            kind = "table" if p.table is not None else "chart"
            block = Block(kind, text, section=[*state.path, caption], table=p.table, chart=p.chart)
            rendered = text
        elif p.heading:
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
        if p.marker and not p.heading and p.marker in notes:  # a reference inside the text (PDF superscript)
            block.footnotes.append(notes[p.marker])
        for ref in p.refs:  # reference marks lifted out of the text (see column_paragraphs)
            if notes.get(ref) and notes[ref] not in block.footnotes:
                block.footnotes.append(notes[ref])
        if parts:
            offset += 2
        start = offset + (len(LIST_MARK) if block.kind == "list_item" else 0)
        block.start, block.end = start, start + len(block.text)
        parts.append(rendered)
        offset += len(rendered)
        block.lang = detect_lang(block.text)  # "zh" when most of its letters are CJK
        blocks.append(block)
    body = "\n\n".join(parts)
    if notes:
        body += "\n\n" + "\n".join(f"[{n}] {t}" for n, t in sorted(notes.items(), key=lambda kv: int(kv[0])))
    return ReconstructedPage(source=source, page=page, page_label=page_label, text=body, blocks=blocks,
                             footnotes=notes, title=title)
