"""The metrics of a run: rates, retrieval hit@k/MRR, abstention and latency, overall and by category."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rag.evaluation.dataset import CATEGORIES
from rag.evaluation.scoring import Outcome
from rag.verify import VERDICTS

RATE_METRICS = ("answer_accuracy", "fact_recall", "page_accuracy", "quote_accuracy", "page_hit_at_1", "page_hit_at_5",
                "page_mrr", "chunk_hit_at_1", "chunk_hit_at_5", "chunk_mrr", "abstention_precision",
                "abstention_recall", "false_abstention_rate", "figure_faithfulness")
LOWER_IS_BETTER = {"false_abstention_rate", "latency_p50_ms", "latency_p95_ms"}
METRIC_LABELS = {
    "answer_accuracy": "answer accuracy",
    "fact_recall": "gold facts present",
    "page_accuracy": "page citation accuracy",
    "quote_accuracy": "quote accuracy",
    "page_hit_at_1": "page hit@1",
    "page_hit_at_5": "page hit@5",
    "page_mrr": "page MRR",
    "chunk_hit_at_1": "chunk hit@1",
    "chunk_hit_at_5": "chunk hit@5",
    "chunk_mrr": "chunk MRR",
    "abstention_precision": "abstention precision",
    "abstention_recall": "abstention recall",
    "false_abstention_rate": "false abstentions",
    "figure_faithfulness": "figure faithfulness",
    "latency_p50_ms": "latency p50 (ms)",
    "latency_p95_ms": "latency p95 (ms)",
    "verified_rate": "LLM answers verified as written",
    "repaired_rate": "LLM answers repaired (sentences dropped)",
    "replaced_rate": "LLM answers replaced by the extractive one",
    "fallback_rate": "LLM failed, extractive shown",
}


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def compute_metrics(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The metrics of a set of outcomes. Rates are None where undefined (e.g. precision with no abstentions).

    Answer accuracy is over all items; fact recall (every gold fact group in the answer, whatever its length
    or abstention flag), page/quote accuracy and retrieval over answerable items; abstention
    precision over abstentions, recall over unanswerable items, false abstentions over answerable items;
    figure faithfulness over answers that were given (not abstentions).
    """
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    abstained = [o for o in outcomes if o.abstained]
    given = [o for o in outcomes if not o.abstained and not o.error]
    judged = [o for o in outcomes if o.verdict]
    latencies = [o.seconds * 1000 for o in outcomes if not o.error]

    def hit(ranks: list[int | None], k: int) -> float | None:
        return _rate(sum(1 for r in ranks if r is not None and r <= k), len(ranks))

    def mrr(ranks: list[int | None]) -> float | None:
        return round(sum(1 / r for r in ranks if r) / len(ranks), 4) if ranks else None

    page_ranks = [o.page_rank for o in answerable]
    chunk_ranks = [o.chunk_rank for o in answerable]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    return {
        "n": len(outcomes),
        "n_answerable": len(answerable),
        "n_unanswerable": len(unanswerable),
        "errors": sum(1 for o in outcomes if o.error),
        "answer_accuracy": _rate(sum(o.correct for o in outcomes), len(outcomes)),
        "fact_recall": _rate(sum(not o.missing and not o.error for o in answerable), len(answerable)),
        "page_accuracy": _rate(sum(o.page_ok for o in answerable), len(answerable)),
        "quote_accuracy": _rate(sum(o.quote_ok for o in answerable), len(answerable)),
        "page_hit_at_1": hit(page_ranks, 1),
        "page_hit_at_5": hit(page_ranks, 5),
        "page_mrr": mrr(page_ranks),
        "chunk_hit_at_1": hit(chunk_ranks, 1),
        "chunk_hit_at_5": hit(chunk_ranks, 5),
        "chunk_mrr": mrr(chunk_ranks),
        "abstention_precision": _rate(sum(not o.answerable for o in abstained), len(abstained)),
        "abstention_recall": _rate(sum(o.abstained for o in unanswerable), len(unanswerable)),
        "false_abstention_rate": _rate(sum(o.abstained for o in answerable), len(answerable)),
        "figure_faithfulness": _rate(sum(not o.unsupported for o in given), len(given)),
        "latency_p50_ms": round(p50, 1) if p50 is not None else None,
        "latency_p95_ms": round(p95, 1) if p95 is not None else None,
        # The generative answerer's verification, over the answers it was asked for (None without one).
        **{f"{kind}_rate": _rate(sum(o.verdict == kind for o in outcomes), len(judged)) if judged else None
           for kind in VERDICTS},
    }


def metrics_by_category(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    order = {c: i for i, c in enumerate(CATEGORIES)}
    categories = sorted({o.category for o in outcomes}, key=lambda c: (order.get(c, len(order)), c))
    return {"overall": compute_metrics(outcomes),
            "by_category": {c: compute_metrics([o for o in outcomes if o.category == c]) for c in categories}}
