"""Sources on a real embedded Chroma store: the list, files gone from a folder, `remove` of one source."""
from __future__ import annotations

import shutil

import pytest

from rag.chain import ReportAssistant
from rag.index import ReportIndex
from tests.conftest import CORPUS_PAGE, ROOT

pytestmark = pytest.mark.store

CARGO = "How many tonnes of cargo did the Tanshui River move in 2025?"


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    (folder / "logistics").mkdir(parents=True)
    shutil.copy(CORPUS_PAGE, folder / "page-156.txt")
    shutil.copy(ROOT / "tests" / "fixtures" / "pages" / "page-88.txt", folder / "logistics" / "page-88.txt")
    return folder


def test_sources_list_every_file_with_pages_labels_and_chunks(make_settings, corpus):
    settings = make_settings(corpus_dir=corpus)
    index = ReportIndex.open(settings)
    index.ingest([corpus])
    listed = {s["path"]: s for s in index.source_list()}
    assert set(listed) == {"page-156.txt", "logistics/page-88.txt"}
    page88 = listed["logistics/page-88.txt"]
    assert (page88["kind"], page88["pages"], page88["page_labels"]) == ("page export", 1, ["88"])
    assert page88["chunks"] == sum(1 for c in index.chunks.values() if c.source == page88["source"]) > 0
    assert page88["ingested"] > 0


def test_a_file_deleted_from_the_folder_is_removed_and_no_longer_answers(make_settings, corpus):
    settings = make_settings(corpus_dir=corpus)
    index = ReportIndex.open(settings)
    index.ingest([corpus])
    before = ReportAssistant.from_settings(settings).ask(CARGO)
    assert not before.abstained and "61 million" in before.answer
    assert before.citations[0].page == 88
    gone = {c.id for c in index.chunks.values() if c.source.endswith("page-88.txt")}

    (corpus / "logistics" / "page-88.txt").unlink()
    report = index.ingest([corpus])
    assert report.removed == len(gone) > 0 and [s.rsplit("/", 1)[-1] for s in report.removed_sources] == ["page-88.txt"]
    assert not gone & set(index.chunks)
    assert not gone & set(index.store()._collection.get(include=[])["ids"])  # Chroma agrees with the manifest
    assert [s["path"] for s in index.source_list()] == ["page-156.txt"]

    after = ReportAssistant.from_settings(settings).ask(CARGO)
    assert after.abstained and "61 million" not in after.answer
    assert all(c.page != 88 for c in after.citations)


def test_ingesting_one_file_keeps_the_other_sources(make_settings, corpus):
    index = ReportIndex.open(make_settings(corpus_dir=corpus))
    index.ingest([corpus])
    report = index.ingest([corpus / "page-156.txt"])
    assert report.removed == 0 and len(index.source_list()) == 2


def test_remove_one_source_everywhere(make_settings, corpus):
    index = ReportIndex.open(make_settings(corpus_dir=corpus))
    index.ingest([corpus])
    source = index.find_source("page-88.txt")
    assert source is not None and index.find_source("no-such.txt") is None
    ids = {c.id for c in index.chunks.values() if c.source == source}
    report = index.remove(source)
    assert report.removed == len(ids)
    assert source not in index.sources and not any(p.source == source for p in index.pages.values())
    assert not ids & set(index.store()._collection.get(include=[])["ids"])
    assert all(c.source != source for c, _ in index.lexical_search("Tanshui River barges tonnes cargo", 5))
    reopened = ReportIndex.open(make_settings(corpus_dir=corpus))
    assert source not in reopened.sources and len(reopened.chunks) == len(index.chunks)
    with pytest.raises(KeyError):
        index.remove(source)


def test_a_crash_while_removing_leaves_manifest_and_store_agreeing(make_settings, corpus, monkeypatch):
    index = ReportIndex.open(make_settings(corpus_dir=corpus))
    index.ingest([corpus])
    source = index.find_source("page-88.txt")
    before = set(index.chunks)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(ReportIndex, "_write_manifest", crash)
    with pytest.raises(RuntimeError):
        index.remove(source)
    monkeypatch.undo()
    reopened = ReportIndex.open(make_settings(corpus_dir=corpus))
    assert set(reopened.chunks) == before and source in reopened.sources
    assert set(reopened.store()._collection.get(include=[])["ids"]) == before

    monkeypatch.setattr(ReportIndex, "_delete", crash)  # committed, then the vector delete fails
    with pytest.raises(RuntimeError):
        reopened.remove(source)
    monkeypatch.undo()
    after = ReportIndex.open(make_settings(corpus_dir=corpus))
    assert source not in after.sources
    assert all(c.source != source for c, _ in after.lexical_search("Tanshui River barges tonnes cargo", 5))
    after.ingest([corpus / "page-156.txt"])  # the next write deletes the vectors no manifest names
    assert set(after.store()._collection.get(include=[])["ids"]) == set(after.chunks)


def test_sources_are_never_absolute_and_one_file_stays_one_source_from_any_directory(make_settings, corpus,
                                                                                     tmp_path, monkeypatch):
    """A corpus outside the working directory is named by folder and file, not by the server's path; ingesting it
    again from inside the folder renames it without keeping the old name; two files that would share a name stay
    two sources."""
    settings = make_settings(corpus_dir=corpus)
    index = ReportIndex.open(settings)
    index.ingest([corpus])
    assert set(index.sources) == {"corpus/page-156.txt", "logistics/page-88.txt"}
    response = ReportAssistant(settings, index).ask(CARGO)
    assert response.citations and not any(c.source.startswith("/") for c in response.citations)

    monkeypatch.chdir(corpus)
    again = index.ingest([corpus])
    assert set(index.sources) == {"page-156.txt", "logistics/page-88.txt"}
    assert again.removed > 0 and not any(c.source == "corpus/page-156.txt" for c in index.chunks.values())

    other = tmp_path / "elsewhere" / "logistics"
    other.mkdir(parents=True)
    shutil.copy(CORPUS_PAGE, other / "page-88.txt")  # another file, the same folder and file name
    monkeypatch.chdir(ROOT)  # outside the temporary folders again
    index.ingest([corpus, other.parent])
    names = [s for s in index.sources if s.startswith("logistics/page-88.txt")]
    assert len(names) == 2 and not any(s.startswith("/") for s in index.sources)
    assert index.ingest([corpus, other.parent]).added == 0  # stable names: nothing re-embedded
