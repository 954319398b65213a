"""Tables and charts in text page exports: where they sit on the page, and tables cell by cell.

A table or chart starts at its caption ("Table 3", "Figure 5", "图表5"; the words are data in
``rag/lang/*/layout.toml``) and ends at its notes ("Source: …") or where its text stops. It may sit in the
right column beside prose, in the left one, or across the page (two tables side by side share the lines).
``reconstruct_with_regions`` cuts these regions out of the page's lines before the columns are split, so
the prose beside them still comes out in whole paragraphs, and leaves a placeholder line where each block
goes in reading order::

    columns = reconstruct_with_regions(body_lines)   # None: the page has no table or chart
    columns.regions[0].table.rows                     # [["Guangzhou", "33%", …], …]

Tables are read by character alignment: the value cells of the rows give the columns, header lines above
are assigned to the column they overlap, a label line without values continues the row above (or names
the row below), a line of lone small digits under a header is its superscript.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rag.ingest.clean import join_lines, repair_mojibake
from rag.ingest.layout import Columns, attach_superscripts, find_gutter, restore_lost_indent, split_line
from rag.ingest.models import Chart, Table
from rag.lang import vocabulary

REGION_MARK = "\ue000"  # private-use character: a column line standing for a whole table or chart block
MAX_SPAN = 60  # a table or chart is at most this many lines long
_SEG_RE = re.compile(r"\S+(?: \S+)*")  # a run of text without a 2+ space gap
_TERMINAL_RE = re.compile(r"[.!?。]$")
_YEAR_RE = re.compile(r"^(?:1[89]|20|21)\d\d$")


@lru_cache(maxsize=1)
def layout_words() -> dict[str, tuple[str, ...]]:
    """Caption, note and empty-cell words of every language that has them."""
    out: dict[str, list[str]] = {"table": [], "chart": [], "notes": [], "empty_cells": []}
    for lang in ("en", "zh"):
        data = vocabulary(lang, "layout")
        for key in out:
            out[key].extend(data.get(key, []))
    return {k: tuple(v) for k, v in out.items()}


def caption_label(title: str) -> str:
    """The caption a title starts with ("Table 3", "图表5"), or "" when it has none."""
    m = _caption_re().match(title)
    return title[: m.end()].strip().rstrip(".:：") if m else ""


def _word_alternation(words: tuple[str, ...], number_gap: bool) -> str:
    parts = []
    for w in sorted(words, key=len, reverse=True):
        gap = r"\s+" if w.isascii() else r"\s*"
        parts.append(re.escape(w) + (gap if number_gap else ""))
    return "|".join(parts)


@lru_cache(maxsize=1)
def _caption_re() -> re.Pattern[str]:
    w = layout_words()
    return re.compile(
        rf"^(?:(?P<table>{_word_alternation(w['table'], True)})|(?P<chart>{_word_alternation(w['chart'], True)}))"
        r"(?P<num>\d+[A-Za-z]?)[.:：]?(?=$|\s{2,}|\s(?=[A-Z(\u4e00-\u9fff])|(?<=\d)(?=[\u4e00-\u9fff]))"
    )


@lru_cache(maxsize=1)
def _note_re() -> re.Pattern[str]:
    return re.compile(rf"^(?:{_word_alternation(layout_words()['notes'], False)})\s*[:：]")


@lru_cache(maxsize=1)
def _value_re() -> re.Pattern[str]:
    empties = "|".join(re.escape(e) for e in layout_words()["empty_cells"])
    number = r"[(]?[-+−–]?[$€£¥]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?[%‰]?[)]?[*†]?"
    return re.compile(rf"^(?:{number}|{empties})$" if empties else rf"^{number}$", re.IGNORECASE)


def is_value(text: str) -> bool:
    """A cell or data label that is a figure as printed ("14,589.2", "-12.6", "36%") or an empty mark."""
    return all(_value_re().match(t) for t in text.split()) and bool(text.strip())


def is_year(text: str) -> bool:
    return bool(_YEAR_RE.match(text))


def is_note(text: str) -> bool:
    return bool(_note_re().match(text.strip()))


@dataclass
class Segment:
    """A run of text on one line (no gap of two spaces inside) and where it starts."""

    x: int
    text: str

    @property
    def end(self) -> int:
        return self.x + len(self.text)


def segments(line: str) -> list[Segment]:
    return [Segment(m.start(), m.group()) for m in _SEG_RE.finditer(line)]


@dataclass
class Caption:
    y: int
    x: int
    kind: Literal["table", "chart"]
    label: str  # "Table 3"
    title: str  # the rest of the caption line


@dataclass
class Region:
    """A table or chart cut out of the page: lines ``top``..``bottom`` between ``left`` and ``right``."""

    kind: Literal["table", "chart"]
    top: int
    bottom: int
    left: int
    right: int | None
    placement: Literal["left", "right", "full"]
    tables: list[Table] = field(default_factory=list)
    # Per line, the spans of the region's own text when running text is interleaved with it (a table
    # wider than its column, the other column's lines pushed right of it); None: everything in range.
    mask: dict[int, list[tuple[int, int]]] | None = None

    def part(self, lines: list[str], y: int) -> str:
        if self.mask is None:
            return region_part(lines[y], self.left, self.right)
        return _keep(lines[y], self.mask.get(y, []))

    def outside(self, lines: list[str], y: int) -> str:
        if self.mask is None:
            return _outside_part(lines[y], self.left, self.right) if self.placement != "full" else ""
        spans = self.mask.get(y, [])
        return _keep(lines[y], [(sg.x, sg.end) for sg in segments(lines[y]) if (sg.x, sg.end) not in spans])
    chart: Chart | None = None

    def blocks(self) -> list[Table | Chart]:
        return [self.chart] if self.chart is not None else list(self.tables)


def _in_range(seg: Segment, left: int, right: int | None) -> bool:
    return seg.x >= left - 3 and (right is None or seg.x < right - 3)


def _inside(line: str, left: int, right: int | None) -> list[tuple[Segment, bool]]:
    """Each run of the line and whether it falls in [left, right): a run a little left of ``left`` counts
    only after a gutter-wide gap (a left column's last word two spaces on is still the left column)."""
    out, previous = [], None
    for seg in segments(line):
        inside = _in_range(seg, left, right) and (
            seg.x >= left - 1 or previous is None or seg.x - previous >= 3 or left == 0)
        out.append((seg, inside))
        previous = seg.end
    return out


def region_part(line: str, left: int, right: int | None) -> str:
    """The line with only the text that falls in [left, right) kept in place (the rest blanked)."""
    out = [" "] * len(line)
    for seg, inside in _inside(line, left, right):
        if inside:
            out[seg.x : seg.end] = seg.text
    return "".join(out).rstrip()


def _outside_part(line: str, left: int, right: int | None) -> str:
    out = [" "] * len(line)
    for seg, inside in _inside(line, left, right):
        if not inside:
            out[seg.x : seg.end] = seg.text
    return "".join(out).rstrip()


def find_captions(lines: list[str]) -> list[Caption]:
    captions = []
    for y, line in enumerate(lines):
        segs = segments(line)
        for i, seg in enumerate(segs):
            m = _caption_re().match(seg.text)
            if not m:
                continue
            rest = seg.text[m.end():].strip()
            # The caption's title runs on to the next segment unless that one is another caption.
            following = []
            for nxt in segs[i + 1:]:
                if _caption_re().match(nxt.text):
                    break
                following.append(nxt.text)
            title = " ".join(([rest] if rest else []) + following)
            kind: Literal["table", "chart"] = "table" if m.group("table") else "chart"
            captions.append(Caption(y, seg.x, kind, seg.text[: m.end()].strip().rstrip(".:："), title))
    return captions


def _words(text: str) -> int:
    return len(re.findall(r"[^\W\d_]{2,}", text))


def _prose_like(part: str) -> bool:
    """A line of running text: many words, no figure standing apart, no wide gaps between entries."""
    segs = segments(part)
    if any(is_value(s.text) for s in segs) or _words(part) < 7:
        return False
    return not re.search(r"\S {4,}\S", part.strip())


def _extent(lines: list[str], top: int, left: int, right: int | None, caption_rows: set[int],
            max_blank: int = 2, to_note: bool = False) -> int:
    """The last line of the region that starts at ``top``: through its notes, or to where its text stops
    (``max_blank`` empty lines in a row; a chart's plot has wider empty bands than a table)."""
    bottom, y, blank, started = top, top + 1, 0, False
    limit = min(len(lines), top + MAX_SPAN)
    while y < limit:
        part = region_part(lines[y], left, right).strip()
        if not part:
            blank += 1
            if blank >= max_blank and started:
                break
            y += 1
            continue
        if y in caption_rows and any(_caption_re().match(s.text) for s in segments(region_part(lines[y], left, right))):
            break
        if is_note(part):
            return _note_block_end(lines, y, left, right)
        if _prose_like(part) and started and not _note_follows(lines, y, left, right) \
                and not (to_note and _note_ahead(lines, y, limit, left, right, caption_rows)):
            break
        segs = segments(part)
        if len(segs) > 1 or any(is_value(sg.text) for sg in segs):
            started = True  # title lines under the caption do not start the body
        blank, bottom = 0, y
        y += 1
    return bottom


def _note_ahead(lines: list[str], y: int, limit: int, left: int, right: int | None, caption_rows: set[int]) -> bool:
    """A note line ("Source: …") further down, before the next caption: the table's text runs on to it
    (prose of the other column shares its lines)."""
    for k in range(y + 1, limit):
        if k in caption_rows:
            return False
        if any(is_note(sg.text) for sg in segments(region_part(lines[k], left, right))):
            return True
    return False


def _note_follows(lines: list[str], y: int, left: int, right: int | None) -> bool:
    for k in range(y + 1, min(len(lines), y + 4)):
        if is_note(region_part(lines[k], left, right)):
            return True
    return False


def _note_block_end(lines: list[str], y: int, left: int, right: int | None) -> int:
    """Notes may wrap (an unfinished long line runs on below, from the same x) and follow one another,
    one blank line apart at most."""
    last, k = y, y + 1
    while k < len(lines):
        part = region_part(lines[k], left, right)
        previous = region_part(lines[last], left, right)
        if part.strip() and is_note(part):
            last, k = k, k + 1
            continue
        segs, before = segments(part), segments(previous)
        if segs and before and len(segs) == 1 and abs(segs[0].x - before[0].x) <= 2 \
                and not _TERMINAL_RE.search(previous) and len(previous.strip()) >= 40 and segs[0].text[:1].islower():
            last, k = k, k + 1  # a note wider than its column wrapped onto the next line
            continue
        if not part.strip() and k + 1 < len(lines) and is_note(region_part(lines[k + 1], left, right)):
            last, k = k + 1, k + 2
            continue
        break
    return last


def find_regions(lines: list[str]) -> list[Region]:
    """Tables and charts of a page's body lines (already re-indented), top to bottom."""
    captions = find_captions(lines)
    if not captions:
        return []
    rows = {c.y for c in captions}
    indent = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
    regions: list[Region] = []
    for y in sorted(rows):
        on_line = sorted((c for c in captions if c.y == y), key=lambda c: c.x)
        for i, cap in enumerate(on_line):
            max_blank = 2 if cap.kind == "table" else 5
            mask = None
            if len(on_line) > 1:  # side by side: one region across the page, split into tables later
                placement, left, right = "full", 0, None
            elif cap.x > indent + 24:  # a caption well inside the page heads the right column
                placement, left, right = "right", cap.x, None
            else:  # at the left margin: across the page, unless running text stands beside it
                placement, left, right = "full", 0, None
            bottom = _extent(lines, y, left, right, rows, max_blank)
            if placement == "full" and len(on_line) == 1:
                beside = _prose_edge(lines, y, bottom, cap.x)
                if beside is not None:
                    placement, right = "left", beside
                    bottom = _extent(lines, y, left, right, rows, max_blank)
                elif cap.kind == "table":
                    far = _extent(lines, y, left, right, rows, max_blank, to_note=True)
                    if _interleaved(lines, y, far, cap.x):
                        mask = _interleaved_mask(lines, y, far, cap)
                        if mask:
                            placement, bottom = "left", far
            if any(r.top <= y <= r.bottom and _overlaps(r, left, right) for r in regions):
                continue
            region = Region(cap.kind, y, bottom, left, right, placement)  # type: ignore[arg-type]
            region.mask = mask
            if _parse_region(region, lines, on_line if len(on_line) > 1 else [cap]):
                regions.append(region)
            if len(on_line) > 1:
                break
    return regions


def _prose_start(segs: list[Segment], min_x: int = 10**6) -> int | None:
    """Where running text begins on a line it shares with a table: the widest gap after which the rest
    of the line is five words or more and holds no figure standing apart."""
    best: tuple[int, int] | None = None
    for i in range(1, len(segs)):
        rest = segs[i:]
        if any(is_value(sg.text) for sg in rest) or _words(" ".join(sg.text for sg in rest)) < 5:
            continue
        gap = segs[i].x - segs[i - 1].end
        if best is None or gap > best[0]:
            best = (gap, segs[i].x)
    if best is None:
        if segs and _words(" ".join(sg.text for sg in segs)) >= 5 and not any(is_value(sg.text) for sg in segs) \
                and segs[0].x > min_x:
            return segs[0].x  # a line of the other column alone
        return None
    return best[1]


def _interleaved(lines: list[str], top: int, bottom: int, x0: int) -> bool:
    """Running text (five words or more in a run) right of the caption on at least two of the lines."""
    return sum(1 for line in lines[top + 1 : bottom + 1]
               if any(sg.x > x0 + 20 and not is_value(sg.text) and _words(sg.text) >= 5 for sg in segments(line))) >= 2


def _prose_edge(lines: list[str], top: int, bottom: int, x0: int) -> int | None:
    """Where running text beside a region starts: runs of many words, right of the caption, that begin
    at one x (within a few characters) on at least two lines."""
    starts = [seg.x for line in lines[top : bottom + 1] for seg in segments(line)
              if seg.x > x0 + 20 and not is_value(seg.text) and _words(seg.text) >= 5]
    if len(starts) >= 2 and max(starts) - min(starts) <= 4:
        return min(starts)
    return None


def _keep(line: str, spans: list[tuple[int, int]]) -> str:
    out = [" "] * len(line)
    for a, b in spans:
        out[a:b] = line[a:b]
    return "".join(out).rstrip()


def _interleaved_mask(lines: list[str], top: int, bottom: int, cap: Caption) -> dict[int, list[tuple[int, int]]] | None:
    """The table's own text, line by line, when the other column's prose shares its lines (pushed right of
    the table's figures, or left of it where the table has none): the label column at the caption's x,
    the figures in the value columns, short header words above them, the caption with its title, notes."""
    x0 = cap.x
    spans: list[tuple[int, int]] = []
    for line in lines[top + 1 : bottom + 1]:
        segs = segments(line)
        k = 1 if segs and segs[0].x <= x0 + 2 and not is_value(segs[0].text) else 0
        run = []
        while k < len(segs) and is_value(segs[k].text):
            run.append((segs[k].x, segs[k].end))
            k += 1
        if len(run) >= 2:
            spans += run
    if not spans:
        return None
    c0, edge = min(a for a, _ in spans), max(b for _, b in spans)
    mask: dict[int, list[tuple[int, int]]] = {}
    first_row = None
    for y in range(top, bottom + 1):
        segs = segments(lines[y])
        keep: list[tuple[int, int]] = []
        if y == top:
            for i, sg in enumerate(segs):  # the caption, and its title printed right after it
                if sg.x >= x0 and ((not keep and _caption_re().match(sg.text)) or (len(keep) == 1 and sg.x - keep[-1][1] <= 3)):
                    keep.append((sg.x, sg.end))
            mask[y] = keep
            continue
        prose = _prose_start(segs, x0 + 20)
        segs = [sg for sg in segs if prose is None or sg.x < prose]
        values = [sg for sg in segs if is_value(sg.text) and c0 - 2 <= sg.x <= edge]
        if len(values) >= 2 and first_row is None:
            first_row = y
        for i, sg in enumerate(segs):
            if sg.x <= x0 + 2 and sg.x >= x0 - 2:
                keep.append((sg.x, sg.end))  # the label column (and titles, notes printed from it)
            elif is_value(sg.text) and c0 - 2 <= sg.x <= edge:
                keep.append((sg.x, sg.end))
            elif first_row is None and sg.x < edge:
                keep.append((sg.x, sg.end))  # title and header words over the value columns
        mask[y] = keep
    return mask


def _overlaps(region: Region, left: int, right: int | None) -> bool:
    r_right = region.right if region.right is not None else 10**6
    return left < r_right and (right if right is not None else 10**6) > region.left


def _parse_region(region: Region, lines: list[str], captions: list[Caption]) -> bool:
    """Read the region's text into tables or a chart; False when it holds neither (not a real caption)."""
    from rag.ingest.charts import parse_chart

    parts = [region.part(lines, y) for y in range(region.top, region.bottom + 1)]
    if region.kind == "chart":
        cap = captions[0]
        title_lines, body = _title_and_body(parts, cap)
        chart = parse_chart(_title(cap, title_lines), body)
        if chart is None:
            return False
        region.chart = chart
        return True
    bounds = _split_side_by_side(parts, captions)
    for cap, (a, b) in zip(captions, bounds):
        sub = [region_part(p, a, b) if (a, b) != (0, None) else p for p in parts]
        sub = [_cut(p, a, b) for p in sub]
        nxt = [c.x for c in captions if c.x > cap.x]
        sub[0] = _cut(parts[0], cap.x, min(nxt) if nxt else None)  # the caption line splits at the captions
        title_lines, body = _title_and_body(sub, cap)
        table = parse_table(_title(cap, title_lines), body)
        if table is None:
            return False
        region.tables.append(table)
    if len(region.tables) > 1:  # notes printed across both tables (one "Source:" line) go under the last
        shared = [n for t in region.tables[:-1] for n in t.notes if n not in region.tables[-1].notes]
        for t in region.tables[:-1]:
            t.notes = []
        region.tables[-1].notes = shared + region.tables[-1].notes
    return True


def _cut(part: str, left: int, right: int | None) -> str:
    """Keep the characters of [left, right) in place; a segment crossing ``right`` is kept whole when it
    starts inside (a note printed across the page)."""
    out = [" "] * len(part)
    for seg in segments(part):
        if seg.x >= left and (right is None or seg.x < right):
            out[seg.x : seg.end] = seg.text
    return "".join(out).rstrip()


def _split_side_by_side(parts: list[str], captions: list[Caption]) -> list[tuple[int, int | None]]:
    """x ranges of tables printed side by side: split at the blank corridor nearest each next caption."""
    if len(captions) == 1:
        return [(0, None)]
    body = [p for p in parts[1:] if p.strip() and not is_note(p.strip())]
    bounds: list[tuple[int, int | None]] = []
    start = 0
    for cap in captions[1:]:
        best = cap.x
        for dist in range(0, 14):
            found = None
            for x in (cap.x - dist, cap.x + dist):
                if x > start and all(len(p) <= x or p[x] == " " for p in body):
                    found = x
                    break
            if found is not None:
                best = found
                break
        # the corridor's right edge: where the next table's text begins
        while all(len(p) <= best + 1 or p[best + 1] == " " for p in body) and best + 1 < cap.x + 14:
            best += 1
        bounds.append((start, best))
        start = best
    bounds.append((start, None))
    return bounds


def _own_title(part: str, cap: Caption) -> str:
    """The caption line's title as far as the region reaches (not the prose printed beside it)."""
    segs = [sg for sg in segments(part) if sg.x >= cap.x]
    if not segs:
        return cap.title
    m = _caption_re().match(segs[0].text)
    rest = [segs[0].text[m.end():].strip()] if m else []
    return " ".join([r for r in rest if r] + [sg.text for sg in segs[1:]])


def _title_and_body(parts: list[str], cap: Caption) -> tuple[list[str], list[str]]:
    """Title lines run on under the caption as single runs of text; the rest is the block's body."""
    cap.title = _own_title(parts[0], cap)
    title: list[str] = []
    k = 1
    while k < len(parts) and k <= 4:
        segs = segments(parts[k])
        # one run of text (a two-space gap inside is a dropped superscript's slot, not a column gap)
        one_run = bool(segs) and all(b.x - a.end <= 2 for a, b in zip(segs, segs[1:]))
        if not one_run or any(is_value(sg.text) for sg in segs) or is_note(segs[0].text) \
                or _caption_re().match(segs[0].text):
            break
        line = parts[k]
        if k + 1 < len(parts) and _superscript_line(parts[k + 1]) and parts[k + 1].strip():
            merged = attach_superscripts([line, parts[k + 1]])
            if len(merged) == 1:
                line, k = merged[0], k + 1
        title.append(" ".join(sg.text for sg in segments(line)))
        k += 1
    return title, parts[k:]


def _title(cap: Caption, more: list[str]) -> str:
    rest = join_lines([repair_mojibake(t) for t in [cap.title, *more] if t])  # cap.title: see _own_title
    return f"{cap.label} {rest}".strip()


# -- tables -----------------------------------------------------------------------------------------


@dataclass
class _Row:
    label: list[str]
    cells: list[Segment]


def _clean(text: str) -> str:
    text = join_lines([repair_mojibake(text)])
    return re.sub(r"\s+([)\]])", r"\1", text)  # the slot a dropped superscript left before ")"


def _cluster(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Columns from cell spans of all rows: spans that overlap belong to one column."""
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _column_of(seg: Segment, columns: list[tuple[int, int]]) -> int:
    def overlap(c: tuple[int, int]) -> int:
        return min(seg.end, c[1]) - max(seg.x, c[0])

    best = max(range(len(columns)), key=lambda i: overlap(columns[i]))
    if overlap(columns[best]) > 0:
        return best
    centre = (seg.x + seg.end) / 2
    return min(range(len(columns)), key=lambda i: abs((columns[i][0] + columns[i][1]) / 2 - centre))


def parse_table(title: str, body: list[str]) -> Table | None:
    """A table from its body lines (header lines, rows, notes), columns by character alignment."""
    notes: list[str] = []
    content: list[str] = []
    for k, line in enumerate(body):
        if is_note(line.strip()) or notes:
            if line.strip():
                if notes and not is_note(line.strip()) and not _TERMINAL_RE.search(notes[-1]):
                    notes[-1] = f"{notes[-1]} {line.strip()}"
                else:
                    notes.append(line.strip())
            continue
        content.append(line)
    # The header ends where the first line with figures standing apart begins.
    first = next((k for k, l in enumerate(content) if _value_cells(l) and not _superscript_line(l)), None)
    if first is None:
        return None
    # A first row of years alone above rows of other figures is the header ("City 2021 2022 …").
    rest_values = [c.text for l in content[first + 1 :] for c in _value_cells(l)]
    if all(is_year(c.text) for c in _value_cells(content[first])) and rest_values and \
            not all(is_year(v) for v in rest_values):
        header_lines, data_lines = content[: first + 1], content[first + 1 :]
    else:
        header_lines, data_lines = content[:first], content[first:]
    header_lines = attach_superscripts([l for l in header_lines if l.strip()])

    rows: list[_Row] = []
    pending: list[str] = []
    trailing_text: list[str] = []
    for line in data_lines:
        if not line.strip():
            continue
        cells = _value_cells(line)
        label = [s.text for s in segments(line) if not is_value(s.text) and (not cells or s.end <= cells[0].x)]
        if not cells:  # a label line without figures: continues the row above unless a row without label follows
            trailing_text.append(" ".join(label))
            continue
        if trailing_text:
            if not label and rows is not None:
                pending = trailing_text
            elif rows:
                rows[-1].label.extend(trailing_text)
            else:
                header_lines.extend(trailing_text)
            trailing_text = []
        texts_after = [s for s in segments(line) if not is_value(s.text) and cells and s.x > cells[0].x]
        rows.append(_Row(pending + label, sorted(cells + texts_after, key=lambda s: s.x)))
        pending = []
    if trailing_text and rows:
        rows[-1].label.extend(trailing_text)
    if len(rows) < 2:
        return None
    columns = _cluster([(c.x, c.end) for r in rows for c in r.cells])
    label_header: list[str] = []
    headers: list[list[str]] = [[] for _ in columns]
    # Header runs over one column widen it (headers are often wider than their figures); a run over two
    # columns (single-spaced words of neighbouring headers) is then split into words placed by the widened spans.
    wide = [list(c) for c in columns]
    for line in header_lines:
        for seg in segments(line):
            hits = [i for i, c in enumerate(columns) if min(seg.end, c[1]) - max(seg.x, c[0]) > 0]
            if len(hits) == 1:
                wide[hits[0]] = [min(wide[hits[0]][0], seg.x), max(wide[hits[0]][1], seg.end)]
    spans = [(a, b) for a, b in wide]
    for line in header_lines:
        for seg in segments(line):
            if seg.end <= columns[0][0]:
                label_header.append(seg.text)
                continue
            pieces = [seg]
            hits = {i for i, c in enumerate(columns) if min(seg.end, c[1]) - max(seg.x, c[0]) >= 2}
            if len(hits) > 1 or (not hits and len({i for i, c in enumerate(spans) if min(seg.end, c[1]) > max(seg.x, c[0])}) > 1):
                pieces = [Segment(seg.x + m.start(), m.group()) for m in re.finditer(r"\S+", seg.text)]
                for piece in pieces:
                    headers[_column_of(piece, spans)].append(piece.text)
                continue
            headers[_column_of(seg, columns)].append(seg.text)
    table_rows = []
    for r in rows:
        cells = [""] * len(columns)
        for c in r.cells:
            i = _column_of(c, columns)
            cells[i] = f"{cells[i]} {c.text}".strip()
        table_rows.append([_clean(" ".join(r.label)), *(_clean(c) for c in cells)])
    header = [_clean(" ".join(label_header)), *(_clean(" ".join(h)) for h in headers)]
    return Table(title=title, headers=header, rows=table_rows, notes=[_clean(n) for n in notes])


def _superscript_line(line: str) -> bool:
    """Lone one- or two-digit numbers without a label: exponents dropped below a header ("km" + "2")."""
    return bool(re.fullmatch(r"\s*\d{1,2}(?:\s+\d{1,2})*\s*", line))


def _value_cells(line: str) -> list[Segment]:
    """The figures of a line that stand apart (a figure glued to words belongs to a label or title)."""
    out = []
    for seg in segments(line):
        if is_value(seg.text):
            out.extend(Segment(seg.x + m.start(), m.group()) for m in re.finditer(r"\S+", seg.text))
    return out


def render_table(table: Table) -> str:
    """Title line, the header row, one line per row ("Label | cell | cell"), then the notes."""
    lines = [table.title]
    if any(table.headers[1:]):
        lines.append(" | ".join(table.headers).strip())
    lines += [" | ".join(r) for r in table.rows]
    lines += table.notes
    return "\n".join(lines)


# -- the page ---------------------------------------------------------------------------------------


def reconstruct_with_regions(lines: list[str]) -> Columns | None:
    """Columns of a page that holds tables or charts (None when it holds none: the plain path applies).

    Each region is cut out of its lines; a placeholder line (``REGION_MARK`` + index) stands where its
    block goes in reading order: in its column at its first line, or, across the page, between the
    columns above it and the columns below it.
    """
    from rag.ingest.layout import right_column_edge

    lines = restore_lost_indent(lines)
    regions = find_regions(lines)
    if not regions:
        return None
    cut = list(lines)
    for i, r in enumerate(regions):
        for y in range(r.top, r.bottom + 1):
            cut[y] = r.outside(lines, y)
    removed = _attach_superscripts_in_place(cut)
    # A region in the right column shows where that column starts: for the gutter estimate its lines
    # keep a stand-in at the region's left edge (bullets and short lines beside it would mislead it).
    probe = [l for y, l in enumerate(cut) if y not in removed]
    for r in regions:
        if r.placement == "right":
            probe += [cut[y].ljust(r.left) + "x" * max(8, len(lines[y].rstrip()) - r.left)
                      for y in range(r.top, r.bottom + 1) if y not in removed]
        elif r.placement == "left":  # the region's text, solid, then what stands beside it
            for y in range(r.top, r.bottom + 1):
                inside = segments(r.part(lines, y))
                if inside and y not in removed:
                    a, b = inside[0].x, max(sg.end for sg in inside)
                    probe.append(" " * a + "x" * (b - a) + cut[y][b:])
    gutter = find_gutter(probe)
    edge = right_column_edge(probe, gutter) if gutter is not None else None
    marks: dict[int, list[tuple[str, int]]] = {}
    for i, r in enumerate(regions):
        marks.setdefault(r.top, []).append((r.placement, i))

    bands: list[tuple[list[str], list[str]]] = [([], [])]
    fulls: list[int] = []
    for y, line in enumerate(cut):
        for placement, i in marks.get(y, []):
            if placement == "full":
                fulls.append(i)
                bands.append(([], []))
        left, right = bands[-1]
        for placement, i in marks.get(y, []):
            mark = f"{REGION_MARK}{i}"
            if placement == "left":
                left += ["", mark, ""]
            elif placement == "right":
                right += ["", mark, ""]
        if y in removed:
            continue
        l, r = split_line(line, gutter, right_edge=edge) if gutter is not None else (line.strip(), "")
        left.append(l)
        right.append(r)
    out_left: list[str] = []
    for k, (left, right) in enumerate(bands):
        out_left += left
        if k < len(bands) - 1:
            out_left += [""] + right + ["", f"{REGION_MARK}{fulls[k]}", ""]
    columns = Columns(left=out_left, right=bands[-1][1], gutter=gutter)
    columns.regions = regions
    return columns


def _attach_superscripts_in_place(lines: list[str]) -> set[int]:
    """``attach_superscripts`` line by line, keeping line numbers: returns the lines it merged upwards."""
    removed: set[int] = set()
    previous = None
    for y, line in enumerate(lines):
        if previous is not None:
            merged = attach_superscripts([lines[previous], line])
            if len(merged) == 1:
                lines[previous] = merged[0]
                removed.add(y)
                continue
        previous = y
    return removed
