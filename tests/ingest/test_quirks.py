"""Export quirks, each repaired by a general mechanism, on a page we wrote (tests/fixtures/pages/page-48.txt).

The page is in the report's export layout (two columns interleaved line by line) and carries: a drop cap on a
line of its own, one split off by a space and one glued to the next line's first word; GBK quotes read as
Latin-1 ("¡¯", "¡°…¡±"); a dash lost as "?" between words; a real question mark; "?" bullets; a footnote
reference alone on a line inside a sentence; a heading of the right column on the same line as the left
column's text, after a list item.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from rag.ingest.clean import join_lines, reattach_drop_caps, repair_lost_dashes, repair_mojibake
from rag.ingest.layout import attach_superscripts, reconstruct_columns
from rag.ingest.loaders import load_file
from rag.ingest.pipeline import default_vocabulary, reconstruct_pages
from rag.text import split_sentences

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"


@pytest.fixture(scope="module")
def page48():
    return reconstruct_pages(load_file(FIXTURES / "page-48.txt"))[0]


def sentences(page) -> list[str]:
    return [b.text[x:y] for b in page.blocks for x, y in split_sentences(b.text)]


def block_with(page, start: str):
    return next(b for b in page.blocks if b.text.startswith(start))


class TestPage:
    def test_drop_cap_on_its_own_line_is_reattached(self, page48):
        assert "Companies in the harbour district moved more cargo than ever in 2025." in sentences(page48)
        assert "\nC\n" not in page48.text and "ompanies" not in page48.text.replace("Companies", "")

    def test_drop_cap_split_off_by_a_space(self, page48):
        assert block_with(page48, "Brand awareness among shippers also grew").kind == "paragraph"
        assert "B rand" not in page48.text

    def test_drop_cap_glued_to_the_next_line(self, page48):
        assert ("Logistics firms in the district expanded their fleets, and the harbour authority confirmed its "
                "role in regional trade and finance.") in sentences(page48)
        assert "Ltheir" not in page48.text

    def test_gbk_read_as_latin1(self, page48):
        assert "the harbour’s “blue corridor” service to Manila is now booked weeks ahead." in page48.text
        assert "¡" not in page48.text

    def test_lost_dashes_and_real_question_marks(self, page48):
        assert ("Throughput rose 8.2% – mostly in refrigerated containers – and the harbour now ranks fourth in "
                "the province.") in sentences(page48)
        assert ("Cold stores around the harbour hold 38,000 tonnes of frozen goods – twice the level of 2021 – "
                "and a further 12,000 tonnes are planned.") in sentences(page48)
        assert "What changed?" in page48.text and "Is the capacity enough? Operators say it is, for now." in \
            page48.text
        items = [b.text for b in page48.blocks if b.kind == "list_item"]
        assert items == ["Berths: 14 deep-water berths, 3 of them new in 2025", "Cranes: 22 ship-to-shore cranes"]

    def test_footnote_reference_leaves_the_sentence_for_the_metadata(self, page48):
        block = block_with(page48, "Logistics firms")
        assert "42" not in block.text and "⁴²" not in block.text
        assert "Provincial Ports Office, 2025 review" in block.footnotes
        assert page48.footnotes["42"] == "Provincial Ports Office, 2025 review"

    def test_right_column_heading_beside_left_text(self, page48):
        headings = [b.text for b in page48.blocks if b.kind == "heading"]
        assert headings == ["Port logistics", "Yangbei Harbour", "Cold-chain capacity", "Warehousing"]
        cold = block_with(page48, "Cold stores")
        assert cold.section == ["Port logistics", "Cold-chain capacity"]
        assert block_with(page48, "Cranes").text == "Cranes: 22 ship-to-shore cranes"  # the heading is not in it

    def test_offsets_point_into_page_text(self, page48):
        for block in page48.blocks:
            assert page48.text[block.start:block.end] == block.text


class TestMechanisms:
    @pytest.mark.parametrize("broken, fixed", [
        ("the port¡¯s berths", "the port’s berths"),
        ("a ¡°dry port¡± inland", "a “dry port” inland"),
        ("the ¡®one-stop¡¯ desk", "the ‘one-stop’ desk"),
        ("¡°Done.¡±", "“Done.”"),
        ("café¡¯s terrace", "café’s terrace"),  # a real accented letter beside the run stays
    ])
    def test_latin1_family(self, broken, fixed):
        assert repair_mojibake(broken) == fixed

    @pytest.mark.parametrize("raw, fixed", [
        ("sales grew ? especially online", "sales grew – especially online"),
        ("rose 3% ? 2 points more", "rose 3% – 2 points more"),
        ("Why did it grow? Because", "Why did it grow? Because"),
        ("Did it grow ? Yes", "Did it grow ? Yes"),  # a capital after it: a question mark the exporter spaced
    ])
    def test_lost_dash(self, raw, fixed):
        assert repair_lost_dashes(raw) == fixed

    def test_dash_across_a_line_break(self):
        assert join_lines(["freight rose ?", "mainly by rail"]) == "freight rose – mainly by rail"

    @pytest.mark.parametrize("lines, fixed", [
        (["T", "oday the depot opens."], ["Today the depot opens."]),
        (["", "ruck drivers waited", "Tless than before."], ["", "Truck drivers waited", "less than before."]),
        (["A mount of soil."], ["A mount of soil."]),  # "A" is a word: nothing to re-attach
        (["more than 40 km", "Zhaoqing."], ["more than 40 km", "Zhaoqing."]),  # a page starting mid-sentence
    ])
    def test_drop_caps(self, lines, fixed):
        vocabulary = default_vocabulary()
        if not vocabulary:
            pytest.skip("the bundled dictionary is not installed")
        assert reattach_drop_caps(lines, vocabulary.__contains__) == fixed

    def test_reference_number_is_no_superscript_but_an_exponent_is(self):
        lines = ["  the pier is 40 km long and its role in", " " * 41 + "7",
                 "  the bay covers 12 km of water", " " * 22 + "2", "", "  7  Harbour office"]
        merged = attach_superscripts(lines)
        assert " " * 41 + "7" in merged  # footnote 7 exists: the line stays for the structure step
        assert "  the bay covers 12 km² of water" in merged
        # without a footnote 7 on the page the same line is a superscript, as before
        assert attach_superscripts(lines[:2])[0] == "  the pier is 40 km long and its role in⁷"


def interleave(left: list[str], right: list[str], rcol: int = 62) -> list[str]:
    """Two columns as the exporter prints them: the right one at ``rcol``, pushed right after a long left line."""
    rows = []
    for l, r in zip(left + [""] * (len(right) - len(left)), right + [""] * (len(left) - len(right))):
        lc = (" " * 11 + l).rstrip() if l else ""
        if r:
            lc = lc.ljust(rcol if len(lc) + 3 <= rcol else len(lc) + 4) + r
        rows.append(lc)
    return rows


class TestColumnEdges:
    LEFT = ["The depot opened in 2024 and handles parcels", "for the whole valley. Most of them are sent",
            "by small shops, and the volume grew by     thirty",
            "percent last year, the operator said in May.", "Deliveries now take two days at most."]
    RIGHT = ["The second depot is planned for 2027 and", "will double the capacity of the network",
             "", "Rail freight also grew, carried by two", "new services to the coast each week.", "",
             "Road     haulage fell slightly, by about", "two percent."]

    def test_a_long_left_line_keeps_its_last_word(self):
        columns = reconstruct_columns(interleave(self.LEFT, self.RIGHT))
        assert "by small shops, and the volume grew by     thirty" in columns.left
        assert " ".join(columns.right).split()[:8] == "The second depot is planned for 2027 and".split()

    def test_a_line_of_the_right_column_alone_stays_whole(self):
        columns = reconstruct_columns(interleave(self.LEFT, self.RIGHT))
        assert "Road     haulage fell slightly, by about" in columns.right
        assert not any("Road" in l for l in columns.left)

    def test_superscripts_under_both_columns(self):
        lines = interleave(["The yard covers 14.5 km  and a further"], ["a second yard of 3.2 km  is planned"])
        line = lines[0]
        sup = [" "] * len(line)
        for unit in (line.index("km ") + 2, line.rindex("km ") + 2):
            sup[unit] = "2"
        merged = attach_superscripts([line, "".join(sup).rstrip()])
        assert len(merged) == 1 and "14.5 km²" in merged[0] and "3.2 km²" in merged[0]


def test_a_sentence_ends_inside_straight_quotes_as_inside_curly_ones():
    text = "The notice said 'Output was RMB9 billion.' What was output in 2025? It said “fine.” Then it stopped."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "The notice said 'Output was RMB9 billion.'", "What was output in 2025?", "It said “fine.”",
        "Then it stopped."]
