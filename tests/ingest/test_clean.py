"""Character and word cleaning."""
from __future__ import annotations

import pytest

from rag.ingest.clean import dehyphenate, join_lines, normalise_spacing, repair_mojibake


class TestRepairMojibake:
    @pytest.mark.parametrize("broken, fixed", [
        ("GuiĄŻan", "Gui’an"),                      # GBK A1 AF read as ISO-8859-2
        ("ChinaĄŻs strongest", "China’s strongest"),
        ("the parkâ€™s capacity", "the park’s capacity"),  # UTF-8 read as cp1252
        ("2014â€“2024", "2014–2024"),
        ("x " + "中国，你好".encode("gbk").decode("iso-8859-2") + " y", "x 中国，你好 y"),
    ])
    def test_reverses_the_wrong_decoding(self, broken, fixed):
        assert repair_mojibake(broken) == fixed

    @pytest.mark.parametrize("fine", ["café", "Łódź", "mąż", "naïve", "Gui’an", "– dash", "Zürich"])
    def test_leaves_real_text_alone(self, fine):
        assert repair_mojibake(fine) == fine


class TestJoin:
    @pytest.mark.parametrize("head, tail, joined", [
        ("easy-", "to-use", "easy-to-use"),
        ("infor-", "mation", "information"),
        ("large-", "scale", "large-scale"),
        ("Sino-", "American", "Sino-American"),
    ])
    def test_dehyphenate(self, head, tail, joined):
        assert dehyphenate(head, tail, {"information", "large", "scale", "infor"}) == joined

    def test_join_lines_collapses_justification(self):
        assert join_lines(["administered  area  reached  RMB40.28  billion,", "marking a growth"]) == \
            "administered area reached RMB40.28 billion, marking a growth"

    def test_a_chinese_line_break_inside_a_number_is_no_space(self):
        assert join_lines(["企业表示，2025年通关时间有所缩短，高于20", "24年的49%。"]) == \
            "企业表示，2025年通关时间有所缩短，高于2024年的49%。"
        assert join_lines(["up from 49% in", "2024."]) == "up from 49% in 2024."

    @pytest.mark.parametrize("raw, clean", [("Park , the first", "Park, the first"),
                                            ("76 EFLOPS . Over", "76 EFLOPS. Over"),
                                            ("southern China .", "southern China.")])
    def test_space_before_punctuation(self, raw, clean):
        assert normalise_spacing(raw) == clean
