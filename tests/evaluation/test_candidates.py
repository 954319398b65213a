"""Candidate items, from Python and from `rag eval --add` (rag/evaluation/candidates.py)."""
from __future__ import annotations

from pathlib import Path

from rag.evaluation.candidates import make_candidate
from rag.evaluation.cli import main
from rag.evaluation.dataset import load_items


class TestCandidates:
    def test_make_candidate(self) -> None:
        c = make_candidate(question="How big is Gui'an?", category="paraphrase", facts=["1,901 km²|1901 km"],
                           page=156, existing_ids={"cand-how-big-is-gui-01"})
        assert c["id"] == "cand-how-big-is-gui-02"
        assert c["gold_facts"] == [["1,901 km²", "1901 km"]] and c["status"] == "candidate"

    def test_cli_add_appends_a_valid_item(self, tmp_path: Path) -> None:
        path = tmp_path / "candidates.jsonl"
        args = ["--add", "--question", "What is Shenzhen's GDP?", "--unanswerable", "--category", "unanswerable",
                "--observed", "RMB40.28 billion", "--candidates", str(path)]
        assert main(args) == 0
        assert main(args) == 0
        items = load_items(path)
        assert [i.id for i in items] == ["cand-what-is-shenzhen-s-01", "cand-what-is-shenzhen-s-02"]
        assert not items[0].answerable and items[0].gold_page is None

    def test_cli_rejects_unknown_category(self, tmp_path: Path) -> None:
        assert main(["--add", "--question", "q?", "--category", "nonsense",
                     "--candidates", str(tmp_path / "c.jsonl")]) == 2
