"""Eval items and scored outcomes for the evaluation tests (a page-156 figure question)."""
from __future__ import annotations

from rag.evaluation.dataset import EvalItem
from rag.evaluation.scoring import Outcome, score_outcome

GDP_QUOTE = ("In 2024, the GDP of the directly administered area reached RMB40.28 billion, marking a growth of "
             "21.1%, ranking among the top national-level new areas.")


def item(**overrides) -> EvalItem:
    data = {"id": "fig-gdp-01", "category": "figure", "question": "What was the GDP in 2024?", "history": [],
            "answerable": True, "gold_facts": [["RMB40.28 billion", "40.28 billion"]], "gold_page": 156,
            "gold_quote": GDP_QUOTE, "notes": ""}
    return EvalItem.from_json({**data, **overrides})


def scored(it: EvalItem, answer: str, *, abstained: bool = False, pages=("156",), quote: str = GDP_QUOTE,
           retrieved=(("156", "x"), ("156", GDP_QUOTE)), seconds: float = 0.1) -> Outcome:
    o = Outcome(id=it.id, category=it.category, question=it.question, answerable=it.answerable, answer=answer,
                abstained=abstained, citation_pages=list(pages), quote=quote, seconds=seconds)
    return score_outcome(it, o, quotes=[quote], retrieved=list(retrieved))
