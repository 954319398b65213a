"""Thresholds: the gate's check and the floors it proposes (rag/evaluation/gate.py); the CI gate itself is
test_gate.py."""
from __future__ import annotations

from rag.evaluation.gate import check_thresholds, propose_thresholds
from rag.evaluation.metrics import metrics_by_category
from tests.evaluation.outcomes import item, scored


class TestThresholds:
    def metrics(self, accuracy: float) -> dict:
        outcome = scored(item(), "RMB40.28 billion" if accuracy else "nothing")
        m = metrics_by_category([outcome])
        return m

    def test_gate_passes_and_fails(self) -> None:
        thresholds = {"min": {"answer_accuracy": 0.9}, "max": {"false_abstention_rate": 0.05},
                      "categories": {"figure": {"min": {"page_accuracy": 1.0}}}}
        assert check_thresholds(self.metrics(1), thresholds) == []
        failures = check_thresholds(self.metrics(0), thresholds)
        assert failures == ["overall answer_accuracy = 0.0 < 0.9"]

    def test_missing_category_fails(self) -> None:
        assert check_thresholds(self.metrics(1), {"categories": {"list": {"min": {"answer_accuracy": 0.5}}}}) == [
            "category list has no items in this run"]

    def test_proposed_thresholds_never_go_down(self) -> None:
        m = self.metrics(0)
        proposed = propose_thresholds(m, {"min": {"answer_accuracy": 0.9}})
        assert proposed["min"]["answer_accuracy"] == 0.9
        assert propose_thresholds(m, {"min": {"answer_accuracy": 0.9}}, allow_lower=True)["min"]["answer_accuracy"] == 0
        perfect = propose_thresholds(self.metrics(1))["min"]
        assert perfect["figure_faithfulness"] == 1.0 and perfect["answer_accuracy"] == 0.98
