"""The evaluation sets follow the schema and their gold is on the page (rag/evaluation/dataset.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.evaluation.dataset import EvalSetError, check_items_against_pages, load_items
from rag.evaluation.matching import (
    match_normalise,
)

ROOT = Path(__file__).resolve().parents[2]


class TestEvalSets:
    @pytest.mark.parametrize("name", ["eval_set.jsonl", "dev_set.jsonl"])
    def test_sets_follow_the_schema(self, name: str) -> None:
        items = load_items(ROOT / "evals" / name)
        for it in items:
            assert list(json.loads(json.dumps(it.to_json()))) == ["id", "category", "question", "history",
                                                                "answerable", "gold_facts", "gold_page",
                                                                "gold_quote", "notes"]
            if it.answerable:
                assert it.gold_facts and it.gold_page and it.gold_quote, it.id

    def test_no_question_in_both_sets(self) -> None:
        norm = lambda p: {match_normalise(i.question) for i in load_items(p)}  # noqa: E731
        assert not norm(ROOT / "evals/eval_set.jsonl") & norm(ROOT / "evals/dev_set.jsonl")

    @pytest.mark.parametrize("name", ["eval_set.jsonl", "dev_set.jsonl"])
    def test_gold_is_on_the_reconstructed_page(self, name: str, page156) -> None:
        assert check_items_against_pages(load_items(ROOT / "evals" / name), {page156.page_label: page156.text}) == []

    def test_bad_lines_name_file_and_line(self, tmp_path: Path) -> None:
        path = tmp_path / "set.jsonl"
        path.write_text('{"id": "a", "category": "figure", "question": "q", "answerable": true}\n{oops\n')
        with pytest.raises(EvalSetError, match=r"set.jsonl:2: not JSON"):
            load_items(path)
        path.write_text('{"id": "a", "category": "unanswerable", "question": "q", "answerable": false, '
                        '"gold_page": 156}\n')
        with pytest.raises(EvalSetError, match="unanswerable item has no gold_facts and no gold_page"):
            load_items(path)
