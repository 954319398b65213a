"""The CI gate on pages of every kind: a held-out generated report (survey prose, bullets, tables, charts,
profiles, bilingual and continued pages; seed 2027, never used for fitting) must stay above
evals/thresholds_mixed.json. The page-156 set alone cannot see vocabulary overfitting; this one can."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
THRESHOLDS = ROOT / "evals" / "thresholds_mixed.json"
SEED, PAGES = 2027, 24

pytestmark = pytest.mark.eval


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    from rag.config import Settings
    from rag.evaluation.dataset import load_items
    from rag.evaluation.runner import run_evaluation
    from tools.synth.__main__ import main as synth

    folder = tmp_path_factory.mktemp("mixed")
    assert synth(["--pages", str(PAGES), "--seed", str(SEED), "--out", str(folder)]) == 0
    settings = Settings(data_dir=tmp_path_factory.mktemp("unused"), answerer="extractive", chroma_url=None,
                        history_url=None)
    set_path = folder / "questions.jsonl"
    return run_evaluation(load_items(set_path), systems=["system"], settings=settings, set_path=set_path,
                          corpus=[folder / "pages"])


@pytest.mark.timeout(1800)
def test_mixed_kinds_meet_the_thresholds(mixed_run, tmp_path: Path) -> None:
    from rag.evaluation.gate import check_thresholds
    from rag.evaluation.report import write_reports

    thresholds = json.loads(THRESHOLDS.read_text(encoding="utf-8"))
    run = mixed_run.systems["system"]
    failures = check_thresholds(run.metrics, thresholds)
    if failures:
        paths = write_reports(mixed_run, tmp_path, "gate-mixed")
        pytest.fail("below evals/thresholds_mixed.json:\n  " + "\n  ".join(failures)
                    + f"\nfull report: {paths['markdown']}", pytrace=False)
