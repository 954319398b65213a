"""The two languages of one page: a bilingual page prints a passage in English and again in Chinese, with the same
figures. The passage in the other language is found by the figures the two print alike; the answer's figure is
checked against it, and the answer cites both quotes.

Figures are compared by value, so "RMB40.28 billion" is "402.8亿元" and "58%" is "58％"; a year is no evidence that
two sentences say the same thing (every sentence of a page names the same few years).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.answer.candidates import Candidate, candidates_of
from rag.answer.compose import page_chunks
from rag.answer.question import language
from rag.figures import Figure, find_figures
from rag.text import normalise


@dataclass
class Parallel:
    """The passage in the page's other language, and whether it prints the answer's figure."""

    quote: Candidate
    agrees: bool
    printed: Figure | None = None  # when it does not agree: its figure of the answer's kind, where it differs
    complete: bool = False  # it prints every figure of the answer's passage: the same passage, said again


def is_chinese(text: str) -> bool:
    """Read as Chinese, as a question is (rag.answer.question.language)."""
    return language(text) == "zh"


def has_english(text: str) -> bool:
    """Holds English words, not only Chinese with a Latin abbreviation or unit ("RMB", "km")."""
    return len(re.findall(r"[A-Za-z]{2,}", text)) >= 3


@lru_cache(maxsize=20_000)
def values(text: str) -> tuple[tuple[float, str], ...]:
    """(value, kind) of the figures of a text other than years. Chinese is read as printed and as normalised
    ("402.8亿元" is 402.8 as printed and 40.28 billion normalised), so either reading can meet the English one."""
    found = [f for f in find_figures(text) if f.kind not in ("year", "date")]
    if is_chinese(text):
        found += [f for f in find_figures(normalise(text)) if f.kind not in ("year", "date")]
    return tuple(dict.fromkeys((f.value, f.kind) for f in found))


def same_value(a: float, b: float) -> bool:
    """Two figures' values are the same number (however each was printed and scaled)."""
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def _holds(text: str, value: float) -> bool:
    return any(same_value(value, v) for v, _ in values(text))


def parallel(best: Candidate, lead: Figure | None, index) -> Parallel | None:
    """The sentence of ``best``'s page in the other language that prints the most of ``best``'s figures (None when
    none prints any, or ``best`` holds no figure). It agrees when it prints ``lead`` (the answer's figure; any shared
    figure when there is none). When it prints others of ``best``'s figures but not the answer's, it is the same
    passage with another figure, and ``printed`` is its figure of the answer's kind that ``best`` does not print."""
    own = [v for v, _ in values(best.text)]
    if not own:
        return None
    chinese = is_chinese(best.text)
    meta = best.doc.metadata
    from rag.retrieve import chunk_document

    pool = []
    for chunk in page_chunks(index, meta.get("source"), meta.get("page")):
        if is_chinese(chunk.text) == chinese:
            continue
        for c in candidates_of([chunk_document(chunk, score=0.0, dense=0.0, lexical=0.0)]):
            shared = sum(1 for v in own if _holds(c.text, v))
            if shared:
                pool.append((shared, c))
    if not pool:
        return None
    shared, other = max(pool, key=lambda p: p[0])
    if lead is None or _holds(other.text, lead.value):
        return Parallel(other, agrees=True, complete=shared == len(own))
    # the same passage (it prints the other figures) with another value where the answer's figure stands; a
    # Chinese figure without a unit word of its own reads as a count ("502.8亿元")
    readings = find_figures(other.text) + (find_figures(normalise(other.text)) if is_chinese(other.text) else [])
    for f in readings:
        if f.kind in (lead.kind, "count") and not any(same_value(f.value, v) for v in own):
            return Parallel(other, agrees=False, printed=f)
    return None
