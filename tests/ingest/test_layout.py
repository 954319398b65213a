"""Layout reconstruction on the real page 156 export."""
from __future__ import annotations

import re

import pytest

from rag.ingest.layout import attach_superscripts, reconstruct_columns, split_line, strip_furniture
from rag.text import split_sentences


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


class TestRealPage:
    def test_sentence_across_columns_is_whole(self, page156):
        assert ("An example is the China Telecom Cloud Computing Guizhou Information Park, the first data "
                "center constructed in the new area.") in sentences(page156.text)

    def test_area_sentence_with_superscripts_and_apostrophe(self, page156):
        assert ("Gui’an New Area has a planned area of 1,901 km² and a directly administered area of 491 km².") in \
            page156.text

    @pytest.mark.parametrize("sentence", [
        "Gui’an New Area is the eighth national new area established in 2014.",
        "In 2024, the GDP of the directly administered area reached RMB40.28 billion, marking a growth of 21.1%, "
        "ranking among the top national-level new areas.",
        "The new biopharmaceutical industrial park has a planned area of 9.8 km².",
        "It will also provide subsidies to enterprises to reduce the cost of using computing power, promote the "
        "training and adaptation of big models and attract global users to use Guizhou’s computing power resources.",
        "A planned e-commerce eco-city will span 20 hectares.",
        "Since its inception, the park’s computing capacity has surged by 300%, establishing it as the largest and "
        "most active national-level computing node in southern China.",
    ])
    def test_left_and_right_sentences_are_not_mixed(self, page156, sentence):
        assert sentence in page156.text

    def test_no_mojibake_bullets_or_navigation(self, page156):
        assert "Ą" not in page156.text and "Ż" not in page156.text
        assert not re.search(r"^\?", page156.text, re.M)
        assert "151 152" not in page156.text and "P. 156" not in page156.text
        assert "AmCham South China 2026" not in page156.text

    def test_real_hyphens_kept(self, page156):
        assert "universal and easy-to-use computing power" in page156.text

    def test_headings_and_sections(self, page156):
        headings = [b.text for b in page156.blocks if b.kind == "heading"]
        assert headings[:2] == ["Special economic zones", "Gui’an New Area"]
        assert "Guiyang National High-tech Industrial Development Zones" in headings
        big_data = next(b for b in page156.blocks if b.text.startswith("Big data industry"))
        assert big_data.kind == "list_item"
        assert big_data.section == ["Special economic zones", "Gui’an New Area", "Big data industry"]

    def test_footnotes_are_section_metadata(self, page156):
        assert page156.footnotes == {"123": "GAXQ, https://www.gaxq.gov.cn/",
                                     "124": "http://gxq.english.guiyang.gov.cn/index.html"}
        area = next(b for b in page156.blocks if "planned area of 1,901" in b.text)
        assert area.footnotes == ["GAXQ, https://www.gaxq.gov.cn/"]
        guiyang = next(b for b in page156.blocks if b.text.startswith("Established in 1992"))
        assert guiyang.footnotes == ["http://gxq.english.guiyang.gov.cn/index.html"]
        assert all("gaxq" not in b.text for b in page156.blocks)

    def test_offsets_point_into_page_text(self, page156):
        for block in page156.blocks:
            assert page156.text[block.start:block.end] == block.text


class TestSteps:
    def test_furniture(self, page_text):
        body, furniture = strip_furniture(page_text.split("\n"))
        assert furniture.physical_page == 156 and furniture.header_label == "156"
        assert furniture.footer_labels == ["156", "157"]
        assert furniture.navigation[0] == "151" and furniture.navigation[-1] == "161"
        assert not any("Page 156" in line for line in body)

    @pytest.mark.parametrize("above, sup, expected", [
        ("           area of 1,901 km  and a directly administered", "                            2",
         "area of 1,901 km² and a directly administered"),
        ("  area of 9.8 km . It relies", "                2", "area of 9.8 km². It relies"),
        ("  A 22 km  high-end  equipment", "          2", "A 22 km² high-end  equipment"),
    ])
    def test_superscript_attaches_to_the_unit(self, above, sup, expected):
        merged = attach_superscripts([above, sup])
        assert len(merged) == 1 and merged[0].strip() == expected

    def test_justified_gaps_do_not_split_a_column(self):
        line = "           computing power hub.  An example is the   China    Development Zone is the core area"
        assert split_line(line, gutter=63) == ("computing power hub.  An example is the   China",
                                               "Development Zone is the core area")
        line = "           of  computing  power  clusters.  It  will  also  provide   launch of projects like Robot"
        assert split_line(line, gutter=63)[1] == "launch of projects like Robot"

    def test_single_column_page_stays_whole(self):
        lines = ["This report is a single column of text that runs across the whole page width.",
                 "It has ordinary words and  occasional double spaces, but no gutter at all."]
        assert reconstruct_columns(lines).gutter is None
