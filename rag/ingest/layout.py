"""Layout reconstruction of text page exports: furniture, superscripts and interleaved columns.

Each step is a pure function over the page's lines so it can be tested on the real page::

    lines, furniture = strip_furniture(page_text.split("\\n"))
    lines = attach_superscripts(lines)
    columns = reconstruct_columns(lines)
    columns.left, columns.right   # each column's lines in reading order ("" = paragraph break)
"""
from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

HEADER_RE = re.compile(r"^\s*Page\s+(\d+)\s+-\s+(.*\S)\s*$")
LABEL_RE = re.compile(r"^\s*P\.\s*([0-9A-Za-z]+)\s*$")
_NUMBERS_ONLY_RE = re.compile(r"^[\s\u00a0]*\d+(?:[\s\u00a0]+\d+)*[\s\u00a0]*$")
_SUPERSCRIPT_LINE_RE = re.compile(r"^\s*\d{1,2}(?:\s+\d{1,2})*\s*$")
_GAP_RE = re.compile(r" {2,}")
_BULLET_RE = re.compile(r"^(?:\?\s{2,}|[•●▪◦]\s+)")
_UNIT_AFTER_NUMBER_RE = re.compile(r"\d[\d,.]*\s*(?:km|m|cm|mm|ft|mi|sq)$")
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass
class Furniture:
    """What the page carries besides its body: header, printed page numbers, navigation."""

    physical_page: int | None = None
    title: str | None = None
    header_label: str | None = None
    footer_labels: list[str] = field(default_factory=list)
    navigation: list[str] = field(default_factory=list)


@dataclass
class Columns:
    """A page's body split into reading order: the whole left column, then the whole right."""

    left: list[str]
    right: list[str]
    gutter: int | None  # the right column's estimated start; None for a single-column page
    # Tables and charts cut out of the lines (rag.ingest.tables.Region); a column line REGION_MARK + i
    # stands where region i goes in reading order.
    regions: list = field(default_factory=list)


def strip_furniture(lines: list[str]) -> tuple[list[str], Furniture]:
    """Remove the running header, the page-number footer and the navigation row."""
    furniture = Furniture()
    body = list(lines)
    head = 0
    while head < len(body) and head < 4:
        line = body[head]
        if m := HEADER_RE.match(line):
            furniture.physical_page, furniture.title = int(m.group(1)), m.group(2)
        elif m := LABEL_RE.match(line):
            furniture.header_label = m.group(1)
        elif line.strip():
            break
        head += 1
    body = body[head:]
    while body and (not body[-1].strip() or _NUMBERS_ONLY_RE.match(body[-1])):
        numbers = re.findall(r"\d+", body.pop())
        if len(numbers) >= 3:
            furniture.navigation = numbers
        elif numbers:
            furniture.footer_labels = numbers + furniture.footer_labels
    return body, furniture


def attach_superscripts(lines: list[str]) -> list[str]:
    """Move a line holding only small numbers onto the line above ("1,901 km" + "2" -> "1,901 km²").

    The exporter drops superscripts one line down at roughly their horizontal position; the
    base is the token ending nearest that position, a unit after a number winning ties.
    """
    out: list[str] = []
    notes = footnote_numbers(lines)
    for line in lines:
        if _SUPERSCRIPT_LINE_RE.match(line) and out and out[-1].strip() and (
                len(line.strip()) <= 8 or _spans_columns(line)):
            base = out[-1]
            tokens = list(re.finditer(r"\d+", line))
            attached = [_attach_one(base, t.start(), t.group().translate(_SUPERSCRIPT_DIGITS)) for t in tokens]
            # A short line attaches when each number finds a word; a wide one (a superscript under each
            # column) only when each finds a unit printed after a number, so a row of figures stays content.
            # The number of a footnote printed on the page is its reference mark unless a unit sits above it.
            wide = len(line.strip()) > 8
            if all(a != base and ((not wide and t.group() not in notes) or _after_number(base, t.start()))
                   for a, t in zip(attached, tokens)):
                for token in reversed(tokens):
                    base = _attach_one(base, token.start(), token.group().translate(_SUPERSCRIPT_DIGITS))
                out[-1] = base
                continue
        out.append(line)
    return out


_FOOTNOTE_START_RE = re.compile(r"(?:^\s*|\s{3,})(\d{1,4}) {1,3}(?=[^\d\s])")


def footnote_numbers(lines: list[str]) -> set[str]:
    """Numbers that start a footnote ("35  Ministry of…", either column) in the lower half of the page."""
    return {m.group(1) for line in lines[len(lines) // 2:] for m in _FOOTNOTE_START_RE.finditer(line.rstrip())}


def _spans_columns(line: str) -> bool:
    """Single-digit exponents far apart: one under each column ("km" left, "km" right)."""
    return all(len(t) == 1 for t in line.split())


def _after_number(line: str, x: int) -> bool:
    """Whether the word a superscript at column ``x`` belongs to is a unit after a number ("1,234 km" + "2")."""
    end = _attach_end(line, x)
    return end is not None and re.search(r"\d[\d,.]*\s*[A-Za-z]{1,3}$", line[:end]) is not None


def _attach_end(line: str, x: int) -> int | None:
    """Where a superscript dropped at column ``x`` belongs: the end of the word it sits under."""
    best: tuple[float, int] | None = None
    for tok in re.finditer(r"\S+", line):
        last = tok.end() - 1
        if not (x - 8 <= last <= x + 1):
            continue
        word = tok.group().rstrip(".,;:")
        end = tok.start() + len(word)
        if not word or not word[-1].isalpha():
            continue
        score = abs(x - end)
        if _UNIT_AFTER_NUMBER_RE.search(line[: end]):
            score -= 4
        if best is None or score < best[0]:
            best = (score, end)
    return best[1] if best else None


def _attach_one(line: str, x: int, sup: str) -> str:
    end = _attach_end(line, x)
    if end is None:
        return line
    # Replace a following space when there is one to spare, so later columns keep their place.
    if line[end : end + 1] == " " and (line[end + 1 : end + 2] in (" ", ".", ",", ";", ":", ")")):
        return line[:end] + sup + line[end + 1 :]
    return line[:end] + sup + line[end:]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def restore_lost_indent(lines: list[str]) -> list[str]:
    """Re-indent lines the exporter flushed to column 0 (it happens to a page's first body line).

    Without this the line's right column sits a dozen characters left of everyone else's.
    """
    text_indents = Counter(_indent(l) for l in lines if l.strip() and not _BULLET_RE.match(l.lstrip()))
    bullet_indents = Counter(_indent(l) for l in lines if l.strip() and _BULLET_RE.match(l.lstrip()))
    if not text_indents:
        return lines
    text_indent = text_indents.most_common(1)[0][0]
    if text_indent < 4 or text_indents[0] > len(lines) // 4:
        return lines
    bullet_indent = max((i for i in bullet_indents if i > 0), key=lambda i: bullet_indents[i], default=text_indent)
    out = []
    for line in lines:
        if line.strip() and _indent(line) == 0:
            pad = bullet_indent if _BULLET_RE.match(line) else text_indent
            line = " " * pad + line
        out.append(line)
    return out


def find_gutter(lines: list[str]) -> int | None:
    """Estimate where the right column starts, from the wide gaps (3+ spaces) across lines.

    Returns None when the gaps do not line up: a single-column page.
    """
    lengths = sorted(len(l.rstrip()) for l in lines if l.strip())
    if not lengths:
        return None
    width = lengths[math.ceil(0.9 * (len(lengths) - 1))]
    starts = []
    for line in lines:
        body_start = _indent(line)
        for gap in re.finditer(r" {3,}", line.rstrip()):
            if gap.start() > body_start and 0.3 * width <= gap.end() <= 0.75 * width:
                starts.append(gap.end())
    long_lines = sum(1 for l in lines if len(l.rstrip()) > 0.6 * width)
    starts.sort()
    window = 16
    best_lo, best_count = 0, 0
    for i, s in enumerate(starts):
        count = sum(1 for t in starts[i:] if t < s + window)
        if count > best_count:
            best_lo, best_count = i, count
    # Aligned wide gaps on most long lines make a gutter; a short page needs two lines that agree.
    if best_count < max(2, 0.3 * long_lines):
        return None
    return int(statistics.median(starts[best_lo : best_lo + best_count]))


def right_column_edge(lines: list[str], gutter: int, tolerance: int = 10) -> int | None:
    """Where the right column's text begins: the column most wide gaps near the gutter end at (or
    just left of it), or the indent of a line that holds only the right column, whichever is further left.

    The exporter only pushes the right column rightwards (after a long left line), never left of
    its edge, so a part that starts before the edge belongs to the left column. None when neither
    is seen.
    """
    # Only gaps followed by text that runs on past the gutter: a short tail after a wide justified
    # gap ("…between US$10   million") ends inside the left column.
    ends = Counter(gap.end() for l in lines for gap in re.finditer(r" {3,}", l.rstrip())
                   if gap.start() > _indent(l) and abs(gap.end() - gutter) <= tolerance
                   and len(l.rstrip()) > gutter + tolerance // 2)
    only_right = [_indent(l) for l in lines if l.strip() and _indent(l) >= gutter - tolerance]
    candidates = [min(only_right)] if only_right else []
    if ends:  # the most common start, widened to the starts just left of it (drift of a character or two)
        mode = ends.most_common(1)[0][0]
        candidates.append(min(e for e in ends if e >= mode - 3))
    return min(candidates, default=None)


def split_line(line: str, gutter: int, tolerance: int = 10, right_edge: int | None = None) -> tuple[str, str]:
    """Split one interleaved line into its (left, right) parts at the gap that is the gutter.

    The gutter gap is the widest gap whose end lies near the gutter (justified text has
    narrower gaps inside a column); ties go to the gap nearest the gutter. A line that starts
    in the right column is all right column; with ``right_edge`` known, a gap that ends before it
    is inside the left column (a left line that runs long: "…a year for     everyday    zone…").
    """
    text = line.rstrip()
    if not text.strip():
        return "", ""
    body_start = _indent(text)
    if body_start >= gutter - tolerance and (right_edge is None or body_start >= right_edge - 1):
        return "", text.strip()
    candidates = []
    for gap in _GAP_RE.finditer(text):
        if gap.start() <= body_start or abs(gap.end() - gutter) > tolerance:
            continue
        if right_edge is not None and gap.end() < right_edge - 1:
            continue
        width = gap.end() - gap.start()
        if width == 2 and abs(gap.end() - gutter) > 4:
            continue
        candidates.append((width, -abs(gap.end() - gutter), gap))
    if candidates:
        gap = max(candidates, key=lambda c: (c[0], c[1]))[2]
        return text[: gap.start()].strip(), text[gap.end() :].strip()
    if body_start >= gutter - tolerance:
        return "", text.strip()
    return text.strip(), ""


def reconstruct_columns(lines: list[str]) -> Columns:
    """Split the body's interleaved lines into the left and the right column."""
    lines = restore_lost_indent(lines)
    gutter = find_gutter(lines)
    if gutter is None:
        return Columns(left=[l.strip() for l in lines], right=[], gutter=None)
    left, right = [], []
    edge = right_column_edge(lines, gutter)
    for line in lines:
        l, r = split_line(line, gutter, right_edge=edge)
        left.append(l)
        right.append(r)
    return Columns(left=left, right=right, gutter=gutter)
