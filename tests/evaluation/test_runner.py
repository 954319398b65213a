"""`rag eval` end to end on a few items: every system runs, the reports are written, the exit code is right."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.evaluation.cli import main

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.eval


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("reports")
    ids = ["fig-area-planned-01", "fu-size-after-est-01", "unans-growth-2023-01"]
    known = {json.loads(line)["id"] for line in (ROOT / "evals/eval_set.jsonl").read_text().splitlines()}
    ids = [i for i in ids if i in known] or sorted(known)[:3]
    code = main(["--set", str(ROOT / "evals/eval_set.jsonl"), "--corpus", str(ROOT / "corpus"), "--ids", *ids,
                 "--out", str(out), "--name", "small"])
    return code, out


def test_all_systems_run_and_reports_are_written(small_run) -> None:
    code, out = small_run
    assert code == 0
    report = json.loads((out / "small.json").read_text(encoding="utf-8"))
    assert list(report["systems"]) == ["system", "naive", "dense", "lexical"]
    for system in report["systems"].values():
        assert system["metrics"]["overall"]["errors"] == 0
        assert system["metrics"]["overall"]["n"] == len(system["items"])
    naive = report["systems"]["naive"]["items"]
    assert all(not i["abstained"] and i["citation_pages"] for i in naive)  # the tutorial pipeline never abstains
    markdown = (out / "small.md").read_text(encoding="utf-8")
    assert "| answer accuracy |" in markdown and "![metrics by system and category](small.png)" in markdown
    assert (out / "small.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_id_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["--ids", "no-such-item", "--out", str(tmp_path)]) == 2
