"""The few general features a candidate is scored on. Each is in [0, 1]; the weights are fitted (model.py).

| feature     | what it measures |
|-------------|------------------|
| cover       | idf-weighted share of the question's words the candidate and its context hold (word families and the
|             | report's spelling count; near words by the embedding model count partly) |
| cover_own   | the same over the candidate's own words only |
| dense       | embedding similarity of question and candidate (with its section's subject) |
| chunk_dense | the retrieval similarity of the candidate's chunk |
| rank        | 1 / (1 + the chunk's retrieval rank) |
| kind        | how well the candidate's figures (or names, or list) fit what is asked (rag/lang/en/question.toml) |
| missing     | the weight of the question's most telling word the candidate and its context lack, over that of its most
|             | telling word ("How many *berths* does the port have?" against a sentence about the port's containers) |
| unknown     | share of the question's weight in words the report never uses (the same for every candidate of a
|             | question: a paraphrase, or a thing the report does not cover) |
| years       | share of the years the question names that the candidate's context names (1 when none asked) |
| year_other  | the question names years and the candidate's figures are of other ones (a year it only compares
|             | with, "more than in 2024", is not one of them) |
| names       | share of the question's names the candidate's context holds (1 when it names none) |
| names_other | the question names something the report speaks of elsewhere that the candidate's context lacks (it is
|             | about another place or body: "Yunnan's GDP" against Guangdong's row) |
| names_unknown | share of the question's names the report never uses, under any spelling ("the GDP of Mars": the same
|             | for every candidate of a question) |
| focus       | the candidate's context holds the thing asked about, the word after the kind's cue (1 when none) |
| agreement   | years × names × focus × (1 − missing): every qualifier holds at once (a conjunction a linear model
|             | cannot form from the parts) |
| structured  | the candidate is a table row or a chart series |
| footnote    | the candidate is a footnote (a source) |
"""
from __future__ import annotations

import math
import re
from collections import OrderedDict
from functools import lru_cache

import numpy as np

from rag.answer.candidates import Candidate, is_lead_in
from rag.answer.question import QuestionAnalysis, asks_number_of, counted, counted_head, unread_chinese
from rag.figures import base_years, unit_name, years_in
from rag.lang.detect import CJK_RE
from rag.text import QUERY_SYNONYMS, english_form, family, glossed, tokenize

FEATURES = ("cover", "cover_own", "missing", "unknown", "dense", "chunk_dense", "rank", "kind", "years", "year_other", "names",
            "names_other", "names_unknown", "focus", "agreement", "structured", "footnote")


@lru_cache(maxsize=1)
def synonyms() -> dict[str, set[str]]:
    """Question token -> tokens the report may print for it, from the query synonyms (rag/lang/en/synonyms.toml)."""
    out: dict[str, set[str]] = {}
    for key, words in QUERY_SYNONYMS.items():
        for token in tokenize(key):
            out.setdefault(token, set()).update(tokenize(words))
    return out


class VectorCache:
    """Embeddings by text, so a warm process embeds only what it has not met before."""

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


class Featurizer:
    """Computes the features of a question's candidates against one index."""

    def __init__(self, index, *, soft_floor: float = 0.55, max_embedded: int = 24) -> None:
        self.index = index
        self.soft_floor = soft_floor
        self.max_embedded = max_embedded
        self.vectors = VectorCache()
        self.word_vectors = VectorCache(size=200_000)
        self._unread: tuple[tuple, tuple[tuple[str, str], ...]] = ((), ())

    def idf(self, token: str) -> float:
        lexical = self.index.lexical
        corrected = lexical.correct(token)
        if corrected is None:
            n = max(1, len(lexical.lengths))
            return math.log(1 + (n + 0.5) / 0.5)
        return lexical.idf.get(corrected, 0.0)

    def covers(self, token: str, present: set[str], present_families: set[str]) -> bool:
        corrected = self.index.lexical.correct(token) or token
        if token in present or corrected in present:
            return True
        if synonyms().get(token, set()) & present:
            return True  # the report's word for it (rag/lang/en/synonyms.toml)
        if family(token) in present_families or family(corrected) in present_families:
            return True
        if unit_name(token) and any(unit_name(t) == unit_name(token) for t in present):
            return True  # a unit in another spelling ("kilometres" against "km", "公里")
        # a compound the report prints ("biopharmaceutical") holds the word ("pharmaceutical")
        return len(corrected) >= 6 and any(t.endswith(corrected) and 0 < len(t) - len(corrected) <= 4 for t in present)

    def soft(self, words: list[str], report_words: set[str]) -> dict[str, dict[str, float]]:
        """For each given question word: the report words near it by the embedding model (at least ``soft_floor``)."""
        words = list(dict.fromkeys(words))
        pool = sorted(w for w in report_words if len(w) >= 3 and w.isalpha())
        if not words or not pool:
            return {}
        q = self.word_vectors.get_many(words, self.index.embeddings.embed_documents)
        m = self.report_word_vectors(pool)
        out: dict[str, dict[str, float]] = {}
        for word, sims in zip(words, q @ m.T):
            close = {}
            for i in np.nonzero(sims >= self.soft_floor)[0]:
                stem = (tokenize(pool[i]) or [pool[i]])[0]
                close[stem] = max(close.get(stem, 0.0), float(sims[i]))
            out[word] = close
        return out

    def report_word_vectors(self, words: list[str]) -> np.ndarray:
        """The vectors of words the report prints: from the index's word vector table (rag/store/vocabulary.py,
        written at ingest), embedding (and caching) only the words it lacks; the same vectors either way."""
        embed = self.index.embeddings.embed_documents
        table = getattr(self.index, "word_vectors", None)
        if table is None:
            return self.word_vectors.get_many(words, embed)
        rows = [table.rows.get(w) for w in words]
        missing = [i for i, row in enumerate(rows) if row is None]
        if not missing:
            return np.asarray(table.matrix[rows], dtype=np.float32)
        out = np.empty((len(words), table.matrix.shape[1]), dtype=np.float32)
        found = [i for i, row in enumerate(rows) if row is not None]
        out[found] = table.matrix[[rows[i] for i in found]]
        out[missing] = self.word_vectors.get_many([words[i] for i in missing], embed)
        return out

    def unread(self, qa: QuestionAnalysis) -> tuple[tuple[str, str], ...]:
        """The nouns (with their word class) of a Chinese question that nothing the report prints covers
        (rag.answer.question.unread_chinese), worked out once per question and index state."""
        if qa.lang != "zh":
            return ()
        key = (qa.text, id(self.index.lexical), getattr(self.index, "generation", None))
        if self._unread[0] != key:
            self._unread = (key, unread_chinese(qa.text, self.index.lexical.postings))
        return self._unread[1]

    def unread_counted(self, qa: QuestionAnalysis) -> list[str]:
        """Those of the nouns a count cue counts ("有多少所大学"): the question's focus, never printed."""
        return [noun for noun, _ in self.unread(qa) if counted(qa.text, noun)]

    def coverage(self, qa: QuestionAnalysis, weights: dict[str, float], present: set[str],
                 soft: dict[str, dict[str, float]], known: set[str] | None = None) -> tuple[float, float]:
        """(covered share of the question's weight, weight of the heaviest word the report uses that is not
        covered / the heaviest such word)."""
        total = covered = 0.0
        worst = 0.0
        families = {family(t) for t in present}

        def said(term: str) -> float:
            if self.covers(term, present, families):
                return 1.0
            return max((sim for stem, sim in soft.get(term, {}).items() if stem in present), default=0.0)

        groups = [(short, long) for short, long in qa.alternatives if any(t in weights for t in short)]
        grouped = {t for short, _ in groups for t in short}
        for term, weight in weights.items():
            if term in grouped:
                continue
            total += weight
            best = said(term)
            covered += weight * best
            if best < 1.0 and (known is None or term in known):
                worst = max(worst, weight * (1.0 - best))
        for short, long in groups:
            # an abbreviation weighs what its typed words weigh; a passage says it as typed or spelt out
            weight = sum(weights.get(t, 0.0) for t in short)
            total += weight
            best = max(_said_share([(weights.get(t, 0.0), said(t)) for t in short]),
                       _said_share([(self.idf(t), said(t)) for t in long]))
            covered += weight * best
            if known is None or any(t in known for t in short):
                worst = max(worst, weight * (1.0 - best))
        heaviest = max((w for t, w in weights.items() if known is None or t in known), default=0.0)
        return (covered / total if total else 0.0), (worst / heaviest if heaviest else 0.0)

    def term_weights(self, qa: QuestionAnalysis, unread: list[str] = ()) -> dict[str, float]:
        """Each question word's weight: its idf, a word that only says what kind of answer is wanted counting
        for little, a word a follow-up borrowed from the conversation for half; ``unread``: the counted nouns of a
        Chinese question that nothing the report prints covers (``unread_counted``)."""
        out = {}
        lexical = self.index.lexical
        optional = tuple(t for t in qa.optional if t in lexical.postings)
        for term in qa.terms + tuple(t for t in qa.borrowed + optional if t not in qa.terms):
            if term.isdigit() and term in qa.years:
                continue  # years are their own feature
            if term in qa.cue:
                continue  # the kind feature measures it
            if CJK_RE.match(term) and term not in lexical.postings:
                continue  # a character pair across two words of a Chinese question, not a word
            weight = self.idf(term)
            if term in qa.generic:
                weight *= 0.25
            if term in qa.borrowed:
                weight *= 0.5
            out[term] = weight
        for noun in unread:
            # the counted noun of a Chinese question that nothing the report prints covers ("酒店"), as an English
            # question's word the report never uses ("hotels"): it weighs what an unknown word weighs
            out.setdefault(noun, self.idf(noun))
        return out

    def compute(self, qa: QuestionAnalysis, query: str, candidates: list[Candidate],
                names: set[str] | frozenset[str] = frozenset()) -> None:
        """Fill ``candidate.features`` for every candidate. ``names`` are the report's name tokens."""
        if not candidates:
            return
        # a Chinese question's nouns nothing the report prints covers; one it counts ("有多少所大学" — universities)
        # is its focus, as "How many *universities*" is in English: no candidate holds it
        unread = self.unread_counted(qa)  # another noun the glossary lacks may be said in English on the page
        weights = self.term_weights(qa, unread)
        lexical = self.index.lexical
        unknown = [t for t in weights if not t.isdigit() and t not in lexical.postings and not lexical.correct(t)]
        report_words = {w.lower() for c in candidates for w in re.findall(r"[A-Za-z]+", f"{c.text} {c.section}")}
        # near words by the embedding model for every content word of the question, not only those the report never
        # uses: a word the report prints elsewhere ("destination") may be said another way here ("location"); a
        # name is matched as printed (another place is no near miss)
        soft_terms = [t for t in weights if t.isalpha() and t not in qa.names and not CJK_RE.match(t)]
        soft = self.soft(soft_terms, report_words) if soft_terms else {}
        context_sets = [c.context_tokens() for c in candidates]
        name_sets = [own_subject(qa, c, names) or context for c, context in zip(candidates, context_sets)]
        # asked for a list, a lead-in's own words are its subject's too: "Among those affected, the most common
        # forms were:" speaks of what the sentence before it names
        own_sets = [c.tokens() | set(tokenize(c.section_path[-1] if c.section_path else ""))
                    | (set(tokenize(c.previous)) if qa.wants_list and c.following and is_lead_in(c) else set())
                    for c in candidates]
        known = {t for t in weights if t not in unknown}
        unknown_names = (sum(1 for n in qa.names if n not in lexical.postings and not lexical.correct(n))
                         / len(qa.names)) if qa.names else 0.0
        context_cover = [self.coverage(qa, weights, s, soft, known) for s in context_sets]
        unknown_share = sum(weights[t] for t in unknown) / max(1e-9, sum(weights.values()))
        covers = [c for c, _ in context_cover]
        own = [self.coverage(qa, weights, s, soft)[0] for s in own_sets]
        # Embed the candidates worth comparing: those of the best chunks and the best by words.
        by_words = sorted(range(len(candidates)), key=lambda i: -covers[i])[: self.max_embedded]
        chosen = sorted(set(by_words) | {i for i, c in enumerate(candidates) if c.rank < 2})
        q_vec = np.asarray(self.index.embeddings.embed_query(query), dtype=np.float32)
        sims = np.full(len(candidates), np.nan, dtype=np.float32)
        vecs = self.vectors.get_many([candidates[i].meaning for i in chosen], self.index.embeddings.embed_documents)
        sims[chosen] = vecs @ q_vec
        english = english_form(query, lexical.postings)
        if english is not None:
            # a Chinese question is also read in English (as retrieval reads it): a passage's better similarity counts
            e_vec = np.asarray(self.index.embeddings.embed_query(english), dtype=np.float32)
            sims[chosen] = np.maximum(sims[chosen], vecs @ e_vec)
        for i, c in enumerate(candidates):
            chunk_dense = float(c.doc.metadata.get("dense", 0.0) or 0.0)
            dense = float(sims[i]) if not np.isnan(sims[i]) else 0.8 * chunk_dense
            focus = 0.0 if unread and not qa.focus else 1.0
            if qa.focus:
                focus_tokens = context_sets[i]
                close = max((sim for stem, sim in soft.get(qa.focus, {}).items() if stem in focus_tokens), default=0.0)
                focus = 1.0 if self.covers(qa.focus, focus_tokens, {family(t) for t in focus_tokens}) else close
            c.features = {
                "cover": covers[i],
                "cover_own": own[i],
                "missing": context_cover[i][1],
                "unknown": unknown_share,
                "dense": max(0.0, dense),
                "chunk_dense": max(0.0, chunk_dense),
                "rank": 1.0 / (1 + c.rank),
                "kind": kind_fit(qa, c),
                "years": years_fit(qa, c),
                "year_other": 1.0 if qa.years and not years_fit(qa, c) and c.own_years() else 0.0,
                "names": names_fit(qa, c, name_sets[i]),
                "names_other": names_elsewhere(qa, name_sets[i], lexical),
                "names_unknown": unknown_names,
                "focus": focus,
                "structured": 1.0 if c.structured else 0.0,
                "footnote": 1.0 if c.kind == "footnote" else 0.0,
            }
            f = c.features
            f["agreement"] = f["years"] * f["names"] * f["focus"] * (1.0 - f["missing"])


def kind_fit(qa: QuestionAnalysis, c: Candidate) -> float:
    """How well the candidate holds what is asked: the best-fitting figure for a figure question (a figure the
    question states itself does not count), a name for where/who, an enumeration for a list; for a change ("is it
    getting better or worse?", "by how much did it rise?") a stated change or two figures of one kind to compare. A
    difference ("560 km shorter than") answers only a question about a change."""
    if qa.operator == "delta":
        held = [f for f in c.figures if f.kind != "year" and f.number not in qa.given]
        kinds = [f.kind for f in held if not qa.accepts or qa.accepts.get(f.kind, 0.0) > 0]
        # asked against a year ("did it go up compared with 2024?"), two figures of one kind compare only across
        # time: of two years, or against a base ("up from 52% in 2024"); "63% for the courts, 48% for customs" is
        # no change ("how far behind Guangzhou was Shenzhen?" compares two items at once)
        over_time = not base_years(qa.text) or len(years_in(c.text)) >= 2 or bool(base_years(c.text))
        if any(k == "points" for k in kinds) or any(f.relative for f in held) or \
                (over_time and any(kinds.count(k) >= 2 for k in set(kinds))):
            return 1.0
    if qa.accepts:
        best = 0.0
        for f in c.figures:
            if f.number in qa.given and f.kind != "year":
                continue
            if f.relative and qa.operator != "delta" and not qa.change_words:
                continue  # "560 km shorter than the old route" is no length of anything
            fit = qa.fit(f)  # "How many kilometres long…" against "a chamber 300 metres long": a weak fit
            if fit and qa.kind == "count" and qa.focus and f.kind == "count" and \
                    counts_other({qa.focus, counted_head(qa.text)} - {None}, c.text[f.end:]):
                fit *= 0.3  # "How many hotels…" against "home to 41,696 financial institutions"
            elif measure_not_count(qa, f):
                fit = 0.0  # "How many berths…" against "2.6 million TEU": a measure in a unit is no number of things
            best = max(best, fit)
        return best
    if qa.kind in ("year", "date"):
        return 1.0 if any(f.kind in ("year", "date") for f in c.figures) else 0.0
    if qa.kind in ("place", "organisation", "person"):
        return 1.0 if re.search(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w’'-]+", c.text) else 0.3
    if qa.kind == "list":
        if c.kind == "list_item" or c.text.rstrip().endswith(":"):
            return 1.0
        # "A, B and C" enumerates; "…out of court, and 38% of the firms…" joins two clauses
        enumerates = c.text.count(",") >= 2 or (c.text.count(",") >= 1 and re.search(r"[^,] and ", c.text))
        return 1.0 if enumerates else 0.4
    return 0.5


def measure_not_count(qa: QuestionAnalysis, f) -> bool:
    """The question asks how many of a thing there are ("How many *berths*…", a thing that is no unit of measure)
    and the figure is a measure in a unit ("2.6 million TEU", "5,000-tonne"), no number of things. "How many
    tonnes…" asks a quantity; "How much cargo…" one in any unit."""
    if f.kind in ("count", "share", "points", "year", "date") or not (f.unit or f.kind == "money"):
        return False
    if qa.kind != "count" or not qa.focus or unit_name(qa.focus) or qa.units:
        return False
    return asks_number_of(qa.text)


def counts_other(asked: set[str], after: str) -> bool:
    """A bare count names what it counts in the words right after it ("41,696 financial institutions"; a quantity
    says it by its unit, "66 million tonnes of goods"): True when those words are there and none is a word of the
    thing asked about (the focus or the counted head, "server *racks*"; its word family, or the report's word)."""
    words = re.match(r"[\s\w’'-]*", after).group()
    said = " ".join(words.split()[:4])
    counted = set(tokenize(said)) | set(tokenize(glossed(said)))  # "7条国际集装箱航线": routes, containers
    if not counted:
        return False
    families = {family(t) for t in counted}
    return not any(word in counted or family(word) in families or synonyms().get(word, set()) & counted
                   for word in asked)


def years_fit(qa: QuestionAnalysis, c: Candidate) -> float:
    if not qa.years:
        return 1.0
    held = c.years() | {y for y in qa.years if y in str(c.doc.metadata.get("section", ""))}
    return len(qa.years & held) / len(qa.years)


def _said_share(pairs: list[tuple[float, float]]) -> float:
    """The weighted share of words said, from (weight, how well said) pairs."""
    total = sum(w for w, _ in pairs)
    return sum(w * s for w, s in pairs) / total if total else 0.0


def name_said(qa: QuestionAnalysis, name: str, present: set[str], families: set[str]) -> bool:
    """The candidate's context holds the name, or, for an abbreviation ("FTZ"), its spelt-out words."""
    if name in present or family(name) in families:
        return True
    return any(name in short and all(t in present or family(t) in families for t in long)
               for short, long in qa.alternatives)


def own_subject(qa: QuestionAnalysis, c: Candidate, names: set[str] | frozenset[str]) -> set[str] | None:
    """The words that say whom a list's lead-in is about when it names its own subject: a lead-in that names a
    place or body of the report other than those asked, and none of those asked, is about the one it names, not the
    one the sentence before names ("Asked the same question, firms in Lianbei answered:" after a sentence on Taoxi).
    None when it names no other, or is no lead-in (its context says whom it is about: "the park's capacity" after
    the sentence naming the park is about the park, whatever else it names)."""
    if not qa.names or not names or not is_lead_in(c):
        return None
    own = c.tokens() | set(tokenize(c.section))
    families = {family(t) for t in own}
    if any(name_said(qa, n, own, families) for n in qa.names):
        return None
    return own if any(t in names and t not in qa.names for t in c.tokens()) else None


def names_elsewhere(qa: QuestionAnalysis, present: set[str], lexical) -> float:
    """1 when a name of the question that the report uses is not in the candidate's context."""
    families = {family(t) for t in present}
    for n in qa.names:
        if name_said(qa, n, present, families):
            continue
        if n in lexical.postings:
            return 1.0
    return 0.0


def names_fit(qa: QuestionAnalysis, c: Candidate, present: set[str]) -> float:
    if not qa.names:
        return 1.0
    families = {family(t) for t in present}
    found = sum(1 for n in qa.names if name_said(qa, n, present, families))
    return found / len(qa.names)
