"""Text utilities shared by ingest, retrieval and answering: sentences, normalisation, tokens.

Normalisation makes the spellings a user types meet the spellings the report prints:
Gui'an / Gui’an / Guian, km2 / km² / square kilometres, 1,901 / 1901 — and, for Chinese text, the same
spellings from Chinese numbers and units: 68％ = 68%, 1,901平方公里 = 1,901 km², 3个百分点 = 3 percentage
points, 145,892亿元 = 14,589.2 billion yuan, 2025年 = 2025 (vocabulary in ``rag/lang/zh/units.toml``).

Chinese runs become character bigrams between function words (see :func:`segment_cjk`); text without CJK
characters goes through exactly the English path.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import snowballstemmer

from rag.figures import numbers_in  # noqa: F401  (one figure parser; re-exported for callers)
from rag.lang import vocabulary
from rag.lang.detect import CJK_CHARS, CJK_RE, cjk_share

_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "no", "vs", "etc", "e.g", "i.e", "co", "ltd", "inc", "st", "jan", "feb",
                  "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "p", "pp", "fig"}
_SENTENCE_END_RE = re.compile(
    r"[.!?](?:[\"”’')\]]*)(?=\s+[\"“‘'(\[]?[A-Z0-9•])"
    # Chinese ends a sentence at 。！？； (closing quotes/brackets stay with it) with no space after it,
    # and at ! ? . before the next Chinese character.
    rf"|[。！？；](?:[\"”’)\]）」』》]*)|[.!?](?:[\"”’)\]）」』]*)(?=\s*[“「『]?[{CJK_CHARS}])"
)
_APOSTROPHES = "’'‘`´ʼ"
_UNIT_SYNONYMS = (
    (re.compile(r"\bsquare\s+kilomet(?:re|er)s?\b|\bsq\.?\s*km\b|\bkm\s*2\b|\bkm\^2\b"), " sqkm "),
    (re.compile(r"\bsquare\s+met(?:re|er)s?\b|\bsq\.?\s*m\b|\bm\s*2\b"), " sqm "),
    (re.compile(r"\bper\s*cent\b|\bpercent(?:age)?\b|%"), " percent "),
    (re.compile(r"\byuan\b|\brenminbi\b|\bcny\b"), " rmb "),
    (re.compile(r"\bbn\b"), " billion "),
    (re.compile(r"centre"), "center"),
    (re.compile(r"\bmn\b"), " million "),
)
# English function words, question words and words about the report itself (rag/lang/en/stopwords.toml).
_EN_STOPWORDS = frozenset(vocabulary("en", "stopwords").get("words", []))
# Chinese function and question words (rag/lang/zh/stopwords.toml): no English word is among them.
ZH_STOPWORDS = frozenset(vocabulary("zh", "stopwords").get("words", []))
STOPWORDS = _EN_STOPWORDS | ZH_STOPWORDS


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences in ``text``; decimals ("40.28") and abbreviations do not end one."""
    spans = []
    start = 0
    for m in _SENTENCE_END_RE.finditer(text):
        word = re.search(r"([A-Za-z.]+)\.$", text[start : m.start() + 1])
        if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        end = m.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = end
        while start < len(text) and text[start].isspace():
            start += 1
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def normalise(text: str) -> str:
    """Lower-case, compatibility-folded text with one spelling per name, unit and number."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(rf"(?<=\w)[{_APOSTROPHES}](?=\w)", "", text)
    text = re.sub(rf"[{_APOSTROPHES}]", " ", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    if CJK_RE.search(text):
        text = _normalise_zh(text)
    for pattern, replacement in _UNIT_SYNONYMS:
        text = pattern.sub(replacement, text)
    return re.sub(r"\s+", " ", text).strip()


def _stem(token: str) -> str:
    if token.isdigit() or len(token) <= 3:
        return token
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3 and not token.endswith("ss"):
            return token[: -len(suffix)] + repl
    return token


_SNOWBALL = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65_536)
def family(token: str) -> str:
    """A token's word family (its Snowball stem): "development" and "develop", "approval" and "approved" are
    one family. Search tokens keep the light stem; matching a question's word to a sentence's uses this."""
    return token if not token.isalpha() else _SNOWBALL.stemWord(token)


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Search tokens: normalised, letters and numbers split ("rmb40.28" -> "rmb", "40.28"), light stems."""
    return list(_tokenize(text, keep_stopwords))


@lru_cache(maxsize=65_536)  # the same sentences are scored again and again in a warm process
def _tokenize(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    text = normalise(text)
    text = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", text)
    if not CJK_RE.search(text):
        tokens = re.findall(r"\d+(?:\.\d+)?|[a-z]+", text)
        return tuple(_stem(t) for t in tokens if keep_stopwords or t not in STOPWORDS)
    out: list[str] = []
    for m in _TOKEN_ZH_RE.finditer(text):
        token = m.group()
        if CJK_RE.match(token):
            out.extend(segment_cjk(token) if not keep_stopwords else _bigrams(token))
        elif keep_stopwords or token not in STOPWORDS:
            out.append(_stem(token))
    return tuple(out)


_TOKEN_ZH_RE = re.compile(rf"\d+(?:\.\d+)?|[a-z]+|[{CJK_CHARS}]+")
# Function and question words cut a Chinese run as spaces cut English ("贵安新区的规划面积是多少" -> 贵安新区 | 规划面积).
_ZH_STOP_RE = re.compile("|".join(re.escape(w) for w in sorted(ZH_STOPWORDS, key=len, reverse=True)) or "(?!)")


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def segment_cjk(run: str) -> list[str]:
    """Search tokens of a run of CJK characters: overlapping character bigrams of the parts between its function
    words (a lone character stays a token). Measured against a dictionary segmenter (rjieba/jieba, search
    mode) on Chinese questions (tests/text/test_chinese.py): bigrams found the sentence first more often, need
    no dictionary to load and never split a name the dictionary does not know."""
    tokens: list[str] = []
    for part in _ZH_STOP_RE.split(run):
        if part:
            tokens.extend(_bigrams(part))
    return tokens


# --- Chinese numbers and units -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _ZhUnits:
    """``rag/lang/zh/units.toml`` compiled into the patterns of :func:`_normalise_zh`."""

    digits: dict[str, int]
    places: dict[str, int]
    sections: dict[str, int]
    multipliers: dict[str, Decimal]
    scales: list[tuple[str, Decimal]]
    units: dict[str, str]
    prefixes: dict[str, str]
    ordinal_words: list[str]
    ordinal_counters: dict[str, str]
    months: list[str]
    quantity_re: re.Pattern[str]
    prefix_re: re.Pattern[str]
    ordinal_re: re.Pattern[str]
    year_re: re.Pattern[str]
    month_re: re.Pattern[str]
    bare_unit_re: re.Pattern[str]


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _zh_units() -> _ZhUnits:
    data = vocabulary("zh", "units")
    numerals = data["numerals"]
    digits, places, sections = numerals["digits"], numerals["places"], numerals["sections"]
    # A number as a Chinese numeral: starts with a digit or the smallest place ("十二"), may hold place and
    # section marks; "千方百计" and "万一" are words, not numbers.
    ten = min(places, key=places.get)
    zh_num = f"[{''.join(digits)}{ten}][{''.join(digits)}{''.join(places)}{''.join(sections)}]*"
    num = rf"(?P<num>\d+(?:\.\d+)?|{zh_num})"
    dates = data["dates"]
    ordinals = data["ordinals"]
    return _ZhUnits(
        digits=digits, places=places, sections=sections,
        multipliers={k: Decimal(str(v)) for k, v in data["multipliers"].items()},
        scales=sorted(((k, Decimal(str(v))) for k, v in data["scales"].items()), key=lambda kv: -kv[1]),
        units=data["units"], prefixes=data["prefixes"],
        ordinal_words=ordinals["words"], ordinal_counters=ordinals["counters"], months=dates["months"],
        quantity_re=re.compile(rf"{num}(?P<mult>{_alternation(data['multipliers'])})?"
                               rf"(?P<unit>{_alternation(data['units'])})?"),
        prefix_re=re.compile(rf"(?P<prefix>{_alternation(data['prefixes'])}){num}"),
        ordinal_re=re.compile(rf"第{num}(?P<counter>{_alternation(ordinals['counters'])})?"),
        year_re=re.compile(rf"(?P<num>(?:1[89]|20)\d{{2}}|[{''.join(digits)}]{{4}}){re.escape(dates['year_suffix'])}"),
        month_re=re.compile(rf"(?P<num>1[0-2]|0?[1-9]|十[一二]?|[{''.join(digits)}]){re.escape(dates['month_suffix'])}"
                            rf"(?:(?P<day>[12]\d|3[01]|0?[1-9])(?:{_alternation(dates['day_suffixes'])}))?"),
        bare_unit_re=re.compile(_alternation(k for k, v in data["units"].items() if v and len(k) > 1)),
    )


def zh_number(text: str) -> Decimal | None:
    """The value of a number written in Arabic digits or Chinese numerals ("六十八" -> 68, "二〇二五" -> 2025,
    "三亿五千万" -> 350000000); None when it is not one."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    u = _zh_units()
    if text and all(ch in u.digits for ch in text):  # digit by digit, as years are written
        return Decimal("".join(str(u.digits[ch]) for ch in text))
    total, section, current = 0, 0, None
    for ch in text:
        if ch in u.digits:
            current = u.digits[ch]
        elif ch in u.places:
            section += (1 if current is None else current) * u.places[ch]
            current = None
        elif ch in u.sections:
            chunk, mark = section + (current or 0), u.sections[ch]
            total = (total + chunk) * mark if total < mark else total + chunk * mark  # 一万亿, 三亿五千万
            section, current = 0, None
        else:
            return None
    return Decimal(total + section + (current or 0))


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scaled(value: Decimal) -> str:
    """A number in the English report's scale words: 1.45892e13 -> "14589.2 billion"."""
    for word, scale in _zh_units().scales:
        if value >= scale:
            return f"{_plain(value / scale)} {word}"
    return _plain(value)


def _ordinal(n: Decimal) -> str:
    words = _zh_units().ordinal_words
    i = int(n)
    if 0 <= i < len(words):
        return words[i]
    return f"{i}{'th' if 10 <= i % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(i % 10, 'th')}"


def _normalise_zh(text: str) -> str:
    """Chinese numbers, units, ordinals and dates spelled as the English normaliser spells them."""
    u = _zh_units()
    # A space between two Chinese characters is a line break of the export: Chinese has none.
    text = re.sub(rf"(?<=[{CJK_CHARS}])\s+(?=[{CJK_CHARS}])", "", text)
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)  # 1,901平方公里: no word boundary before 平

    def prefix(m: re.Match[str]) -> str:
        n = zh_number(m.group("num"))
        return m.group() if n is None else f" {u.prefixes[m.group('prefix')].format(n=_plain(n))} "

    def year(m: re.Match[str]) -> str:
        n = zh_number(m.group("num"))
        return m.group() if n is None else f" {_plain(n)} "

    def month(m: re.Match[str]) -> str:
        n = zh_number(m.group("num"))
        if n is None or not 1 <= n <= 12:
            return m.group()
        day = f" {int(m.group('day'))}" if m.group("day") else ""
        return f" {u.months[int(n) - 1]}{day} "

    def ordinal(m: re.Match[str]) -> str:
        n = zh_number(m.group("num"))
        if n is None or n != int(n):
            return m.group()
        template = u.ordinal_counters.get(m.group("counter") or "", "{ordinal}")
        return f" {template.format(n=int(n), ordinal=_ordinal(n))} "

    def quantity(m: re.Match[str]) -> str:
        mult, unit, digits = m.group("mult"), m.group("unit"), m.group("num")
        # "三十万" is a number wherever it stands; a bare "一" or "十" is part of a word ("一致", "十分")
        sectioned = not digits[0].isdigit() and any(ch in u.sections for ch in digits)
        if not mult and unit is None and not sectioned:
            return m.group()  # a bare Arabic number stays as it is
        n = zh_number(digits)
        if n is None:
            return m.group()
        number = _scaled(n * u.multipliers[mult]) if mult else _scaled(n) if sectioned else _plain(n)
        english = u.units.get(unit or "", "")
        return f" {number} {english} " if english else f" {number} "

    text = u.prefix_re.sub(prefix, text)
    text = u.year_re.sub(year, text)
    text = u.ordinal_re.sub(ordinal, text)  # before units: 第二年 is "second year", not "2 years"
    text = u.month_re.sub(month, text)
    text = u.quantity_re.sub(quantity, text)
    # A unit named without a number ("多少平方公里") is still that unit; one character is too often part of a
    # word ("元旦", "多元") to be read alone.
    return u.bare_unit_re.sub(lambda m: f" {u.units[m.group()]} ", text) if u.bare_unit_re.pattern else text






# General business-report vocabulary: a word users type -> the words reports print for it.
QUERY_SYNONYMS: dict[str, str] = dict(vocabulary("en", "synonyms").get("query", {}))


def romanised_names(text: str) -> list[str]:
    """Pinyin of adjacent character pairs of a Chinese text ("平陆运河" -> "pinglu", "luyun", "yunhe"): a Chinese
    name meets its spelling in English text ("Pinglu Canal", "Qinzhou") without a list of names. Only pairs the
    report could print as one word are useful; the rest match nothing and weigh nothing."""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:
        return []
    out: list[str] = []
    for run in re.findall(f"[{CJK_CHARS}]{{2,}}", text):
        syllables = lazy_pinyin(run)
        out += ["".join(pair) for pair in zip(syllables, syllables[1:])]
    return list(dict.fromkeys(out))


def english_form(question: str, known: Iterable[str] | dict) -> str | None:
    """A Chinese question as the English embedding model can read it: what it writes in Latin letters and digits,
    the English of its glossary terms and the spellings of its names the report prints (``known``: the index's
    words), e.g. "榕口…招聘…比例" -> "hiring recruit share percent rongkou". None for an English question, or when
    fewer than two such words are found."""
    if cjk_share(question) < 0.3:
        return None
    english = with_english(question)[len(question):].split()
    names = [t for t in romanised_names(question) if t in known]
    typed = re.findall(r"[A-Za-z0-9][A-Za-z0-9.%&-]*", question)
    words = list(dict.fromkeys(typed + english + names))
    return " ".join(words) if len(words) >= 2 else None


ABBREVIATIONS: dict[str, str] = dict(vocabulary("en", "synonyms").get("abbreviations", {}))


def abbreviations_in(text: str) -> list[tuple[str, str]]:
    """The abbreviations of ``[abbreviations]`` typed in ``text`` (in capitals), each with its spelt-out form:
    "R&D" -> ("R&D", "research and development")."""
    if not ABBREVIATIONS:
        return []
    return [(m.group(), ABBREVIATIONS[m.group()]) for m in _abbreviation_re().finditer(text)]


def expand_abbreviations(question: str, report_words: set[str]) -> str:
    """The question with each abbreviation the report never prints ("IP", where the report says "intellectual
    property") spelt out (rag/lang/en/synonyms.toml ``[abbreviations]``). ``report_words``: the report's words,
    lower-cased. Matched as typed, in capitals, so a word ("ai" in a Chinese romanisation) is left alone."""
    def spell(match: re.Match[str]) -> str:
        short = match.group()
        words = ABBREVIATIONS.get(short)
        if words is None or all(part.lower() in report_words for part in re.findall(r"[A-Za-z]+", short)):
            return short
        if not all(part.lower() in report_words for part in re.findall(r"[A-Za-z]+", words)):
            return short  # the report prints neither form: the spelt-out words would find nothing either
        return words

    if not ABBREVIATIONS:
        return question
    return _abbreviation_re().sub(spell, question)


@lru_cache(maxsize=1)
def _abbreviation_re() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w&])(?:{_alternation(ABBREVIATIONS)})(?![\w&])")


def expand_query(query: str) -> str:
    """The query plus the report's words for what it asks ("How big is it?" also asks about "area"); a Chinese
    question also gets the English words for its terms (rag/lang/zh/glossary.toml), so it finds English text."""
    if CJK_RE.search(query):
        query = f"{with_english(query)} {' '.join(romanised_names(query))}"
    lowered = query.lower()
    extra = [v for k, v in QUERY_SYNONYMS.items() if re.search(rf"\b{re.escape(k)}\b", lowered)]
    # an abbreviation the report prints is also searched spelt out, as the report says it elsewhere ("FTZ" and
    # "Pilot Free Trade Zone"); one it never prints was spelt out before (expand_abbreviations)
    extra += [long for _, long in abbreviations_in(query)]
    return f"{query} {' '.join(extra)}" if extra else query


@lru_cache(maxsize=1)
def _zh_glossary() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    data = vocabulary("zh", "glossary")
    terms = {**data.get("terms", {}), **data.get("places", {})}
    return (re.compile(_alternation(terms)) if terms else None), terms


def compact(text: str) -> str:
    """A Chinese text without the spaces between its characters (a line break or a typist's space is no word gap)."""
    return re.sub(rf"(?<=[{CJK_CHARS}])\s+(?=[{CJK_CHARS}])", "", text)


def glossary_spans(text: str) -> list[tuple[int, int]]:
    """Where the glossary's Chinese terms stand in a compact text (rag/lang/zh/glossary.toml)."""
    pattern, _ = _zh_glossary()
    return [m.span() for m in pattern.finditer(text)] if pattern is not None else []


def places_named(question: str) -> list[tuple[str, str]]:
    """The places of the glossary's ``[places]`` a Chinese question names, with their English ("澳门" -> "Macao
    Macau")."""
    places = vocabulary("zh", "glossary").get("places", {})
    said = compact(question)
    return [(zh, en) for zh, en in sorted(places.items(), key=lambda kv: -len(kv[0])) if zh in said]


def glossed(text: str) -> str:
    """The English of a Chinese text's glossary terms ("" for English text), as a Chinese question carries them."""
    return with_english(text)[len(text):].strip() if CJK_RE.search(text) else ""


def with_english(query: str) -> str:
    """A Chinese text plus the English of its glossary terms (rag/lang/zh/glossary.toml)."""
    pattern, terms = _zh_glossary()
    if pattern is None:
        return query
    compact_query = compact(query)
    english = dict.fromkeys(terms[m.group()] for m in pattern.finditer(compact_query))
    return f"{query} {' '.join(english)}" if english else query


_ENTITY_RE = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w’'-]*(?:\s+(?:of\s+|and\s+)?[A-Z][\w’'-]*)*)")
_QUESTION_WORDS = {"what", "which", "who", "when", "where", "how", "why", "is", "are", "was", "were", "does", "did",
                   "do", "can", "could", "would", "should", "tell", "give", "name", "list", "i", "please", "and"}


def named_entities(text: str) -> list[str]:
    """Capitalised names in running text ("Gui’an New Area", "China Telecom"), not sentence-initial words."""
    found = []
    for m in _ENTITY_RE.finditer(text):
        words = m.group(1)
        if words.lower() not in STOPWORDS and words.lower() not in _QUESTION_WORDS:
            found.append(words)
    return found
