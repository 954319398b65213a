"""Composing the answer from the chosen candidate: the asked figure, a comparison, a change, a list."""
from __future__ import annotations

from types import SimpleNamespace

from rag.answer.candidates import candidates_of
from rag.answer.compose import change, compare, figure_answer, lead_figure, list_answer
from rag.answer.question import analyse
from rag.figures import numbers_in
from rag.ingest.models import Chunk
from rag.retrieve import chunk_document

TITLE = "Table 4 (Office vacancy by district, 2023-2025)"
ROWS = {"Tianhe": ("11%", "12%", "14%"), "Nansha": ("18%", "16%", "15%"), "Huangpu": ("9%", "10%", "9%")}


def _chunk(n: int, text: str, kind: str, section: str) -> Chunk:
    return Chunk(id=f"c{n}", text=text, source="fixture.txt", page=7, page_label="7", section=section,
                 footnotes=(), start=n * 100, end=n * 100 + len(text), kind=kind)


def _table_index():
    chunks = [_chunk(i, f"{TITLE} — {label}: 2023 {a}; 2024 {b}; 2025 {c}", "table_row", "Offices > " + TITLE)
              for i, (label, (a, b, c)) in enumerate(ROWS.items())]
    return SimpleNamespace(chunks={c.id: c for c in chunks}), chunks


def _candidate(chunk: Chunk):
    return candidates_of([chunk_document(chunk, score=1.0, dense=0.5, lexical=1.0)])[0]


def test_the_cell_of_the_asked_year_leads_the_answer():
    _, chunks = _table_index()
    qa = analyse("What was office vacancy in Nansha in 2024?", report_year=2026)
    assert lead_figure(qa, _candidate(chunks[1])).text == "16%"
    assert figure_answer(qa, _candidate(chunks[1]), 400).text.startswith("16% — ")


def test_highest_across_the_rows_is_compared_and_every_figure_quoted():
    index, chunks = _table_index()
    qa = analyse("Which district had the highest vacancy in 2025?", report_year=2026)
    composed = compare(qa, _candidate(chunks[0]), index)
    assert composed is not None and composed.computed
    assert composed.text.startswith("Nansha (15%")
    assert {c.doc.id for c in composed.used} == {"c0", "c1", "c2"}
    assert "compared" in composed.text.lower()


def test_rank_by_a_figure_orders_every_row_and_adds_no_number():
    index, chunks = _table_index()
    qa = analyse("Rank the districts by vacancy in 2024", report_year=2026)
    composed = compare(qa, _candidate(chunks[2]), index)
    assert composed is not None and composed.computed
    assert composed.text.startswith("Highest first: Nansha 16%; Tianhe 12%; Huangpu 10%")
    assert {c.doc.id for c in composed.used} == {"c0", "c1", "c2"}
    assert set(numbers_in(composed.text)) <= {"16", "12", "10"}


def test_what_rank_asks_for_one_place_not_the_order_of_all():
    assert analyse("What rank did Nansha take for vacancy?", report_year=2026).operator is None


def test_which_year_compares_the_points_of_one_row():
    index, chunks = _table_index()
    qa = analyse("In which year was Tianhe's vacancy highest?", report_year=2026)
    composed = compare(qa, _candidate(chunks[0]), index)
    assert composed is not None and composed.text.startswith("2025 (14%)")


def test_a_change_between_two_years_names_both_figures_and_no_new_number():
    _, chunks = _table_index()
    qa = analyse("How did vacancy in Nansha change from 2023 to 2025?", report_year=2026)
    composed = change(qa, _candidate(chunks[1]))
    assert composed is not None and composed.text.startswith("Down: from 18% in 2023 to 15% in 2025")


def test_a_stated_change_is_quoted_not_computed():
    doc = chunk_document(_chunk(9, "Vacancy rose to 14%, two points up, or 2 percentage points more than in 2024.",
                                "paragraph", "Offices"), score=1.0, dense=0.5, lexical=1.0)
    qa = analyse("By how much did vacancy go up?", report_year=2026)
    composed = change(qa, candidates_of([doc])[0])
    assert composed is not None and not composed.computed and composed.text.startswith("2 percentage points")


def test_a_list_question_answered_by_one_item_gets_the_whole_list():
    items = [_chunk(i, f"{label}: {share}", "list_item", f"Barriers > {label}")
             for i, (label, share) in enumerate([("Licensing delays", "44%"), ("Data rules", "31%"),
                                                  ("Public tenders", "25%")])]
    index = SimpleNamespace(chunks={c.id: c for c in items})
    qa = analyse("What barriers do members face?", report_year=2026)
    composed = list_answer(qa, _candidate(items[1]), index)
    assert composed is not None
    assert composed.text == "Licensing delays: 44%; Data rules: 31%; Public tenders: 25%."


def test_records_listed_inline_in_one_sentence_are_compared():
    """'A (figure), B (figure) and C (figure)' in running text: the largest is found and every figure quoted."""
    text = ("The harbour district is split into three zones: Beigang (12.4 km²), the Dongwan Logistics Zone "
            "(31.05 km²) and Xishan (8 km²), each with its own customs office.")
    chunk = _chunk(9, text, "paragraph", "Harbour district")
    index = SimpleNamespace(chunks={chunk.id: chunk})
    qa = analyse("Which of the harbour district's zones is the largest?", report_year=2026)
    composed = compare(qa, _candidate(chunk), index)
    assert composed is not None and composed.computed
    assert composed.text.startswith("the Dongwan Logistics Zone (31.05 km², the highest)")
    assert "Beigang 12.4 km²" in composed.text and "Xishan 8 km²" in composed.text
    smallest = compare(analyse("Which of the harbour district's zones is the smallest?", report_year=2026),
                       _candidate(chunk), index)
    assert smallest is not None and smallest.text.startswith("Xishan (8 km², the lowest)")


def test_a_survey_ranking_in_brackets_is_compared_and_brackets_without_figures_are_skipped():
    text = ("Asked what would help most (up to two answers), members named faster permits first (57%), "
            "followed by clearer tax guidance (41%) and cheaper logistics (29%).")
    chunk = _chunk(10, text, "paragraph", "Survey")
    qa = analyse("What share named the least popular option?", report_year=2026)
    composed = compare(qa, _candidate(chunk), SimpleNamespace(chunks={chunk.id: chunk}))
    if composed is not None:  # only when the question is read as selecting the lowest
        assert "cheaper logistics (29%" in composed.text
    qa = analyse("Which option did the most members name?", report_year=2026)
    composed = compare(qa, _candidate(chunk), SimpleNamespace(chunks={chunk.id: chunk}))
    assert composed is not None
    assert "faster permits first (57%, the highest)" in composed.text
    assert "; clearer tax guidance 41%" in composed.text


def test_asked_for_both_ends_the_comparison_names_the_highest_and_the_lowest():
    from rag.answer.compose import _compared
    from rag.figures import find_figures

    records = [(label, find_figures(text)[0]) for label, text in
               (("Beihe", "4.1%"), ("Nanwan", "5.6%"), ("Shiwei", "2.9%"))]
    text = _compared(records, max, both_ends=True)
    assert text.startswith("Nanwan (5.6%, the highest) and Shiwei (2.9%, the lowest) — compared:")
    assert _compared(records, max).startswith("Nanwan (5.6%, the highest) — compared:")
