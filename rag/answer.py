"""Answerers. The extractive one (the default, no LLM) selects the report's own sentences.

    answerer = ExtractiveAnswerer(index=index, settings=settings)
    result = answerer.answer("What is the planned area of Gui'an New Area?", docs)
    result.text, result.abstained, result.evidence[0].quote

Every candidate sentence of the retrieved chunks is scored on (a) how much of the question it
covers (idf-weighted concept groups, synonyms and spelling corrected), (b) embedding similarity to
the question, (c) whether it holds what the question asks for (a figure for how many/how much, a
year for when, a place for where, a list for which/what kinds) and (d) its chunk's retrieval rank.
The best sentence is the answer; below ``abstain_threshold`` the assistant says the report does
not answer the question instead of offering a nearby figure.
"""
from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

import numpy as np
from langchain_core.documents import Document

from rag.config import Settings
from rag.index import ReportIndex
from rag.text import QUERY_SYNONYMS, STOPWORDS, family, named_entities, numbers_in, split_sentences, tokenize

ABSTAIN_TEXT = "The report does not answer this"


class AnswerType(str, Enum):
    NUMBER = "number"
    YEAR = "year"
    PLACE = "place"
    LIST = "list"
    WHO = "who"
    RANK = "rank"
    DESCRIBE = "describe"


_RANK_ASKED = re.compile(
    r"\b(what|which) (exact |precise )?(rank|ranking|position|place)\b|\bin what (order|position|place)\b|"
    r"\branks? (number|no\.?|#) ?\w+|\branked (first|second|third|\w+th|\d+\w*)\b|\bhow (is|was|does) \w+ rank")
_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(st|nd|rd|th)|"
                      r"no\. ?\d+|number (one|two|three|\d+))\b", re.IGNORECASE)
_ORDINAL_WORDS = {w: n for n, ws in enumerate((("first", "one"), ("second", "two"), ("third", "three"),
                                                  ("fourth", "four"), ("fifth", "five"), ("sixth", "six"),
                                                  ("seventh", "seven"), ("eighth", "eight"), ("ninth", "nine"),
                                                  ("tenth", "ten")), start=1) for w in ws}


def _ordinals(text: str) -> set[int]:
    """The positions a text names ("the eighth", "No. 3", "ranks number one" -> {8}, {3}, {1})."""
    out = set()
    for m in _ORDINAL.finditer(text):
        word = re.sub(r"^(no\.|number)\s*", "", m.group().lower())
        digits = re.match(r"\d+", word)
        out.add(int(digits.group()) if digits else _ORDINAL_WORDS.get(word, 0))
    return out - {0}


_TYPE_PATTERNS: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    (AnswerType.RANK, _RANK_ASKED),
    (AnswerType.YEAR, re.compile(r"\b(when|what year|which year|since when|how long ago|in what year|year)\b")),
    (AnswerType.NUMBER, re.compile(
        r"\b(how (many|much|big|large|fast|high|far)|what (is|was|were|are) the ([a-z-]+ ){0,2}(size|area|gdp|number|share|"
        r"percentage|proportion|fraction|value|growth|rate|amount|capacity|potential|total|footprint|acreage)|by how much|"
        r"what share|what fraction|what percentage|what proportion|growth rate|number of)\b")),
    (AnswerType.PLACE, re.compile(r"\b(where|located|location|situated|which (city|province|region))\b")),
    (AnswerType.WHO, re.compile(r"\b(who|by whom|which (organi[sz]ation|body|authority|agency|institution|"
                                r"ministry|department|company|government))\b")),
    (AnswerType.LIST, re.compile(r"\b(which|what (kinds?|types?|sorts?|industries|sectors|areas|fields|projects|"
                                 r"measures|products)|list|name the|focus(es)? on|include)\b")),
    (AnswerType.NUMBER, re.compile(r"#|\b(gdp|percentage|percent|hectares|km2?|racks|eflops|figure|worth|size|growth|"
                                   r"grown|increase)\b")),
)
# rank, when, how many/much, who: the answer must hold one
_STRICT_TYPES = tuple(p for p in _TYPE_PATTERNS[:5] if p[0] != AnswerType.PLACE)
_FIGURE_RE = re.compile(
    r"(?:(?:over|more than|exceeding|about|nearly|up to)\s)?(?:RMB|US\$|HK\$|\$)?\s?\d[\d,]*(?:\.\d+)?"
    r"(?:\s?(?:%|per cent|percent))?(?:\s?(?:billion|million|trillion|thousand))?"
    r"(?:\s?(?:hectares|km²|km2|square kilometres|sq km|EFLOPS|m²|km))?",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"\b(19|20)\d{2}\b")
_UNIT_HINTS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    # the words that ask for a measure of land, whatever the report calls it
    (re.compile(r"\b(area|big|large|size|territory|km|square|hectares?|acres?|acreage|footprint|ground|land|"
                r"surface|occupy|occupies|span|spans|expanse)\b"), re.compile(r"km²|km2|hectares|km\b")),
    (re.compile(r"\b(gdp|worth|potential|value|rmb|yuan|billion|investment)\b"), re.compile(r"RMB|billion|\$")),
    (re.compile(r"\b(share|percent|percentage|proportion|fraction|rate|growth|grew|surged|increase)\b"),
     re.compile(r"%")),
    (re.compile(r"\b(racks?)\b"), re.compile(r"million|racks")),
    (re.compile(r"\b(eflops|computing power)\b"), re.compile(r"EFLOPS")),
)


_DOWN = re.compile(r"\b(fall|fell|fallen|drop|dropped|decline|declined|decrease|decreased|shrink|shrank|shrunk|"
                   r"contract|contracted|slump|slumped|cut|reduce|reduced|lose|lost|closed|cancel+ed|scrapped|abandoned|halted|"
                   r"suspended|shelved|terminated|stopped|withdrawn|shut down|demolished)\b", re.I)
_UP = re.compile(r"\b(grow|grew|growth|rise|rose|increase|increased|surge|surged|expand|expanded|up|gain|gained|"
                 r"accelerat\w*|reached|established|built|completed|launch\w*|planned|plans)\b", re.I)


def contradicts(question: str, sentence: str) -> bool:
    """The question presumes a fall where the report reports a rise (or the reverse)."""
    q_down, q_up = bool(_DOWN.search(question)), bool(_UP.search(question))
    s_down, s_up = bool(_DOWN.search(sentence)), bool(_UP.search(sentence))
    return (q_down and not q_up and s_up and not s_down) or (q_up and not q_down and s_down and not s_up)


_ACTUAL = re.compile(r"\b(already|currently|presently|so far|to date|today|right now|in operation|operational|"
                     r"operating|up and running|in use|in service|in place|existing|installed|actually \w+)\b", re.I)
# "…installed today, as opposed to planned": the plan named as what is not asked
_NOT_PLANNED = re.compile(r"\b(as opposed to|rather than|instead of|not|vs\.?|versus|compared with)\s+(just\s+|the\s+|merely\s+)?"
                          r"(planned|proposed|projected|targeted|intended)\b", re.I)
_PLANNED = re.compile(r"\b(planned|plans?|proposed|projected|targeted|intended|envisaged|will|to be built)\b", re.I)


def measures(words: list[str], sentence: str) -> bool:
    """A question word that asks for a measure ("footprint", "acreage") is there when the sentence gives a
    figure in that measure's unit ("22 km²")."""
    return any(ask.fullmatch(w.lower()) and unit.search(sentence) for w in words for ask, unit in _UNIT_HINTS)


def planned_not_actual(question: str, lead: str | None, sentence: str) -> str | bool | None:
    """The question asks how much is already in place; the report's figure is a planned one ("over 1.4 million
    planned standard racks"): returns the planned figure. "Is the park already running?" where the report
    describes it as planned: True. None otherwise."""
    if not _ACTUAL.search(question) or _PLANNED.search(_NOT_PLANNED.sub(" ", question)):
        return None
    if not lead:  # a yes/no question: is what it asks about called planned?
        if not re.match(r"\s*(is|are|was|were|has|have|does|do|did)\b", question, re.IGNORECASE):
            return None
        asked = set(tokenize(question)) - _GENERIC_TOKENS
        words = re.findall(r"[\w’'-]+", sentence)
        for i, word in enumerate(words):
            if _PLANNED.fullmatch(word) and asked & set(tokenize(" ".join(words[max(0, i - 3) : i + 4]))):
                return True
        return None
    at = sentence.find(lead)
    if at < 0:
        return None
    around = sentence[max(0, at - 25) : at + len(lead) + 25]
    return lead if _PLANNED.search(around) else None


def answer_type(question: str) -> AnswerType:
    q = re.sub(r"\b(what|how|where|when|who)['’]s\b", r"\1 is", question.lower())
    # "…for the year 2024", "…last year": a year the question gives, not one it asks for
    q = re.sub(r"\b(?:(?:the|that|this|last|next|each|per|a|every)\s+)?year\s+(?:of\s+)?(?:19|20)\d{2}\b|"
               r"\b(?:this|last|next|each|per|a|every|that)\s+year\b", " ", q)
    for kind, pattern in _TYPE_PATTERNS:
        if pattern.search(q):
            return kind
    return AnswerType.DESCRIBE


_GENERIC_MODIFIERS = {"total", "overall", "actual", "current", "main", "exact", "whole", "entire", "new", "first",
                      "specific", "precise", "approximate", "annual", "average", "typical", "other", "kind", "kinds", "type",
                      "types", "year", "date", "time", "number", "amount", "figure", "size", "percentage", "share",
                      "value", "level", "rate", "much", "many", "sort", "sorts", "part", "role", "purpose", "basis", "reason",
                      "way", "ways", "means", "extent", "status", "rank", "ranking", "order", "position", "two",
                      "three", "four", "five", "several", "some", "all", "else"}
_FOCUS_PATTERNS = (
    re.compile(r"\bhow (?:many|much) (?!of\b)([a-z][\w’'-]*(?: [a-z][\w’'-]*)?)"),  # "how much of X": a part of X
    re.compile(r"\bwhat (?:is|was|are|were|'s) (?:the |its |their |his |her )?((?:[a-z][\w-]* ){0,2}[a-z][\w-]*?)"
               r"(?= (?:of|in|for|at|on|from|to|by|does|did|do|is|was|has|had|will)\b|\?|$)"),
    re.compile(r"\b(?:what|which) ((?!(?:is|was|are|were|does|did|do|will|has|had|can|the|a|an)\b)[a-z][\w-]*)"),
)
_GENERIC_TOKENS = {t for w in _GENERIC_MODIFIERS for t in tokenize(w)} | {"land", "could", "tell"}
_CATEGORY_TYPES = (AnswerType.LIST, AnswerType.PLACE, AnswerType.WHO)  # "which fields…": the answer names instances
_PLACE_WORDS = {"city", "province", "country", "region", "place", "town", "district", "location"}
# "Which body approved…": the answer names an organisation; the report need not call it a "body".
_BODY_WORDS = {"organisation", "organization", "body", "authority", "agency", "institution", "ministry", "department",
               "government"}


def question_focus(question: str) -> tuple[set[str], list[str]]:
    """The thing a question asks for ("How many residents…" -> {"resident"}), as tokens and as words."""
    q = question.lower()
    for pattern in _FOCUS_PATTERNS:
        m = pattern.search(q)
        if m:
            words = [w for w in re.findall(r"[a-z][\w’'-]*", m.group(1)) if w not in _GENERIC_MODIFIERS]
            if pattern is _FOCUS_PATTERNS[2]:  # "What natural resource advantage does…": the head, "advantage"
                phrase = [w for w in asked_class(q) if w not in _GENERIC_MODIFIERS]
                words = phrase[-1:] or words
            if any(w in _PLACE_WORDS or w in _BODY_WORDS for w in words):
                return set(), []
            tokens = set(tokenize(" ".join(words)))
            for word in words:
                tokens |= set(tokenize(QUERY_SYNONYMS.get(word, "")))
            if tokens:
                return tokens, [w for w in words if tokenize(w)]
    return set(), []


_COMPARATIVE = re.compile(r"\w{2,}(er|est)$")  # "Which wider region…": a comparison, not a kind of region
_PRONOUNS = {"i", "you", "he", "she", "it", "we", "they", "one", "someone", "anyone"}  # "what they spend": a clause
_NP_STOP = {"is", "was", "are", "were", "be", "been", "does", "did", "do", "will", "would", "can", "could", "should",
            "has", "have", "had", "of", "in", "for", "at", "on", "from", "to", "by", "with", "about", "per", "the", "a", "an",
            "this", "that", "these", "those", "its", "their", "and", "or", "there", "not"}


def asked_class(question: str) -> list[str]:
    """The words of the noun phrase a "which/what" question asks about ("Which quantum computing labs account
    for…" -> ["quantum", "computing", "labs"]); its last word is the head. Ends at an auxiliary, a preposition,
    a past-tense verb ("Which body signed…"), or after a plural noun ("labs account…")."""
    m = re.search(r"\b(?:which|what|how many|how much)\s+(.*)", question.lower())
    if not m:
        return []
    words: list[str] = []
    for word in re.findall(r"[a-z][\w’'-]*", m.group(1))[:4]:
        if word in _NP_STOP or word in STOPWORDS or word in _PRONOUNS or (words and word.endswith("ed")):
            break
        words.append(word)
        if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            break
    return words


@dataclass
class ConceptGroup:
    """Interchangeable tokens for one thing the question mentions; ``word`` is the user's own word."""

    tokens: set[str]
    word: str
    weight: float = 1.0


def concept_groups(question: str) -> list[ConceptGroup]:
    """The question's content as groups of interchangeable tokens (a word and the report's words for it)."""
    lowered = question.lower()
    groups: list[ConceptGroup] = []
    claimed: set[str] = set()
    for key, words in QUERY_SYNONYMS.items():
        if re.search(rf"\b{re.escape(key)}\b", lowered):
            key_tokens = set(tokenize(key))
            group = key_tokens | set(tokenize(words))
            if group:
                groups.append(ConceptGroup(group, key))
                claimed |= key_tokens
    for word in re.findall(r"[A-Za-z][\w’'-]*|\d[\d,.]*", question):
        for token in tokenize(word):
            if token not in claimed and not any(token in g.tokens for g in groups):
                groups.append(ConceptGroup({token}, word.lower()))
    return groups


class WordSimilarity:
    """How close a user's word is to the words of the candidate sentences, by the embedding model.

    Lets "wellness" count partly as "health" and "firms" as "enterprises" without a synonym list.
    Word vectors are cached, so a warm process embeds only words it has not met before.
    """

    def __init__(self, index: ReportIndex, floor: float = 0.5) -> None:
        self.index = index
        self.floor = floor
        self.vectors = _VectorCache(size=200_000)

    def similar(self, words: list[str], report_words: set[str]) -> dict[str, dict[str, float]]:
        """For each user word: the stems of ``report_words`` at or above the floor, with their similarity."""
        words = list(dict.fromkeys(words))
        candidates = sorted(w for w in report_words if len(w) >= 3 and w.isalpha())
        if not words or not candidates:
            return {w: {} for w in words}
        embed = self.index.embeddings.embed_documents
        query = self.vectors.get_many(words, embed)
        matrix = self.vectors.get_many(candidates, embed)
        stems = [(tokenize(w, keep_stopwords=True) or [w])[0] for w in candidates]
        out: dict[str, dict[str, float]] = {}
        for word, sims in zip(words, query @ matrix.T):
            close: dict[str, float] = {}
            for i in np.nonzero(sims >= self.floor)[0]:
                close[stems[i]] = max(close.get(stems[i], 0.0), float(sims[i]))
            out[word] = close
        return out


@dataclass
class Evidence:
    """One sentence of the report chosen as (part of) an answer."""

    quote: str
    doc: Document
    score: float
    coverage: float
    similarity: float
    type_match: float

    @property
    def page(self) -> int:
        return int(self.doc.metadata["page"])


@dataclass
class AnswerResult:
    """An answer and its evidence (evidence[0] is the main one). ``verdict`` says how a generated
    answer fared in verification ("verified", "repaired", "replaced", "fallback"); None for extractive."""

    text: str
    abstained: bool
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)
    kind: AnswerType = AnswerType.DESCRIBE
    verdict: str | None = None


class _VectorCache:
    """Sentence embeddings by text, so a warm process embeds only the question."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self.items: OrderedDict[str, np.ndarray] = OrderedDict()

    def get_many(self, texts: list[str], embed) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.items]
        if missing:
            for text, vector in zip(missing, embed(missing)):
                self.items[text] = np.asarray(vector, dtype=np.float32)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return np.stack([self.items[t] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)


class ExtractiveAnswerer:
    """Answers with the report's own sentences; abstains when no sentence answers the question."""

    def __init__(self, *, index: ReportIndex, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self.vectors = _VectorCache()
        self.words = WordSimilarity(index)

    def _idf(self, token: str) -> float:
        corrected = self.index.lexical.correct(token)
        if corrected is None:
            n = max(1, len(self.index.lexical.lengths))
            return math.log(1 + (n + 0.5) / 0.5)
        return self.index.lexical.idf.get(corrected, 0.0)

    def _coverage(self, groups: list[ConceptGroup], tokens: set[str], soft: dict[str, dict[str, float]]) -> float:
        """Share of the question's content (idf-weighted) this text holds; near-synonyms count partly."""
        total = covered = 0.0
        for group in groups:
            weight = max(self._idf(t) for t in group.tokens) * group.weight
            if group.tokens <= _GENERIC_TOKENS:
                weight *= 0.3
            total += weight
            if self._covers(group.tokens, tokens):
                covered += weight
                continue
            close = soft.get(group.word, {})
            best = max((sim for stem, sim in close.items() if stem in tokens), default=0.0)
            if best >= self.settings.soft_match_floor:
                covered += weight * best
        return covered / total if total else 0.0

    def _item_overview(self, question: str, focus: set[str], docs: list[Document],
                       confidence: float) -> AnswerResult | None:
        """"Which industries does the report describe?": the labels of a section's list items.

        Only when the question names the category (its focus matches the item labels) and the section
        (its heading), and none of the items themselves; each item is cited by its first sentence.
        """
        q_tokens = set(tokenize(question))
        parents: dict[str, int] = {}
        for doc in docs:
            path = str(doc.metadata.get("section", "")).split(" > ")
            if doc.metadata.get("kind") == "list_item" and len(path) > 1 and set(tokenize(path[-1])) & focus:
                parents[" > ".join(path[:-1])] = parents.get(" > ".join(path[:-1]), 0) + 1
        if not parents:
            return None
        parent = max(parents, key=parents.get)  # type: ignore[arg-type]
        items = [c for c in self.index.chunks.values()
                 if c.kind == "list_item" and c.section.rsplit(" > ", 1)[0] == parent
                 and set(tokenize(c.section.rsplit(" > ", 1)[-1])) & focus]
        labels = list(dict.fromkeys(c.section.rsplit(" > ", 1)[-1] for c in items))
        specific = {t for label in labels for t in tokenize(label)} - focus - _GENERIC_TOKENS
        parent_names = set(tokenize(parent.rsplit(" > ", 1)[-1])) - _GENERIC_TOKENS - {"new", "area"}
        if len(labels) < 3 or specific & q_tokens or not parent_names & q_tokens:
            return None
        evidence = []
        for label in labels:
            chunk = min((c for c in items if c.section.endswith(label)), key=lambda c: (c.page, c.start))
            spans = split_sentences(chunk.text)
            quote = chunk.text[spans[0][0] : spans[0][1]] if spans else chunk.text
            doc = Document(page_content=chunk.text, id=chunk.id, metadata={**chunk.metadata(), "id": chunk.id})
            evidence.append(Evidence(quote, doc, confidence, 1.0, 0.0, 1.0))
        text = f"{parent.rsplit(' > ', 1)[-1]}: " + "; ".join(labels) + "."
        return AnswerResult(text=text, abstained=False, confidence=confidence, evidence=evidence,
                            kind=AnswerType.LIST)

    def _distinctive(self, question: str) -> set[str]:
        """Question words the report uses only in a few places ("biopharmaceutical"): a sentence that lacks
        them is about something else the report also covers."""
        n = len(self.index.lexical.lengths)
        if n < 4:
            return set()
        out = set()
        for token in tokenize(question):
            corrected = self.index.lexical.correct(token)
            if corrected and len(corrected) >= 7 and corrected not in _GENERIC_TOKENS and not corrected.isdigit():
                share = self.index.lexical.df(corrected) / n
                if share <= self.settings.distinctive_share:
                    out.add(corrected)
        return out

    def _topical(self, distinctive: set[str], candidates: list[tuple[str, str, Document, int]], embedded: list[int],
                 sims: np.ndarray) -> set[str]:
        """The distinctive words the report uses where it speaks of what the question asks. A rare word the
        report uses only in a passage far from the question ("dedicated" in "98% … is dedicated to intelligent
        computing", for "officials back dedicated parks") is the asker's wording, not a topic."""
        if not distinctive or not embedded:
            return distinctive
        best = float(sims.max())
        contexts = [set(tokenize(f"{sentence} {previous} {doc.metadata.get('section', '')}"))
                    for sentence, previous, doc, _ in candidates]
        kept = set()
        for token in distinctive:
            # a sentence not even worth embedding (few of the question's words, not in the best chunks) is far
            holders = [float(sims[i]) for i, context in enumerate(contexts) if self._covers({token}, context)]
            if not holders or max(holders) >= best - self.settings.topic_gap:
                kept.add(token)
        return kept

    def _names(self) -> set[str]:
        """Tokens of words the report capitalises in mid-sentence and never writes in lower case ("Gui’an",
        "Telecom", not "New" or "Area"): its names."""
        key = len(self.index.chunks)
        if getattr(self, "_names_key", None) != key:
            names, common = set(), set()
            for chunk in self.index.chunks.values():
                for word in re.findall(r"(?<=[a-z,;] )[A-Z][\w’'-]*", chunk.text):
                    names |= set(tokenize(word))
                common |= set(tokenize(" ".join(re.findall(r"\b[a-z][\w’'-]*", chunk.text))))
            self._names_cache, self._names_key = {t for t in names - common if t.isalpha()}, key
        return self._names_cache

    def _known(self, tokens: set[str]) -> bool:
        """Whether the report uses (a spelling of) any of these tokens."""
        return any(t in self.index.lexical.postings or self.index.lexical.correct(t) for t in tokens)

    def _covers_all(self, tokens: set[str], present: set[str]) -> bool:
        """A name is there when all its words are (most of them, for long names)."""
        found = sum(1 for t in tokens if self._covers({t}, present))
        return found == len(tokens) or (len(tokens) > 3 and found >= 0.6 * len(tokens))

    def _covers(self, tokens: set[str], present: set[str]) -> bool:
        """Whether any of ``tokens`` (or its spelling in the report, or a word of its family) is in ``present``."""
        wanted = {self.index.lexical.correct(t) or t for t in tokens} | tokens
        if wanted & present:
            return True
        families = {family(t) for t in wanted}
        if any(family(t) in families for t in present):
            return True
        # a compound the report prints ("biopharmaceutical") holds the word ("pharmaceutical")
        long = [w for w in wanted if len(w) >= 6]
        return bool(long) and any(t.endswith(w) and 0 < len(t) - len(w) <= 4 for w in long for t in present)

    def candidates(self, docs: list[Document]) -> list[tuple[str, str, Document, int]]:
        """(sentence, the sentence before it, chunk, chunk rank) for every sentence of the chunks."""
        out = []
        for rank, doc in enumerate(docs):
            previous = ""
            for start, end in split_sentences(doc.page_content):
                sentence = doc.page_content[start:end]
                out.append((sentence, previous, doc, rank))
                previous = sentence
        return out

    def answer(self, question: str, docs: list[Document], *, query: str | None = None) -> AnswerResult:
        premise, asked = split_premise(question)
        claim = confirmation_claim(question)
        if claim:  # "X was set up in 2005, correct?": the claim is what is asked and what is assumed
            premise, asked = claim, claim
        asked = _UNIT_REQUEST.sub("?", asked)  # "…in hectares?" asks for a unit, not about hectares
        kind = answer_type(asked) if not claim else AnswerType.DESCRIBE  # a claim is checked, not a figure asked
        typed = asked
        if kind == AnswerType.DESCRIBE and query and query != question and not claim:
            typed = query  # "what about the pharma park?" after "How big is the equipment park?" asks how big
            kind = answer_type(query)
        if not docs:
            return AnswerResult(text=abstain_text(question), abstained=True, confidence=0.0, kind=kind)
        groups = concept_groups(asked)
        if premise:
            # The premise's words place the question but are the asker's claim: they count for less, and the
            # answer says so when the quote does not bear them out.
            own = {t for g in groups for t in g.tokens}
            groups += [ConceptGroup(g.tokens, g.word, weight=0.35) for g in concept_groups(premise)
                       if not g.tokens & own]
        if query and query != question:
            # The subject a follow-up borrowed from the conversation counts, but less than the question's own words.
            own = {t for g in groups for t in g.tokens}
            borrowed = 0.35 if len(groups) >= 2 else 1.0
            groups += [ConceptGroup(g.tokens, g.word, weight=borrowed) for g in concept_groups(query)
                       if not g.tokens & own]
        distinctive = self._distinctive(asked)
        focus, focus_words = question_focus(asked)
        strict = any(kind == k and p.search(typed.lower()) for k, p in _STRICT_TYPES)
        # The premise's subject is the asked part's "it"; its other names are part of the claim.
        named = named_entities(asked if not query or query == question else query)
        lead_name = re.match(r"\s*([A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)", asked)
        if claim and lead_name and set(tokenize(lead_name.group(1))) & self._names():
            named.insert(0, lead_name.group(1))  # "Gui’an was the first…": a claim opens with its subject
        named += [e for e in named_entities(question) if premise and e in premise][:1]
        # "Of China's national new areas, in what order was Gui’an set up?": a possessive name beside another
        # name scopes it (Gui’an is in China); a sentence about Gui’an need not say "China".
        # A name the report never uses ("Tencent's data center in Gui'an") is not scope: it is what is asked about.
        scoping = [bool(re.search(r"['’]s$", e)) and len(named) > 1 and self._known(set(tokenize(e))) for e in named]
        entities = [(set(tokenize(e)), scope) for e, scope in zip(named, scoping)]
        entities = [(e, scope) for e, scope in entities if e]
        asked_years = {m.group() for m in _YEAR_RE.finditer(question)} if not claim else set()
        asks_for_source = bool(re.search(r"\b(source|sources|cite[sd]?|reference|footnote|link|url|website)\b",
                                         question, re.IGNORECASE))
        given = _given_numbers(question) if not claim else set()
        candidates = self.candidates(docs)
        asked_sections = sections_named(question, docs)
        # Only pairs the report itself uses ("planned area"): a paraphrase ("directly governed area") names no
        # other thing, so it cannot conflict with the report's own wording.
        report_pairs = {pair for doc in docs for pair in _stem_pairs(doc.page_content)}
        qualifiers = [pair for pair in qualified_heads(question) if pair in report_pairs]
        # "the GDP of the whole 1,901 km² area": a figure the question gives names what the report says it is
        # ("a planned area of 1,901 km²"), as if the question had said "the planned area"
        qualifiers += [pair for pair in figure_qualifiers(given, docs) if pair not in qualifiers]
        q_vec = np.asarray(self.index.embeddings.embed_query(query or question), dtype=np.float32)
        unknown = [g.word for g in groups if not self._known(g.tokens)]
        unknown += [w for w in focus_words if w not in unknown and not self._known(set(tokenize(w)))]
        report_words = {w.lower() for sentence, _, doc, _ in candidates
                        for w in re.findall(r"[A-Za-z]+", f"{sentence} {doc.metadata.get('section', '')}")}
        soft = self.words.similar(unknown, report_words) if unknown else {}
        # "Which quantum computing labs…": the answer names labs, so "labs" need not be in it, but a word that
        # narrows the class and that the report never uses (nor a synonym or near word of it) means the report
        # does not cover that class.
        class_words = asked_class(asked)
        word_tokens = {g.word: g.tokens for g in groups}
        alien_class = [w for w in class_words[:-1] if w not in _GENERIC_MODIFIERS and not _COMPARATIVE.search(w)
                       and not self._known(word_tokens.get(w) or set(tokenize(w)))
                       and max(soft.get(w, {}).values(), default=0.0) < self.settings.focus_soft_floor]
        # Embed only the sentences worth comparing: those of the two best chunks and the best by words.
        lexical = [self._coverage(groups, set(tokenize(c[0])) | set(tokenize(c[2].metadata.get("section", ""))), soft)
                   for c in candidates]
        by_words = sorted(range(len(candidates)), key=lambda i: -lexical[i])[: self.settings.max_embedded_sentences]
        embed = sorted(set(by_words) | {i for i, c in enumerate(candidates) if c[3] < 2})
        sims = np.zeros(len(candidates), dtype=np.float32)
        if embed:
            s_vecs = self.vectors.get_many([_meaning(candidates[i][0], candidates[i][2]) for i in embed],
                                           self.index.embeddings.embed_documents)
            sims[embed] = s_vecs @ q_vec
        distinctive = self._topical(distinctive, candidates, embed, sims)
        scored: list[Evidence] = []
        for (sentence, previous, doc, rank), sim in zip(candidates, sims):
            section_tokens = set(tokenize(doc.metadata.get("section", "")))
            if doc.metadata.get("kind") == "footnote":
                section_tokens |= {"source"}
            sentence_tokens = set(tokenize(sentence)) | section_tokens
            own_text = sentence
            if previous and _ANAPHORIC_START.match(sentence):
                sentence_tokens |= set(tokenize(previous))  # "the park’s…" is about the park named before
                own_text = f"{previous} {sentence}"
            context_tokens = sentence_tokens | set(tokenize(previous))
            coverage = self._coverage(groups, sentence_tokens, soft)
            if previous:
                # A sentence continues the one before it ("An example is…" after "…a computing power hub.").
                with_context = self._coverage(groups, sentence_tokens | set(tokenize(previous)), soft)
                coverage = max(coverage, 0.5 * (coverage + with_context))
            type_match = _type_match(kind, question, sentence)
            if type_match and kind in (AnswerType.NUMBER, AnswerType.YEAR) and given:
                lead = lead_figure(kind, question, sentence)
                if lead and _given_numbers(lead) <= given:
                    type_match = 0.0  # its figure for what is asked is the one the question states
            prior = 1.0 / (rank + 1)
            score = 0.45 * coverage + 0.35 * float(sim) + 0.12 * type_match + 0.08 * prior
            # What the question insists on must be there: its focus, its names, its years, its kind of answer.
            if focus and kind not in _CATEGORY_TYPES and not self._covers(focus, sentence_tokens) and not any(
                    soft.get(w, {}).get(t, 0.0) >= self.settings.focus_soft_floor
                    for w in focus_words for t in sentence_tokens) and not measures(focus_words, sentence):
                score *= self.settings.missing_focus_penalty
            missing_names = [scope for e, scope in entities if not self._covers_all(e, sentence_tokens)]
            # a missing name counts unless every missing one only scopes another name the sentence holds
            if missing_names and not (all(missing_names) and len(missing_names) < len(entities)):
                score *= self.settings.missing_entity_penalty
            if asked_years and not asked_years <= {m.group() for m in _YEAR_RE.finditer(doc.page_content)}:
                score *= self.settings.missing_focus_penalty
            if _in_sibling_section(doc, asked_sections) or (not claim and _ordinal_elsewhere(asked, own_text)) or any(
                    names_a_sibling(pair, sentence, sentence_tokens) for pair in qualifiers):
                score *= self.settings.missing_entity_penalty  # another thing of the same kind, like another name
            missing = [t for t in distinctive if not self._covers({t}, context_tokens)]
            score *= self.settings.off_topic_penalty ** min(2, len(missing))
            if doc.metadata.get("kind") == "footnote" and not asks_for_source:
                score *= self.settings.missing_focus_penalty
            if alien_class:
                score *= self.settings.missing_focus_penalty
            if type_match == 0.0 and strict:
                score *= self.settings.missing_focus_penalty
            scored.append(Evidence(sentence, doc, score, coverage, float(sim), type_match))
        scored.sort(key=lambda e: -e.score)
        best = scored[0]
        confidence = best.score
        if confidence < self.settings.abstain_threshold:
            return AnswerResult(text=abstain_text(question), abstained=True, confidence=confidence, kind=kind)
        if breaks_off_where_asked(question, best.quote):
            where = best.doc.metadata.get("page_label") or best.page
            return AnswerResult(text=f"{ABSTAIN_TEXT}: the passage that would say it breaks off at the end of page "
                                f"{where} (“…{best.quote[-60:].lstrip()}”), and the next page is not in the "
                                "ingested report.", abstained=True,
                                confidence=confidence, evidence=[best], kind=kind)
        # The passage about the thing, not just the best sentence: "Why was the eco-city cancelled?" is
        # answered by "A planned e-commerce eco-city will span…" one sentence before "…the eco-city will form…".
        if contradicts(question, best.quote) or contradicts(question, best.doc.page_content):
            return AnswerResult(text=f"{ABSTAIN_TEXT} as asked: the report does not say what the question "
                                "assumes. See the cited passage for what it does say.", abstained=True,
                                confidence=confidence, evidence=[best], kind=kind)
        planned = planned_not_actual(question, lead_figure(kind, question, best.quote), best.quote)
        if planned:
            what = f"gives a planned figure ({planned})" if planned is not True else "describes it as planned"
            return AnswerResult(text=f"{ABSTAIN_TEXT} as asked: it {what}, not what is already in place. "
                                "See the cited passage.", abstained=True,
                                confidence=confidence, evidence=[best], kind=kind)
        if kind == AnswerType.LIST and focus:
            overview = self._item_overview(question, focus, docs, confidence)
            if overview is not None:
                return overview
        chosen = [best]
        same_chunk = [e for e in scored[1:] if e.doc.id == best.doc.id]
        if _ANAPHORIC_START.match(best.quote):
            # "Since its inception, the park’s capacity…" needs the sentence that names the park.
            before = best.doc.page_content[: best.doc.page_content.find(best.quote)]
            prior = next((e for e in same_chunk if before.rstrip().endswith(e.quote)), None)
            if prior is not None:
                chosen.append(prior)
        if kind in (AnswerType.LIST, AnswerType.DESCRIBE) and len(chosen) < self.settings.max_answer_sentences:
            for other in same_chunk:
                if other not in chosen and other.score >= 0.85 * best.score:
                    chosen.append(other)
                    break
        lead = lead_figure(kind, question, best.quote)
        note = premise_note(premise, best)
        budget = self.settings.max_answer_chars - (len(lead) + 3 if lead else 0) - (len(note) + 1 if note else 0)
        needed = {id(best)} | ({id(chosen[1])} if len(chosen) > 1 and _ANAPHORIC_START.match(best.quote) else set())

        def fits(evidence: list[Evidence]) -> bool:
            """Whole, or with the sentences there for context shortened by at most a quarter."""
            texts = [_without_item_label(e) for e in evidence]
            if _joined_len(texts) <= budget:
                return True
            others = sum(len(t) for e, t in zip(evidence, texts) if e is not best)
            room = budget - len(_without_item_label(best)) - (len(texts) - 1)
            return room >= 0.75 * others

        while len(chosen) > 1 and not fits(chosen):
            extra = [e for e in chosen if id(e) not in needed]
            if not extra:
                break
            chosen.remove(extra[-1])
        chosen.sort(key=lambda e: (e.doc.metadata["start"], e.doc.page_content.find(e.quote)))
        shown = [_without_item_label(e) for e in chosen]
        if len(chosen) > 1 and not fits(chosen) and id(chosen[0]) not in needed:
            shown = [t for e, t in zip(chosen, shown) if e is best]  # one whole sentence beats two cut ones
        kept = [e for e in chosen if len(shown) == len(chosen) or e is best]
        # The main sentence keeps as much as it can; sentences there for context give way first.
        main = min(len(_without_item_label(best)), max(120, budget - 100 * (len(shown) - 1)))
        rest = max(80, (budget - main) // max(1, len(shown) - 1) - 1)
        text = " ".join(trim_sentence(t, question, limit=main if e is best else rest) for e, t in zip(kept, shown))
        if lead and lead not in text[: len(lead) + 2]:
            text = f"{lead} — {text}"
        if note:
            text = f"{text} {note}"
        ordered = [best] + [e for e in chosen if e is not best]
        return AnswerResult(text=text, abstained=False, confidence=confidence, evidence=ordered, kind=kind)


def _joined_len(parts: Iterable[str]) -> int:
    """The length of the parts joined by single spaces."""
    parts = list(parts)
    return sum(map(len, parts)) + max(0, len(parts) - 1)


def _meaning(sentence: str, doc: Document) -> str:
    """The text whose embedding stands for a sentence: a footnote (often a bare URL) means "the source
    of" the section that cites it."""
    if doc.metadata.get("kind") == "footnote":
        section = str(doc.metadata.get("section", "")).split(" > ")[-1]
        return f"Source cited for {section}: {sentence}"
    return sentence


def _without_item_label(evidence: Evidence) -> str:
    """A list item's sentence without its "Label: " lead-in (the label is the item's section)."""
    quote = evidence.quote
    label = str(evidence.doc.metadata.get("section", "")).split(" > ")[-1]
    if evidence.doc.metadata.get("kind") == "list_item" and label and quote.startswith(f"{label}: "):
        rest = quote[len(label) + 2 :]
        return rest[:1].upper() + rest[1:]
    return quote


_ANAPHORIC_START = re.compile(r"^(?:\W*\w+\W+){0,4}?(it|its|it’s|this|these|they|their|the park|the park’s|the zone|"
                              r"the area)\b", re.IGNORECASE)


def abstain_text(question: str) -> str:
    return f"{ABSTAIN_TEXT}: I found no passage in the ingested report pages that says it."


def _given_numbers(question: str) -> set[str]:
    """The numbers a question states itself ("How many of the 1.4 million racks…" -> {"1.4"})."""
    return {n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", question)}


_PREMISE_RE = re.compile(
    r"^\s*(?:since|given that|given|as|because|assuming(?: that)?|considering(?: that)?|now that|if)\s+"
    r"(?P<premise>[^,?]{6,}?),\s*"
    r"(?P<asked>(?:what|which|when|where|who|whom|whose|how|why|in what|in which|by how|is|are|was|were|do|does|did|"
    r"can|could|will|would|has|have)\b.*)$", re.IGNORECASE)


_UNIT_REQUEST = re.compile(
    r",?\s+(?:in|as|expressed in|measured in)\s+(?:hectares|acres|square (?:kilo)?met(?:er|re)s|km²|km2|sq\.? ?km|"
    r"square miles|(?:us |american |hong kong )?dollars|usd|hkd|rmb|yuan|renminbi|euros?|per ?cent|percent(?:age)?|"
    r"millions|billions)\s*\??\s*$", re.IGNORECASE)


_CLAIM_VERB = re.compile(r"\b(is|was|are|were|has|had|have|will|would|did|does|do|can|could|grew|grows|fell|falls|"
                         r"rose|rises|became|remains?|ranks?|ranked|leads?|led)\b|\w+ed\b", re.IGNORECASE)


def split_premise(question: str) -> tuple[str, str]:
    """("Since X was the first new area", "what year was it set up?") from a question that states a premise
    before asking; ("", question) otherwise. The premise is the asker's claim, not what is asked."""
    m = _PREMISE_RE.match(question)
    if not m or len(m.group("premise").split()) < 3 or not _CLAIM_VERB.search(m.group("premise")):
        return "", question  # "As of 2024, …", "If possible, …" state no claim
    return m.group("premise").strip(), m.group("asked").strip()


_CONFIRM_TAG = re.compile(
    r"\s*(?:[,;:—–-]\s*|\s)(?:is that |is this |am i )?(?:correct|right|true|so|accurate)\s*\??\s*$|"
    r"\s*(?:[,;:—–-]\s*|\s)(?:isn[’']t it|aren[’']t they|wasn[’']t it|didn[’']t it|no)\s*\?\s*$|"
    r"\s*(?:[,;:—–-]\s*|\s)(?:can|could|would) you (?:please )?(?:confirm|verify|check)(?: (?:that|this|it))?\s*\??\s*$",
    re.IGNORECASE)


def confirmation_claim(question: str) -> str:
    """The statement of a "…, correct?" / "… — can you confirm that?" question: a claim to check against the
    report; "" for other questions."""
    m = _CONFIRM_TAG.search(question)
    if not m or re.match(r"\s*(what|which|when|where|who|how|why)\b", question, re.IGNORECASE):
        return ""
    claim = question[: m.start()].strip()
    return claim if len(tokenize(claim)) >= 3 else ""


def premise_note(premise: str, evidence: Evidence) -> str | None:
    """What to tell an asker whose premise the quoted passage does not bear out."""
    if not premise:
        return None
    said = set(tokenize(evidence.quote)) | set(tokenize(str(evidence.doc.metadata.get("section", ""))))
    said_families = {family(t) for t in said}
    # each thing the premise claims, in any of its words ("grew" is said by "growth")
    claimed = [g.tokens for g in concept_groups(premise)
               if not g.tokens <= _GENERIC_TOKENS or g.tokens & {"first", "whole", "entire"}]
    if all(tokens & said or {family(t) for t in tokens} & said_families for tokens in claimed):
        return None
    if set(numbers_in(premise)) - set(numbers_in(evidence.quote)):
        # not repeated: a figure the report does not give stays out of the answer
        return "Note: the cited passage does not bear out the figures the question states."
    premise = premise.rstrip(".")
    if re.match(r"(The|A|An|This|That|These|Its) ", premise):
        premise = premise[0].lower() + premise[1:]
    return f"Note: the question assumes {premise}; the cited passage does not say that."


def qualified_heads(question: str) -> list[tuple[str, str]]:
    """Lower-case "modifier noun" pairs of a question ("the planned area" -> ("plan", "area")), as stems:
    the modifier says which of several things named by the noun is meant. Capitalised names are left to
    the entity check."""
    words = re.findall(r"[A-Za-z][\w’'-]*|\S", question) + ["."]
    pairs = []
    for a, b, after in zip(words, words[1:], words[2:]):
        if not (a.islower() and b.islower()) or a in _GENERIC_MODIFIERS or b in _GENERIC_MODIFIERS:
            continue
        if after.islower() and tokenize(after):
            continue  # "computing power hub": only the last word of a compound is its noun
        ta, tb = tokenize(a), tokenize(b)
        if len(ta) == 1 and len(tb) == 1 and ta[0] not in _GENERIC_TOKENS and not ta[0].isdigit():
            pairs.append((ta[0], tb[0]))
    return pairs


def _after(text: str, m: re.Match[str]) -> set[str]:
    return set(tokenize(" ".join(re.findall(r"[\w’'-]+", text[m.end():])[:3])))


def _ordinal_elsewhere(question: str, sentence: str) -> bool:
    """The question asks for "the first national new area"; the sentence says "the first data center" (the
    same ordinal, said of another thing) or names no first at all."""
    for qm in _ORDINAL.finditer(question):
        if re.match(r"\s*[,;:]", question[qm.end():]):
            continue  # "First, …" orders the asking, not the thing asked about
        asked = _after(question, qm)
        said = [_after(sentence, sm) for sm in _ORDINAL.finditer(sentence) if sm.group().lower() == qm.group().lower()]
        if asked and not any(asked & s for s in said):
            return True
    return False


def breaks_off_where_asked(question: str, quote: str) -> bool:
    """A sentence cut off at the end of a page right after the question's own words ("…is the core area of
    the National"): what is asked would follow the cut."""
    if re.search(r"[.!?…:;”\")\]]\s*$", quote):
        return False
    tail = tokenize(" ".join(re.findall(r"[\w’'-]+", quote)[-4:]))
    return bool(tail) and set(tail) <= set(tokenize(question))


def _split_section(doc: Document) -> tuple[str, str]:
    parent, _, label = str(doc.metadata.get("section", "")).rpartition(" > ")
    return parent, label


def sections_named(question: str, docs: list[Document]) -> dict[str, set[str]]:
    """The sections the question names by their own words ("the health care industry zone" names "Health care
    industry"), by parent section. Words all sibling sections share ("industry") do not name one."""
    q_tokens = set(tokenize(question))
    siblings: dict[str, set[str]] = {}
    for doc in docs:
        parent, label = _split_section(doc)
        if parent and label:
            siblings.setdefault(parent, set()).add(label)
    named: dict[str, set[str]] = {}
    for parent, labels in siblings.items():
        if len(labels) < 2:
            continue
        tokens = {label: set(tokenize(label)) - _GENERIC_TOKENS for label in labels}
        for label, own in tokens.items():
            own = own - set.intersection(*(t for other, t in tokens.items() if other != label))
            if own and own <= q_tokens:
                named.setdefault(parent, set()).add(label)
    return named


def _in_sibling_section(doc: Document, named: dict[str, set[str]]) -> bool:
    """The sentence's section is a sibling of the one the question names: it is about something else."""
    parent, label = _split_section(doc)
    return bool(named.get(parent)) and label not in named[parent]


_QUALIFIED_FIGURE = re.compile(r"\b([a-z][\w’'-]*)\s+([a-z][\w’'-]*)\s+(?:of|is|was|at|reached|spans?|covers?)\s*"
                               r"(?:over |about |nearly |more than )?(?:RMB|US\$)?\s?$")


def figure_qualifiers(given: set[str], docs: list[Document]) -> list[tuple[str, str]]:
    """("plan", "area") for a given 1,901 when the report prints "a planned area of 1,901 km²"."""
    pairs = []
    for doc in docs:
        text = doc.page_content
        for m in _FIGURE_RE.finditer(text):
            if given and _given_numbers(m.group()) and _given_numbers(m.group()) <= given:
                q = _QUALIFIED_FIGURE.search(text[max(0, m.start() - 60) : m.start()])
                if q:
                    a, b = tokenize(q.group(1)), tokenize(q.group(2))
                    if len(a) == 1 and len(b) == 1 and a[0] not in _GENERIC_TOKENS and (a[0], b[0]) not in pairs:
                        pairs.append((a[0], b[0]))
    return pairs


def _stem_pairs(text: str) -> set[tuple[str, str]]:
    words = [tokenize(w) for w in re.findall(r"[A-Za-z][\w’'-]*|\S", text)]
    return {(a[0], b[0]) for a, b in zip(words, words[1:]) if len(a) == 1 and len(b) == 1}


def names_a_sibling(pair: tuple[str, str], sentence: str, context: set[str]) -> bool:
    """The sentence speaks of the pair's noun with another modifier and never uses the question's
    ("the directly administered area" when the planned area was asked about)."""
    modifier, head = pair
    if modifier in context:
        return False
    raw = re.findall(r"[A-Za-z][\w’'-]*|\S", sentence)
    words = [tokenize(w) if w.islower() else [] for w in raw]  # a capitalised phrase is a name, not a sibling
    return any(cur == [head] and prev and prev[0] != modifier and prev[0] not in _GENERIC_TOKENS
               for prev, cur in zip(words, words[1:]))


def _type_match(kind: AnswerType, question: str, sentence: str) -> float:
    """Whether the sentence holds the kind of answer asked for. A figure the question already states is
    not an answer to it: it is the question's premise, and the sentence only restates it."""
    given = _given_numbers(question)
    if kind == AnswerType.YEAR:
        return 1.0 if any(m.group() not in given for m in _YEAR_RE.finditer(sentence)) else 0.0
    if kind == AnswerType.NUMBER:
        figures = [m for m in _FIGURE_RE.finditer(sentence) if not _YEAR_RE.fullmatch(m.group().strip())
                   and not _given_numbers(m.group()) <= given]
        q = question.lower()
        if re.search(r"\bhow many\b", q) and "%" not in q and not re.search(r"\b(per ?cent|percentage)\b", q):
            figures = [m for m in figures if not re.search(r"%|per ?cent", m.group())]  # a share is not a count
        if not figures:
            return 0.0
        hints = [unit for ask, unit in _UNIT_HINTS if ask.search(q)]
        if not hints:
            return 0.8
        return 1.0 if any(unit.search(sentence) for unit in hints) else 0.4
    if kind == AnswerType.RANK:  # "among the top new areas" is not a position
        asked = _ordinals(question)  # "Which area ranks number one?" is not answered by "the eighth area"
        held = _ordinals(sentence)
        return 1.0 if held and (not asked or asked & held) else 0.0
    if kind == AnswerType.PLACE:
        return 1.0 if re.search(r"\b(located|between|in|from)\s+[A-Z]", sentence) else 0.0
    if kind == AnswerType.LIST:
        return 1.0 if sentence.count(",") >= 2 or re.search(r"\w, \w.* and \w", sentence) else 0.3
    if kind == AnswerType.WHO:
        named = re.search(r"\b(by|of|with|from)\s+(the\s+)?[A-Z][a-z]+(\s+[A-Z][a-z]+)+", sentence)
        party = re.search(r"\b(users|enterprises|companies|firms|investors|residents|agencies|government|council|"
                          r"officials|authorities|ministry|bureau|committee|universities|operators)\b", sentence, re.I)
        return 1.0 if named else 0.7 if party else 0.0
    return 0.5


def lead_figure(kind: AnswerType, question: str, sentence: str) -> str | None:
    """The figure of ``sentence`` that answers a how-much/how-many/when/what-rank question, as printed."""
    if kind == AnswerType.RANK:
        m = _ORDINAL.search(sentence)
        return m.group() if m else None
    if kind not in (AnswerType.NUMBER, AnswerType.YEAR):
        return None
    q_tokens = set(tokenize(question))
    hints = [unit for ask, unit in _UNIT_HINTS if ask.search(question.lower())]
    if re.search(r"\b(growth|grow|grew|grown|rate|share|percent|percentage|proportion|increase|surged?)\b",
                 question, re.IGNORECASE):
        hints = [re.compile(r"%")]  # "GDP growth" asks for the rate, not the GDP
    best: tuple[float, str] | None = None
    for m in _FIGURE_RE.finditer(sentence):
        figure = m.group().strip().rstrip(",.")
        is_year = bool(_YEAR_RE.fullmatch(figure))
        if (kind == AnswerType.YEAR) != is_year or not re.search(r"\d", figure):
            continue
        before = sentence[max(0, m.start() - 45) : m.start()]
        context = set(tokenize(before))
        score = len(q_tokens & context) + 0.3 * len(q_tokens & set(tokenize(sentence[m.end() : m.end() + 40])))
        if any(unit.search(figure) for unit in hints):
            score += 3.0
        if re.fullmatch(r"\d{1,2}", figure):  # a bare small count is rarely the figure asked for
            score -= 0.5
        if not re.search(r"[%$]|RMB|km|hectares|EFLOPS|m²", figure):
            # A count names what it counts right after it ("26 large-scale data centers", "1.4 million racks").
            counted = set(tokenize(" ".join(re.findall(r"[\w’'-]+", sentence[m.end():])[:3])))
            if counted & q_tokens:
                score += 2.0
            elif counted:
                score -= 1.0
        if best is None or score > best[0]:
            best = (score, figure)
    return best[1] if best else None


def trim_sentence(sentence: str, question: str, limit: int = 260) -> str:
    """A long sentence cut to the clauses that answer; short ones are returned whole."""
    if len(sentence) <= limit:
        return sentence
    if len(sentence) <= 1.15 * limit:
        # Only a little too long: keep the start (subject and verb) and cut the tail at a word, unless a
        # figure would go with it.
        cut = sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;")
        if not re.search(r"\d", sentence[len(cut):]):
            return f"{cut}…"
    clauses = [m for m in re.finditer(r"[^,;]+(?:[,;]|$)", sentence)]
    q_tokens = set(tokenize(question))
    scores = [len(q_tokens & set(tokenize(c.group()))) + (0.5 if re.search(r"\d", c.group()) else 0) for c in clauses]
    best = max(range(len(clauses)), key=lambda i: scores[i])
    lo = hi = best
    while True:
        grown = False
        for cand in (hi + 1, lo - 1):
            if 0 <= cand < len(clauses):
                new_lo, new_hi = min(lo, cand), max(hi, cand)
                if clauses[new_hi].end() - clauses[new_lo].start() <= limit:
                    lo, hi, grown = new_lo, new_hi, True
        if not grown:
            break
    text = sentence[clauses[lo].start() : clauses[hi].end()].strip().rstrip(",;")
    prefix = "…" if lo > 0 else ""
    suffix = "" if hi == len(clauses) - 1 else "…"
    return f"{prefix}{text}{suffix}"
