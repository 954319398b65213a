"""One outcome scored against its item (rag/evaluation/scoring.py)."""
from __future__ import annotations

from tests.evaluation.outcomes import GDP_QUOTE, item, scored


class TestScoring:
    def test_correct_answer(self) -> None:
        o = scored(item(), "RMB40.28 billion, up 21.1%.")
        assert (o.correct, o.page_ok, o.quote_ok, o.page_rank, o.chunk_rank) == (True, True, True, 1, 2)

    def test_long_answer_is_not_concise(self) -> None:
        o = scored(item(), "RMB40.28 billion. " + "x" * 400)
        assert not o.correct and "too long" in o.reasons[0]

    def test_abstention_on_answerable_is_wrong(self) -> None:
        o = scored(item(), "The report does not answer this.", abstained=True, pages=())
        assert not o.correct and not o.page_ok

    def test_unanswerable_needs_abstention(self) -> None:
        it = item(answerable=False, gold_facts=[], gold_page=None, gold_quote=None, category="unanswerable")
        assert scored(it, "The report does not answer this.", abstained=True, pages=()).correct
        assert not scored(it, "RMB40.28 billion", quote=GDP_QUOTE).correct

    def test_wrong_page_cited(self) -> None:
        o = scored(item(), "RMB40.28 billion", pages=("157",))
        assert o.correct and not o.page_ok
