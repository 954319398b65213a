"""The index on a real embedded Chroma store: idempotent ingest, replacement, errors, interruption."""
from __future__ import annotations

import shutil

import pytest

from rag.index import IndexMismatchError, ModelNotFoundError, ReportIndex, resolve_model_path
from tests.conftest import CORPUS_PAGE

pytestmark = pytest.mark.store


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(CORPUS_PAGE, folder / "page-156.txt")
    return folder


def test_ingest_is_idempotent(make_settings, corpus):
    index = ReportIndex.open(make_settings())
    first = index.ingest([corpus])
    ids = set(index.chunks)
    assert (first.files, first.pages, first.unchanged, first.removed) == (1, 1, 0, 0) and first.added == len(ids) > 5
    again = ReportIndex.open(make_settings()).ingest([corpus])
    assert (again.added, again.unchanged, again.removed) == (0, len(ids), 0)
    reopened = ReportIndex.open(make_settings())
    assert set(reopened.chunks) == ids
    assert reopened.store()._collection.count() == len(ids)


def test_changed_file_replaces_its_chunks(make_settings, corpus):
    index = ReportIndex.open(make_settings())
    index.ingest([corpus])
    page = corpus / "page-156.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("20 hectares", "35 hectares"), encoding="utf-8")
    report = index.ingest([corpus])
    assert report.added == 1 and report.removed == 1
    texts = " ".join(c.text for c in index.chunks.values())
    assert "35 hectares" in texts and "20 hectares" not in texts
    assert index.store()._collection.count() == len(index.chunks)
    [(hit, _)] = index.lexical_search("eco-city hectares span", 1)
    assert "35 hectares" in hit.text


def test_search_finds_the_area_sentence(make_settings, corpus):
    index = ReportIndex.open(make_settings())
    index.ingest([corpus])
    for hits in (index.dense_search("What is the planned area of Gui'an New Area?", 3),
                 index.lexical_search("guian planned area square kilometres", 3)):
        assert "1,901 km²" in hits[0][0].text


def test_corrupt_file_is_skipped_and_the_rest_ingested(make_settings, corpus):
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    report = ReportIndex.open(make_settings()).ingest([corpus])
    assert report.files == 1 and report.skipped and report.skipped[0][0].endswith("broken.pdf")


def test_model_mismatch_says_reingest(make_settings, corpus, tmp_path):
    ReportIndex.open(make_settings()).ingest([corpus])
    model_copy = tmp_path / "other-model"
    shutil.copytree(resolve_model_path("all-MiniLM-L6-v2"), model_copy)
    other = ReportIndex.open(make_settings(embedding_model=str(model_copy)))
    with pytest.raises(IndexMismatchError, match="rag ingest --rebuild"):
        other.check_compatible()


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelNotFoundError, match="not on disk"):
        resolve_model_path(str(tmp_path / "no-such-model"))


def test_interrupted_ingest_keeps_the_previous_index(make_settings, corpus, monkeypatch):
    index = ReportIndex.open(make_settings())
    index.ingest([corpus])
    before = set(index.chunks)
    page = corpus / "page-156.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("26 large-scale", "27 large-scale"), encoding="utf-8")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(index, "_delete", crash)
    original_write = index._write_manifest
    monkeypatch.setattr(index, "_write_manifest", crash)
    with pytest.raises(KeyboardInterrupt):
        index.ingest([corpus])
    survivor = ReportIndex.open(make_settings())
    assert set(survivor.chunks) == before
    hits = survivor.dense_search("How many large-scale data centers has Gui'an attracted?", 5)
    assert hits and all(h.id in before for h, _ in hits)
    assert any("26 large-scale" in h.text for h, _ in hits)
    monkeypatch.setattr(index, "_write_manifest", original_write)
    monkeypatch.undo()
    report = ReportIndex.open(make_settings()).ingest([corpus])
    assert report.added == 1 and report.removed == 1


def test_changed_chunk_setting_reads_files_again(make_settings, corpus):
    ReportIndex.open(make_settings()).ingest([corpus])
    smaller = ReportIndex.open(make_settings(chunk_max_chars=200))
    report = smaller.ingest([corpus])
    assert report.added > 0 and report.removed > 0
    assert max(len(c.text) for c in smaller.chunks.values() if c.kind != "footnote") < 450
    assert ReportIndex.open(make_settings(chunk_max_chars=200)).ingest([corpus]).added == 0
