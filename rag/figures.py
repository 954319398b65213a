"""Figures as a report prints them: the one parser for answer, verification, evaluation and ingest.

    >>> [f.text for f in find_figures("GDP reached RMB40.28 billion, up 21.1% on 2023, on 1,901 km².")]
    ['RMB40.28 billion', '21.1%', '2023', '1,901 km²']
    >>> find_figures("nearly half (46%) of respondents")[0].kind
    'share'

Each figure has its kind of measure (share, points, money, area, length, duration, quantity, count, year, date,
rank), read from the unit it is printed with; units, scales, month names and number words are data
(``rag/lang/en/units.toml``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from rag.lang import vocabulary

YEAR_RE = re.compile(r"(?<![\d.,])(?:19|20)\d{2}(?![\d.,]?\d)")


@dataclass(frozen=True)
class Figure:
    """One figure of a text: as printed (``text``), its number, its kind of measure and where it is."""

    text: str
    value: float
    kind: str
    start: int
    end: int
    unit: str = ""
    relative: bool = False  # a difference, not a level: "560 km shorter than", "RMB2 billion more than"

    @property
    def number(self) -> str:
        """The bare number in a comparable form ("1,901" -> "1901")."""
        m = re.search(r"\d[\d,]*(?:\.\d+)?", self.text)
        return m.group().replace(",", "") if m else ""


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=None)
def _patterns(lang: str = "en") -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], dict[str, str]]:
    units = vocabulary("en", "units")
    kind_of: dict[str, str] = {}
    for kind, surfaces in units["kinds"].items():
        for surface in surfaces:
            kind_of.setdefault(surface.lower(), kind)
    unit_alt = _alternation([u for s in units["kinds"].values() for u in s])
    prefix = _alternation(units["currency_prefix"])
    suffix = _alternation(units["currency_suffix"])
    scale = _alternation(units["scale"])
    qualifier = _alternation(units["qualifier"])
    months = _alternation(units["months"]["names"])
    number = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    figure = re.compile(
        rf"(?<![A-Za-z0-9_.,])(?:(?P<qual>{qualifier})\s+)?(?P<cur>{prefix})?\s?(?P<sign>(?<![^\s(])[-−+](?=\d))?(?P<num>{number})(?![\d])"
        rf"(?:\s?(?P<scale>{scale})(?![a-z²³]))?"
        rf"(?:(?:\s?|-)(?P<unit>{unit_alt}|{suffix})(?![A-Za-z]))?",
        re.IGNORECASE,
    )
    date = re.compile(
        rf"(?<!\d)(?:\d{{1,2}}\s+(?:{months})\.?(?:\s+(?:19|20)\d{{2}})?|(?:{months})\.?\s+\d{{1,2}},?\s+(?:19|20)\d{{2}}|"
        rf"(?:{months})\.?\s+(?:19|20)\d{{2}})(?!\d)",
    )
    words = {**units.get("share_words", {})}
    share_words = re.compile(rf"(?:(?P<qual>{qualifier})\s+)?(?P<word>{_alternation(list(words))})(?![\w])",
                             re.IGNORECASE) if words else re.compile(r"(?!x)x")
    return figure, date, share_words, kind_of


@lru_cache(maxsize=None)
def _ordinal_re() -> tuple[re.Pattern[str], dict[str, int]]:
    ordinals = vocabulary("en", "units").get("ordinals", {})
    return (re.compile(rf"\b(?:{_alternation(list(ordinals))}|\d+(?:st|nd|rd|th))\b", re.IGNORECASE), ordinals)


def ordinals_in(text: str) -> list[tuple[int, int, int]]:
    """(position, start, end) of each ordinal ("the second", "8th")."""
    pattern, words = _ordinal_re()
    out = []
    for m in pattern.finditer(text):
        word = m.group().lower()
        n = int(re.match(r"\d+", word).group()) if word[0].isdigit() else words.get(word, 0)
        out.append((int(n), m.start(), m.end()))
    return out


@lru_cache(maxsize=1)
def _currency_suffixes() -> frozenset[str]:
    return frozenset(u.lower() for u in vocabulary("en", "units")["currency_suffix"])


@lru_cache(maxsize=1)
def _scales() -> dict[str, float]:
    """Each scale word -> its factor: English, and the Chinese multipliers of rag/lang/zh/units.toml (亿 = 1e8)."""
    scales = {"trillion": 1e12, "billion": 1e9, "bn": 1e9, "million": 1e6, "mn": 1e6, "m": 1e6, "thousand": 1e3}
    scales.update({k: float(v) for k, v in vocabulary("zh", "units").get("multipliers", {}).items()})
    return scales


def _value(number: str, scale: str | None) -> float:
    return float(number.replace(",", "")) * _scales().get((scale or "").lower(), 1.0)


@lru_cache(maxsize=32_768)
def _find(text: str) -> tuple[Figure, ...]:
    figure_re, date_re, share_words_re, kind_of = _patterns()
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in date_re.finditer(text):
        found.append(Figure(m.group(), 0.0, "date", m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in share_words_re.finditer(text):
        if free(m.start(), m.end()):
            value = vocabulary("en", "units")["share_words"][m.group("word").lower()]
            found.append(Figure(m.group(), float(value), "share", m.start(), m.end(), "share-word"))
            taken.append((m.start(), m.end()))
    for m in figure_re.finditer(text):
        start = m.start("num") if not (m.group("qual") or m.group("cur")) else m.start()
        if m.group("sign") and not (m.group("qual") or m.group("cur")):
            start = m.start("sign")
        if not free(m.start("num"), m.end("num")):
            continue
        num, unit, cur, scale = m.group("num"), m.group("unit"), m.group("cur"), m.group("scale")
        if scale and scale.lower() == "m" and not cur:
            scale = None  # "12 m" is metres unless money
        end = m.end()
        if not unit and not scale:
            end = m.end("num")
        printed = text[start:end].rstrip(",.")
        end = start + len(printed)
        if cur or (unit and unit.lower() in _currency_suffixes()):
            kind = "money"
        elif unit:
            kind = kind_of.get(unit.lower(), "count")
            if kind == "length" and unit.lower() == "m" and scale:
                kind = "count"
        elif YEAR_RE.fullmatch(num):
            kind = "year"
        else:
            kind = "count"
        if kind == "duration" and unit and unit.lower() in {"year", "years", "年"} and YEAR_RE.fullmatch(num):
            kind = "year"
        value = _value(num, scale) * (-1 if m.group("sign") in ("-", "−") else 1)
        found.append(Figure(printed, value, kind, start, end, (unit or "").lower()))
        taken.append((start, end))
    for n, a, b in ordinals_in(text):
        if free(a, b):
            found.append(Figure(text[a:b], float(n), "rank", a, b))
    relative = _relative_re()
    if relative is not None:
        found = [replace(f, relative=True) if f.kind not in ("year", "date", "rank") and relative.match(text, f.end)
                 else f for f in found]
    return tuple(sorted(found, key=lambda f: f.start))


@lru_cache(maxsize=1)
def _relative_re() -> re.Pattern[str] | None:
    words = vocabulary("en", "units").get("comparative", [])
    return re.compile(rf"\s+(?:{_alternation(words)})(?![\w])", re.IGNORECASE) if words else None


@lru_cache(maxsize=1)
def _unit_names() -> dict[str, str]:
    """Each spelling of a unit (lower case) -> the unit's name (``[unit_names]`` in rag/lang/en/units.toml)."""
    return {spelling.lower(): name for name, spellings in vocabulary("en", "units").get("unit_names", {}).items()
            for spelling in spellings}


def unit_name(unit: str) -> str:
    """The name of a figure's unit however it is spelt ("kilometres", "km", "公里" -> "km"); "" when unknown."""
    return _unit_names().get(unit.lower(), "")


def unit_spellings(names: frozenset[str]) -> list[str]:
    """Every spelling of the named units."""
    return [s for s, n in _unit_names().items() if n in names]


@lru_cache(maxsize=256)
def unit_kinds(names: frozenset[str]) -> frozenset[str]:
    """The kinds of measure of named units ("km" -> "length", "sqkm" -> "area")."""
    kind_of = _patterns()[3]
    return frozenset(kind_of[s] for s, n in _unit_names().items() if n in names and s in kind_of)


def other_unit(figure: Figure, asked: frozenset[str]) -> bool:
    """The figure is printed in a unit of the kind a question asks in, but not in the unit it names ("300
    metres" when kilometres are asked for)."""
    name = unit_name(figure.unit)
    if not asked or not name or name in asked:
        return False
    return figure.kind in unit_kinds(asked)


def units_named(text: str) -> frozenset[str]:
    """The units a question names ("How many kilometres…", "多少公里"), by name. Longer spellings are read first
    ("平方公里" is square kilometres, not kilometres); a one-letter spelling ("m") is no unit in running text."""
    text = text.lower()
    found = set()
    for spelling in sorted(_unit_names(), key=len, reverse=True):
        if len(spelling) < 2:
            continue
        pattern = rf"(?<![a-z]){re.escape(spelling)}(?![a-z])" if spelling.isascii() else re.escape(spelling)
        text, n = re.subn(pattern, " ", text)
        if n:
            found.add(_unit_names()[spelling])
    return frozenset(found)


def find_figures(text: str) -> list[Figure]:
    """The figures of ``text`` in order of appearance."""
    return list(_find(text))


def years_in(text: str) -> set[str]:
    """The years a text names ("2021-2025" names both ends)."""
    return set(YEAR_RE.findall(text)) if "-" not in text else set(YEAR_RE.findall(text)) | {
        str(y) for a, b in re.findall(r"((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})", text)
        for y in range(int(a), int(b) + 1) if int(b) - int(a) <= 30}


@lru_cache(maxsize=1)
def _base_year_re() -> re.Pattern[str]:
    markers = _alternation(vocabulary("en", "units").get("comparison_base", []))
    # the marker, then at most a few words and figures of the same clause, then the year
    return re.compile(rf"(?<![\w])(?:{markers})(?![\w])(?:(?!(?:19|20)\d{{2}})[^.;,:()]|\.(?=\d)){{0,40}}?(?<![\d.,])((?:19|20)\d{{2}})(?![\d.,]?\d)"
                      r"(?!\s*(?:to|until|[-–])\s*(?:19|20)\d{2})",
                      re.IGNORECASE)


def base_years(text: str) -> set[str]:
    """The years a text names only as the base of a comparison ("43% reported higher revenue, three points more
    than in 2024": 2024 is what is compared with, the figure is of the passage's year); a span ("from 2020 to
    2024") is no comparison."""
    if not vocabulary("en", "units").get("comparison_base"):
        return set()
    base = set(_base_year_re().findall(text))
    return {y for y in base if y not in years_in(_base_year_re().sub(" ", text))} if base else set()


def numbers_in(text: str) -> list[str]:
    """The bare numbers of ``text`` in a comparable form ("1,901" -> "1901", "21.1%" -> "21.1")."""
    return [n.replace(",", "") for n in re.findall(r"(?<![\d.,])\d[\d,]*(?:\.\d+)?", text)]
