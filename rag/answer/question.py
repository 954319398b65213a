"""What a question asks, read once: ``analyse(question)`` -> ``QuestionAnalysis``.

    qa = analyse("Which province had the fastest foreign trade growth in 2025?", report_year=2026)
    qa.kind, qa.operator, qa.years      # ('share', 'max', {'2025'})

The cues are data (``rag/lang/<lang>/question.toml``); this module holds only the mechanism: the first kind
whose cue matches, operators, years (also "last year", resolved against the report's year), the names and
content words of the question, the numbers it states itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rag.figures import YEAR_RE, numbers_in, other_unit, unit_kinds, unit_spellings, units_named
from rag.lang import phrase_pattern, vocabulary
from rag.lang.detect import CJK_RE, cjk_share
from rag.text import (STOPWORDS, ZH_STOPWORDS, abbreviations_in, compact, glossary_spans, named_entities,
                      romanised_names, tokenize, with_english)



@dataclass(frozen=True)
class QuestionAnalysis:
    """Everything the answerer needs to know about a question, computed once."""

    text: str
    lang: str
    kind: str
    accepts: dict[str, float]
    operator: str | None = None  # "max", "min", "order" (every item ranked), "delta" or None
    both_ends: bool = False  # asks for the highest and the lowest at once ("which grew fastest, and which slowest?")
    sums: bool = False  # asks for a total of several records ("the total share with falling revenue")
    selects: bool = False  # asks for an item ("which province…"), not only a figure
    years: frozenset[str] = frozenset()
    years_borrowed: bool = False  # the years are the conversation's, not this question's ("and its area?")
    names: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    borrowed: tuple[str, ...] = ()  # words a follow-up takes from the conversation
    optional: tuple[str, ...] = ()  # words that count only where the report uses them (romanised names)
    # an abbreviation's words with its spelt-out words: a passage saying either says it ("R&D" or "research and
    # development"; rag/lang/en/synonyms.toml [abbreviations])
    alternatives: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    focus: str | None = None  # the thing asked about, right after the kind's cue ("How many *berths*…")
    generic: frozenset[str] = frozenset()
    cue: frozenset[str] = frozenset()  # generic words of the cue that says what kind is asked ("how *long*")
    units: frozenset[str] = frozenset()  # the units the question names ("how many *kilometres*"), by name
    given: frozenset[str] = frozenset()
    change_words: frozenset[str] = frozenset()
    many: bool = False  # asks for several things ("Which areas make up…", "What sectors…")
    asks_figure: bool = False  # the kind is asked by a question word ("how many", "what share"), not by a topic word
    extra: dict[str, str] = field(default_factory=dict)

    def fit(self, figure) -> float:
        """How well a figure's kind answers the question (``accepts``); a figure in another unit of its kind than the
        one the question names fits only weakly (``other_unit_fit`` in rag/lang/en/units.toml)."""
        fit = self.accepts.get(figure.kind, 0.0)
        if fit and other_unit(figure, self.units):
            fit *= float(vocabulary("en", "units").get("other_unit_fit", 1.0))
        return fit

    @property
    def wants_figure(self) -> bool:
        return bool(self.accepts)

    @property
    def wants_list(self) -> bool:
        """A list is asked for: by its cue, or by a plural after "which"/"what" with no figure or comparison."""
        return self.kind == "list" or (self.many and not self.accepts and self.operator is None)


def language(text: str) -> str:
    """"zh" when a question is at least 30 % Chinese characters (a Chinese question may name English things)."""
    return "zh" if cjk_share(text) >= 0.3 else "en"


def _first_kind(text: str, lang: str) -> tuple[str, dict[str, float]]:
    """The asked kind: in English the first kind (in ``kind_order``) whose cue matches; in a language without
    spaces the kind of the longest matching cue. A language's file may name its kinds differently
    (``[aliases]``); what a kind accepts is the English file's."""
    en = vocabulary("en", "question")
    data = vocabulary(lang, "question") or en
    aliases = data.get("aliases", {})
    kinds = data.get("kinds", {})
    if lang != "en":
        said = _longest_cue(text, lang)
        if said:
            kind = next(aliases.get(name, name) for name, spec in kinds.items() if said in spec.get("cues", ()))
            return kind, dict(en["kinds"].get(kind, {}).get("accepts", {}))
        return "describe", {}
    opening = re.findall(r"[\w’'-]+", text.lower())[:1]
    for kind in en["kind_order"]:
        if opening and opening[0] in kinds.get(kind, {}).get("imperatives", ()):
            return kind, dict(en["kinds"].get(kind, {}).get("accepts", {}))  # "List the …": a request for the kind
    for kind in en["kind_order"]:
        pattern = phrase_pattern(tuple(kinds.get(kind, {}).get("cues", ())))
        if pattern and pattern.search(text):
            return kind, dict(en["kinds"].get(kind, {}).get("accepts", {}))
    return "describe", {}


def _kind_cues(kind: str, lang: str) -> list[str]:
    """A language's cues for one kind (under its own name for the kind, when ``[aliases]`` renames it)."""
    data = vocabulary(lang, "question")
    aliases = data.get("aliases", {})
    return [cue for name, spec in data.get("kinds", {}).items() if aliases.get(name, name) == kind
            for cue in spec.get("cues", ())]


def counted_head(text: str) -> str | None:
    """The head noun of what an English count question counts: the last word of the phrase after its "how many"
    cue, before the first function word ("How many server *racks* are…", "How many *passengers* has…")."""
    m = _cue_match(text.lower(), "count", "en")
    if not m:
        return None
    phrase = []
    for word in re.findall(r"[A-Za-z][\w’'-]*", text[m.end():]):
        if word.lower() in STOPWORDS:
            break
        phrase.append(word)
    heads = tokenize(phrase[-1]) if phrase else []
    return heads[-1] if heads else None


def asks_number_of(text: str) -> bool:
    """An English count question asks for a number of things ("how many", "number of"; the ``counting`` cues of
    ``[kinds.count]``), not an amount ("how much")."""
    m = _cue_match(text.lower(), "count", "en")
    counting = vocabulary("en", "question").get("kinds", {}).get("count", {}).get("counting", ())
    return bool(m) and m.group(0) in counting


def counted(text: str, word: str, lang: str = "zh", reach: int = 5) -> bool:
    """Whether ``word`` is what a count cue of the question counts: it follows the cue within ``reach`` characters
    (a measure word and a qualifier: "多少家五星级酒店", "多少所大学"), as "How many *hotels*" names its focus."""
    for cue in _kind_cues("count", lang):
        for m in re.finditer(re.escape(cue), text):
            at = text.find(word, m.end())
            if 0 <= at - m.end() <= reach:
                return True
    return False


@lru_cache(maxsize=None)
def _all_cues(lang: str) -> tuple[str, ...]:
    """Every cue of every kind of a language's question file."""
    kinds = vocabulary(lang, "question").get("kinds", {})
    return tuple(cue for spec in kinds.values() for cue in spec.get("cues", ()) if cue)


def _longest_cue(text: str, lang: str) -> str:
    """In a language without spaces, the longest cue of any kind the question holds ("" when none)."""
    return max((cue for cue in _all_cues(lang) if cue.lower() in text), key=len, default="")


NAME_CLASSES = ("nr", "ns", "nt")  # jieba's word classes of names: of people, places and bodies


def unread_chinese(question: str, known) -> tuple[tuple[str, str], ...]:
    """The nouns of a Chinese question that nothing read covers, with their word class: no word the report prints
    (``known``: the index's words, Chinese character pairs among them), no glossary term, no name the report prints
    in pinyin, no stop word or question cue. "贵安新区有多少家五星级酒店？" over an English page -> (("酒店", "n"),): a
    thing the report would have to speak of, as an English question's word the report never uses ("hotels"). Nouns
    by jieba's part-of-speech tagger; a verb or function word left over ("已经", "考虑") is how the question is put,
    not what it is about."""
    try:
        import jieba
        import jieba.posseg as posseg
    except ImportError:
        return ()
    jieba.setLogLevel(60)
    said = compact(question)
    covered = [False] * len(said)

    def mark(start: int, end: int) -> None:
        covered[start:end] = [True] * (end - start)

    for start, end in glossary_spans(said):
        mark(start, end)
    for word in (*ZH_STOPWORDS, *_all_cues("zh")):
        for m in re.finditer(re.escape(word), said):
            mark(m.start(), m.end())
    for i in range(len(said) - 1):
        pair = said[i:i + 2]
        if CJK_RE.fullmatch(pair[0]) and (pair in known or any(n in known for n in romanised_names(pair))):
            mark(i, i + 2)
    out, at = {}, 0
    for token in posseg.cut(said):
        start, at = at, at + len(token.word)
        if token.flag.startswith("n") and len(token.word) >= 2 and CJK_RE.match(token.word) \
                and not any(covered[start:at]):
            out.setdefault(token.word, token.flag)
    return tuple(out.items())


def _cue_match(text: str, kind: str, lang: str) -> re.Match[str] | None:
    """Where the cue of the asked kind is in the (English) question."""
    if lang != "en":
        return None
    pattern = phrase_pattern(tuple(vocabulary("en", "question").get("kinds", {}).get(kind, {}).get("cues", ())))
    return pattern.search(text) if pattern else None


def asked_focus(text: str, kind: str, lang: str, skip: set[str], population: frozenset[str] = frozenset()
                ) -> str | None:
    """The first content word after the cue that says what is asked ("How many berths does…" -> "berth"): what the
    answer must be about. None in Chinese, for a description ("What role does the zone play…" asks about the zone
    the names say), or when the cue is followed by nothing but generic words and names."""
    if kind == "describe":
        return None
    m = _cue_match(text, kind, lang)
    if not m:
        return None
    for word in re.findall(r"[a-z][\w’'-]*", text[m.end():])[:4]:
        tokens = tokenize(word)
        if tokens and tokens[0] in population:
            # "What share of *companies* saw revenue fall": the cue's thing is who answered (rag/lang/en/
            # question.toml [population]); what follows is what they did, which coverage weighs, not a thing the
            # answer must name
            return None
        if tokens and tokens[0] not in skip:
            return tokens[0]
    return None


def _operators(lang: str) -> dict:
    """A language's ``[operators]`` (rag/lang/<lang>/question.toml), the English ones where it has none."""
    return (vocabulary(lang, "question") or vocabulary("en", "question")).get("operators", {})


def _operator(text: str, lang: str) -> tuple[str | None, bool]:
    ops = _operators(lang)
    select = phrase_pattern(tuple(ops.get("select", ())))
    selects = bool(select and select.search(text))
    for name in ("max", "min"):
        pattern = phrase_pattern(tuple(ops.get(name, ())))
        if pattern and pattern.search(text) and selects:
            return name, True  # (the first; both_ends says when the other is asked too)
    pattern = phrase_pattern(tuple(ops.get("rank_all", ())))
    if pattern and pattern.search(text):
        return "order", True  # "rank the provinces by FDI": every item, in order
    pattern = phrase_pattern(tuple(ops.get("delta", ())))
    if pattern and pattern.search(text):
        return "delta", selects
    return None, selects


def _asks_both_ends(text: str, lang: str) -> bool:
    """The question holds a word of the highest and a word of the lowest, asked apart ("which grew fastest, and
    which slowest?") or joined ("the most and least"); not "the highest share of firms with less than…"."""
    ops = _operators(lang)
    found = []
    for name in ("max", "min"):
        pattern = phrase_pattern(tuple(ops.get(name, ())))
        m = pattern.search(text) if pattern else None
        if m is None:
            return False
        found.append(m.start())
    between = text[min(found):max(found)]
    select = phrase_pattern(tuple(ops.get("select", ())))
    joined = phrase_pattern(tuple(ops.get("joined", ())))
    return bool(select and select.search(between[1:])) or bool(joined and joined.fullmatch(
        re.sub(r"^\S+\s*", "", between).strip()))


@lru_cache(maxsize=1)
def _figure_questions() -> re.Pattern[str] | None:
    data = vocabulary("en", "question")
    words = tuple(data.get("interrogatives", []))
    cues = [cue for spec in data.get("kinds", {}).values() if spec.get("accepts") for cue in spec.get("cues", ())
            if cue.split()[0].lower() in words and (len(cue.split()) > 1 or cue.lower() in words)]
    return phrase_pattern(tuple(cues))


def _asks_figure(text: str, lang: str) -> bool:
    """A figure is asked for by a question word ("how many", "how much", "what share", "when"), not only suggested
    by a topic word ("cost" in "What will it subsidise to cut the cost of…?"): then a passage without such a figure
    does not answer."""
    if lang != "en":
        return False
    pattern = _figure_questions()
    return bool(pattern and pattern.search(text))


def governs_question_word(text: str, lang: str = "en") -> bool:
    """The question ends on a preposition that governs its question word ("What are they spending *on*?", "Which
    sectors are they investing *in*?"): it asks for a thing. The question word is one of the first two words (a
    follow-up may open with "and"). The words are data: ``[stranded]`` of ``rag/lang/en/question.toml``."""
    if lang != "en":
        return False
    data = vocabulary("en", "question")
    stranded = data.get("stranded", {})
    words = re.findall(r"[\w’'-]+", text.lower())
    asking = next((w for w in words[:2] if w in data.get("interrogatives", ())), None)
    return len(words) > 2 and asking in stranded.get("heads", ()) and words[-1] in stranded.get("prepositions", ())


@lru_cache(maxsize=1)
def _plural_re() -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    data = vocabulary("en", "question").get("plural", {})
    heads = data.get("after", [])
    if not heads:
        return None, ()
    pattern = re.compile(rf"(?<![\w])(?:{'|'.join(map(re.escape, heads))})\s+(?:([a-z’'-]+)\s+)?([a-z]{{3,}}s)(?![\w’'])")
    return pattern, tuple(data.get("not_plural_endings", []))


def asks_many(text: str, lang: str = "en", *, qualified: bool = False) -> bool:
    """"Which areas make up…", "What sectors is … targeting?": a question word, at most one word, then a plural
    (the words are data: ``[plural]`` of ``rag/lang/en/question.toml``)."""
    pattern, singular_ends = _plural_re()
    if lang != "en" or pattern is None:
        return False
    # with ``qualified``, the word between must qualify the plural ("what main sectors"): after an auxiliary the
    # plural is the subject ("what did exports grow to?" asks a figure of exports, not for several things)
    return any(m.group(2) not in STOPWORDS and not m.group(2).endswith(singular_ends)
               and not (qualified and m.group(1) in STOPWORDS) for m in pattern.finditer(text.lower()))


def question_years(text: str, report_year: int, lang: str = "en") -> frozenset[str]:
    """Years the question names, and those it gives relative to the report's year ("last year")."""
    years = set(YEAR_RE.findall(text))
    relative = (vocabulary(lang, "question") or {}).get("relative_years") or vocabulary("en", "question").get(
        "relative_years", {})
    lowered = text.lower()
    for phrase, offset in relative.items():
        if phrase in lowered:
            years.add(str(report_year + int(offset)))
    return frozenset(years)


def analyse_turn(question: str, query: str | None, *, report_year: int, names: set[str] | None = None,
                 name_phrases: frozenset[str] = frozenset()) -> QuestionAnalysis:
    """A question read with the conversation: a follow-up ("and how many had lower revenue?") keeps its own
    words and kind, and takes what it leaves open (the kind, years, names) from its rewritten query."""
    own = analyse(question, report_year=report_year, names=names, name_phrases=name_phrases)
    if not query or query == question:
        return own
    full = analyse(query, report_year=report_year, names=names, name_phrases=name_phrases)
    if set(own.names) - _measure_words():
        # "and Guangxi?": a follow-up that names its own subject switches to it and keeps only the frame (a measure
        # in capitals, "what was its GDP last year?", names no subject: the conversation's stays)
        full = replace(full, names=own.names,
                       terms=tuple(t for t in full.terms if t not in set(full.names) - set(own.names)))
    kind, accepts = (own.kind, own.accepts) if own.kind != "describe" else (full.kind, full.accepts)
    return replace(own, kind=kind, accepts=accepts, years=own.years or full.years, units=own.units or full.units,
                   years_borrowed=not own.years and bool(full.years),
                   names=tuple(sorted(set(own.names) | set(full.names))),
                   borrowed=tuple(t for t in full.terms if t not in own.terms),
                   operator=own.operator or full.operator, selects=own.selects or full.selects,
                   # an abbreviation the conversation named ("the Fujian FTZ") is said spelt out too, as it was
                   alternatives=tuple(dict.fromkeys(own.alternatives + full.alternatives)))


@lru_cache(maxsize=1)
def _population() -> frozenset[str]:
    """Tokens of the words for who a survey asked (rag/lang/en/question.toml [population])."""
    return frozenset(t for w in vocabulary("en", "question").get("population", {}).get("words", []) for t in tokenize(w))


@lru_cache(maxsize=1)
def _measure_words() -> frozenset[str]:
    """The one-word cues of the kinds that ask for a figure ("gdp", "fdi", "revenue"): measures, not names."""
    kinds = vocabulary("en", "question").get("kinds", {})
    return frozenset(t for spec in kinds.values() if spec.get("accepts") for cue in spec.get("cues", ())
                     if " " not in cue and "*" not in cue for t in tokenize(cue.rstrip("~")))


@lru_cache(maxsize=1)
def _unit_request() -> re.Pattern[str]:
    units = vocabulary("en", "units")
    surfaces = [u for kind in units["kinds"].values() for u in kind if u.isascii()]
    surfaces += units["currency_suffix"] + [u for u in units["currency_prefix"] if u.isalpha()]
    alternation = "|".join(re.escape(u) for u in sorted(set(surfaces), key=len, reverse=True))
    return re.compile(rf",?\s+(?:in|as|expressed in|measured in|converted to)\s+(?:{alternation})\s*\??\s*$",
                      re.IGNORECASE)


def without_unit_request(question: str) -> str:
    """"…of Gui'an New Area in hectares?" asks for a unit, not about hectares: the question without it."""
    return _unit_request().sub("?", question)


def positive_form(lowered: str, lang: str) -> tuple[str, str]:
    """"how much quicker is clearance now" asks what "how quick is clearance" asks, as a difference: an English
    comparative after "how much" is read in its positive form ("quicker" -> "quick", "bigger" -> "big", "larger" ->
    "large", "earlier" -> "early") where "how" with that form is a cue of a kind of figure (rag/lang/en/question.toml),
    and the question is marked as asking a change. Returns (the text to read the kind from, the comparative, or "" when
    there is none): the comparative is how the question is put, as the cue's "how quick" would be, not a word to find."""
    if lang != "en":
        return lowered, ""
    m = re.search(r"\bhow much ([a-z]+)(?:ier|er)\b", lowered)
    if not m:
        return lowered, ""
    word = lowered[m.start(1):m.end()]
    stems = [word[:-2], word[:-1]] + ([word[:-3]] if len(word) > 4 and word[-3] == word[-4] else [])
    stems += [word[:-3] + "y"] if word.endswith("ier") else []
    for stem in stems:
        phrase = f"how {stem}"
        kind, _ = _first_kind(phrase, lang)
        if kind not in ("describe", "count") and _cue_match(phrase, kind, lang):
            return f"{lowered[:m.start()]}{phrase}{lowered[m.end():]}", word
    return lowered, ""


def analyse(question: str, *, report_year: int, names: set[str] | None = None,
            name_phrases: frozenset[str] = frozenset()) -> QuestionAnalysis:
    """Read a question. ``names`` are the report's name tokens (words it capitalises mid-sentence), so a name
    typed in lower case ("guangxi gdp 2025") is still a name; ``name_phrases`` the report's names of several
    words, lower-cased ("free trade zone", "pinglu canal"), so a cue inside one typed in lower case says nothing
    about what is asked either."""
    lang = language(question)
    question = without_unit_request(question)
    lowered = question.lower()
    # a cue inside a name ("… of Gui'an New Area") says nothing about what is asked
    unnamed = lowered
    for entity in named_entities(question):
        # "GDP of Gui'an New Area": the measure an acronym names before "of" is asked, the name after it is not
        entity = re.sub(r"^[A-Z]{2,}s?\s+of\s+", "", entity)
        if " " in entity:
            unnamed = unnamed.replace(entity.lower(), " ")
    for phrase in name_phrases:
        if phrase in unnamed:
            unnamed = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", " ", unnamed)
    unnamed, comparative = positive_form(unnamed, lang)
    kind, accepts = _first_kind(unnamed, lang)
    if accepts and governs_question_word(question, lang) and not _asks_figure(unnamed, lang):
        # "What are companies planning to spend their reinvestment on?": the question word is what "on" governs, a
        # thing; the topic word ("spend") says what it is about, not that a sum is asked
        kind, accepts = ("list" if asks_many(unnamed, lang) else "describe"), {}
    units = units_named(question)
    measured = unit_kinds(units)
    if kind in ("count", "describe") and len(measured) == 1:
        # "How many kilometres long is…": the unit named says what is measured, more than "how many" does
        spec = vocabulary("en", "question").get("kinds", {}).get(next(iter(measured)), {})
        if spec.get("accepts"):
            kind, accepts = next(iter(measured)), dict(spec["accepts"])
    operator, selects = _operator(unnamed, lang)
    if comparative and operator is None:
        operator = "delta"  # "how much quicker…" asks by how much it changed
    extreme = any(p.search(unnamed) for name in ("max", "min")
                  if (p := phrase_pattern(tuple(_operators(lang).get(name, ())))))
    if accepts and operator is None and not extreme and asks_many(unnamed, lang, qualified=True) \
            and not _asks_figure(unnamed, lang):
        # "What revenue expectations did companies name?": the question word asks for things (a plural after it);
        # the topic word ("revenue") says what they are about, not that a sum is asked
        kind, accepts = "list", {}
    if operator == "order" and kind == "rank":
        operator = None  # "what rank did Shenzhen take" asks for one item's place, not the order of all
    both_ends = operator in ("max", "min") and _asks_both_ends(unnamed, lang)
    summed = phrase_pattern(tuple(_operators(lang).get("sum", ())))
    sums = operator in (None, "delta") and bool(summed and summed.search(unnamed))
    en = vocabulary("en", "question")
    generic = frozenset(t for w in en.get("generic", {}).get("words", []) for t in tokenize(w, keep_stopwords=True))
    change = en.get("change", {})
    words = set(tokenize(question, keep_stopwords=True))
    change_words = frozenset(w for w in words if w in {t for x in change.get("up", []) + change.get("down", [])
                                                        for t in tokenize(x, keep_stopwords=True)})
    found = [e for e in named_entities(question)]
    name_tokens = {t for e in found for t in tokenize(e)}
    if names:
        name_tokens |= {t for t in tokenize(question) if t in names}
    years = question_years(question, report_year, lang)
    # a Chinese question also carries the English of its terms (rag/lang/zh/glossary.toml): it can meet English text
    put = set(tokenize(comparative))
    terms = tuple(t for t in dict.fromkeys(tokenize(with_english(question) if lang == "zh" else question))
                  if t not in put)
    romanised = romanised_names(question) if lang == "zh" else []
    optional = tuple(t for t in romanised if t not in terms)
    if names:
        # a Chinese question's place written in characters ("榕口") is a name when the report prints its spelling
        # ("Rongkou"): then a passage about another place does not answer it
        name_tokens |= {t for t in romanised if t in names}
    given = frozenset(n for n in numbers_in(question) if n not in years)
    alternatives = tuple((short, long) for short, long in
                         ((tuple(tokenize(a)), tuple(tokenize(b))) for a, b in abbreviations_in(question))
                         if short and long and not set(long) <= set(terms))
    unit_words = {t for spelling in unit_spellings(units) for t in tokenize(spelling)}
    focus = asked_focus(unnamed, kind, lang, set(generic) | name_tokens | set(years) | unit_words, _population())
    # "How *long* is the canal?": the cue's generic words say what kind of figure is asked, which the kind feature
    # measures; a passage holding the word is no better evidence ("a chamber 300 metres long")
    cue_match = _cue_match(unnamed, kind, lang)
    cue_words = cue_match.group(0) if cue_match else ""
    if lang != "en":
        # a Chinese cue ("全长") says it in the English of the glossary ("long length") that the question carries
        said = [c for c in _kind_cues(kind, lang) if c and c.lower() in unnamed]
        cue_words = " ".join(with_english(c)[len(c):] for c in said)
    cue = set(tokenize(cue_words, keep_stopwords=True)) & generic
    if units:
        # "How many kilometres long…": the kind's own generic words ("long") say what kind is asked, as "how long"
        # does (the unit itself stays a word to find: the report's spelling of it covers it)
        kind_words = {t for c in _kind_cues(kind, "en") for t in tokenize(c, keep_stopwords=True)}
        cue |= kind_words & generic & words
    cue = frozenset(cue)
    return QuestionAnalysis(text=question, lang=lang, kind=kind, accepts=accepts, operator=operator, focus=focus,
                            both_ends=both_ends, sums=sums,
                            many=asks_many(unnamed, lang),
                            selects=selects, years=years, names=tuple(sorted(name_tokens - generic)), terms=terms,
                            generic=generic, cue=cue, given=given, change_words=change_words, optional=optional,
                            alternatives=alternatives,
                            asks_figure=_asks_figure(unnamed, lang), units=units)
