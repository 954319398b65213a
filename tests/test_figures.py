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
