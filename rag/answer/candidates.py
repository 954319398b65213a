"""Candidates: the sentences, table rows and chart series of the retrieved chunks, each with its context.

A figure's context is what a reader uses to know what it measures: its sentence and section path; for a table
row the table title and column headers (in the row's text, as ingest writes it); for a chart series the chart
title and series label. So a table cell or a chart value is found the same way as a sentence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from langchain_core.documents import Document

from rag.figures import Figure, base_years, find_figures, years_in
from rag.ingest.chunk import SECTION_SEPARATOR
from rag.lang.detect import CJK_RE
from rag.text import glossed, romanised_names, split_sentences, tokenize

STRUCTURED_KINDS = ("table_row", "chart_series")
TITLED_KINDS = STRUCTURED_KINDS + ("table_note", "chart_note")  # "Table 3 (title) — …": the title is context


@dataclass
class Candidate:
    """One sentence (or table row, or chart series) that might answer the question."""

    text: str
    doc: Document
    rank: int  # the chunk's retrieval rank
    previous: str = ""
    figures: list[Figure] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    following: str = ""  # for a lead-in ("The most common forms were:"), the list items it introduces

    @property
    def kind(self) -> str:
        return str(self.doc.metadata.get("kind", "paragraph"))

    @property
    def section(self) -> str:
        return str(self.doc.metadata.get("section", ""))

    @property
    def section_path(self) -> list[str]:
        return [s for s in self.section.split(SECTION_SEPARATOR) if s]

    @property
    def structured(self) -> bool:
        return self.kind in STRUCTURED_KINDS

    @property
    def context(self) -> str:
        """The words a reader sees around the sentence: its section path, the sentence before it, and for a lead-in
        the items it introduces."""
        return f"{self.section} {self.previous} {self.following}"

    def tokens(self) -> set[str]:
        return set(tokenize(self.text)) | (_glossed(self.text) if CJK_RE.search(self.text) else set())

    def context_tokens(self) -> set[str]:
        tokens = (set(tokenize(self.text)) | set(tokenize(self.section)) | set(tokenize(self.previous))
                  | set(tokenize(self.following)))
        if CJK_RE.search(self.text):
            # "榕口" in a Chinese sentence is the "Rongkou" a question names, "集装箱" the "containers" it asks about
            tokens |= _romanised(self.text) | _glossed(self.text)
        return tokens

    def years(self) -> set[str]:
        """The years the candidate speaks of: its own, else its paragraph's ("Revenue recovered in 2025. Of the
        companies, 43% reported…" is about 2025), and its section's. A year the sentence only compares with ("three
        points more than in 2024") is not its own: the sentence's figures are of the paragraph's year."""
        own = years_in(self.text)
        if not self.structured and (not own or own <= base_years(self.text)):
            own = own | years_in(self.doc.page_content)
        return own | years_in(self.section)

    def own_years(self) -> set[str]:
        """The years the candidate's figures are of: its years less those it names only as a comparison's base."""
        return self.years() - (base_years(self.text) if not self.structured else set())

    @property
    def meaning(self) -> str:
        """The text whose embedding stands for the candidate: a bare list item gets its section's subject; a
        footnote (often a bare URL) is "the source of" the section that cites it; a lead-in is the sentence before
        it (its subject: "Fewer firms faced disputes. | Among those affected, the most common were:"), itself and
        its items."""
        if self.kind == "footnote":
            return f"Source cited for {self.section_path[-1] if self.section_path else 'the page'}: {self.text}"
        head = self.section_path[-1] if self.section_path else ""
        text = f"{self.text} {self.following}" if self.following else self.text
        if self.following and is_lead_in(self) and self.previous:
            text = f"{self.previous} {text}"
        return f"{head}: {text}" if head and head not in self.text else text


@lru_cache(maxsize=20_000)
def _romanised(text: str) -> frozenset[str]:
    return frozenset(romanised_names(text))


@lru_cache(maxsize=20_000)
def _glossed(text: str) -> frozenset[str]:
    """The English words of a Chinese sentence's glossary terms (rag/lang/zh/glossary.toml), as a Chinese question
    carries them."""
    return frozenset(tokenize(glossed(text)))


def is_lead_in(c: Candidate) -> bool:
    """A sentence that introduces what follows it ("The most common forms were:"): what it says is the list after it."""
    return not c.structured and c.kind != "list_item" and c.text.rstrip().endswith((":", "："))


def candidates_of(docs: list[Document]) -> list[Candidate]:
    """Every sentence of every chunk (a table row or chart series is one candidate), in retrieval order."""
    out: list[Candidate] = []
    for rank, doc in enumerate(docs):
        text = doc.page_content
        kind = doc.metadata.get("kind")
        spans = [(0, len(text))] if kind in STRUCTURED_KINDS or kind == "footnote" else split_sentences(text)
        previous = ""
        for start, end in spans or [(0, len(text))]:
            sentence = text[start:end].strip()
            if not sentence:
                continue
            candidate = Candidate(sentence, doc, rank, previous, find_figures(sentence))
            if kind in TITLED_KINDS:
                candidate.figures = _by_header(candidate)
            out.append(candidate)
            previous = sentence
    return out


def _by_header(c: Candidate) -> list[Figure]:
    """The figures of a table row or chart series: its cells, not its title's numbers; a cell is the kind of figure
    its column header says ("Real growth (%) 4.2" is a share and "GDP (RMB bn) 826.7" money, though each prints a
    bare number)."""
    from dataclasses import replace

    from rag.answer.compose import with_header_unit

    out = []
    title_end = c.text.find(" — ")
    for f in c.figures:
        if f.start < title_end:
            continue  # the title's own numbers ("Figure 18", "(2021-2025)") are no data of the record
        if f.kind == "count" and c.structured:
            said = find_figures(with_header_unit(c, f))
            if len(said) == 1 and said[0].kind != f.kind:
                f = replace(f, kind=said[0].kind)
        out.append(f)
    return out
