"""What a page kind produces: its page(s) as sections, and its questions in the eval schema."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from tools.synth.layout import Section

KEYS = ("id", "category", "question", "history", "answerable", "gold_facts", "gold_page", "gold_quote", "notes")
CATEGORIES = ("figure", "fact", "list", "comparison", "change", "table", "chart", "paraphrase", "followup",
              "crosslingual", "continuation", "unanswerable")


@dataclass
class Question:
    """One eval item (the dev set's schema), plus what the self-check needs for unanswerable items."""

    category: str
    question: str
    gold_facts: list[list[str]]
    gold_quote: str | None
    notes: str
    gold_page: int | None = None
    history: list[str] = field(default_factory=list)
    answerable: bool = True
    # unanswerable: (page or None for the whole corpus, strings whose presence would answer it)
    absent: list[tuple[int | None, list[str]]] = field(default_factory=list)
    id: str = ""
    kind: str = ""  # page kind the question is about (for holding kinds out)

    def __post_init__(self) -> None:
        # alternatives that print the same (a name without an apostrophe to drop) are listed once
        self.gold_facts = [list(dict.fromkeys(g)) for g in self.gold_facts]

    def row(self) -> dict:
        """The JSON object, keys in the schema's order."""
        return {k: getattr(self, k) for k in KEYS}


@dataclass
class PageDraft:
    """A page before rendering: sections in reading order, the encoding its export went through."""

    title_hint: str
    sections: list[Section]
    codec: str | None = "latin2"


@dataclass
class KindOutput:
    """One or more consecutive pages of a kind and the questions about them (gold_page relative: 0, 1)."""

    pages: list[PageDraft]
    questions: list[Question]


def pct_alts(v: str) -> list[str]:
    """A printed share and the spellings people write: "46%", "46 per cent", "46 percent"."""
    n = v.rstrip("%")
    return [f"{n}%", f"{n} per cent", f"{n} percent"]


def points_alts(d: int, words: list[str]) -> list[str]:
    """A percentage-point change as printed ("three percentage points") and as typed."""
    out = [f"{d} percentage points", f"{d} points", f"{d}pp", f"{d} pp"]
    if d < len(words):
        out.insert(0, f"{words[d]} percentage points")
    if d == 1:
        out = [a.replace("points", "point") for a in out]
    return out


def norm(s: str) -> str:
    """The dev set's normalisation: NFKC, lowercase, straight quotes, no thousands separators, one space."""
    s = unicodedata.normalize("NFKC", s).lower()
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    s = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", s)
    return re.sub(r"\s+", " ", s).strip()
