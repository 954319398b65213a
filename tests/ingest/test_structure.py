"""The structure step (rag/ingest/structure.py): headings become the section path of what follows, list items
keep their label, a sentence cut by the column break is one paragraph, and a heading's footnote follows it."""
from __future__ import annotations

from rag.ingest.layout import Columns
from rag.ingest.structure import SectionState, build_page

# A two-column page of our own: two headings in a row, a paragraph, a list, a footnoted heading, and a
# sentence that the column break cuts in two.
LEFT = [
    "Harbour District",
    "",
    "Overview",
    "",
    "The district covers 12 km² of reclaimed land beside the river mouth.",
    "",
    "Transport",
    "",
    "• Port logistics: container handling and cold storage.",
    "• Two freight lines run to the inland depots.",
    "",
    "Green Port Plan 3",
    "",
    "The new ferry line links the district",
    "",
    "3  See https://example.org/green-port-plan",
]
RIGHT = [
    "with the old town every twenty minutes.",
    "",
    "Shore power is planned for every berth by 2030.",
]


def page(state: SectionState | None = None):
    return build_page(Columns(left=LEFT, right=RIGHT, gutter=40), source="harbour.txt", page=7, page_label="7",
                      state=state)


def by_text(p, start: str):
    [block] = [b for b in p.blocks if b.text.startswith(start)]
    return block


def test_headings_in_a_row_nest_and_a_later_heading_replaces_the_last_one():
    p = page()
    assert [b.text for b in p.blocks if b.kind == "heading"] == ["Harbour District", "Overview", "Transport",
                                                                 "Green Port Plan"]
    assert by_text(p, "The district covers").section == ["Harbour District", "Overview"]
    assert by_text(p, "Two freight lines").section == ["Harbour District", "Transport"]  # no label: no own section
    assert by_text(p, "Shore power").section == ["Harbour District", "Green Port Plan"]


def test_list_items_are_items_and_a_label_before_a_colon_is_their_own_section():
    p = page()
    item = by_text(p, "Port logistics")
    assert item.kind == "list_item"
    assert item.section == ["Harbour District", "Transport", "Port logistics"]
    assert "• Port logistics: container handling" in p.text


def test_a_sentence_cut_by_the_column_break_is_one_paragraph():
    p = page()
    assert by_text(p, "The new ferry line").text == ("The new ferry line links the district with the old town "
                                                      "every twenty minutes.")
    assert not any(b.text.startswith("with the old town") for b in p.blocks)


def test_a_headings_footnote_goes_with_the_blocks_under_it_and_ends_the_page_text():
    p = page()
    note = "See https://example.org/green-port-plan"
    assert p.footnotes == {"3": note}
    assert by_text(p, "Shore power").footnotes == [note]
    assert by_text(p, "The district covers").footnotes == []
    assert p.text.endswith(f"[3] {note}")


def test_block_offsets_point_at_their_text_in_the_page():
    p = page()
    assert p.blocks and all(p.text[b.start:b.end] == b.text for b in p.blocks)


def test_the_section_path_carries_over_to_the_next_page_of_a_source():
    state = SectionState()
    page(state)
    following = build_page(Columns(left=["Berths are leased for ten years at a time."], right=[], gutter=None),
                           source="harbour.txt", page=8, page_label="8", state=state)
    assert following.blocks[0].section == ["Harbour District", "Green Port Plan"]
