"""The CI gate: the system on the fixed evaluation set must not fall below evals/thresholds.json.

Thresholds only go up. When the system improves, raise them with
``rag eval --baseline none --write-thresholds`` (it never lowers a floor) and commit the file; when this
test fails, fix the mechanism (layout, retrieval, answer selection), not the threshold or the question.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EVAL_SET = ROOT / "evals" / "eval_set.jsonl"
THRESHOLDS = ROOT / "evals" / "thresholds.json"

pytestmark = pytest.mark.eval


@pytest.fixture(scope="module")
def system_run(tmp_path_factory):
    from rag.config import Settings
    from rag.evaluation.dataset import load_items
    from rag.evaluation.runner import run_evaluation

    settings = Settings(data_dir=tmp_path_factory.mktemp("unused"), corpus_dir=ROOT / "corpus",
                        answerer="extractive", chroma_url=None, history_url=None)
    return run_evaluation(load_items(EVAL_SET), systems=["system"], settings=settings, set_path=EVAL_SET)


@pytest.mark.timeout(1800)
def test_system_meets_the_thresholds(system_run, tmp_path: Path) -> None:
    from rag.evaluation.gate import check_thresholds
    from rag.evaluation.report import write_reports

    thresholds = json.loads(THRESHOLDS.read_text(encoding="utf-8"))
    metrics = system_run.systems["system"].metrics
    failures = check_thresholds(metrics, thresholds)
    if failures:
        paths = write_reports(system_run, tmp_path, "gate")
        wrong = [f"{o.id}: {'; '.join(o.reasons)}" for o in system_run.systems["system"].outcomes if o.reasons]
        pytest.fail("below evals/thresholds.json:\n  " + "\n  ".join(failures)
                    + f"\nfailing items ({len(wrong)}):\n  " + "\n  ".join(wrong[:30])
                    + f"\nfull report: {paths['markdown']}", pytrace=False)


def test_no_item_raises(system_run) -> None:
    errors = [f"{o.id}: {o.error}" for o in system_run.systems["system"].outcomes if o.error]
    assert not errors, "\n".join(errors)


def test_thresholds_cover_the_promised_metrics() -> None:
    thresholds = json.loads(THRESHOLDS.read_text(encoding="utf-8"))
    assert {"answer_accuracy", "page_accuracy", "abstention_recall", "figure_faithfulness"} <= set(thresholds["min"])
    assert "false_abstention_rate" in thresholds["max"]
    assert thresholds["set"] == "evals/eval_set.jsonl"
