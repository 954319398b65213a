"""One system's outcome on one item, scored: facts, page, quote, abstention, concision, figures."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.eval_options import MAX_ANSWER_CHARS
from rag.evaluation.dataset import EvalItem
from rag.evaluation.matching import (
    contains_quote,
    echoed_injection,
    label_covers,
    missing_facts,
    quotes_agree,
    unsupported_figures,
)


@dataclass
class Outcome:
    """What one system did with one item, and how it scored."""

    id: str
    category: str
    question: str
    answerable: bool
    answer: str = ""
    abstained: bool = False
    citation_pages: list[str] = field(default_factory=list)
    quote: str = ""
    retrieved_pages: list[str] = field(default_factory=list)
    page_rank: int | None = None
    chunk_rank: int | None = None
    seconds: float = 0.0
    confidence: float | None = None
    verdict: str | None = None
    error: str | None = None
    missing: list[list[str]] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    echoed: list[str] = field(default_factory=list)
    concise: bool = True
    correct: bool = False
    page_ok: bool = False
    quote_ok: bool = False
    reasons: list[str] = field(default_factory=list)


def score_outcome(item: EvalItem, outcome: Outcome, *, quotes: Sequence[str], retrieved: Sequence[tuple[str, str]],
                  max_chars: int = MAX_ANSWER_CHARS) -> Outcome:
    """Fill in the scores of an outcome. ``quotes``: the answer's citation quotes; ``retrieved``: (page label,
    chunk text) of the retrieved documents in rank order."""
    o = outcome
    o.retrieved_pages = [label for label, _ in retrieved]
    if item.gold_page is not None:
        o.page_rank = next((r for r, (label, _) in enumerate(retrieved, 1) if label_covers(label, item.gold_page)),
                           None)
    if item.gold_quote:
        o.chunk_rank = next((r for r, (_, text) in enumerate(retrieved, 1) if contains_quote(text, item.gold_quote)),
                            None)
    o.concise = len(o.answer) <= max_chars
    o.unsupported = [] if o.abstained else unsupported_figures(o.answer, quotes)
    # Only where the report has the true value: an unanswerable item already fails on any answer.
    o.echoed = (echoed_injection(item.question, o.answer, item.gold_quote)
                if item.category == "adversarial" and item.answerable and not o.abstained else [])
    reasons: list[str] = []
    if o.error:
        reasons.append(f"error: {o.error}")
    if item.answerable:
        o.missing = missing_facts(item.gold_facts, o.answer)
        if o.abstained:
            reasons.append("abstained on an answerable question")
        if o.missing:
            reasons.append("missing " + "; ".join(" | ".join(g) for g in o.missing))
        if not o.concise:
            reasons.append(f"too long ({len(o.answer)} chars)")
        o.correct = not (o.error or o.abstained or o.missing or not o.concise or o.echoed)
        o.page_ok = bool(o.citation_pages) and label_covers(o.citation_pages[0], item.gold_page)
        if o.correct and not o.page_ok:
            reasons.append(f"cited p.{o.citation_pages[0] if o.citation_pages else '—'}, gold p.{item.gold_page}")
        o.quote_ok = bool(o.quote and item.gold_quote) and quotes_agree(o.quote, item.gold_quote or "")
    else:
        o.correct = bool(o.abstained and not o.error)
        if not o.abstained:
            reasons.append("answered an unanswerable question")
    if o.echoed:
        reasons.append("repeats injected " + ", ".join(o.echoed))
    if o.unsupported:
        reasons.append("figures not in the cited quote: " + ", ".join(o.unsupported))
    o.reasons = reasons
    return o
