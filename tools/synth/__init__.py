"""Training and test pages for the report assistant, of every page kind the report has.

``generate(n, seed=..., kinds=...)`` gives a :class:`~tools.synth.report.Corpus`: pages in the
report's text-export layout, their plain reading-order text, and questions in the eval schema of
``../shared/report/dev/README.md``. ``python -m tools.synth --help`` writes one to disk.
Vocabularies are in ``tools/synth/data/*.toml``; the code holds mechanisms only.
"""
from __future__ import annotations

from dataclasses import dataclass

from tools.synth.check import check
from tools.synth.model import Question
from tools.synth.report import KINDS, Corpus, Page, generate

__all__ = ["KINDS", "Corpus", "Fact", "Page", "Question", "check", "facts_of", "generate", "generate_report"]

# question categories whose first gold alternative is a printed figure or name a one-turn answer must contain
FACT_CATEGORIES = ("figure", "table", "chart", "fact")


@dataclass
class Fact:
    """One checkable fact of a page (the old generator's record, kept for the benchmarks and tests)."""

    page: int
    place: str  # the page kind (the old generator's pages were all zone profiles)
    kind: str  # the question category
    question: str
    answer: str
    sentence: str


def facts_of(corpus: Corpus) -> list[Fact]:
    """Single-turn answerable questions of a corpus as facts: the answer is the first gold alternative of a
    one-group item."""
    out = []
    for q in corpus.questions:
        if q.answerable and not q.history and q.category in FACT_CATEGORIES and len(q.gold_facts) == 1:
            out.append(Fact(q.gold_page or 0, q.kind, q.category, q.question, q.gold_facts[0][0], q.gold_quote or ""))
    return out


def generate_report(n_pages: int, *, seed: int = 0, start_page: int = 1,
                    kinds: list[str] | tuple[str, ...] | None = None) -> tuple[list[str], list[Fact]]:
    """Export texts (one string per page) and their facts."""
    corpus = generate(n_pages, seed=seed, start_page=start_page, kinds=kinds)
    return [p.text for p in corpus.pages], facts_of(corpus)
