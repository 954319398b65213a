"""A question is read in the report's words: abbreviations the report spells out, misspellings of its words."""
from __future__ import annotations

from rag.store.lexical import LexicalIndex
from rag.text import expand_abbreviations, tokenize


def test_an_abbreviation_the_report_spells_out_is_read_as_its_words():
    report = {"intellectual", "property", "infringement"}
    assert expand_abbreviations("Is IP infringement getting worse?", report) == (
        "Is intellectual property infringement getting worse?")


def test_an_abbreviation_the_report_prints_is_left_as_typed():
    assert expand_abbreviations("How much FDI came in?", {"fdi", "foreign"}) == "How much FDI came in?"
    assert expand_abbreviations("What is R&D spending?", {"r", "d"}) == "What is R&D spending?"


def test_an_abbreviation_the_report_prints_in_neither_form_is_left_as_typed():
    # "US firms" against a report that says "American companies": "United States" would find nothing either
    assert expand_abbreviations("What share of US firms hire?", {"american", "companies"}) == \
        "What share of US firms hire?"


def test_only_the_abbreviation_as_typed_is_expanded():
    # lower case is a word, and a longer capital word is another one
    assert expand_abbreviations("ai and IPO", set()) == "ai and IPO"


def test_a_real_word_the_report_lacks_is_no_misspelling_of_one_it_has():
    index = LexicalIndex([tokenize("Officials told the press the port has three berths.")])
    assert index.correct(tokenize("tolls")[0]) is None  # "toll" is English: not "told"
    assert index.correct("berht") == "berth"


def test_auxiliaries_weigh_nothing_in_a_question():
    assert tokenize("What share of firms had higher sales?") == tokenize("What share of firms higher sales?")
    assert "may" in tokenize("in May 2024") and "us" in tokenize("moving to the US")


def test_a_chinese_question_is_read_in_english_by_its_terms_and_the_names_the_report_prints():
    from rag.text import english_form

    form = english_form("榕口受访者中主要招聘应届毕业生的比例是多少？", {"rongkou"})
    assert form is not None and "rongkou" in form.split() and "percent" in form.split()
    assert english_form("What share of firms in Rongkou hire graduates?", {"rongkou"}) is None


def test_the_measure_an_acronym_names_before_of_decides_what_is_asked():
    from rag.answer.question import analyse

    qa = analyse("What was the GDP of Heshan New Area's directly administered area in 2025?", report_year=2026)
    assert qa.kind == "money"
    assert analyse("What is the population of Heshan New Area?", report_year=2026).kind != "area"


def test_the_lexical_index_reads_another_form_of_a_word_it_holds():
    from rag.store.lexical import LexicalIndex
    from rag.text import tokenize

    index = LexicalIndex([tokenize("Revenue increased slightly at most firms."), tokenize("Profitable firms grew.")])
    assert index.correct(tokenize("slight")[0]) == tokenize("slightly")[0]  # "slight revenue growth"
    assert index.search(tokenize("slight"), 2)[0][0] == 0
    assert index.correct("tolls") is None  # a word of no family the report prints is still unknown
