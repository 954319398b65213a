"""Chunks follow the page's structure and carry what a citation needs."""
from __future__ import annotations

from rag.ingest.chunk import chunk_page


def test_chunks_never_mix_sections_or_items(page156):
    chunks = chunk_page(page156, max_chars=700)
    blocks = [b for b in page156.blocks if b.kind != "heading"]
    for chunk in chunks:
        assert page156.text[chunk.start:chunk.end] == chunk.text
        if chunk.kind == "footnote":
            continue
        owners = [b for b in blocks if b.start <= chunk.start and chunk.end <= b.end]
        assert len(owners) == 1, chunk.text[:60]
        assert page156.text[chunk.start:chunk.end] == chunk.text
    item = next(c for c in chunks if c.text.startswith("Health care industry"))
    assert item.section.endswith("Gui’an New Area > Health care industry")
    assert item.footnotes == ("GAXQ, https://www.gaxq.gov.cn/",)
    assert (item.source, item.page, item.page_label, item.kind) == ("corpus/page-156.txt", 156, "156", "list_item")


def test_chunk_ids_are_stable_and_distinct(page156):
    first = [c.id for c in chunk_page(page156)]
    assert first == [c.id for c in chunk_page(page156)]
    assert len(set(first)) == len(first)


def test_long_blocks_split_at_sentences(page156):
    chunks = [c for c in chunk_page(page156, max_chars=200) if c.kind != "footnote"]
    assert all(c.text.rstrip().endswith((".", ":", "National")) for c in chunks)
    assert max(len(c.text) for c in chunks) < 450


def test_footnotes_are_chunks_of_the_section_that_cites_them(page156):
    notes = [c for c in chunk_page(page156) if c.kind == "footnote"]
    assert [(c.text, c.section) for c in notes] == [
        ("GAXQ, https://www.gaxq.gov.cn/", "Special economic zones > Gui’an New Area"),
        ("http://gxq.english.guiyang.gov.cn/index.html",
         "Special economic zones > Guiyang National High-tech Industrial Development Zones"),
    ]


def test_innermost_section_is_the_last_heading_of_the_path():
    from rag.ingest.chunk import SECTION_SEPARATOR, innermost_section

    assert innermost_section(SECTION_SEPARATOR.join(["Special economic zones", "Gui’an New Area"])) == "Gui’an New Area"
    assert innermost_section("Gui’an New Area") == "Gui’an New Area" and innermost_section("") == ""
