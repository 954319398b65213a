"""General reading mechanisms, each on a page written for it (tests/fixtures/pages/page-64-zone.txt): a list a
sentence announces, a year named only as a comparison's base, a difference that is no level, what a count counts,
and a follow-up that borrows the conversation's year without making it a condition; on page-65-pay.txt, the unit a
question names ("how many kilometres") picks the figure; on page-67-abbrev.txt, an abbreviation the report prints
("FTZ") also finds the sentences that spell it out ("Free Trade Zone"); on page-68-lists.txt, a lead-in whose
subject is the sentence before it, a name typed in lower case that holds a cue ("special trade zone"), and a figure
of two points of a scale together ("satisfied or very satisfied"); a why-question that presumes the opposite
comparison ("bigger raises than"); on page-69-choices.txt, a choice between two items of a list."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.answer.conftest import assistant_over

pytestmark = pytest.mark.store

PAGE = Path(__file__).parents[1] / "fixtures" / "pages" / "page-64-zone.txt"


@pytest.fixture(scope="module")
def zone(tmp_path_factory):
    return assistant_over(tmp_path_factory.mktemp("zone-data"), PAGE)


def _ask(assistant, *questions: str):
    session = uuid.uuid4().hex
    for question in questions:
        response = assistant.ask(question, session_id=session)
    return response


def test_a_list_announced_without_a_colon_is_answered_by_its_items(zone):
    r = _ask(zone, "Which areas make up Heshan Bonded Zone?")
    assert not r.abstained
    assert all(area in r.answer for area in ("Port Area", "Airport Area", "Rail Freight Area")), r.answer
    assert "Chinese" not in r.answer, r.answer  # short English items are no Chinese-only passage
    assert r.citations[0].page == 64


def test_a_share_compared_with_last_year_is_the_passages_year(zone):
    r = _ask(zone, "What share of firms in the zone reported higher exports in 2025?")
    assert r.answer.startswith("41%"), r.answer


def test_a_difference_is_not_taken_for_a_length(zone):
    r = _ask(zone, "How long is the rail line from the quay to the inland terminal?")
    assert r.answer.startswith("812 km"), r.answer


def test_a_count_of_other_things_does_not_answer_how_many(zone):
    r = _ask(zone, "How many hotels does Heshan Bonded Zone have?")
    assert r.abstained, r.answer


def test_a_follow_up_keeps_its_own_measure_not_the_years_of_the_turn_before(zone):
    r = _ask(zone, "What was the output of Heshan Bonded Zone in 2025?", "And its area?")
    assert not r.abstained and r.answer.startswith("58.4 km²"), r.answer


def test_a_figure_question_is_not_answered_by_a_passage_without_such_a_figure(zone):
    # the page speaks of the rail spur and its route, but gives no cost
    r = _ask(zone, "How much did the new rail spur to Lanzhou cost?")
    assert r.abstained, r.answer


def test_a_place_the_report_never_names_is_said_to_be_unmentioned(zone):
    r = _ask(zone, "What was the output of Ulaanbaatar in 2025?")
    assert r.abstained and "never mention Ulaanbaatar" in r.answer, r.answer


def test_a_name_of_the_same_stem_as_a_printed_word_is_known():
    from rag.answer.extractive import _shares_stem

    assert _shares_stem("asian", {"asia", "trade"}) and not _shares_stem("mars", {"mark", "market"})


PAY = Path(__file__).parents[1] / "fixtures" / "pages" / "page-65-pay.txt"


@pytest.fixture(scope="module")
def canal(tmp_path_factory):
    return assistant_over(tmp_path_factory.mktemp("canal-data"), PAY)


@pytest.mark.parametrize("question", ["How many kilometres long is the Heshan Ship Canal?", "和山运河全长多少公里？"])
def test_the_unit_a_question_names_picks_the_figure(canal, question):
    # the page also has a lock chamber "280 metres long" and a rise of "22 metres"
    r = _ask(canal, question)
    assert not r.abstained and r.answer.startswith("48.5 km"), r.answer
    assert r.citations[0].page == 65


def test_a_smaller_unit_asked_for_finds_the_smaller_thing(canal):
    r = _ask(canal, "How many metres long is the largest lock of the Heshan Ship Canal?")
    assert r.answer.startswith("280 metres"), r.answer


def test_a_count_of_a_thing_the_report_never_prints_is_refused(zone):
    # the page counts logistics firms and customs brokers; "passengers" is no word of it
    r = _ask(zone, "How many passengers does Heshan Bonded Zone handle each year?")
    assert r.abstained, r.answer


ABBREV = Path(__file__).parents[1] / "fixtures" / "pages" / "page-67-abbrev.txt"


@pytest.fixture(scope="module")
def abbreviated(tmp_path_factory):
    return assistant_over(tmp_path_factory.mktemp("abbrev-data"), ABBREV)


@pytest.mark.parametrize("question, expected", [
    # the page prints "R&D" and "FTZ" once each, and the sentences that answer spell them out
    ("How much did Lanmei spend on R&D in 2024?", "about RMB86 billion"),
    ("How large is the Lanmei FTZ?", "96.3 km²"),
])
def test_an_abbreviation_the_report_prints_also_finds_its_spelt_out_words(abbreviated, question, expected):
    r = _ask(abbreviated, question)
    assert not r.abstained and r.answer.startswith(expected), r.answer
    assert r.citations[0].page == 67


def test_an_abbreviation_as_typed_still_finds_the_passage_that_prints_it(abbreviated):
    r = _ask(abbreviated, "What share of firms run R&D centres in Lanmei?")
    assert not r.abstained and r.answer.startswith("31%"), r.answer


def test_a_question_word_asking_for_a_role_asks_no_figure_whatever_topic_words_follow(abbreviated):
    # "trade" suggests money; "what role" asks for a description: the sentence that says the role answers
    r = _ask(abbreviated, "What role does the Lanmei FTZ play in trade with Southeast Asia?")
    assert not r.abstained and "gateway" in r.answer and not r.answer.startswith("RMB41"), r.answer


def test_a_row_of_another_named_thing_does_not_answer_for_the_one_asked():
    from types import SimpleNamespace

    from langchain_core.documents import Document

    from rag.answer.candidates import candidates_of
    from rag.answer.extractive import other_record
    from rag.answer.question import analyse

    row = Document(page_content="Table 4 (Output of the delta provinces, 2025 (RMB bn)) — Nanpu: Output 812; "
                                "Real growth (%) 6.2", metadata={"kind": "table_row", "section": "Provinces"})
    best = candidates_of([row])[0]
    lexical = SimpleNamespace(postings={"donghai", "nanpu", "hexi", "output"})
    names = {"Nanpu", "Hexi", "Donghai"}

    def is_name(text):
        return text in names

    asked = analyse("What was Donghai's output in 2025?", report_year=2026)
    assert other_record(asked, best, is_name, lexical) == ("Nanpu", "Donghai")
    assert other_record(analyse("What was Nanpu's output in 2025?", report_year=2026), best, is_name, lexical) is None
    # a name the report never prints is the unknown-name refusal's business, not this one's
    unknown = analyse("What was Atlantis's output in 2025?", report_year=2026)
    assert other_record(unknown, best, is_name, lexical) is None


LISTS = Path(__file__).parents[1] / "fixtures" / "pages" / "page-68-lists.txt"


@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    return assistant_over(tmp_path_factory.mktemp("lists-data"), LISTS)


def test_a_lead_in_whose_subject_is_the_sentence_before_is_answered_by_its_items(listed):
    # "Among those affected, the most common problems were:" speaks of the payment disputes the sentence before
    # it names; the sentences about disputes themselves are no list
    r = _ask(listed, "What kinds of payment disputes did firms run into?")
    assert not r.abstained
    assert all(item in r.answer for item in ("Late settlement", "Refusal to accept", "Unilateral price cuts")), r.answer
    assert r.citations[0].page == 68


def test_a_cue_inside_a_name_typed_in_lower_case_says_nothing_about_what_is_asked(listed):
    # "trade" suggests money, but here it is part of the zone's name, which the report prints capitalised
    r = _ask(listed, "what are the three areas of the qiaolin special trade zone")
    assert not r.abstained
    assert all(area in r.answer for area in ("Dock Area", "Hillside", "Rail Area")), r.answer
    assert not r.answer.startswith("RMB58"), r.answer


def test_a_figure_of_two_points_of_a_scale_does_not_answer_for_the_stronger_alone(listed):
    # "61% were satisfied or very satisfied": how many were *very* satisfied the page does not say
    r = _ask(listed, "What share of firms were very satisfied with arbitration?")
    assert r.abstained and "together" in r.answer and "61%" not in r.answer, r.answer
    assert r.citations and r.citations[0].page == 68  # the passage that gives the pair, to check
    r = _ask(listed, "What share of firms were satisfied with arbitration?")
    assert not r.abstained and r.answer.startswith("61%"), r.answer


def test_a_why_question_that_presumes_the_opposite_comparison_is_not_answered_as_asked(listed):
    # the page gives engineers 5.2% and clerical staff 2.9%: "bigger … than" presumes the reverse
    r = _ask(listed, "Why did clerical staff get bigger pay rises than engineers in 2025?")
    assert r.abstained and "assumes" in r.answer, r.answer
    assert r.citations and r.citations[0].page == 68
    r = _ask(listed, "What increase did clerical staff receive in 2025?")  # the passage answers what it does say
    assert not r.abstained and r.answer.startswith("2.9%"), r.answer


@pytest.fixture(scope="module")
def charts(tmp_path_factory):
    from tools.synth.report import generate

    corpus = generate(4, seed=3, kinds=["chart"])  # a seed no weight was fitted on
    folder = tmp_path_factory.mktemp("charts")
    for page in corpus.pages:
        (folder / f"page-{page.number}.txt").write_text(page.text, encoding="utf-8")
    overall = [q for q in corpus.questions if q.notes.startswith("No category named")]
    assert overall, "the generator writes an overall question for every grouped chart"
    return assistant_over(tmp_path_factory.mktemp("charts-data"), folder), overall


def test_a_question_naming_no_series_of_a_chart_is_answered_by_the_overall_figure(charts):
    # "What is the average price increase for 2026?" names no category: the prose figure for all of them answers,
    # not the first bar, and its year's figure heads the answer ("5.5% for 2026 …, against 5.0% for 2027")
    assistant, overall = charts
    for q in overall:
        r = _ask(assistant, q.question)
        assert not r.abstained and r.answer.startswith(q.gold_facts[0][0]), (q.question, r.answer)
        assert r.citations[0].page == q.gold_page


CHOICES = Path(__file__).parents[1] / "fixtures" / "pages" / "page-69-choices.txt"


@pytest.fixture(scope="module")
def choices(tmp_path_factory):
    return assistant_over(tmp_path_factory.mktemp("choices-data"), CHOICES)


def test_a_choice_between_two_records_compares_those_two(choices):
    # the lead-in's list stands in for the sentence, and of its items only the two asked are compared ("US" names
    # "United States"); the largest destination of all is not what was asked
    r = _ask(choices, "are more firms moving production to mexico or to the US?")
    assert not r.abstained and r.answer.startswith("Mexico (9%"), r.answer
    assert "Inland provinces" not in r.answer and "United States 6%" in r.answer, r.answer
    r = _ask(choices, "Which destination did most firms that moved choose?")
    assert r.answer.startswith("Inland provinces (44%"), r.answer


OUTLOOK = Path(__file__).parents[1] / "fixtures" / "pages" / "page-70-outlook.txt"


@pytest.fixture(scope="module")
def outlook(tmp_path_factory):
    return assistant_over(tmp_path_factory.mktemp("outlook-data"), OUTLOOK)


def test_a_total_of_several_rows_quotes_each_row_that_makes_it(outlook):
    # "fell" picks the rows that say so ("Fell by up to 10%" — no total row for holding "up" — and "Fell by more
    # than 10%"), each with its 2024 figure; the answer prints no sum the report does not print
    r = _ask(outlook, "What was the combined share of firms whose export orders fell in 2024?")
    assert not r.abstained, r.answer
    assert "Fell by up to 10% 20%" in r.answer and "Fell by more than 10% 9%" in r.answer, r.answer
    assert "29%" not in r.answer and "Rose" not in r.answer, r.answer
    assert r.citations[0].page == 70


def test_a_share_owns_its_clause_not_the_clause_of_the_share_before(outlook):
    # "41% expect no change and 21% expect a drop": "change" is 41%'s word, not a change column for 21%
    r = _ask(outlook, "What share of firms expect orders to grow in 2026?")
    assert r.answer.startswith("38%"), r.answer


PAY_GROUPS = Path(__file__).parents[1] / "fixtures" / "pages" / "page-72-pay-groups.txt"


@pytest.fixture(scope="module")
def pay_groups(tmp_path_factory):
    return assistant_over(tmp_path_factory.mktemp("pay-groups-data"), PAY_GROUPS)


def test_a_category_the_table_does_not_have_is_refused_with_the_ones_it_has(pay_groups):
    # the page prints "engineers", but no row of the table is theirs: no figure of another group answers
    r = _ask(pay_groups, "What average pay increase did engineers get in 2025?")
    assert r.abstained, r.answer
    assert "Drivers" in r.answer and "Clerks" in r.answer and "engineers" in r.answer, r.answer
    assert not any(figure in r.answer for figure in ("4.1%", "2.9%", "3.5%")), r.answer
    r = _ask(pay_groups, "What average pay increase did clerks get in 2025?")  # a group the table has
    assert not r.abstained and r.answer.startswith("2.9%"), r.answer


TOWN_POLLS = Path(__file__).parents[1] / "fixtures" / "pages" / "page-74-town-polls.txt"


@pytest.fixture(scope="module")
def town_polls(tmp_path_factory):
    return assistant_over(tmp_path_factory.mktemp("town-polls-data"), TOWN_POLLS)


@pytest.mark.parametrize("town, share", [("Lianbei", "57%"), ("Taoxi", "26%")])
def test_a_list_items_figure_is_of_whom_its_lead_in_asked(town_polls, town, share):
    # the two lists have the same items; only their lead-ins say which town answered
    r = _ask(town_polls, f"In {town}, what share of firms will ship through a bonded warehouse?")
    assert not r.abstained and r.answer.startswith(share), r.answer
    assert r.citations[0].page == 74


def test_a_plural_after_the_question_word_asks_for_the_list_whatever_topic_word_follows(town_polls):
    # "sales" suggests a sum of money; "What sales channels … name?" asks for the things the firms named
    r = _ask(town_polls, "What sales channels did member firms in Taoxi name?")
    assert not r.abstained, r.answer
    assert all(item in r.answer for item in ("Open a sales office abroad", "Ship through a bonded warehouse",
                                             "Sell on cross-border platforms")), r.answer
    assert "41%" in r.answer and "57%" not in r.answer, r.answer


WHARF = Path(__file__).parents[1] / "fixtures" / "pages" / "page-75-wharf.txt"


@pytest.fixture(scope="module")
def wharf(tmp_path_factory):
    return assistant_over(tmp_path_factory.mktemp("wharf-data"), WHARF)


def test_a_measure_in_a_unit_is_no_number_of_things(wharf):
    # the page speaks of the berths but counts none: ship size, tonnes and money count no berths
    r = _ask(wharf, "How many berths does Beihe Deep-water Wharf have?")
    assert r.abstained, r.answer
    assert not any(figure in r.answer for figure in ("100,000", "41 million", "RMB38")), r.answer
    # asked in the unit, the same measure answers; a count of things still answers how many
    r = _ask(wharf, "How many tonnes of cargo did Beihe Deep-water Wharf handle in 2025?")
    assert not r.abstained and r.answer.startswith("41 million tonnes"), r.answer
    r = _ask(wharf, "How many dock workers does the Beihe wharf employ?")
    assert not r.abstained and r.answer.startswith("2,300"), r.answer
