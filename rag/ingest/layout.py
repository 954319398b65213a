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
    for line in lines:
        if _SUPERSCRIPT_LINE_RE.match(line) and out and out[-1].strip() and len(line.strip()) <= 8:
            base = out[-1]
            tokens = list(re.finditer(r"\d+", line))
            attached = [_attach_one(base, t.start(), t.group().translate(_SUPERSCRIPT_DIGITS)) for t in tokens]
            if all(a != base for a in attached):  # every number found its unit; otherwise it is content
                for token in reversed(tokens):
                    base = _attach_one(base, token.start(), token.group().translate(_SUPERSCRIPT_DIGITS))
                out[-1] = base
                continue
        out.append(line)
    return out


def _attach_one(line: str, x: int, sup: str) -> str:
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
    if best is None:
        return line
    end = best[1]
    # Replace a following space when there is one to spare, so later columns keep their place.
    if line[end : end + 1] == " " and (line[end + 1 : end + 2] in (" ", ".", ",", ";", ":")):
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


def split_line(line: str, gutter: int, tolerance: int = 10) -> tuple[str, str]:
    """Split one interleaved line into its (left, right) parts at the gap that is the gutter.

    The gutter gap is the widest gap whose end lies near the gutter (justified text has
    narrower gaps inside a column); ties go to the gap nearest the gutter.
    """
    text = line.rstrip()
    if not text.strip():
        return "", ""
    body_start = _indent(text)
    candidates = []
    for gap in _GAP_RE.finditer(text):
        if gap.start() <= body_start or abs(gap.end() - gutter) > tolerance:
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
    for line in lines:
        l, r = split_line(line, gutter)
        left.append(l)
        right.append(r)
    return Columns(left=left, right=right, gutter=gutter)
