"""The extractive answerer (default, no LLM): the report's own sentences, table rows and chart series.

    answerer = ExtractiveAnswerer(index=index, settings=settings)
    result = answerer.answer("What share of companies expect revenue to grow?", docs)
    result.text, result.abstained, result.evidence[0].quote

One pass: analyse the question (question.py), make candidates of the retrieved chunks (candidates.py), compute
their features (features.py), score them with the fitted model (model.py), then compose the answer from the
best one (compose.py). Below the fitted threshold the assistant says the report does not answer the question.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from langchain_core.documents import Document

from rag.answer.bilingual import has_english, is_chinese, parallel, same_value
from rag.answer.candidates import Candidate, candidates_of, is_lead_in
from rag.answer.compose import (Composed, change, chunk_before, compare, contradicted_premise, figure_answer,
                                 figure_question, items_after, label_named, lead_figure, lead_in_of, list_answer,
                                 merged_scale, moved_records, planned_not_actual, record_label, record_title,
                                 sentence_before, siblings, summed_records, trim)
from rag.answer.features import Featurizer, measure_not_count, name_said
from rag.answer.model import Scorer, load_scorer
from rag.answer.question import NAME_CLASSES, QuestionAnalysis, analyse_turn, counted_head
from rag.config import Settings
from rag.figures import YEAR_RE
from rag.lang.detect import has_cjk
from rag.text import family, named_entities, places_named, tokenize

ABSTAIN_TEXT = "The report does not answer this"
ABSTAIN_TEXT_ZH = "报告中没有回答这个问题"
ABSTAIN_ZH_AS_ASKED = "报告没有按所问的回答这个问题"
ENGLISH_ONLY_ZH = "（报告此处只有英文原文。）"
CHINESE_ONLY_EN = " (The report gives this in its Chinese text only.)"
OTHER_TEXT_DIFFERS = " (The page's {text} text gives {figure} here.)"
OTHER_TEXT_DIFFERS_ZH = "（本页{text}文本此处为{figure}。）"
RECORD_KINDS = ("table_row", "chart_series", "list_item")


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
    """An answer and its evidence (evidence[0] is the main one). ``verdict`` says how a generated answer fared
    in verification ("verified", "repaired", "replaced", "fallback"); None for extractive."""

    text: str
    abstained: bool
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)
    kind: str = "describe"
    verdict: str | None = None
    computed: bool = False


def unknown_names(qa: QuestionAnalysis, question: str, lexical, words: set[str],
                  unread: tuple[tuple[str, str], ...] = ()) -> str | None:
    """The first name the question writes with a capital ("Mars", "Cambodia") that the report never uses under any
    spelling (its index holds no such word, none one edit away, and ``words``, the words it prints, none of its
    stem: "Asian" is known from "Asia"), as typed; None when every name is known. In Chinese, a name by its word
    class that nothing the report prints covers (``unread``: "亚特兰蒂斯", no character pair, glossary term or
    pinyin)."""
    if qa.lang == "zh":
        # a place of the glossary whose English spelling the report never prints ("澳门": Macao, Macau) is as unknown
        for zh, english in places_named(question):
            if not any(t in lexical.postings for t in tokenize(english)):
                return zh
        return next((noun for noun, word_class in unread if word_class.startswith(NAME_CLASSES)), None)
    words_typed = [w for entity in named_entities(question) for w in entity.split() if w[:1].isupper()
                   and w[1:2].islower()]  # "Mars", not "GDP" or the "of" of "GDP of Mars"
    for word in words_typed:
        tokens = tokenize(word)
        if tokens and all(t in qa.names and t not in lexical.postings and not lexical.correct(t) for t in tokens) \
                and not _shares_stem(word.lower(), words):
            return word
    return None


def _shares_stem(word: str, words: set[str]) -> bool:
    """The report prints a word of the same stem ("Asian" beside "Asia")."""
    stem = word[:max(4, len(word) - 2)]
    return any(w.startswith(stem) for w in words)


def abstain_text(question: str) -> str:
    if has_cjk(question):
        return f"{ABSTAIN_TEXT_ZH}：在已收录的报告页面中没有找到相关内容。"
    return f"{ABSTAIN_TEXT}: I found no passage in the ingested report pages that says it."


class ExtractiveAnswerer:
    """Answers with the report's own text; abstains when no candidate is likely enough to answer."""

    def __init__(self, *, index, settings: Settings, scorer: Scorer | None = None) -> None:
        self.index = index
        self.settings = settings
        self.scorer = scorer or load_scorer()
        self.featurizer = Featurizer(index, soft_floor=settings.soft_match_floor,
                                     max_embedded=settings.max_embedded_sentences)
        self.ablate: frozenset[str] = frozenset()
        # (index generation, names, lower-case words, names of several words)
        self._words: tuple[int | None, set[str], set[str], frozenset[str]] | None = None
        self._year_key: int | None = None
        self._year = settings.report_year

    def _report_words(self) -> tuple[set[str], set[str], frozenset[str]]:
        """(tokens of the words the report capitalises in mid-sentence and never writes in lower case, tokens of
        the words it writes in lower case, the names of several capitalised words it prints mid-sentence and each
        shorter name that ends one, lower-cased: "guangxi pilot free trade zone", "free trade zone", "trade
        zone"), once per index generation."""
        key = getattr(self.index, "generation", None)
        if key is None or self._words is None or self._words[0] != key:
            names, common, phrases = set(), set(), set()
            for chunk in self.index.chunks.values():
                for word in re.findall(r"(?<=[a-z,;] )[A-Z][\w’'-]*", chunk.text):
                    names |= set(tokenize(word))
                for name in re.findall(r"(?<=[a-z,;] )[A-Z][\w’'-]*(?: [A-Z][\w’'-]*)+", chunk.text):
                    words = name.lower().split()
                    phrases |= {" ".join(words[i:]) for i in range(len(words) - 1)}
                common |= set(tokenize(" ".join(re.findall(r"\b[a-z][\w’'-]*", chunk.text))))
            self._words = (key, {t for t in names - common if t.isalpha()}, common, frozenset(phrases))
        return self._words[1], self._words[2], self._words[3]

    def name_phrases(self) -> frozenset[str]:
        """The report's names of several words, lower-cased ("free trade zone"): a cue inside one asks nothing."""
        return self._report_words()[2]

    def names(self) -> set[str]:
        """Tokens of words the report capitalises in mid-sentence and never writes in lower case: its names."""
        return self._report_words()[0]

    def is_name(self, text: str) -> bool:
        """Every word of ``text`` is capitalised and none is one the report writes in lower case ("Foshan",
        "Qinzhou Port Area"; not "Administrative", which the report also writes "administrative staff")."""
        lower = self._report_words()[1]
        words = re.findall(r"[\w’'-]+", text)
        return bool(words) and all(w[0].isupper() for w in words) and \
            not any(t in lower for w in words for t in tokenize(w))

    def report_year(self) -> int:
        """The year the report came out, from the year its running title names ("… 2026 Special Report …");
        ``Settings.report_year`` when the pages carry no title. A question's "last year" is the year before."""
        key = getattr(self.index, "generation", None)
        if key is None or key != self._year_key:
            years = Counter(y for page in self.index.pages.values() for y in YEAR_RE.findall(page.title or ""))
            self._year = int(years.most_common(1)[0][0]) if years else self.settings.report_year
            self._year_key = key
        return self._year

    def analyse(self, question: str, query: str | None = None) -> QuestionAnalysis:
        return analyse_turn(question, query, report_year=self.report_year(), names=self.names(),
                            name_phrases=self.name_phrases())

    def scored(self, question: str, docs: list[Document], *, query: str | None = None
               ) -> tuple[QuestionAnalysis, list[Candidate]]:
        """The question's analysis and its candidates with features and scores, best first."""
        qa = self.analyse(question, query)
        candidates = candidates_of(docs)
        ranks = {doc.id: rank for rank, doc in enumerate(docs)}
        found = {c.doc.id for c in candidates}
        brought: list[Candidate] = []
        for c in candidates:
            ends_chunk = c.kind not in ("list_item", "table_row", "chart_series") and \
                c.doc.page_content.rstrip().endswith(c.text)
            if is_lead_in(c) or (qa.wants_list and ends_chunk):
                # a lead-in ("The forms were:", or for a list question any sentence a list follows: "The zone is
                # divided into four areas.") says what its list says: its items are its context, as a reader reads
                # on, and so is the sentence before it when that ends the chunk before
                items = items_after(c, self.index)
                c.following = "; ".join(item.text for item in items)
                if is_lead_in(c) and not qa.wants_list:
                    # retrieval that found a list's lead-in found its items: each is a candidate, at the lead-in's
                    # rank ("companies in Nanquan answered:" is found, "Struggle to find engineers: 37%" is not).
                    # Asked for the list, the lead-in answers with all of them
                    for item in items:
                        if item.doc.id not in found:
                            found.add(item.doc.id)
                            item.rank = c.rank
                            brought.append(item)
                passage = [i.doc.id for i in items]
                if c.following and not c.previous:
                    before = chunk_before(c, self.index)
                    c.previous = sentence_before(c, self.index)
                    passage += [before.id] if before is not None else []
                if qa.wants_list and is_lead_in(c):
                    # asked for a list, a lead-in, its subject and its items are one passage: retrieval that found
                    # a part of it found the list
                    c.rank = min([c.rank] + [ranks[i] for i in passage if i in ranks])
        candidates += brought
        for c in candidates:
            if c.kind == "list_item" and not c.previous:
                # a list item's figure measures what its lead-in asked, of whom it asked ("companies in Nanquan
                # answered:"): the lead-in is the item's context, as the sentence before is a sentence's
                c.previous = lead_in_of(c, self.index)
        self.featurizer.compute(qa, query or question, candidates, self.names())
        for c in candidates:
            c.score = self.scorer.score(c.features, self.ablate)
        candidates.sort(key=lambda c: -c.score)
        return qa, candidates

    def answer(self, question: str, docs: list[Document], *, query: str | None = None) -> AnswerResult:
        if not docs:
            return AnswerResult(text=abstain_text(question), abstained=True, confidence=0.0)
        qa, candidates = self.scored(question, docs, query=query)
        if not candidates:
            return AnswerResult(text=abstain_text(question), abstained=True, confidence=0.0, kind=qa.kind)
        unknown = unknown_names(qa, question, self.index.lexical, self.index.surface_words, self.featurizer.unread(qa))
        if unknown:
            # "What is the GDP of Mars?": the report never names Mars, under any spelling; no passage is about it
            text = (f"{ABSTAIN_TEXT_ZH}：报告中没有提到{unknown}。" if qa.lang == "zh" else
                    f"{ABSTAIN_TEXT}: the ingested report pages never mention {unknown}.")
            return AnswerResult(text=text, abstained=True, confidence=0.0, kind=qa.kind)
        best = candidates[0]
        if qa.wants_figure and best.features.get("focus", 1.0) == 0.0 and self.never_printed(qa):
            # "How many universities…": what the figure would count is a word the report never prints (nor one
            # near it); no passage counts it
            return AnswerResult(text=abstain_text(question), abstained=True, confidence=0.0, kind=qa.kind)
        compares = qa.operator in ("max", "min", "order") and qa.selects
        if (compares or qa.sums) and best.kind not in RECORD_KINDS:
            # "which is highest" is answered by comparing records, "the total share" by adding them: a table row,
            # chart series or list item among the best candidates stands in for the best sentence
            record = next((c for c in candidates[:3] if c.kind in RECORD_KINDS or (is_lead_in(c) and c.following)),
                          None)
            compose = compare if compares else summed_records
            if record is not None and compose(figure_question(qa, record), record, self.index) is not None:
                best = record
        if best.structured and qa.wants_figure and not qa.selects and summed_records(qa, best, self.index) is None:
            # "What average salary increase is expected?" names no row of the chart by category: no one series
            # answers it; the page's sentence that gives a figure of the asked kind does ("an average of 3.6%")
            best = unlabelled_overall(qa, best, candidates, self.index) or best
        others = [c for c in candidates if c is not best]
        lead = best.score - others[0].score if others else best.score
        confidence = self.scorer.confidence(best.features, best.score, lead, self.ablate)
        if confidence < self.scorer.threshold:
            return AnswerResult(text=abstain_text(question), abstained=True, confidence=confidence, kind=qa.kind)
        if contradicted_premise(qa, best):
            return AnswerResult(text=f"{ABSTAIN_TEXT} as asked: the report does not say what the question assumes. "
                                "See the cited passage for what it does say.", abstained=True, confidence=confidence,
                                evidence=[_evidence(best)], kind=qa.kind)
        limit = self.settings.max_answer_chars
        qa = figure_question(qa, best)
        planned = planned_not_actual(qa, best, lead_figure(qa, best) if qa.wants_figure else None)
        if planned:
            return AnswerResult(text=f"{ABSTAIN_TEXT} as asked: {planned}, not what is already in place. See the "
                                "cited passage.", abstained=True, confidence=confidence, evidence=[_evidence(best)],
                                kind=qa.kind)
        merged = merged_scale(qa, best)
        if merged is not None:
            # "What share were very satisfied?" against "57% were satisfied or very satisfied": the figure is of
            # both points of the scale together
            pair, point = merged
            return AnswerResult(text=f"{ABSTAIN_TEXT} as asked: the cited passage gives one figure for “{pair}” "
                                f"together, not for “{point}” alone.", abstained=True, confidence=confidence,
                                evidence=[_evidence(best)], kind=qa.kind)
        other = other_record(qa, best, self.is_name, self.index.lexical)
        if other is not None:
            # "What was Yunnan's GDP?" against the row "Guangdong: … GDP (RMB bn) 14,589.2": the record is another
            # named thing's; say whose figures the passage gives instead
            label, asked = other
            text = (f"{ABSTAIN_ZH_AS_ASKED}：引用的段落给出的是{label}的数据，而不是{asked}的。" if qa.lang == "zh" else
                    f"{ABSTAIN_TEXT} as asked: the cited passage gives figures for {label}, not {asked}.")
            return AnswerResult(text=text, abstained=True, confidence=confidence, evidence=[_evidence(best)],
                                kind=qa.kind)
        absent = absent_record(qa, best, self.index)
        if absent is not None:
            # "What's the average salary increase for sales staff?" against a chart of five staff groups, none of
            # them sales: the asked category is not one the chart has; say which it has
            title, labels = absent
            text = (f"{ABSTAIN_ZH_AS_ASKED}：{title}只列出{'、'.join(labels)}。" if qa.lang == "zh" else
                    f"{ABSTAIN_TEXT} as asked: {title} gives figures for {', '.join(labels)}; none of them is "
                    f"“{typed_word(qa.text, qa.focus)}”.")
            return AnswerResult(text=text, abstained=True, confidence=confidence, evidence=[_evidence(best)],
                                kind=qa.kind)
        if qa.years and not qa.years_borrowed and best.features.get("year_other") and qa.operator != "delta":
            # a figure of another year is not the answer to a question about this one ("GDP growth in 2024"
            # against the 2025 table): say what the passage covers instead. A year the question takes from the
            # conversation is no such condition ("What was its output in 2024?" — "And its area?")
            said = ", ".join(sorted(best.years()))
            asked = ", ".join(sorted(qa.years))
            text = (f"{ABSTAIN_ZH_AS_ASKED}：引用的段落给出的是{said}年的数据，而不是{asked}年的。" if qa.lang == "zh" else
                    f"{ABSTAIN_TEXT} as asked: the cited passage gives figures for {said}, not {asked}.")
            return AnswerResult(text=text, abstained=True, confidence=confidence, evidence=[_evidence(best)],
                                kind=qa.kind)
        composed = (compare(qa, best, self.index) or moved_records(qa, best, self.index)
                    or summed_records(qa, best, self.index) or change(qa, best)
                    or list_answer(qa, best, self.index)
                    or (figure_answer(qa, best, limit) if qa.wants_figure or qa.kind in ("year", "date", "rank")
                        else None))
        asked = set(qa.accepts) if qa.wants_figure else {"year", "date"} if qa.kind in ("year", "date") else set()
        if asked and qa.asks_figure and not any(f.kind in asked and not measure_not_count(qa, f)
                                                for f in best.figures) and (
                composed is None or composed.used == [best]):
            # "How many robots…" against a passage that holds no figure of any kind that answers it: the passage
            # speaks of the thing, it does not say the figure
            return AnswerResult(text=abstain_text(question), abstained=True, confidence=confidence, kind=qa.kind)
        if composed is None:
            chosen = [best]
            same = [c for c in candidates[1:4] if c.doc.id == best.doc.id and c.score >= 0.85 * best.score]
            if qa.kind in ("list", "describe") and same and len(best.text) + len(same[0].text) < limit:
                chosen.append(same[0])
                chosen.sort(key=lambda c: c.doc.page_content.find(c.text))
            text = " ".join(c.text for c in chosen)
            used = [best] + [c for c in chosen if c is not best]
        else:
            text, used = composed.text, composed.used
        text, used = self.across_languages(qa, text, used, composed, limit)
        if len(text) > limit:
            text = trim(text, limit)
        evidence = [_evidence(c) for c in used]
        return AnswerResult(text=text, abstained=False, confidence=confidence, evidence=evidence, kind=qa.kind,
                            computed=bool(composed and composed.computed))

    def never_printed(self, qa: QuestionAnalysis) -> bool:
        """The thing a count question counts is never printed in the report: its head noun ("How many *universities*"),
        no word of the report nor one edit away; in Chinese the counted noun nothing covers ("有多少所大学")."""
        lexical = self.index.lexical
        if qa.lang == "zh":
            return bool(self.featurizer.unread_counted(qa))
        # what "how many" counts is the head of the phrase after it ("server *racks*"); after other cues the
        # word may be a verb ("supposed", "picked")
        head = counted_head(qa.text) if qa.kind == "count" else None
        return bool(head) and head not in lexical.postings and not lexical.correct(head)

    def across_languages(self, qa: QuestionAnalysis, text: str, used: list[Candidate], composed: Composed | None,
                         limit: int) -> tuple[str, list[Candidate]]:
        """A bilingual page: the same passage in the page's other language is cited beside the answer's, its
        figure checked against the answer's (a difference is said). A question is answered in its own language
        where the page has the passage in it; where only the other language has it, one short line says so."""
        best = used[0]
        lead = lead_figure(qa, best) if qa.wants_figure else None
        other = parallel(best, lead, self.index)
        asked_zh = qa.lang == "zh"
        if other is not None and other.agrees and is_chinese(other.quote.text) == asked_zh \
                and (composed is None or composed.used == [best]) and not (composed and composed.computed):
            # the question's language has the passage: answer from it, the other language's quote beside it
            if lead is None and composed is None and other.complete and len(used) == 1:
                return trim(other.quote.text, limit), [other.quote] + used
            same = [f for f in other.quote.figures if lead is not None and same_value(f.value, lead.value)]
            if same:
                return figure_answer(qa, other.quote, limit, lead=same[0]).text, [other.quote] + used
        if other is not None and other.quote not in used:
            used = used + [other.quote]
        if other is not None and not other.agrees and other.printed is not None:
            zh_text = is_chinese(other.quote.text)
            note = (OTHER_TEXT_DIFFERS_ZH.format(text="中文" if zh_text else "英文", figure=other.printed.text)
                    if asked_zh else
                    OTHER_TEXT_DIFFERS.format(text="Chinese" if zh_text else "English", figure=other.printed.text))
            text = trim(text, limit - len(note)) + note
        # a short English record ("Trademark counterfeiting: 48%") is English too: only a Chinese passage is not
        said = has_cjk(best.text) if asked_zh else (has_english(best.text) or not has_cjk(best.text))
        if not said and (other is None or not other.agrees):
            note = ENGLISH_ONLY_ZH if asked_zh else CHINESE_ONLY_EN
            text = trim(text, limit - len(note)) + note
        return text, used


def unlabelled_overall(qa: QuestionAnalysis, best: Candidate, candidates: list[Candidate], index
                       ) -> Candidate | None:
    """For a question that names no record of a table or chart of several (none of its label's words), the best
    sentence of the same page that holds a figure of the asked kind (fitting as well as the record's) and the
    asked years, and speaks of what the question asks about (its focus): the figure for all."""
    label = record_label(best)
    if not set(tokenize(label)) - qa.generic or label_named(qa, label) or len(siblings(best, index)) < 2:
        return None
    page, fit = best.doc.metadata.get("page"), best.features.get("kind", 0.0)
    return next((c for c in candidates if not c.structured and c.kind not in ("footnote", "list_item")
                 and c.doc.metadata.get("page") == page and c.features.get("kind", 0.0) >= fit > 0
                 and c.features.get("years", 1.0) >= 1.0 and c.features.get("focus", 1.0) > 0.0), None)


def typed_word(question: str, token: str, default: str | None = None) -> str:
    """The question's word as typed whose token is ``token`` ("sales" for "sale")."""
    return next((w for w in re.findall(r"[\w-]+", question) if tokenize(w)[:1] == [token]), default or token)


def absent_record(qa: QuestionAnalysis, best: Candidate, index) -> tuple[str, list[str]] | None:
    """The question asks for one category of a table or chart that has none of that name: the best record is one of
    several, the thing the question asks about (its focus) is a word the report prints elsewhere but in no record's
    label nor in the title or section around them, and the question names no record nor asks to pick one. Returns
    (the title, the records' labels)."""
    if not best.structured or not qa.focus or best.features.get("focus", 1.0) > 0.0 or qa.sums or qa.selects:
        return None  # "Which cities gained share…" asks which records: its words after the cue name no category
    if qa.focus not in index.lexical.postings:
        return None  # a word the report never prints may be the asker's for a label ("trimmed" for "Fell by …")
    records = siblings(best, index)
    if len(records) < 2:
        return None
    labels = [record_label(r) for r in records]
    focus = {qa.focus, family(qa.focus)}
    for label in labels:
        tokens = set(tokenize(label))
        if label_named(qa, label) or focus & (tokens | {family(t) for t in tokens}):
            return None
    return record_title(best), labels


def other_record(qa: QuestionAnalysis, best: Candidate, is_name, lexical) -> tuple[str, str] | None:
    """A table row or chart series about another named thing than the one asked: its label is a name of the report
    the question does not name ("Guangdong"), and a name the question does give ("Yunnan"), which the report prints
    elsewhere, is neither in the record nor around it (nor spelt out, for an abbreviation). Returns (the record's
    label, the asked name as typed)."""
    if not best.structured or not qa.names:
        return None
    label = record_label(best)
    label_tokens = set(tokenize(label))
    if not label_tokens or not is_name(label) or label_tokens & set(qa.names):
        return None
    present = best.context_tokens()
    families = {family(t) for t in present}
    for name in qa.names:
        if name in lexical.postings and not name_said(qa, name, present, families):
            return label, typed_word(qa.text, name, name.title())
    return None


def _evidence(c: Candidate) -> Evidence:
    return Evidence(c.text, c.doc, c.score, c.features.get("cover", 0.0), c.features.get("dense", 0.0),
                    c.features.get("kind", 0.0))
