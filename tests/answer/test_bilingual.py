"""The two languages of one page (tests/fixtures/pages/page-66-bilingual.txt, our own words): English in the left
column, the same passages in Chinese in the right one. The Chinese column prints one share differently (19% where
the English says 18%) and has a sentence of its own."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.answer.conftest import assistant_over

PAGE = Path(__file__).parents[1] / "fixtures" / "pages" / "page-66-bilingual.txt"


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory):
    return assistant_over(tmp_path_factory.mktemp("bilingual-data"), PAGE)


def _ask(assistant, question: str):
    return assistant.ask(question, session_id=uuid.uuid4().hex)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_figures_compare_by_value_across_the_two_languages():
    from rag.answer.bilingual import values

    assert (58.0, "share") in values("58%的受访企业认为")
    billions = {v for v, _ in values("直管区地区生产总值达到402.8亿元")}
    assert any(abs(v - 40.28e9) < 1 for v in billions)  # the English page prints "RMB40.28 billion"
    assert values("In 2025 and 2024") == ()  # years say nothing of which passage is which


@pytest.mark.store
def test_a_chinese_question_is_answered_from_the_chinese_column_with_the_english_beside_it(bilingual):
    r = _ask(bilingual, "有多少比例的会员企业表示2025年通关时间缩短了？")
    assert r.answer.startswith("62%") and _has_chinese(r.answer), r.answer
    assert "英文原文" not in r.answer  # the page has the Chinese text: no line saying it has only English
    quotes = [c.quote for c in r.citations]
    assert _has_chinese(quotes[0]) and any(q.startswith("Freight") or "62% of member firms" in q for q in quotes[1:])
    assert {c.page for c in r.citations} == {66}


@pytest.mark.store
def test_a_figure_is_checked_against_the_other_column_and_both_quotes_are_cited(bilingual):
    r = _ask(bilingual, "How much was invested in cold-chain facilities in 2025?")
    assert r.answer.startswith("RMB3.6 billion"), r.answer
    assert "gives" not in r.answer  # 36亿元 is the same figure: nothing to flag
    assert any("36亿元" in c.quote for c in r.citations[1:]), r.citations


@pytest.mark.store
def test_a_figure_the_other_column_prints_differently_is_said(bilingual):
    r = _ask(bilingual, "What share of exporting firms use the rail link to Central Asia?")
    assert r.answer.startswith("18%"), r.answer
    assert "Chinese text gives 19%" in r.answer, r.answer
    assert any("19%" in c.quote and _has_chinese(c.quote) for c in r.citations), r.citations


@pytest.mark.store
def test_a_share_owns_the_words_after_it(bilingual):
    # "44% ship through Heshan port and 18% use the rail link": what a share did is named after it
    r = _ask(bilingual, "What share of exporting firms ship through Heshan port?")
    assert r.answer.startswith("44%"), r.answer
    assert "gives" not in r.answer  # the Chinese column prints 44% too


@pytest.mark.store
def test_a_chinese_figure_is_answered_as_printed(bilingual):
    r = _ask(bilingual, "2025年冷链设施投资是多少？")
    assert r.answer.startswith("36亿元"), r.answer
    assert any(c.quote.startswith("Investment in cold-chain") for c in r.citations[1:]), r.citations


@pytest.mark.store
def test_an_english_question_is_answered_from_a_sentence_only_the_chinese_column_prints(bilingual):
    r = _ask(bilingual, "How many international container routes did Heshan port open in 2025?")
    assert r.answer.startswith("7 — ") and "Chinese text only" in r.answer, r.answer
    assert r.citations[0].page == 66 and "集装箱" in r.citations[0].quote
