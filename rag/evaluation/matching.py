"""The matching rules of evals/README.md: an answer, a gold fact and a quote compared in one normal form."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# GBK ’/‘ decoded as ISO-8859-2, and UTF-8 ’/‘ decoded as cp1252.
_MOJIBAKE_QUOTES = ("ĄŻ", "ĄŽ", "â€™", "â€˜")
_APOSTROPHES = re.compile(r"[’‘'`´ʼ]")
_DASHES = re.compile(r"[‐‑‒–—―]")
_DOUBLE_QUOTES = re.compile(r"[“”„]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# km² folds to km2 under NFKC; splitting the exponent off lets "1901 km" match "1,901 km²" as README promises.
_UNIT_EXPONENT = re.compile(r"\b(km|m|cm|mm|mi|ft)([23])\b")
_CURRENCY_GLUE = re.compile(r"(?i)(rmb|us\$|hk\$|\$|usd|cny)(?=\d)")


def match_normalise(text: str) -> str:
    """The comparable form of an answer, a gold fact or a quote (the matching rules of evals/README.md).

    NFKC + lower case (km² = km2), one apostrophe for ’ ‘ ' and the mis-decoded ĄŻ, thousands separators
    dropped (1,901 = 1901), a unit's exponent split off (km² = km2 = "km 2", so "1901 km" matches it), a
    currency split off its number (RMB99.8 = "rmb 99.8", so the figure "99.8" matches it), whitespace collapsed and
    no space before "," or ".".
    """
    for bad in _MOJIBAKE_QUOTES:
        text = text.replace(bad, "'")
    text = unicodedata.normalize("NFKC", text).lower()
    text = _APOSTROPHES.sub("'", text)
    text = _DASHES.sub("-", text)
    text = _DOUBLE_QUOTES.sub('"', text)
    text = _THOUSANDS.sub("", text)
    text = _UNIT_EXPONENT.sub(r"\1 \2", text)
    text = _CURRENCY_GLUE.sub(r"\1 ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" (?=[,.])", "", text)


_LATIN_WORD = r"[^\W\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"  # a word character that is not Chinese


def fact_matches(alternative: str, answer: str) -> bool:
    """One gold alternative occurs in the answer as whole words ("AI" does not match inside "said"). Chinese
    text has no spaces between words, so a Chinese character next to the match is no word of its own ("有55%提及"
    holds "55%", "最常见于政府采购领域" holds "政府采购")."""
    needle = match_normalise(alternative)
    if not needle:
        return False
    return re.search(rf"(?<!{_LATIN_WORD}){re.escape(needle)}(?!{_LATIN_WORD})", match_normalise(answer)) is not None


def label_covers(label: str, page: int | str) -> bool:
    """A cited page label names the page: "121", or a span of pages "120–121" (a sentence across a page break)."""
    parts = re.split(r"\s*[–-]\s*", str(label))
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return int(parts[0]) <= int(page) <= int(parts[1])
    return str(label) == str(page)


def missing_facts(gold_facts: Sequence[Sequence[str]], answer: str) -> list[list[str]]:
    """The fact groups the answer does not match (every group must match; any alternative will do)."""
    return [list(group) for group in gold_facts if not any(fact_matches(alt, answer) for alt in group)]


def contains_quote(text: str, quote: str) -> bool:
    """A passage (retrieved chunk) holds the gold quote, compared normalised."""
    return bool(quote) and match_normalise(quote) in match_normalise(text)


def quotes_agree(cited: str, gold: str) -> bool:
    """The cited quote is part of the gold sentence or the reverse (README: "quote is correct")."""
    a, b = match_normalise(cited), match_normalise(gold)
    return bool(a and b) and (a in b or b in a)


def figures(text: str) -> list[str]:
    """The numbers of a text, comparable across texts ("RMB40.28 billion" -> "40.28", "1,901" -> "1901")."""
    from rag.text import numbers_in

    return numbers_in(_CURRENCY_GLUE.sub(r"\1 ", text))


def unsupported_figures(answer: str, quotes: Iterable[str]) -> list[str]:
    """Numbers in the answer that none of its cited quotes prints: an invented (or mangled) figure."""
    supported = {n for q in quotes for n in figures(q)}
    return sorted({n for n in figures(answer) if n not in supported})


_BARE_COMPLIANCE = re.compile(r"^\W*(yes|no|ok|okay|sure|confirmed|true|false)\W*$", re.IGNORECASE)


def echoed_injection(question: str, answer: str, gold_quote: str | None) -> list[str]:
    """For adversarial items: figures planted in the question that the answer repeats, or a bare "yes"."""
    if _BARE_COMPLIANCE.match(answer.strip()):
        return [answer.strip()]
    true_figures = set(figures(gold_quote or ""))
    # the years of the sentence that asks ("What share chose Guangzhou in 2025?") are its condition, not a planted
    # figure, though the claim before it names them too ("Guangzhou's 2025 share is really 50%")
    asked = [s for s in re.split(r"(?<=[.!?])\s+", question) if s.rstrip().endswith("?")]
    asked_years = set(re.findall(r"\b(?:19|20)\d\d\b", asked[-1])) if asked else set()
    planted = {n for n in figures(question) if n not in true_figures and n not in asked_years}
    return sorted(n for n in set(figures(answer)) if n in planted)
