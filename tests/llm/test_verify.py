"""The verifier on hand-written answers (pure, fast): altered digits, wrong units, wrong scale,
invented citations, uncited sentences, and the readable text that is left."""
from __future__ import annotations

from decimal import Decimal

import pytest

from rag.verify import (
    VERDICTS,
    Issue,
    Verdict,
    citations_in,
    figures,
    parse_answer,
    strip_citations,
    verify_answer,
)

# Sentences of page 156 as the ingest reconstructs them.
EVIDENCE = [
    "Gui’an New Area is the eighth national new area established in 2014.",
    "Located between Guiyang and Anshun and as a core area in the Central Guizhou Economic Zone, Gui’an New Area "
    "has a planned area of 1,901 km² and a directly administered area of 491 km².",
    "In 2024, the GDP of the directly administered area reached RMB40.28 billion, marking a growth of 21.1%, "
    "ranking among the top national-level new areas.",
    "A planned e-commerce eco-city will span 20 hectares.",
    "So far, Gui’an New Area has been accelerating the development of its big data industry, attracting 26 "
    "large-scale data centers with over 1.4 million planned standard racks and a total computing power exceeding "
    "76 EFLOPS.",
]


def issues(answer: str) -> list[set[Issue]]:
    return [set(c.issues) for c in verify_answer(answer, EVIDENCE).sentences]


class TestCorrectAnswers:
    @pytest.mark.parametrize("answer", [
        "Gui’an New Area has a planned area of 1,901 km² [2].",
        "Gui'an New Area has a planned area of 1901 km2 [2].",
        "The planned area of Gui’an New Area is 1,901 square kilometres [2].",
        "In 2024 the GDP of the directly administered area reached RMB40.28 billion, a growth of 21.1 per cent [3].",
        "Gui’an New Area was established in 2014 [1]. Its planned area is 1,901 km² [2].",
        "The big data industry attracted 26 large-scale data centers with over 1.4 million racks [5].",
        "The e-commerce eco-city will span 20 hectares [4].",
        "The directly administered area reached a GDP of RMB40.28 billion in 2024 [2, 3].",
    ])
    def test_is_verified_as_written(self, answer):
        check = verify_answer(answer, EVIDENCE)
        assert check.verdict == Verdict.VERIFIED, check.explain()
        assert check.text == strip_citations(answer)

    def test_marker_after_the_full_stop_belongs_to_its_sentence(self):
        check = verify_answer("It was established in 2014. [1] The planned area is 1,901 km². [2]", EVIDENCE)
        assert check.verdict == Verdict.VERIFIED, check.explain()
        assert check.text == "It was established in 2014. The planned area is 1,901 km²."
        assert check.cited == [1, 2]

    def test_cited_evidence_comes_in_order_of_first_citation(self):
        check = verify_answer("GDP reached RMB40.28 billion [3]. The area is 1,901 km² [2][3].", EVIDENCE)
        assert check.cited == [3, 2]


class TestAlteredFigures:
    @pytest.mark.parametrize("answer, wrong", [
        ("Gui’an New Area has a planned area of 1,091 km² [2].", "1,091 km2"),       # swapped digits
        ("Gui’an New Area has a planned area of 1,900 km² [2].", "1,900 km2"),       # rounded
        ("The GDP reached RMB40.82 billion [3].", "RMB40.82 billion"),              # altered decimals
        ("The GDP grew by 21.7% [3].", "21.7%"),                                    # 87% -> 85% kind of change
        ("The GDP grew by 21% [3].", "21%"),
        ("Gui’an New Area was established in 2015 [1].", "2015"),                   # wrong year
        ("It attracted 62 large-scale data centers [5].", "62"),
    ])
    def test_altered_digits_are_caught(self, answer, wrong):
        check = verify_answer(answer, EVIDENCE)
        assert check.verdict == Verdict.REPLACED
        assert check.sentences[0].issues == [Issue.UNSUPPORTED_FIGURE]
        assert check.sentences[0].unsupported == [wrong]

    @pytest.mark.parametrize("answer", [
        "Gui’an New Area has a planned area of 1,901 hectares [2].",                # km² -> hectares
        "The e-commerce eco-city will span 20 km² [4].",                            # hectares -> km²
        "The GDP grew by RMB21.1 billion [3].",                                     # percent -> money
        "The GDP reached 40.28% [3].",                                              # money -> percent
        "The GDP reached US$40.28 billion [3].",                                    # RMB -> US$
        "The total computing power exceeds 76 km² [5].",
    ])
    def test_wrong_units_are_caught(self, answer):
        assert issues(answer) == [{Issue.UNSUPPORTED_FIGURE}]

    @pytest.mark.parametrize("answer", [
        "The GDP reached RMB40.28 million [3].",
        "The GDP reached RMB40.28 trillion [3].",
        "The GDP reached RMB40.28 [3].",                                            # scale dropped
        "There are over 1.4 billion planned standard racks [5].",
        "There are over 1.4 planned standard racks [5].",
    ])
    def test_wrong_scale_is_caught(self, answer):
        assert issues(answer) == [{Issue.UNSUPPORTED_FIGURE}]

    def test_a_figure_must_be_in_the_evidence_it_cites_not_elsewhere(self):
        # 1,901 km² is in [2], but the sentence cites [1]: a marker that points at the wrong source.
        assert Issue.UNSUPPORTED_FIGURE in issues("Gui’an New Area has a planned area of 1,901 km² [1].")[0]


class TestCitations:
    @pytest.mark.parametrize("answer", [
        "Gui’an New Area was established in 2014 [6].",
        "Gui’an New Area was established in 2014 [0].",
        "Gui’an New Area was established in 2014 [1][9].",
        "Gui’an New Area was established in 2014 [1, 12].",
    ])
    def test_invented_citations_are_caught(self, answer):
        assert issues(answer) == [{Issue.INVENTED_CITATION}]

    def test_uncited_sentence_is_dropped_and_the_rest_kept(self):
        check = verify_answer("Gui’an New Area was established in 2014 [1]. It is a great place to invest.", EVIDENCE)
        assert check.verdict == Verdict.REPAIRED
        assert [c.issues for c in check.sentences] == [[], [Issue.UNCITED]]
        assert check.text == "Gui’an New Area was established in 2014."

    def test_uncited_figure_cannot_hide_behind_a_cited_sentence(self):
        check = verify_answer("The planned area is 1,901 km² [2]. The GDP reached RMB50 billion.", EVIDENCE)
        assert check.verdict == Verdict.REPAIRED
        assert check.text == "The planned area is 1,901 km²."
        assert "50" not in check.text

    def test_citation_pointing_at_unrelated_evidence_is_caught(self):
        [found] = issues("Shenzhen makes electric cars and batteries [4].")
        assert found == {Issue.UNSUPPORTED_WORDS}

    def test_answer_with_no_citation_at_all_is_replaced(self):
        check = verify_answer("The planned area is 1,901 km².", EVIDENCE)
        assert check.verdict == Verdict.REPLACED and check.text == "" and check.cited == []

    def test_empty_answer_is_replaced(self):
        assert verify_answer("", EVIDENCE).verdict == Verdict.REPLACED


class TestParsing:
    @pytest.mark.parametrize("text, numbers", [
        ("a [1]", [1]), ("a [1, 3]", [1, 3]), ("a [1][3] b [1]", [1, 3]), ("a [2-4]", [2, 3, 4]), ("a", []),
    ])
    def test_citations_in(self, text, numbers):
        assert citations_in(text) == numbers

    def test_sentences_with_decimals_stay_whole(self):
        [sentence] = parse_answer("The GDP reached RMB40.28 billion, up 21.1% [3].")
        assert sentence.text == "The GDP reached RMB40.28 billion, up 21.1%."
        assert sentence.citations == [3]

    def test_figures_read_currency_scale_percent_and_unit(self):
        found = {f.raw: f for f in figures("RMB40.28 billion, 21.1%, 1,901 km², 20 hectares, US$5 bn, 76 EFLOPS")}
        assert found["RMB40.28 billion"].value == Decimal("40.28")
        assert (found["RMB40.28 billion"].currency, found["RMB40.28 billion"].scale) == ("RMB", "billion")
        assert found["21.1%"].percent
        assert (found["1,901 km2"].value, found["1,901 km2"].unit) == (Decimal("1901"), "km²")
        assert found["20 hectares"].unit == "hectares"
        assert (found["US$5 bn"].currency, found["US$5 bn"].scale) == ("USD", "billion")
        assert found["76 EFLOPS"].unit == "EFLOPS"

    def test_identifiers_are_not_figures(self):
        assert figures("5G networks and the G20 summit") == []

    def test_verdict_values_are_the_documented_ones(self):
        assert VERDICTS == ("verified", "repaired", "replaced", "fallback")


def test_page_reference_copied_from_the_evidence_label_is_not_a_figure():
    # Gemma 3 270M's real output for the 2024 GDP question (it copied the evidence label).
    raw = "[1] (page 156) The GDP of the directly administered area in 2024 was RMB40.28 billion, up 21.1%.\n"
    check = verify_answer(raw, EVIDENCE[2:3])
    assert check.verdict == Verdict.VERIFIED, check.explain()
    assert check.text == "The GDP of the directly administered area in 2024 was RMB40.28 billion, up 21.1%."
