"""The WordNet synonym table and word families: how a paraphrase meets the report's own words."""
from __future__ import annotations

import gzip
import json

from rag.answer import question_focus
from rag.text import family
from rag.thesaurus import TABLE, lemmas, synonyms


def test_the_table_ships_with_the_package_and_carries_its_licence():
    assert TABLE.exists() and TABLE.stat().st_size < 2_000_000
    assert "Princeton University" in (TABLE.parent / "WORDNET-LICENSE").read_text()
    with gzip.open(TABLE, "rt", encoding="utf-8") as fh:
        table = json.load(fh)
    assert len(table["lemmas"]) > 30_000 and table["senses"] == 2


def test_inflected_forms_find_their_lemma():
    assert "back" in lemmas("backing")
    assert "sign" in lemmas("signed")
    assert lemmas("geese") == ["goose"]  # an irregular form, from WordNet's exception lists
    assert lemmas("qwertyuiop") == []


def test_synonyms_are_the_frequent_senses_words_not_their_neighbours():
    assert {"support", "endorse"} <= synonyms("back")
    assert "support" in synonyms("backing")
    assert "sanction" in synonyms("approve")
    assert "back" not in synonyms("back")
    # hypernyms are not synonyms: a footprint is an area, but "area" is not another word for it
    assert "area" not in synonyms("footprint")
    assert synonyms("Gui’an") == frozenset()


def test_a_word_family_is_one_word_for_matching():
    assert family("development") == family("develop") == family("developing")
    assert family("approval") == family("approved")
    assert family("industrial") == family("industry")
    assert family("general") != family("generation")
    assert family("2014") == "2014"


def test_the_class_of_an_organisation_is_not_a_word_the_answer_must_hold():
    # "Which body approved…" is answered by "…the approval of the State Council": the answer names a body
    assert question_focus("Which body signed off on the zone, and in what year?")[0] == set()
    assert question_focus("Which authority approved the zone?")[0] == set()
    assert question_focus("Which hospital opened in the zone?")[0] == {"hospital"}
