"""Question analysis: the kind of answer asked for, operators, years (also relative ones), names."""
from __future__ import annotations

import pytest

from rag.answer.question import analyse, analyse_turn, language


@pytest.mark.parametrize("question, kind", [
    ("What share of members expect higher costs next year?", "share"),
    ("How many of the surveyed firms cut staff?", "share"),
    ("How much did Lianhe spend on research in 2023?", "money"),
    ("How big is the Qiaotou logistics park?", "area"),
    ("How long is the new tunnel?", "length"),
    ("How long does customs clearance take now?", "duration"),
    ("When did the bonded zone open?", "date"),
    ("In what year was the port upgraded?", "year"),
    ("Which cities did companies choose for new plants?", "place"),
    ("What page does the tax chapter start on?", "page"),
    ("What do members want from regulators?", "list"),
    ("Why do firms stay?", "describe"),
])
def test_kind(question, kind):
    assert analyse(question, report_year=2026).kind == kind


def test_a_cue_inside_a_name_is_not_what_is_asked():
    assert analyse("What is the population of the Baiyun New Area?", report_year=2026).kind != "area"


def test_operators_pick_an_item_only_when_one_is_asked_for():
    qa = analyse("Which district had the highest office vacancy in 2025?", report_year=2026)
    assert (qa.operator, qa.selects) == ("max", True)
    assert analyse("How many firms spend less than RMB5 million?", report_year=2026).operator is None
    assert analyse("By how much did exports fall in 2024?", report_year=2026).operator == "delta"


def test_relative_years_resolve_against_the_report_year():
    assert analyse("What was turnover last year?", report_year=2026).years == {"2025"}
    assert analyse("What was turnover in 2023?", report_year=2026).years == {"2023"}


def test_names_typed_in_lower_case_are_names_the_report_uses():
    qa = analyse("lianhe gdp 2025", report_year=2026, names={"lianhe"})
    assert "lianhe" in qa.names and qa.kind == "money"


def test_a_follow_up_takes_kind_and_years_from_its_rewritten_query():
    qa = analyse_turn("and the rest of it?", "and the rest of it? (How big is the Qiaotou park; 2025)",
                      report_year=2026)
    assert qa.kind == "area" and qa.years == {"2025"}
    assert "qiaotou" in qa.borrowed


def test_language():
    assert language("广东2025年的GDP是多少？") == "zh"
    assert language("What was GDP in 2025?") == "en"


def test_a_unit_request_asks_for_a_unit_not_about_it():
    qa = analyse("What is the planned area of the Baiyun zone in hectares?", report_year=2026)
    assert qa.kind == "area" and "hectar" not in " ".join(qa.terms)


def test_the_focus_is_the_thing_asked_about():
    assert analyse("How many berths does the Nanshan port have?", report_year=2026).focus == "berth"


def test_a_unit_named_says_what_is_measured():
    qa = analyse("How many kilometres long is the Heshan Ship Canal?", report_year=2026)
    assert qa.kind == "length" and qa.units == {"km"}
    assert "long" in qa.cue and qa.focus is None  # "long" says the kind, as "how long" does; the unit is no focus
    qa = analyse("How many berths does the port have?", report_year=2026)
    assert qa.kind == "count" and not qa.units


def test_a_chinese_cue_is_the_kind_not_a_word_to_find():
    qa = analyse("平陆运河全长多少公里？", report_year=2026)
    assert qa.kind == "length" and qa.units == {"km"}
    assert "long" in qa.cue  # 全长 carries "long length" from the glossary; "long" only says a length is asked


def test_what_a_count_question_counts_is_the_head_of_its_phrase():
    from rag.answer.question import counted_head

    assert counted_head("How many server racks are slated for Gui'an's big data centres?") == "rack"
    assert counted_head("How many passengers has the China-Laos Railway carried?") == "passenger"
    assert counted_head("What share of firms grew?") is None


def test_an_abbreviation_carries_its_spelt_out_words_as_an_alternative():
    qa = analyse("How much did the province spend on R&D in the FTZ?", report_year=2026)
    assert (("r", "d"), ("research", "development")) in qa.alternatives
    assert (("ftz",), ("free", "trade", "zone")) in qa.alternatives
    # spelt out already (the report never prints it: expand_abbreviations replaced it): nothing to add
    assert analyse("What is the research and development budget?", report_year=2026).alternatives == ()


def test_a_follow_up_asking_a_measure_in_capitals_keeps_the_conversations_subject():
    qa = analyse_turn("what was its GDP last year?", "what was its GDP last year? (Pingtan)", report_year=2026)
    assert "pingtan" in qa.names and "pingtan" in qa.borrowed
    # a follow-up naming a place of its own switches to it
    qa = analyse_turn("and Xiamen's GDP?", "and Xiamen's GDP? (Pingtan)", report_year=2026)
    assert "xiamen" in qa.names and "pingtan" not in qa.names


@pytest.mark.parametrize("question, focus", [
    ("What share of companies saw revenue fall in 2022?", None),  # who answered, then what they did
    ("What percentage of respondents plan to hire?", None),
    ("How many berths does the port have?", "berth"),
    ("What share of exports went to ASEAN?", "export"),
])
def test_the_focus_is_the_thing_asked_about_not_what_the_respondents_did(question, focus):
    assert analyse(question, report_year=2026).focus == focus


def test_a_cue_inside_a_report_name_typed_in_lower_case_is_no_cue():
    # "trade" asks for money; inside "free trade zone", a name the report prints capitalised, it asks nothing
    question = "what are the three areas of the lianhe free trade zone"
    assert analyse(question, report_year=2026).kind == "money"
    qa = analyse(question, report_year=2026, name_phrases=frozenset({"free trade zone", "trade zone"}))
    assert qa.kind == "list" and qa.wants_list


def test_a_word_prefix_may_end_any_word_of_a_cue():
    assert analyse("Which district ranks number one for office rents?", report_year=2026).kind == "rank"


def test_asked_against_a_year_two_figures_are_a_change_only_across_time():
    from langchain_core.documents import Document

    from rag.answer.candidates import candidates_of
    from rag.answer.features import kind_fit

    qa = analyse("Did satisfaction with arbitration go up compared with 2024?", report_year=2026)
    over_time, at_once = candidates_of([Document(page_content=text, metadata={"kind": "paragraph"}) for text in (
        "Of the firms that used arbitration, 61% were satisfied, up from 55% in 2024.",
        "Satisfaction was highest with arbitration, which 61% found helpful, against 40% for the courts.")])
    assert kind_fit(qa, over_time) == 1.0 and kind_fit(qa, at_once) < 1.0
    # asked with no year to compare against, two items at once are a difference too
    assert kind_fit(analyse("What was the difference between arbitration and the courts?", report_year=2026),
                    at_once) == 1.0


def test_a_comparative_after_how_much_asks_the_kind_of_its_positive_form_as_a_change():
    quicker = analyse("How much quicker is customs clearance at the ferry pier now?", report_year=2026)
    assert quicker.kind == "duration" and quicker.operator == "delta"
    assert "quicker" not in quicker.terms  # how the question is put, not a word the answer must hold
    bigger = analyse("How much bigger is the north district than the south one?", report_year=2026)
    assert bigger.kind == "area" and bigger.operator == "delta"
    # "more" is no comparative of a cue: the count stays
    assert analyse("How much more cargo did the port handle?", report_year=2026).kind != "duration"


def test_both_ends_asked_at_once():
    for q in ("Which district grew fastest in 2025, and which slowest?",
              "Which port handled the most and least cargo?"):
        assert analyse(q, report_year=2026).both_ends, q
    for q in ("Which district grew fastest?", "Which port had the highest share of firms with less than 10 staff?"):
        assert not analyse(q, report_year=2026).both_ends, q


def test_a_follow_up_borrows_the_conversations_abbreviations_spelt_out():
    qa = analyse_turn("what was its output last year?", "what was its output last year? (Beihe; Lanport FTZ)",
                      report_year=2026)
    assert any(short == ("ftz",) for short, _ in qa.alternatives)


def test_a_question_word_a_stranded_preposition_governs_asks_for_things():
    # "spend … on": what is spent on, not how much; "grow to" still asks the figure grown to
    spent = analyse("What are members planning to spend their new budgets on?", report_year=2026)
    assert spent.kind == "list" and not spent.accepts
    assert analyse("Which sectors are firms investing in?", report_year=2026).kind == "list"
    assert analyse("How much do members spend on training?", report_year=2026).kind == "money"
    assert analyse("What did exports grow to?", report_year=2026).accepts
    assert analyse("What was revenue in 2025?", report_year=2026).kind == "money"
    # a name at the end is no stranded preposition's object gone missing
    assert analyse("What is the number of banks in Heshan Bonded Zone?", report_year=2026).accepts


def test_a_total_of_several_records_is_read():
    assert analyse("What was the total share of firms with falling orders in 2024?", report_year=2026).sums
    assert analyse("What share fell, taken together?", report_year=2026).sums
    assert not analyse("What share of firms saw orders fall in 2024?", report_year=2026).sums
    # a highest asked over totals compares, it does not add
    assert not analyse("Which port had the highest total cargo?", report_year=2026).sums


def test_a_plural_right_after_the_question_word_asks_for_things_whatever_topic_word_follows():
    # "revenue", "sales", "investment" suggest a sum; a plural the question word qualifies asks for several things
    for q in ("What revenue expectations did members name?", "Which sales channels do firms in Taoxi use?",
              "What investment plans did the surveyed firms report?",
              "List the investment plans mentioned for Taoxi."):  # a request that opens with "List" asks the same
        qa = analyse(q, report_year=2026)
        assert qa.kind == "list" and not qa.accepts and qa.wants_list, q
    # not after an auxiliary (the plural is the subject), nor when a figure or a comparison is asked
    for q in ("What did exports grow to?", "How much revenue did members report?",
              "Which sectors attracted the most investment?"):
        assert analyse(q, report_year=2026).accepts, q
