"""The one figure parser: what a reader sees as a figure, its kind of measure, and nothing more."""
from __future__ import annotations

import pytest

from rag.figures import find_figures, numbers_in, years_in


@pytest.mark.parametrize("text, expected", [
    ("Output reached RMB52.6 billion, up 7.4% on 2024, over 2,310 km².",
     [("RMB52.6 billion", "money"), ("7.4%", "share"), ("2024", "year"), ("over 2,310 km²", "area")]),
    ("roughly two in five (41%) of members", [("roughly two in five", "share"), ("41%", "share")]),
    ("from 3 March 2024 to June 2025", [("3 March 2024", "date"), ("June 2025", "date")]),
    ("8,000-tonne barges and 1.9 million TEU", [("8,000-tonne", "quantity"), ("1.9 million TEU", "quantity")]),
    ("a 96.3 km channel, 12 nautical miles offshore", [("96.3 km", "length"), ("12 nautical miles", "length")]),
    ("four percentage points, or 4 percentage points", [("4 percentage points", "points")]),
    ("ranked third among the ports", [("third", "rank")]),
    ("an allowance of RMB12,000 a year", [("RMB12,000", "money")]),
])
def test_figures_as_printed_with_their_kind(text, expected):
    assert [(f.text, f.kind) for f in find_figures(text)] == expected


def test_values_are_comparable():
    a, b = find_figures("RMB1.2 billion against RMB950 million")
    assert a.value > b.value
    assert find_figures("1,901 km²")[0].number == "1901"


def test_a_year_span_names_every_year_in_it():
    assert years_in("Change in revenue (2021-2023)") == {"2021", "2022", "2023"}
    assert numbers_in("RMB40.28 billion, 1,901 km²") == ["40.28", "1901"]


@pytest.mark.parametrize("text, base", [
    # the year a figure is compared with is not the figure's year
    ("Of the members, 43% reported higher sales, three points more than in 2024.", {"2024"}),
    ("Occupancy fell to 61% in 2025, down from 66% in 2023.", {"2023"}),
    ("Exports rose 5% in 2024 compared with 2023.", {"2023"}),
    # a span, and a year also named outside the comparison, are no base
    ("Output grew from 2020 to 2024.", set()),
    ("In 2024 hiring slowed, and 2024 saw fewer hires than 2023.", {"2023"}),
    ("Compared with 2023, spending in 2023 was flat.", set()),
])
def test_a_year_named_only_as_the_base_of_a_comparison(text, base):
    from rag.figures import base_years

    assert base_years(text) == base


def test_a_sentence_comparing_with_last_year_is_of_its_paragraphs_year():
    from rag.answer.candidates import candidates_of
    from rag.ingest.models import Chunk
    from rag.retrieve import chunk_document

    text = ("Hiring picked up in 2025. Of the members, 38% added staff, six points more than in 2024. "
            "In 2023 the share had been 29%.")
    chunk = Chunk(id="c1", text=text, source="f.txt", page=3, page_label="3", section="Staffing", footnotes=(),
                  start=0, end=len(text), kind="paragraph")
    first, second, third = candidates_of([chunk_document(chunk, score=1.0, dense=0.5, lexical=1.0)])
    assert "2025" in second.years() and "2024" not in second.own_years()  # 2024 is the base: the 38% is of 2025
    assert third.years() == {"2023"}  # a sentence with its own year keeps it


def test_a_figure_before_a_comparative_is_a_difference_not_a_level():
    shorter, = find_figures("a route more than 560 km shorter than the present one")
    level, = find_figures("a waterway more than 560 km long")
    assert shorter.kind == level.kind == "length"
    assert shorter.relative and not level.relative
    assert [f.relative for f in find_figures("RMB2 billion more than in 2024, and 5% below the peak")] == [
        True, False, True]


def test_square_metres_are_an_area_not_millions():
    assert [(f.text, f.kind) for f in find_figures("about 220,000 m² of floor space")] == [("about 220,000 m²", "area")]


def test_a_figure_right_after_a_chinese_character_is_found():
    assert [(f.text, f.kind) for f in find_figures("遇到障碍的企业占78%，2029年为75%。")] == [
        ("78%", "share"), ("2029年", "year"), ("75%", "share")]


def test_a_unit_is_known_by_every_spelling_in_both_languages():
    from rag.figures import unit_name, units_named

    assert unit_name("kilometres") == unit_name("km") == unit_name("公里") == "km"
    assert unit_name("metres") != unit_name("km")
    assert units_named("How many kilometres long is the canal?") == {"km"}
    # the longer spelling is the unit named: square kilometres, not kilometres
    assert units_named("规划面积是多少平方公里？") == units_named("How many square kilometres is it?") == {"sqkm"}
    assert units_named("What was the output in 2025?") == set()


def test_a_figure_in_another_unit_of_the_asked_kind_is_told_apart():
    from rag.figures import other_unit

    chamber, canal, cost = find_figures("a chamber 300 metres long on a 134.2 km canal that cost RMB72.7 billion")
    asked = frozenset({"km"})
    assert other_unit(chamber, asked) and not other_unit(canal, asked)
    assert not other_unit(cost, asked)  # money is no length: the unit says nothing of it
    assert not other_unit(chamber, frozenset())


def test_a_chinese_figure_keeps_its_multiplier_and_currency():
    invest, = find_figures("2025年冷链设施投资达到36亿元")[1:]
    assert (invest.text, invest.kind, invest.value) == ("36亿元", "money", 3.6e9)
    assert [(f.text, f.kind) for f in find_figures("港口吞吐量达到2,600万标箱，面积12万平方米")] == [
        ("2,600万标箱", "quantity"), ("12万平方米", "area")]
