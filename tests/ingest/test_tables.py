"""Tables in text page exports, on pages written for these tests (tests/fixtures/pages/)."""
from __future__ import annotations

import pytest

from rag.ingest.chunk import chunk_page
from rag.ingest.models import ReconstructedPage, Table
from rag.ingest.tables import is_value, parse_table, render_table


def tables(page: ReconstructedPage) -> list[Table]:
    return [b.table for b in page.blocks if b.kind == "table" and b.table is not None]


class TestTableBesideProse:
    PAGE = "table-beside-prose.txt"

    def test_table_title_headers_and_rows(self, page):
        [table] = tables(page)
        assert table.title == "Table 7 Warehouse floor area by port city, 2023-2025 ('000 m², end of year)"
        assert table.headers == ["Port city", "2023", "2024", "2025"]
        assert table.rows == [
            ["Zhanjiang", "4,215", "4,630", "5,102"],
            ["Shantou", "3,870", "3,905", "4,410"],
            ["Maoming", "912", "988", "1,046"],
            ["Yangjiang", "640", "702", "731"],
        ]
        assert table.notes == ["Source: port authorities; company filings."]

    def test_prose_beside_it_is_whole_and_in_order(self, page):
        paragraphs = [b.text for b in page.blocks if b.kind == "paragraph"]
        assert paragraphs == [
            "Demand for modern warehouse space along the western coast kept rising in 2025. Operators in "
            "Zhanjiang added more floor area than in any earlier year, as feed, steel and fruit importers moved "
            "stock closer to the quays.",
            "Rents held steady despite the new supply. Most tenants sign contracts of three to five years, and "
            "cold-chain space remains the hardest kind to find in every city covered here.",
            "Developers expect to complete a further 600,000 square metres in the region before the end of "
            "2026, much of it near rail terminals rather than the ports themselves.",
            "Yangjiang's figure excludes the new bonded park, which opened in December 2025.",
        ]
        kinds = [b.kind for b in page.blocks]
        assert kinds.index("table") == len(kinds) - 2  # after the left column, before the right column's prose

    def test_rendering_in_the_page_text(self, page):
        assert ("Table 7 Warehouse floor area by port city, 2023-2025 ('000 m², end of year)\n"
                "Port city | 2023 | 2024 | 2025\n"
                "Zhanjiang | 4,215 | 4,630 | 5,102\n") in page.text
        assert "Yangjiang | 640 | 702 | 731\nSource: port authorities; company filings." in page.text

    def test_one_chunk_per_row_said_with_its_headers(self, page):
        rows = [c for c in chunk_page(page) if c.kind == "table_row"]
        assert [c.text for c in rows][2] == (
            "Table 7 (Warehouse floor area by port city, 2023-2025 ('000 m², end of year)) — "
            "Maoming: 2023 912; 2024 988; 2025 1,046")
        assert len(rows) == 4
        assert rows[0].section.endswith("> Table 7 Warehouse floor area by port city, 2023-2025 ('000 m², end of year)")
        for c in rows:  # offsets point at the row's own line of the page text
            assert page.text[c.start : c.end].startswith(c.text.split(" — ")[1].split(":")[0] + " | ")


class TestSideBySideTables:
    PAGE = "side-by-side-tables.txt"

    def test_two_tables_not_merged_row_by_row(self, page):
        left, right = tables(page)
        assert left.title == "Table 4 Port throughput, 2025"
        assert right.title == "Table 5 Labour and land, 2025"
        assert left.rows[0] == ["Zhanjiang", "1,412.3", "301.6", "14.2"]
        assert right.rows[0] == ["Zhanjiang", "6,840", "3.9", "1,150"]

    def test_three_line_headers_and_superscript(self, page):
        left, right = tables(page)
        assert left.headers == ["", "Container throughput ('000 TEU)", "Bulk cargo (m tonnes)", "Berth length (km)"]
        assert right.headers == ["", "Average monthly wage (RMB)", "Wage growth (%)", "Land price (RMB/m²)"]

    def test_wrapped_row_label(self, page):
        left, right = tables(page)
        assert left.rows[1] == ["Shantou Free Trade Zone", "1,380.6", "45.8", "6.9"]
        assert [r[0] for r in left.rows] == ["Zhanjiang", "Shantou Free Trade Zone", "Maoming", "Yangjiang"]
        assert right.rows == [
            ["Zhanjiang", "6,840", "3.9", "1,150"],
            ["Shantou", "6,420", "4.4", "1,380"],
            ["Maoming", "5,910", "2.8", "820"],
            ["Yangjiang", "5,760", "5.1", "760"],
        ]

    def test_shared_source_goes_under_the_last_table(self, page):
        left, right = tables(page)
        assert left.notes == []
        assert right.notes == ["Source: port group annual reports; municipal statistics bureaus. Land prices are for "
                               "industrial land."]

    def test_reading_order_around_the_full_width_tables(self, page):
        text = page.text
        order = ["The five ports profiled", "Figures for 2025 are provisional", "Table 4 Port throughput",
                 "Table 5 Labour and land", "Zhanjiang remained the busiest port", "Wage growth was fastest"]
        positions = [text.index(s) for s in order]
        assert positions == sorted(positions)
        assert ("Zhanjiang remained the busiest port, with 1,412.3 thousand TEU, while Yangjiang paid the lowest "
                "wages.") in text

    def test_row_chunk_carries_header_names(self, page):
        texts = [c.text for c in chunk_page(page) if c.kind == "table_row"]
        assert ("Table 5 (Labour and land, 2025) — Yangjiang: Average monthly wage (RMB) 5,760; Wage growth (%) 5.1; "
                "Land price (RMB/m²) 760") in texts


class TestTableInLeftColumn:
    PAGE = "table-left-column.txt"

    def test_table_stops_where_the_right_column_begins(self, page):
        [table] = tables(page)
        assert table.title == "Table 2 Ferry routes from Haikou, 2025"
        assert table.headers == ["Route", "Sailings per day", "Passengers (million)"]
        assert table.rows == [["Xuwen", "46", "9.8"], ["Beihai", "4", "0.6"], ["Zhanjiang Xiashan", "6", "1.1"]]

    def test_sentence_from_left_column_runs_on_into_the_right(self, page):
        assert page.text.startswith("Table 2 Ferry routes from Haikou, 2025\n")
        assert ("Passenger numbers on the strait crossing rose again in 2025, and operators added night sailings to "
                "serve freight trucks travelling to the ports of the mainland.") in page.text
        assert "A bridge or tunnel across the strait remains under study; no start date has been set." in page.text


class TestParseTable:
    def test_thousands_separators_and_negative_values_are_cells(self):
        body = [
            "            Sales     Change",
            "Alpha     12,345.6     -3.4",
            "Beta       1,002.0     12.9",
        ]
        table = parse_table("Table 1 Sales", body)
        assert table is not None
        assert table.rows == [["Alpha", "12,345.6", "-3.4"], ["Beta", "1,002.0", "12.9"]]
        assert table.headers == ["", "Sales", "Change"]
        assert render_table(table).split("\n")[2] == "Alpha | 12,345.6 | -3.4"

    def test_text_without_rows_is_not_a_table(self):
        assert parse_table("Table 2 Notes", ["Just a line of words", "and another one"]) is None

    @pytest.mark.parametrize("text,expected", [("14,589.2", True), ("-12.6", True), ("36%", True), ("n/a", True),
                                               ("Guangdong", False), ("2025 (actual)", False)])
    def test_values(self, text, expected):
        assert is_value(text) is expected


def test_page156_has_no_table_or_chart(page156):
    assert not [b for b in page156.blocks if b.kind in ("table", "chart")]


def test_a_table_named_in_running_text_is_not_a_caption():
    from rag.ingest.tables import find_regions

    lines = [
        "           Table 3 shows that rents rose in every port     The survey covered 240 firms in",
        "           city, and Figure 9) compares them with 2024.    eleven cities, 40 more than in",
        "           Rents rose fastest in Zhanjiang, by 9%.         2024.",
    ]
    assert find_regions(lines) == []
