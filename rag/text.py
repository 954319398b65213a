"""Text utilities shared by ingest, retrieval and answering: sentences, normalisation, tokens.

Normalisation makes the spellings a user types meet the spellings the report prints:
Gui'an / Gui’an / Guian, km2 / km² / square kilometres, 1,901 / 1901.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "no", "vs", "etc", "e.g", "i.e", "co", "ltd", "inc", "st", "jan", "feb",
                  "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "p", "pp", "fig"}
_SENTENCE_END_RE = re.compile(r"[.!?](?:[\"”’)\]]*)(?=\s+[\"“‘(\[]?[A-Z0-9•])")
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
STOPWORDS = frozenset(
    "a an and are as at be been by did do does for from has have how in is it its of on or that the this "
    "to was were what when where which who whom why will with what's whats there their they about into "
    "than then so such can could would should much many me tell please give show i we you our your "
    "report reports document page say says said mention mentions mentioned describe describes described "
    "according".split()
)


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
    tokens = re.findall(r"\d+(?:\.\d+)?|[a-z]+", text)
    return tuple(_stem(t) for t in tokens if keep_stopwords or t not in STOPWORDS)


NUMBER_RE = re.compile(r"(?<![\w.])(?:RMB|US\$|\$|HK\$)?\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|per cent|percent))?"
                       r"(?:\s?(?:billion|million|trillion|thousand|hectares|km²|km2|km|EFLOPS|m²))?", re.IGNORECASE)


def numbers_in(text: str) -> list[str]:
    """The bare numbers of ``text`` in a comparable form ("1,901" -> "1901", "21.1%" -> "21.1")."""
    return [n.replace(",", "") for n in re.findall(r"(?<![\d.,])\d[\d,]*(?:\.\d+)?", text)]


# General business-report vocabulary: a word users type -> the words reports print for it.
QUERY_SYNONYMS: dict[str, str] = {
    "big": "area", "large": "area", "size": "area", "territory": "area", "extent": "area", "land": "area",
    "cover": "area span", "covers": "area span", "wide": "area",
    "founded": "established", "set up": "established", "created": "established", "launched": "established launch",
    "start": "established", "started": "established", "began": "established", "inception": "established",
    "economic output": "gdp", "output": "gdp", "economy": "gdp",
    "companies": "enterprises", "firms": "enterprises", "businesses": "enterprises", "company": "enterprise",
    "grow": "growth", "grew": "growth", "increase": "growth surged", "increased": "growth surged",
    "rise": "growth", "rose": "growth", "expanded": "growth surged", "jump": "surged",
    "where": "located", "location": "located", "situated": "located",
    "pharma": "pharmaceutical", "drugs": "pharmaceutical medicine",
    "approved": "approval", "approve": "approval", "authorised": "approval", "authorized": "approval",
    "compute": "computing", "servers": "racks", "server": "racks",
    "worth": "potential", "market size": "market potential", "value": "potential",
    "share": "percent", "proportion": "percent", "fraction": "percent",
    "focus": "focuses", "specialise": "focuses", "specialize": "focuses",
    "subsidy": "subsidies", "funding": "subsidies support", "help": "support",
    "how many": "number", "count": "number",
    "cite": "source", "cites": "source", "cited": "source", "reference": "source", "footnote": "source",
}


def expand_query(query: str) -> str:
    """The query plus the report's words for what it asks ("How big is it?" also asks about "area")."""
    lowered = query.lower()
    extra = [v for k, v in QUERY_SYNONYMS.items() if re.search(rf"\b{re.escape(k)}\b", lowered)]
    return f"{query} {' '.join(extra)}" if extra else query


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
