"""PDFs read with PyMuPDF: spans with positions and fonts to the same structured page as the text path.

    pages = read_pdf(Path("report.pdf"))   # -> [ReconstructedPage(page=1, page_label="101", ...), ...]

Per page: the running header and footer are dropped (lines in the top or bottom band whose text, digits aside,
repeats at the same height on other pages, and bare page numbers there); ruled tables come from
``page.find_tables()``; footnotes are the small lines starting with a number under a column's body; the rest
is split into columns at the vertical strip no line crosses, read left column top-down then right (a line
spanning both columns closes a band); lines become paragraphs at vertical gaps and style changes; headings
are larger or bold lines; list items start with a bullet glyph (or the "?" some exporters leave) or hang
indented; raised small spans are superscripts ("km" + raised "2" -> "km²") or footnote references. The
paragraphs then go through ``structure.assemble_page``, the text path's own block/offset assembly.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.ingest.models import ReconstructedPage, Table
from rag.ingest.structure import SectionState, _Paragraph, assemble_page

log = logging.getLogger(__name__)

BULLET_GLYPHS = frozenset("•●▪◦■□‣∙◆◇►▸–—-*·")
_FOOTNOTE_LINE_RE = re.compile(r"^(\d{1,3})[\s.)]\s*(\S.*)$")
_UNIT_BEFORE_RE = re.compile(r"\d[\d,.]*\s*[A-Za-z]{1,3}$")
_TERMINAL = tuple(".!?:;)”\"’")
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_BOLD_NAME_RE = re.compile(r"bold|black|heavy|semibold|demi", re.I)
FURNITURE_BAND = 0.07  # share of the page height at the top and at the bottom where running furniture sits


@dataclass
class _Span:
    text: str
    size: float
    bold: bool
    superscript: bool
    x0: float
    x1: float
    origin_y: float = 0.0
    flagged: bool = False  # PyMuPDF's superscript flag


@dataclass
class _Line:
    spans: list[_Span]
    x0: float
    y0: float
    x1: float
    y1: float
    size: float = 0.0  # the line's main font size (by characters)
    bold: bool = False  # every visible character bold
    text: str = ""
    marker: str | None = None  # footnote reference lifted out of the text
    table: Table | None = None  # a table item standing in the reading order as one "line"

    @property
    def plain(self) -> str:
        return "".join(s.text for s in self.spans).strip()


@dataclass
class _PageLayout:
    width: float
    height: float
    lines: list[_Line]
    tables: list[tuple[tuple[float, float, float, float], Table]] = field(default_factory=list)


def _is_bold(span: dict[str, Any]) -> bool:
    return bool(span["flags"] & 16) or bool(_BOLD_NAME_RE.search(span["font"]))


def _page_lines(page: Any) -> list[_Line]:
    import pymupdf

    flags = pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
    lines: list[_Line] = []
    for block in page.get_text("dict", flags=flags)["blocks"]:
        for line in block.get("lines", []):
            if line["dir"][0] < 0.9:  # rotated text (axis titles, stamps) is not running text
                continue
            spans = []
            for s in line["spans"]:
                if not s["text"]:
                    continue
                spans.append(_Span(s["text"], s["size"], _is_bold(s), False, s["bbox"][0], s["bbox"][2],
                                   origin_y=s["origin"][1], flagged=bool(s["flags"] & 1)))
            if not any(s.text.strip() for s in spans):
                continue
            x0, y0, x1, y1 = line["bbox"]
            lines.append(_Line(spans, x0, y0, x1, y1))
    return _merge_raised(lines)


def _merge_raised(lines: list[_Line]) -> list[_Line]:
    """Put a line that is only a small raised span back onto the line it sits beside (a lone superscript)."""
    out: list[_Line] = []
    for line in lines:
        text = line.plain
        host = None
        if len(text) <= 3 and out:
            for cand in reversed(out[-3:]):
                overlap = min(cand.y1, line.y1) - max(cand.y0, line.y0)
                if overlap > 0.3 * (line.y1 - line.y0) and -2 <= line.x0 - cand.x1 <= 3:
                    host = cand
                    break
        if host is not None:
            host.spans.extend(line.spans)
            host.x1 = max(host.x1, line.x1)
            continue
        out.append(line)
    return out


def _style(line: _Line) -> None:
    """The line's main size and weight; small raised spans are marked as superscripts."""
    sizes: Counter[float] = Counter()
    for s in line.spans:
        sizes[round(s.size * 2) / 2] += len(s.text.strip())
    line.size = sizes.most_common(1)[0][0] if sizes else 0.0
    baseline = max((s.origin_y for s in line.spans if round(s.size * 2) / 2 == line.size), default=0.0)
    for s in line.spans:
        rise = baseline - s.origin_y
        smaller = s.size <= 0.85 * line.size or (s.flagged and s.size < line.size)
        s.superscript = bool(s.text.strip()) and smaller and rise >= 0.15 * line.size
    visible = [s for s in line.spans if s.text.strip() and not s.superscript]
    line.bold = bool(visible) and all(s.bold for s in visible)


def _line_text(line: _Line, footnote_numbers: set[str]) -> None:
    """The line's text with superscripts attached: a power after a unit, else a footnote reference or ¹²³."""
    text = ""
    for s in line.spans:
        if not s.superscript:
            text += s.text
            continue
        sup = s.text.strip()
        head = text.rstrip()
        is_power = sup in {"2", "3"} and _UNIT_BEFORE_RE.search(head) is not None
        if sup in footnote_numbers and not is_power:
            line.marker = line.marker or sup  # the reference goes to footnote metadata, not the sentence
            text = head
        elif sup.isdigit() or sup in {"+", "-"}:
            text = head + sup.translate(_SUPERSCRIPT_DIGITS)
        else:
            text = head + sup
    line.text = re.sub(r"\s+", " ", text).strip()


def _table_from(found: Any, words: list[tuple]) -> tuple[tuple[float, float, float, float], Table] | None:
    """A ruled table: cells filled from the page's words (PyMuPDF's own cell text splits decimals), rows
    whose first cell is empty continued into the row above (a wrapped cell)."""
    grid: list[list[str]] = []
    for row in found.rows:
        cells = []
        for bbox in row.cells:
            if bbox is None:
                cells.append("")
                continue
            x0, y0, x1, y1 = bbox
            inside = [w for w in words if x0 <= (w[0] + w[2]) / 2 <= x1 and y0 <= (w[1] + w[3]) / 2 <= y1]
            inside.sort(key=lambda w: (round(w[3]), w[0]))
            cells.append(" ".join(w[4] for w in inside))
        if not any(cells):
            continue
        if grid and not cells[0] and len(cells) == len(grid[-1]):
            grid[-1] = [f"{a} {b}".strip() for a, b in zip(grid[-1], cells)]
        else:
            grid.append(cells)
    if len(grid) < 2 or max(len(r) for r in grid) < 2:
        return None
    return tuple(found.bbox), Table(title="", headers=grid[0], rows=grid[1:])


def _page_tables(page: Any) -> list[tuple[tuple[float, float, float, float], Table]]:
    if not page.get_drawings():  # only ruled tables: text-aligned guessing would split running prose
        return []
    try:
        try:  # PyMuPDF 2 would first run its neural layout model over the page: slow, and rules suffice here
            found = page.find_tables(use_layout=False)
        except TypeError:
            found = page.find_tables()
    except Exception as exc:  # noqa: BLE001 - a table finder failure must not lose the page's text
        log.warning("table detection failed on page %s: %s", page.number + 1, exc)
        return []
    words = page.get_text("words")
    return [t for f in found.tables if (t := _table_from(f, words)) is not None]


def _inside(line: _Line, bbox: tuple[float, float, float, float]) -> bool:
    cx, cy = (line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2
    return bbox[0] - 1 <= cx <= bbox[2] + 1 and bbox[1] - 1 <= cy <= bbox[3] + 1


def _furniture_keys(layouts: list[_PageLayout]) -> set[tuple[str, int, int]]:
    """Text (digits as #) and rounded position of band lines that repeat on at least two pages."""
    seen: Counter[tuple[str, int, int]] = Counter()
    for layout in layouts:
        keys = {_band_key(l, layout) for l in layout.lines}
        seen.update(k for k in keys if k is not None)
    return {k for k, n in seen.items() if n >= 2}


def _band_key(line: _Line, layout: _PageLayout) -> tuple[str, int, int] | None:
    band = FURNITURE_BAND * layout.height
    if line.y1 > band and line.y0 < layout.height - band:
        return None
    return re.sub(r"\d+", "#", line.plain), round(line.x0 / 4), round(line.y0 / 4)


def _gutter(lines: list[_Line], width: float) -> float | None:
    """The x of the vertical strip in the middle of the page that the fewest lines cross; None if one column."""
    if len(lines) < 2:
        return None
    best: tuple[int, float] | None = None
    x = 0.3 * width
    while x <= 0.7 * width:
        crossing = sum(1 for l in lines if l.x0 < x - 1 and l.x1 > x + 1)
        if best is None or crossing < best[0]:
            best = (crossing, x)
        x += 2
    assert best is not None
    crossing, x = best
    left = sum(1 for l in lines if l.x1 <= x)
    right = sum(1 for l in lines if l.x0 >= x)
    if left < 1 or right < 1 or crossing > 0.25 * len(lines):
        return None
    # centre the gutter in the empty strip around x
    lo = max((l.x1 for l in lines if l.x1 <= x), default=x)
    hi = min((l.x0 for l in lines if l.x0 >= x), default=x)
    return (lo + hi) / 2


def _reading_order(lines: list[_Line], width: float) -> list[list[_Line]]:
    """Columns in reading order: per band (cut by lines spanning the gutter) the left column, then the right."""
    gutter = _gutter(lines, width)
    lines = sorted(lines, key=lambda l: (l.y0, l.x0))
    if gutter is None:
        return [lines]
    runs: list[list[_Line]] = []
    left: list[_Line] = []
    right: list[_Line] = []
    for line in lines:
        if line.x0 < gutter - 1 and line.x1 > gutter + 1:
            runs += [r for r in (left, right) if r]
            runs.append([line])
            left, right = [], []
        elif line.x1 <= gutter + 1:
            left.append(line)
        else:
            right.append(line)
    runs += [r for r in (left, right) if r]
    return runs


def _drop_caps(run: list[_Line], body_size: float) -> list[_Line]:
    """A large lone letter (a drop cap) goes back to the start of the first line printed beside it."""
    out = list(run)
    for cap in run:
        if not (len(cap.text) == 1 and cap.text.isalpha() and cap.size >= 1.5 * body_size):
            continue
        beside = [l for l in out if l is not cap and l.table is None and l.x0 >= cap.x1 - 2
                  and cap.y0 - 2 <= l.y0 < cap.y1]
        if beside:
            first = min(beside, key=lambda l: (l.y0, l.x0))
            first.text = cap.text + first.text
            first.x0 = cap.x0
            out.remove(cap)
    return out


def _aligned_tables(run: list[_Line]) -> list[_Line]:
    """Tables without rules: rows of two or more lines on one baseline whose cells fall in the same x ranges
    (body text never shares a baseline inside a column). A lone line under one of the later columns continues
    that cell (a wrapped cell or a unit under its header). Each table becomes one table item in the run."""
    groups: list[list[_Line]] = []
    for line in run:
        if groups and line.table is None and groups[-1][0].table is None and abs(groups[-1][0].y1 - line.y1) <= 1.5:
            groups[-1].append(line)
        else:
            groups.append([line])
    out: list[_Line] = []
    i = 0
    while i < len(groups):
        group = groups[i]
        if len(group) < 2 or group[0].table is not None:
            out.extend(group)
            i += 1
            continue
        cols = [[l.x0, l.x1] for l in sorted(group, key=lambda l: l.x0)]
        grid = [[l.text for l in sorted(group, key=lambda l: l.x0)]]
        used = list(group)
        j = i + 1
        while j < len(groups):
            nxt = sorted(groups[j], key=lambda l: l.x0)
            if nxt[0].table is not None:
                break
            slots = [_column_of(l, cols) for l in nxt]
            if None in slots or len(set(slots)) < len(slots):
                break
            if len(nxt) == 1:  # a lone line: a wrapped cell below, never a new row
                gap = nxt[0].y0 - used[-1].y1
                if slots[0] == 0 or gap > 0.8 * nxt[0].size:
                    break
                grid[-1][slots[0]] = f"{grid[-1][slots[0]]} {nxt[0].text}".strip()
            else:
                row = [""] * len(cols)
                for l, k in zip(nxt, slots):
                    row[k] = l.text  # type: ignore[index]
                    cols[k] = [min(cols[k][0], l.x0), max(cols[k][1], l.x1)]  # type: ignore[index]
                grid.append(row)
            used.extend(nxt)
            j += 1
        if len(grid) < 2:
            out.extend(group)
            i += 1
            continue
        x0, y0 = min(l.x0 for l in used), min(l.y0 for l in used)
        x1, y1 = max(l.x1 for l in used), max(l.y1 for l in used)
        table = Table(title="", headers=grid[0], rows=grid[1:])
        out.append(_Line([], x0, y0, x1, y1, size=group[0].size, table=table))
        i = j
    return out


def _column_of(line: _Line, cols: list[list[float]]) -> int | None:
    hits = [k for k, (a, b) in enumerate(cols) if line.x0 < b + 2 and line.x1 > a - 2]
    return hits[0] if len(hits) == 1 else None


def _bullet(line: _Line) -> str | None:
    """The line's text without its bullet glyph, or None when it does not start a list item."""
    text = line.text
    if not text:
        return None
    first = text[0]
    rest = text[1:]
    if first in BULLET_GLYPHS and (rest.startswith(" ") or (line.spans[0].text.strip() == first)):
        return rest.strip()
    if first == "?" and re.match(r"\s+[A-Z0-9“\"(]", rest):  # an exporter's lost bullet glyph
        return rest.strip()
    return None


def _is_heading_line(line: _Line, body_size: float) -> bool:
    if line.table is not None or len(line.text) > 120:
        return False
    return line.size >= 1.15 * body_size or (line.bold and line.size >= 0.95 * body_size)


def _paragraphs(runs: list[list[_Line]], body_size: float) -> list[_Paragraph]:
    """Lines of each column run to paragraphs: a vertical gap, a style change or a bullet starts a new one."""
    out: list[_Paragraph] = []
    for run in runs:
        run = _aligned_tables(_drop_caps(run, body_size))
        starts: Counter[int] = Counter(round(l.x0) for l in run if l.table is None and l.text)
        body_x = min(starts, key=lambda x: (-starts[x], x)) if starts else 0
        made: list[tuple[_Paragraph, float]] = []  # each paragraph with the x where its lines start (min)
        current: _Paragraph | None = None
        prev: _Line | None = None
        for line in run:
            if line.table is not None:
                made.append((_table_paragraph(line.table), line.x0))
                current, prev = None, None
                continue
            heading = _is_heading_line(line, body_size)
            item = None if heading else _bullet(line)
            text = item if item is not None else line.text
            new = (
                current is None
                or prev is None
                or item is not None
                or heading != current.heading
                or line.y0 - prev.y1 > max(2.0, 0.3 * line.size)
                or abs(line.size - prev.size) > 0.6
            )
            if new:
                current = _Paragraph([text], bullet=item is not None, heading=heading)
                made.append((current, line.x0))
            else:
                current.lines.append(text)  # type: ignore[union-attr]
                made[-1] = (made[-1][0], min(made[-1][1], line.x0))
            if line.marker and current.marker is None:  # type: ignore[union-attr]
                current.marker = line.marker  # type: ignore[union-attr]
            prev = line
        _indented_items(made, body_x, body_size)
        out.extend(p for p, _ in made)
    return out


def _indented_items(made: list[tuple[_Paragraph, float]], body_x: float, body_size: float) -> None:
    """Paragraphs set in from the column's text with every line are list items whose glyph was lost:
    two lines or more, or next to another such item (a one-line paragraph may just be first-line indented)."""
    indented = [not p.heading and p.table is None and x >= body_x + 0.8 * body_size for p, x in made]
    for i, (p, _) in enumerate(made):
        if not indented[i] or p.bullet:
            continue
        near = any(0 <= j < len(made) and (indented[j] or made[j][0].bullet) for j in (i - 1, i + 1))
        if len(p.lines) >= 2 or near:
            p.bullet = True


def _table_paragraph(table: Table) -> _Paragraph:
    rows = [table.headers] + table.rows
    rendered = [" | ".join(_trim(r)) for r in rows]
    if table.title:
        rendered.insert(0, table.title)
    return _Paragraph(rendered, table=table)


def _trim(cells: list[str]) -> list[str]:
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(_TERMINAL)


def _join_breaks(paragraphs: list[_Paragraph]) -> list[_Paragraph]:
    """A paragraph continuing a sentence cut by the column break (or a table) joins the one before it,
    the same rule as the text path's ``order_paragraphs``; a heading just above a table becomes its title."""
    out: list[_Paragraph] = []
    for p in paragraphs:
        previous = out[-1] if out else None
        if p.table is not None and previous is not None and previous.heading and not p.table.title:
            p.table.title = previous.raw
            out[-1] = _table_paragraph(p.table)
            continue
        if (previous and not previous.heading and previous.table is None and p.table is None and not p.heading
                and not p.bullet and not _ends_sentence(previous.raw)):
            previous.lines.extend(p.lines)
            previous.marker = previous.marker or p.marker
            continue
        out.append(p)
    return out


def _footnotes(lines: list[_Line], body_size: float) -> tuple[list[_Line], dict[str, str]]:
    """Small lines starting with a number under the lowest body line of their column: footnotes."""
    body = [l for l in lines if l.size >= 0.9 * body_size]
    notes: dict[str, str] = {}
    rest: list[_Line] = []
    last: str | None = None
    for line in sorted(lines, key=lambda l: (l.y0, l.x0)):
        below = not any(b.y0 > line.y0 and b.x0 < line.x1 and b.x1 > line.x0 for b in body)
        small = line.size < 0.9 * body_size
        m = _FOOTNOTE_LINE_RE.match(line.plain) if small and below else None
        if m and re.search(r"[^\W\d_]{2}", m.group(2)):  # a note has words, an axis row of ticks does not
            last = m.group(1)
            notes[last] = m.group(2).strip()
        elif small and below and last is not None:
            notes[last] += " " + line.plain
        else:
            rest.append(line)
            last = None
    return rest, notes


def _layout(page: Any) -> _PageLayout:
    tables = _page_tables(page)
    lines = [l for l in _page_lines(page) if not any(_inside(l, bbox) for bbox, _ in tables)]
    for line in lines:
        _style(line)
    return _PageLayout(page.rect.width, page.rect.height, lines, tables)


def _labels(doc: Any, path: Path) -> list[str]:
    """Printed labels from the PDF's label tree ("" where it has none); pypdf reads it when MuPDF cannot."""
    labels: list[str] = []
    failed = False
    for page in doc:
        try:
            labels.append(page.get_label() or "")
        except Exception:  # noqa: BLE001 - a malformed label tree
            labels.append("")
            failed = True
    if failed:
        try:
            from pypdf import PdfReader

            reader = PdfReader(path)
            if "/PageLabels" in reader.trailer["/Root"]:  # without a tree pypdf would just count pages
                labels = [a or b for a, b in zip(labels, reader.page_labels)]
        except Exception:  # noqa: BLE001
            pass
    return labels


def _body_size(layouts: list[_PageLayout]) -> float:
    sizes: Counter[float] = Counter()
    for layout in layouts:
        for line in layout.lines:
            sizes[line.size] += len(line.plain)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def open_pdf(path: Path) -> Any:
    """The document, or LoadError with the reason: unreadable, encrypted or without pages."""
    import pymupdf

    from rag.ingest.loaders import LoadError

    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # noqa: BLE001 - PyMuPDF raises its own and plain errors for broken files
        raise LoadError(path, f"unreadable PDF ({exc.__class__.__name__}: {exc})") from exc
    if doc.needs_pass and not doc.authenticate(""):
        doc.close()
        raise LoadError(path, "encrypted PDF (needs a password)")
    if doc.page_count == 0:
        doc.close()
        raise LoadError(path, "PDF has no pages")
    return doc


def read_pdf(path: Path, source: str | None = None) -> list[ReconstructedPage]:
    """Every page of the PDF, reconstructed from its spans; section headings carry across pages."""
    from rag.ingest.loaders import LoadError, source_name
    from rag.ingest.pipeline import page_vocabulary

    source = source or source_name(path)
    doc = open_pdf(path)
    try:
        labels = _labels(doc, path)
        try:
            layouts = [_layout(page) for page in doc]
        except RuntimeError as exc:  # MuPDF's errors on damaged content streams
            raise LoadError(path, f"unreadable PDF ({exc})") from exc
    finally:
        doc.close()
    if not any(l.plain for layout in layouts for l in layout.lines) and not any(x.tables for x in layouts):
        raise LoadError(path, "PDF has no text (scanned pages need OCR)")
    furniture = _furniture_keys(layouts)
    body_size = _body_size(layouts)
    state = SectionState()
    pages = []
    for index, layout in enumerate(layouts):
        body, printed = [], None
        for line in layout.lines:
            key = _band_key(line, layout)
            if key is not None and (key in furniture or line.plain.isdigit()):
                if line.plain.isdigit():  # a page number on its own, not the year in a running title
                    printed = printed or line.plain
                continue
            body.append(line)
        body, notes = _footnotes(body, body_size)
        for line in body:
            _line_text(line, set(notes))
        for bbox, table in layout.tables:
            body.append(_Line([], bbox[0], bbox[1], bbox[2], bbox[3], size=body_size, table=table))
        paragraphs = _join_breaks(_paragraphs(_reading_order(body, layout.width), body_size))
        label = (labels[index] if index < len(labels) else "") or printed or str(index + 1)
        text = " ".join(l.text for l in body)
        pages.append(assemble_page(paragraphs, notes, source=source, page=index + 1, page_label=label,
                                   state=state, vocabulary=page_vocabulary(text)))
    return pages
