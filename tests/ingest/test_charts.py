"""Charts in text page exports, on pages written for these tests (tests/fixtures/pages/)."""
from __future__ import annotations

from rag.ingest.charts import NO_VALUES, parse_chart
from rag.ingest.chunk import chunk_page
from rag.ingest.models import Chart, ReconstructedPage


def chart(page: ReconstructedPage) -> Chart:
    [c] = [b.chart for b in page.blocks if b.kind == "chart" and b.chart is not None]
    return c


def series(c: Chart) -> dict[str, list[tuple[str, str]]]:
    return {s.label: list(s.points) for s in c.series}


class TestStackedChart:
    PAGE = "stacked-chart.txt"

    def test_labels_bottom_up_are_the_legend_in_order(self, page):
        c = chart(page)
        assert c.title == "Figure 9 Expected change in headcount, 2023-2025"
        assert c.categories == ["2023", "2024", "2025"]
        assert series(c) == {
            "Increase": [("2023", "38%"), ("2024", "35%"), ("2025", "41%")],
            "No change": [("2023", "45%"), ("2024", "47%"), ("2025", "44%")],
            "Decrease": [("2023", "17%"), ("2024", "18%"), ("2025", "15%")],
        }
        assert c.values_in_text and c.notes == ["Source: survey of logistics operators, 2023-2025"]

    def test_rendering_one_line_per_series_no_ticks_in_prose(self, page):
        assert ("Figure 9 Expected change in headcount, 2023-2025\n"
                "Increase: 2023 38%, 2024 35%, 2025 41%\n"
                "No change: 2023 45%, 2024 47%, 2025 44%\n"
                "Decrease: 2023 17%, 2024 18%, 2025 15%\n"
                "Source: survey of logistics operators, 2023-2025") in page.text
        assert ("Smaller firms were the most optimistic, while the large port operators mostly plan to keep "
                "headcount flat as automation takes over yard work.") in page.text
        assert "100%" not in page.text and "20% 38%" not in page.text

    def test_series_chunks(self, page):
        chunks = [c for c in chunk_page(page) if c.kind == "chart_series"]
        assert [c.text for c in chunks] == [
            "Figure 9 (Expected change in headcount, 2023-2025) — Increase: 2023 38%, 2024 35%, 2025 41%",
            "Figure 9 (Expected change in headcount, 2023-2025) — No change: 2023 45%, 2024 47%, 2025 44%",
            "Figure 9 (Expected change in headcount, 2023-2025) — Decrease: 2023 17%, 2024 18%, 2025 15%",
        ]
        assert page.text[chunks[0].start : chunks[0].end] == "Increase: 2023 38%, 2024 35%, 2025 41%"


class TestGroupedChart:
    PAGE = "grouped-chart.txt"

    def test_two_labels_per_category_by_x_order(self, page):
        c = chart(page)
        assert c.categories == ["Nansha", "Shekou", "Zhanjiang port", "Beihai"]  # a label over two lines
        assert series(c) == {
            "Imports": [("Nansha", "2.4"), ("Shekou", "1.9"), ("Zhanjiang port", "3.6"), ("Beihai", "4.1")],
            "Exports": [("Nansha", "1.2"), ("Shekou", "0.9"), ("Zhanjiang port", "2.2"), ("Beihai", "2.8")],
        }

    def test_rendering_one_line_per_category(self, page):
        assert ("Figure 10 Average days to clear customs by port, 2025\n"
                "Nansha: Imports 2.4; Exports 1.2\n"
                "Shekou: Imports 1.9; Exports 0.9\n"
                "Zhanjiang port: Imports 3.6; Exports 2.2\n"
                "Beihai: Imports 4.1; Exports 2.8\n"
                "Source: customs district offices, 2026") in page.text
        assert ("Clearing goods through customs has become faster at every port in the survey. Exports now clear "
                "in under three days everywhere, and in less than a day at Shekou.") in page.text


class TestChartWithoutDataLabels:
    PAGE = "chart-no-labels.txt"

    def test_values_not_in_text_is_recorded(self, page):
        c = chart(page)
        assert c.values_in_text is False
        assert [s.label for s in c.series] == ["Online", "Distributors", "Direct sales"]
        assert all(s.points == [] for s in c.series)
        assert c.categories == ["2021", "2022", "2023", "2024", "2025"]

    def test_page_text_and_chunk_say_so(self, page):
        assert f"Figure 11 Share of sales by channel, 2021-2025\n{NO_VALUES}\n" in page.text
        [chunk] = [c for c in chunk_page(page) if c.kind == "chart_series"]
        assert chunk.text.startswith("Figure 11 (Share of sales by channel, 2021-2025) — values not printed in the text")
        assert "Online, Distributors, Direct sales" in chunk.text
        assert "60%" not in page.text  # axis ticks are not content


def test_caption_over_prose_is_not_a_chart():
    assert parse_chart("Figure 3 The new terminal", ["The photograph shows the terminal at night", "from the sea."]) is None


def test_single_series_chart_takes_the_legend_or_title():
    body = [
        "  40%",
        "           31%",
        "  20%                24%",
        "                               12%",
        "   0%",
        "",
        "         Retail     Logistics  Finance",
    ]
    c = parse_chart("Figure 4 Share of firms using robots", body)
    assert c is not None
    assert series(c) == {"Share of firms using robots": [("Retail", "31%"), ("Logistics", "24%"), ("Finance", "12%")]}
