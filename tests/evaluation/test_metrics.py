"""The metric arithmetic of a run (rag/evaluation/metrics.py)."""
from __future__ import annotations

import pytest

from rag.evaluation.metrics import compute_metrics, percentile
from tests.evaluation.outcomes import GDP_QUOTE, item, scored


class TestMetrics:
    def test_percentile_interpolates(self) -> None:
        assert percentile([1, 2, 3, 4], 50) == 2.5
        assert percentile([10], 95) == 10
        assert percentile([], 50) is None
        assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)

    def test_rates(self) -> None:
        unans = item(id="u1", answerable=False, gold_facts=[], gold_page=None, gold_quote=None, category="unanswerable")
        outcomes = [
            scored(item(id="a1"), "RMB40.28 billion", retrieved=[("156", GDP_QUOTE)]),          # right, chunk rank 1
            scored(item(id="a2"), "RMB41 billion", quote=GDP_QUOTE, retrieved=[("157", "x")]),  # wrong, invented
            scored(item(id="a3"), "The report does not answer this", abstained=True, pages=()),  # false abstention
            scored(unans, "The report does not answer this", abstained=True, pages=()),          # right abstention
            scored(unans, "RMB40.28 billion"),                                                   # missed abstention
        ]
        m = compute_metrics(outcomes)
        assert m["n"] == 5 and m["n_answerable"] == 3
        assert m["answer_accuracy"] == 0.4
        assert m["page_accuracy"] == round(2 / 3, 4)
        assert m["chunk_hit_at_1"] == round(1 / 3, 4)
        assert m["chunk_hit_at_5"] == round(2 / 3, 4)
        assert m["chunk_mrr"] == round((1 + 0.5) / 3, 4)
        assert m["page_hit_at_1"] == round(2 / 3, 4)
        assert m["abstention_precision"] == 0.5
        assert m["abstention_recall"] == 0.5
        assert m["false_abstention_rate"] == round(1 / 3, 4)
        assert m["figure_faithfulness"] == round(2 / 3, 4)

    def test_undefined_rates_are_none(self) -> None:
        m = compute_metrics([scored(item(), "RMB40.28 billion")])
        assert m["abstention_precision"] is None and m["abstention_recall"] is None
