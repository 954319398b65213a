"""Verification of a generated answer against the numbered evidence it was given. Pure: text in, verdict out.

    evidence = ["Gui’an New Area has a planned area of 1,901 km² and a directly administered area of 491 km²."]
    check = verify_answer("The planned area is 1,901 km² [1]. It was founded in 1999 [1].", evidence)
    check.verdict      # "repaired": the second sentence's year is not in [1], so it is dropped
    check.text         # "The planned area is 1,901 km²."
    check.cited        # [1]: the evidence the kept sentences cite, in order of first citation

Rules, each applied to every sentence of the answer:

- it carries at least one citation ``[n]`` (``[1, 3]`` and ``[1][3]`` cite two), and every ``n`` exists;
- every figure in it (a number with its currency, percent, scale and unit: "RMB40.28 billion", "21.1%",
  "1,901 km²", and years) appears in the evidence it cites with the same value, the same scale
  (million is not billion), the same percent-ness and the same unit (km² is not hectares); thousands
  separators and unit spellings ("km2", "square kilometres", "per cent") do not matter;
- most of its content words are found in the evidence it cites (a citation must point at its source).

Page references the model copies from the evidence labels ("(page 156)") are not figures; they are removed.

A sentence that breaks a rule is dropped. The verdict is ``verified`` when nothing was dropped,
``repaired`` when some sentences were dropped and at least one is left, and ``replaced`` when nothing
is left (the caller then shows the extractive answer). ``fallback`` is the caller's verdict for a
backend error or timeout, when no answer was generated at all.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum

from rag.text import QUERY_SYNONYMS, STOPWORDS, split_sentences, tokenize


class Verdict(str, Enum):
    """How a generated answer fared; ``AnswerResult.verdict`` holds the value (None: no LLM was asked)."""

    VERIFIED = "verified"
    REPAIRED = "repaired"
    REPLACED = "replaced"
    FALLBACK = "fallback"


VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)


class Issue(str, Enum):
    """Why a sentence was dropped."""

    UNCITED = "uncited"
    INVENTED_CITATION = "invented_citation"
    UNSUPPORTED_FIGURE = "unsupported_figure"
    UNSUPPORTED_WORDS = "unsupported_words"


_CITATION_RE = re.compile(r"\[\s*(\d+(?:\s*(?:,|;|-|–|and)\s*\d+)*)\s*\]")
_PAGE_REF_RE = re.compile(r"\(\s*(?:page|p\.?|pp\.?)\s*\d+(?:\s*[-–,]\s*\d+)*\s*\)", re.IGNORECASE)
_LEADING_CITATIONS_RE = re.compile(r"^(?:\s*\[\s*\d+(?:\s*(?:,|;|-|–|and)\s*\d+)*\s*\])+")
_CURRENCIES = {"rmb": "RMB", "cny": "RMB", "yuan": "RMB", "¥": "RMB", "us$": "USD", "usd": "USD", "$": "USD",
               "hk$": "HKD", "hkd": "HKD", "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP"}
_SCALES = {"thousand": "thousand", "million": "million", "mn": "million", "mln": "million", "billion": "billion",
           "bn": "billion", "bln": "billion", "trillion": "trillion", "tn": "trillion"}
_UNITS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"km²|km2|km\s+2\b|km\^2|sq\.?\s*km|square\s+kilomet(?:re|er)s?", re.I), "km²"),
    (re.compile(r"m²|m2\b|sq\.?\s*m\b|square\s+met(?:re|er)s?", re.I), "m²"),
    (re.compile(r"hectares?|ha\b", re.I), "hectares"),
    (re.compile(r"kilomet(?:re|er)s?|km\b", re.I), "km"),
    (re.compile(r"eflops", re.I), "EFLOPS"),
    (re.compile(r"tonnes?|tons?\b", re.I), "tonnes"),
    (re.compile(r"kwh|mwh|gwh", re.I), "energy"),
)
_FIGURE_RE = re.compile(
    r"(?<![\w.,$¥€£])"
    r"(?:(?P<currency>RMB|CNY|USD|US\$|HK\$|HKD|EUR|GBP|\$|¥|€|£)\s?)?"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?![\d,]\d)(?!\.\d)"
    r"(?P<tail>(?:\s?(?:%|per\s?cent\b|percent\b))?"
    r"(?:\s?(?:trillion|billion|million|thousand|bn|mn|mln|bln|tn)\b)?"
    r"(?:\s?(?:yuan|rmb|usd)\b)?"
    r"(?:\s?(?:km²|km2|km\s+2\b|km\^2|sq\.?\s*km\b|square\s+kilomet(?:re|er)s?|m²|sq\.?\s*m\b|square\s+met(?:re|er)s?|"
    r"hectares?|ha\b|kilomet(?:re|er)s?|km\b|eflops\b|tonnes?\b|tons?\b|kwh\b|mwh\b|gwh\b))?)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    """A number as the reader takes it: value, currency, percent, scale and unit (spelling-free)."""

    raw: str
    value: Decimal
    currency: str | None = None
    percent: bool = False
    scale: str | None = None
    unit: str | None = None

    def supported_by(self, other: Figure) -> bool:
        """``other`` (a figure of the evidence) says the same: what this one states must match there."""
        if self.value != other.value or self.percent != other.percent or self.scale != other.scale:
            return False
        if self.unit is not None and self.unit != other.unit:
            return False
        return self.currency is None or self.currency == other.currency


def figures(text: str) -> list[Figure]:
    """The figures of ``text`` ("RMB40.28 billion" -> value 40.28, RMB, billion; "1,901 km2" -> 1901 km²)."""
    text = unicodedata.normalize("NFKC", text).replace("\u00a0", " ")
    found: list[Figure] = []
    for m in _FIGURE_RE.finditer(text):
        tail = m.group("tail").lower()
        if not tail and re.match(r"[^\W\d_]", text[m.end():m.end() + 1]):
            continue  # "5G", "3D": a name, not a figure
        try:
            value = Decimal(m.group("number").replace(",", ""))
        except InvalidOperation:
            continue
        currency = m.group("currency")
        currency = _CURRENCIES.get(currency.lower()) if currency else None
        if currency is None:
            trailing = re.search(r"\b(yuan|rmb|usd)\b", tail)
            currency = _CURRENCIES.get(trailing.group(1)) if trailing else None
        scale = next((canon for word, canon in _SCALES.items() if re.search(rf"\b{word}\b", tail)), None)
        unit = next((canon for pattern, canon in _UNITS if pattern.search(tail)), None)
        percent = bool(re.search(r"%|per\s?cent|percent", tail))
        found.append(Figure(raw=m.group().strip(), value=value, currency=currency, percent=percent,
                            scale=scale, unit=unit))
    return found


def citations_in(text: str) -> list[int]:
    """The evidence numbers a text cites, in order, without repeats ("[1, 3] … [2-3]" -> [1, 3, 2])."""
    out: list[int] = []
    for m in _CITATION_RE.finditer(text):
        body = m.group(1)
        for a, sep, b in re.findall(r"(\d+)(?:\s*(-|–)\s*(\d+))?", body):
            numbers = range(int(a), int(b) + 1) if sep and b and 0 <= int(b) - int(a) <= 20 else [int(a)]
            for n in numbers:
                if n not in out:
                    out.append(n)
    return out


def strip_citations(text: str) -> str:
    """The text without its ``[n]`` markers, spaced and punctuated as a reader expects."""
    text = _PAGE_REF_RE.sub("", _CITATION_RE.sub("", text))
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    text = re.sub(r"([.,;:!?])(?:\s*\1)+", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()


@dataclass
class AnswerSentence:
    """One sentence of a generated answer: as written (with markers), as shown, and what it cites."""

    marked: str
    text: str
    citations: list[int]


def parse_answer(answer: str) -> list[AnswerSentence]:
    """The sentences of an answer; markers written after a full stop ("… 491 km². [2]") stay with their sentence."""
    pieces: list[str] = []
    for start, end in split_sentences(answer):
        piece = answer[start:end]
        leading = _LEADING_CITATIONS_RE.match(piece)
        if leading and pieces:
            pieces[-1] += " " + leading.group().strip()
            piece = piece[leading.end():]
        if re.search(r"[A-Za-z0-9]", _CITATION_RE.sub("", piece)):
            pieces.append(piece.strip())
        elif piece.strip() and pieces:
            pieces[-1] += " " + piece.strip()
    return [AnswerSentence(marked=p, text=strip_citations(p), citations=citations_in(p)) for p in pieces]


@dataclass
class SentenceCheck:
    """The verification of one answer sentence; ``ok`` when it has no issue."""

    sentence: AnswerSentence
    issues: list[Issue] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass
class AnswerCheck:
    """The verification of a whole answer: what is kept, what was dropped and why, and the verdict."""

    sentences: list[SentenceCheck]
    verdict: Verdict

    @property
    def kept(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.ok]

    @property
    def dropped(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if not s.ok]

    @property
    def text(self) -> str:
        """The answer as shown: the kept sentences, without markers."""
        return " ".join(s.sentence.text for s in self.kept)

    @property
    def cited(self) -> list[int]:
        """The evidence numbers (1-based) the kept sentences cite, in order of first citation."""
        out: list[int] = []
        for check in self.kept:
            out.extend(n for n in check.sentence.citations if n not in out)
        return out

    def explain(self) -> str:
        """One line per dropped sentence: what was wrong (for logs and test messages)."""
        return "\n".join(f"dropped {c.sentence.marked!r}: {', '.join(i.value for i in c.issues)}"
                         + (f" {c.unsupported}" if c.unsupported else "") for c in self.dropped)


_CONTENT_STOPWORDS = STOPWORDS | {"report", "also", "according", "said", "says", "state", "states", "stated", "new"}


def check_sentence(sentence: AnswerSentence, evidence: list[str], *, min_word_support: float = 0.5) -> SentenceCheck:
    """Check one sentence against the 1-based ``evidence`` list (see the module docstring for the rules)."""
    check = SentenceCheck(sentence=sentence)
    if not sentence.citations:
        check.issues.append(Issue.UNCITED)
        return check
    invented = [n for n in sentence.citations if not 1 <= n <= len(evidence)]
    if invented:
        check.issues.append(Issue.INVENTED_CITATION)
        check.unsupported.extend(f"[{n}]" for n in invented)
        return check
    cited_text = " ".join(evidence[n - 1] for n in sentence.citations)
    cited_figures = figures(cited_text)
    missing = [f.raw for f in figures(sentence.text) if not any(f.supported_by(e) for e in cited_figures)]
    if missing:
        check.issues.append(Issue.UNSUPPORTED_FIGURE)
        check.unsupported.extend(missing)
    present = set(tokenize(cited_text))
    words = _content_words(sentence.text)
    if words:
        found = [word for word, alternatives in words if alternatives & present]
        if len(found) / len(words) < min_word_support:
            check.issues.append(Issue.UNSUPPORTED_WORDS)
            check.unsupported.extend(word for word, alternatives in words if not alternatives & present)
    return check


def _content_words(text: str) -> list[tuple[str, set[str]]]:
    """(word, the tokens that count as that word in the evidence: its own and the report's words for it)."""
    out = []
    for word in re.findall(r"[^\W\d_][\w’'-]*", text):
        tokens = {t for t in tokenize(word) if t not in _CONTENT_STOPWORDS}
        if tokens:
            out.append((word, tokens | set(tokenize(QUERY_SYNONYMS.get(word.lower(), "")))))
    return out


def verify_answer(answer: str, evidence: list[str], *, min_word_support: float = 0.5) -> AnswerCheck:
    """Verify a generated answer against the evidence sentences it was shown as ``[1]…[n]``."""
    checks = [check_sentence(s, evidence, min_word_support=min_word_support) for s in parse_answer(answer)]
    return AnswerCheck(sentences=checks, verdict=verdict_of(checks))


def verdict_of(checks: list[SentenceCheck]) -> Verdict:
    kept = sum(c.ok for c in checks)
    if kept == 0:
        return Verdict.REPLACED
    return Verdict.VERIFIED if kept == len(checks) else Verdict.REPAIRED
