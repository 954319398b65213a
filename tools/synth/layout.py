"""The report's text-export layout: what ``pdftotext -layout`` made of the two-column PDF.

A page is a list of sections: ``flow`` (blocks poured into the left column, continuing in the right),
``cols`` (a left and a right column given separately, e.g. prose beside a table) and ``span`` (lines
across the page, e.g. two tables side by side). Rendering gives the export text and the plain
reading-order text (the answer key) of the same blocks.

Export quirks reproduced: interleaved columns with a drifting gap, justified spacing, first body row
without its indent, "?" bullets, superscript "2" on its own row under "km", footnote markers after
headings with the footnotes at the foot, mis-decoded quotes (’ as GBK bytes read as ISO-8859-2 "ĄŻ"
or as Latin-1 "¡¯"), footer page numbers and a navigation row of non-breaking spaces.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

LEFT_COL = 11  # column where the left column's text starts
COL_MAX = 54  # hard limit of a column line (chars, relative to the column)
JUSTIFY_MAX = 49  # justified lines never grow past this
RIGHT_BASE = (61, 63)  # per-page range of the right column's usual start
FOOTER_WIDTH = 233
ZH_WIDTH = 24  # CJK characters per line of a Chinese column
NBSP = "\xa0"
BULLET = "•"
CODECS = {"latin2": "iso-8859-2", "latin1": "latin-1"}  # how GBK bytes were mis-read


@dataclass
class Block:
    """One block of a column; ``lines`` blocks (tables, charts) come pre-rendered with their plain text."""

    kind: str  # h | h2 | p (indented paragraph) | pc (no indent) | b (bullet) | zh | note | lines
    text: str = ""
    fn: int | None = None  # footnote marker printed after a heading
    note: str | None = None  # footnote text printed at the foot of the column
    lines: list[str] | None = None
    plain: str | None = None
    gap: int = 1  # blank rows after the block
    cut: bool = False  # paragraph cut at the foot of the page (continues on the next one)


@dataclass
class Section:
    kind: str  # flow | cols | span
    left: list[Block] = field(default_factory=list)
    right: list[Block] = field(default_factory=list)
    gap: int = 1


_Line = tuple[str, "str | None"]  # (column text, footnote printed for it)


# --------------------------------------------------------------------------- wrapping


def _limit(rng: random.Random) -> int:
    return rng.randint(52, COL_MAX) if rng.random() < 0.08 else rng.randint(46, 51)


def wrap_words(words: list[str], prefix: str, rng: random.Random) -> list[tuple[str, list[str]]]:
    """Greedy wrap with a varying line limit; may break compounds after a hyphen."""
    lines: list[tuple[str, list[str]]] = []
    cur: list[str] = []
    pre = prefix
    used = len(pre)
    limit = _limit(rng)
    for w in words:
        need = len(w) + (1 if cur else 0)
        if used + need <= limit:
            cur.append(w)
            used += need
            continue
        if "-" in w and not any(ch.isdigit() for ch in w):
            room = limit - used - (1 if cur else 0)
            cut = w.rfind("-", 0, room)
            if cut > 0:
                cur.append(w[: cut + 1])
                w = w[cut + 1:]
        if cur:
            lines.append((pre, cur))
        pre, cur, used, limit = "", [w], len(w), _limit(rng)
    if cur or not lines:
        lines.append((pre, cur))
    return lines


def justify(pre: str, words: list[str], rng: random.Random, last: bool) -> str:
    """Join words; spread the slack of a justified line over its gaps like pdftotext does."""
    gaps = len(words) - 1
    if gaps <= 0:
        return pre + " ".join(words)
    natural = len(pre) + sum(map(len, words)) + gaps
    slack = rng.randint(47, JUSTIFY_MAX) - natural
    r = rng.random()
    if last or slack < 3 or r < 0.35:
        if r < 0.06:  # stray double space
            i = int(rng.random() * gaps)
            return pre + " ".join(words[: i + 1]) + "  " + " ".join(words[i + 1:])
        return pre + " ".join(words)
    slack = min(slack, 2 * gaps)
    extra = [1 + slack // gaps] * gaps
    for _ in range(slack % gaps):
        extra[int(rng.random() * gaps)] += 1
    out = [pre, words[0]]
    for i, w in enumerate(words[1:]):
        out.append(" " * extra[i])
        out.append(w)
    return "".join(out)


_ZH_TOKENS = re.compile(r"[A-Za-z0-9.,%\-’]+|.")
_NO_LINE_START = set("，。、；：？！）》」』”%％")


def wrap_zh(text: str, width: int = ZH_WIDTH) -> list[str]:
    """Chinese wrapped by character count; ASCII runs (numbers, %) stay whole, closing punctuation never
    starts a line."""
    lines: list[str] = []
    cur = ""
    for tok in _ZH_TOKENS.findall(text):
        if cur and len(cur) + len(tok) > width:
            if tok[0] in _NO_LINE_START:
                lines.append(cur + tok)
                cur = ""
                continue
            lines.append(cur)
            cur = tok
        else:
            cur += tok
    if cur:
        lines.append(cur)
    return lines


def block_lines(b: Block, rng: random.Random) -> list[_Line]:
    """Column lines (relative to the column start) of one block, blank gap lines included."""
    out: list[_Line] = []
    if b.kind in ("h", "h2"):
        ind = "  " if b.kind == "h2" else ""
        tail = " " * rng.randint(5, 6) + str(b.fn) if b.fn is not None else ""
        lines: list[str] = []
        cur = ""
        for w in b.text.split():
            if cur and len(ind) + len(cur) + 1 + len(w) > 38:
                lines.append(ind + cur)
                cur = w
            else:
                cur = f"{cur} {w}" if cur else w
        lines.append(ind + cur + tail)
        out.extend((ln, None) for ln in lines[:-1])
        out.append((lines[-1], b.note))
    elif b.kind == "lines":
        out.extend((ln, None) for ln in b.lines or [])
        if b.note:
            out[-1] = (out[-1][0], b.note)
    elif b.kind == "zh":
        out.extend((ln, None) for ln in wrap_zh(b.text))
    elif b.kind == "note":
        out.extend((" ".join(ws), None) for _, ws in wrap_words(b.text.split(), "", rng))
    else:
        prefix = {"b": f"  {BULLET}    ", "p": "  "}.get(b.kind, "")
        wrapped = wrap_words(b.text.split(), prefix, rng)
        last = len(wrapped) - 1
        out.extend((justify(pre, ws, rng, i == last and not b.cut), None) for i, (pre, ws) in enumerate(wrapped))
    out.extend(("", None) for _ in range(b.gap))
    return out


def block_plain(b: Block) -> str:
    if b.kind == "lines":
        return b.plain or ""
    if b.kind == "b":
        return f"{BULLET} {b.text}"
    if b.kind in ("h", "h2") and b.fn is not None:
        return f"{b.text}[{b.fn}]"
    return b.text


# --------------------------------------------------------------------------- rows


def compose(lt: str, rt: str, base: int, rng: random.Random, drift: bool = True) -> list[str]:
    """One physical row (plus a superscript row when a ² sits on it)."""
    d = 0
    if drift and rng.random() < 0.06:
        d = rng.randint(1, 3) if rng.random() < 0.85 else rng.randint(4, 7)
    if lt and rt:
        ls = " " * LEFT_COL + lt
        row = ls.ljust(max(base + d, len(ls) + rng.randint(3, 8))) + rt
        split = len(row) - len(rt)
    elif lt:
        row, split = " " * LEFT_COL + lt, 10**6
    elif rt:
        row = " " * (base + d) + rt
        split = len(row) - len(rt)
    else:
        return [""]
    return superscript(row, split, rng)


def superscript(row: str, split: int, rng: random.Random) -> list[str]:
    """The export prints a superscript 2 on its own row under the unit, a little off its position."""
    if "²" not in row:
        return [row]
    sup: list[str] = []
    for i, ch in enumerate(row):
        if ch == "²":
            shift = rng.choice((0, 0, 0, 1, 2, -1)) if i < split else rng.choice((0, 1, 2, 3, 5, -1))
            pos = max(0, i + shift)
            if len(sup) <= pos:
                sup.extend(" " * (pos + 1 - len(sup)))
            sup[pos] = "2"
    return [row.replace("²", " ").rstrip(), "".join(sup)]


def _column(blocks: list[Block], rng: random.Random) -> list[_Line]:
    return [ln for b in blocks for ln in block_lines(b, rng)]


def _trim(lines: list[_Line]) -> list[_Line]:
    while lines and not lines[-1][0]:
        lines.pop()
    return lines


def section_rows(sec: Section, base: int, rng: random.Random) -> tuple[list[str], list[str], list[str]]:
    """Export rows of a section, and the footnotes of its left and right column."""
    if sec.kind == "span":
        flow = _trim(_column(sec.left, rng))
        rows: list[str] = []
        for text, _ in flow:
            row = " " * LEFT_COL + text if text else ""
            rows.extend(superscript(row, 10**6, rng))
        return rows, [n for _, n in flow if n], []
    if sec.kind == "flow":
        flow = _trim(_column(sec.left, rng))
        half = (len(flow) + 1) // 2
        left, right = flow[:half], flow[half:]
        while right and not right[0][0]:
            right.pop(0)
    else:
        left, right = _trim(_column(sec.left, rng)), _trim(_column(sec.right, rng))
    rows = []
    for i in range(max(len(left), len(right))):
        lt = left[i][0] if i < len(left) else ""
        rt = right[i][0] if i < len(right) else ""
        rows.extend(compose(lt, rt, base, rng))
    return rows, [n for _, n in left if n], [n for _, n in right if n]


# --------------------------------------------------------------------------- page


def footer(page: int, last_page: int) -> list[str]:
    """Blank row, page number with the facing page's number, navigation row of NBSP-spaced numbers."""
    label, label2 = str(page), str(page + 1)
    pad = max(3, FOOTER_WIDTH - 7 - len(label) - len(label2))
    lo = max(1, min(page - 5, last_page - 10))
    nav = "".join(f"{NBSP * 3}{n}" for n in range(lo, lo + 11))
    return ["", f"{' ' * 7}{label}{' ' * pad}{label2}", nav]


def misdecode(text: str, codec: str | None) -> str:
    """The export's text went through GBK and came back read as another code page: ’ -> ĄŻ (ISO-8859-2) or
    ¡¯ (Latin-1), characters GBK lacks (•) -> ?."""
    if codec is None:
        return text.replace(BULLET, "?")
    return text.encode("gbk", errors="replace").decode(CODECS[codec])


def render(page: int, title: str, sections: list[Section], rng: random.Random, *, codec: str | None,
           last_page: int) -> tuple[str, str]:
    """(export text, plain reading-order text) of one page."""
    base = rng.randint(*RIGHT_BASE)
    rows: list[str] = []
    lnotes: list[str] = []
    rnotes: list[str] = []
    plain: list[str] = []
    for sec in sections:
        srows, ln, rn = section_rows(sec, base, rng)
        if rows and srows:
            rows.extend([""] * sec.gap)
        rows.extend(srows)
        lnotes += ln
        rnotes += rn
        plain.extend(block_plain(b) for b in sec.left + sec.right if block_plain(b))
    while rows and not rows[-1]:
        rows.pop()
    if lnotes or rnotes:
        rows.append("")
        for i in range(max(len(lnotes), len(rnotes))):
            rows.extend(compose(lnotes[i] if i < len(lnotes) else "", rnotes[i] if i < len(rnotes) else "",
                                base, rng, drift=False))
        plain.extend(f"[{n.split('  ', 1)[0]}] {n.split('  ', 1)[1]}" for n in lnotes + rnotes)
    for i, r in enumerate(rows):  # pdftotext drops the first body row's indent
        if r.strip():
            rows[i] = r.lstrip(" ")
            break
    body = misdecode("\n".join(rows), codec)
    head = f"Page {page} - {title}\nP. {page}\n"
    return head + "\n" + body + "\n" + "\n".join(footer(page, last_page)), "\n\n".join(plain)
