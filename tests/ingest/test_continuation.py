"""A sentence cut at the foot of one page and finished at the top of the next is one sentence for answering.

Fixtures (our own words): tests/fixtures/pages/page-88.txt ends "…in about 40 minutes, saving each of them" and
page-89.txt, a separate file of the same report (same running title), begins "roughly RMB2,400 in fuel and
waiting time." Each page keeps its text as printed; a chunk of kind "continuation" holds the whole sentence.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.ingest.continuation import KIND, continuation_chunks, find_continuations, labels_in
from rag.ingest.loaders import load_file
from rag.ingest.pipeline import reconstruct_pages

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
SENTENCE = ("Once the new chamber opens, barges of up to 3,000 tonnes will pass the lock in about 40 minutes, "
            "saving each of them roughly RMB2,400 in fuel and waiting time.")


def pages_of(*paths: Path):
    return [p for path in paths for p in reconstruct_pages(load_file(path))]


@pytest.fixture
def folder(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    for name in ("page-88.txt", "page-89.txt"):
        shutil.copy(FIXTURES / name, out / name)
    return out


def test_sentence_across_two_files_is_one_chunk_citing_both_pages(folder):
    pages = pages_of(folder / "page-88.txt", folder / "page-89.txt")
    [chunk] = continuation_chunks(pages)
    assert chunk.text == SENTENCE
    assert chunk.kind == KIND and chunk.page_label == "88–89" and labels_in(chunk.page_label) == ["88", "89"]
    # cited where more of its figures are printed (3,000 tonnes and 40 minutes are on p. 88)
    assert (chunk.page, Path(chunk.source).name) == (88, "page-88.txt")
    first = pages[0]
    assert first.text[chunk.start:chunk.end] == "Once the new chamber opens, barges of up to 3,000 tonnes will " \
                                                "pass the lock in about 40 minutes, saving each of them"
    assert chunk.section == "Luoxi Lock"


def test_each_page_keeps_its_own_text(folder):
    first, second = pages_of(folder / "page-88.txt", folder / "page-89.txt")
    assert first.blocks[-1].text.endswith("in about 40 minutes, saving each of them")
    assert second.blocks[0].text == "roughly RMB2,400 in fuel and waiting time."
    assert "RMB2,400" not in first.text and "3,000 tonnes" not in second.text


def test_pages_of_one_file(tmp_path):
    both = tmp_path / "waterways.txt"
    both.write_text((FIXTURES / "page-88.txt").read_text(encoding="utf-8") + "\f"
                    + (FIXTURES / "page-89.txt").read_text(encoding="utf-8"), encoding="utf-8")
    [chunk] = continuation_chunks(pages_of(both))
    assert chunk.text == SENTENCE and chunk.page_label == "88–89"


def test_the_other_half_wins_the_citation_when_it_holds_the_figures(folder):
    second = folder / "page-89.txt"
    second.write_text(second.read_text(encoding="utf-8").replace(
        "roughly RMB2,400 in fuel and waiting time.", "roughly RMB2,400 and 1.5 tonnes of fuel in 2026."),
        encoding="utf-8")
    [chunk] = continuation_chunks(pages_of(folder / "page-88.txt", second))
    assert chunk.page == 89 and chunk.page_label == "88–89"
    assert chunk.text.endswith("saving each of them roughly RMB2,400 and 1.5 tonnes of fuel in 2026.")


@pytest.mark.parametrize("change", ["other title", "not consecutive", "finished sentence"])
def test_no_continuation_when_pages_do_not_run_on(folder, change):
    first, second = folder / "page-88.txt", folder / "page-89.txt"
    if change == "other title":
        second.write_text(second.read_text(encoding="utf-8").replace("Coastal Logistics Review", "Annual Digest"),
                          encoding="utf-8")
    elif change == "not consecutive":
        second.write_text(second.read_text(encoding="utf-8").replace("Page 89 -", "Page 90 -"), encoding="utf-8")
    else:
        first.write_text(first.read_text(encoding="utf-8").replace("saving each of them", "saving fuel."),
                         encoding="utf-8")
    assert find_continuations(pages_of(first, second)) == []


def test_chunk_ids_are_stable(folder):
    pages = pages_of(folder / "page-88.txt", folder / "page-89.txt")
    assert [c.id for c in continuation_chunks(pages)] == [c.id for c in continuation_chunks(list(reversed(pages)))]


@pytest.mark.store
def test_ingest_adds_it_once_and_reingest_embeds_nothing(make_settings, folder):
    from rag.index import ReportIndex

    index = ReportIndex.open(make_settings())
    index.ingest([folder])
    [chunk] = [c for c in index.chunks.values() if c.kind == KIND]
    assert chunk.text == SENTENCE
    again = ReportIndex.open(make_settings()).ingest([folder])
    assert again.added == 0 and again.removed == 0 and again.unchanged == len(index.chunks)
    # a changed second page replaces the continuation (and only what changed is embedded)
    second = folder / "page-89.txt"
    second.write_text(second.read_text(encoding="utf-8").replace("waiting time.", "waiting time at the lock."),
                      encoding="utf-8")
    on_88 = {c.id for c in index.chunks.values() if c.page == 88 and c.kind != KIND}
    changed = index.ingest([folder])
    # p. 88 is untouched: its chunks stay; p. 89's moved chunks and the continuation are replaced
    assert changed.unchanged == len(on_88) and on_88 <= set(index.chunks)
    assert changed.added == changed.removed >= 2 and chunk.id not in index.chunks
    [chunk] = [c for c in index.chunks.values() if c.kind == KIND]
    assert chunk.text.endswith("in fuel and waiting time at the lock.")
    assert index.store()._collection.count() == len(index.chunks)
    hits = index.lexical_search("how much fuel and waiting time does each barge save at Luoxi Lock", 3)
    assert KIND in [hit.kind for hit, _ in hits]
