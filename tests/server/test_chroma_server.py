"""Server mode: a real `chroma run` on 127.0.0.1, ingest and query through it."""
from __future__ import annotations

import shutil

import pytest

from rag.index import ReportIndex, StoreUnavailableError
from tests.conftest import CORPUS_PAGE

pytestmark = pytest.mark.server


def test_ingest_and_query_through_server(chroma_server, make_settings, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS_PAGE, corpus)
    settings = make_settings(chroma_url=chroma_server.url)
    index = ReportIndex.open(settings)
    report = index.ingest([corpus])
    assert report.added > 5 and not (settings.data_dir / "chroma").exists()
    assert index.store()._collection.count() == report.added
    hits = ReportIndex.open(settings).dense_search("GDP of the directly administered area in 2024", 3)
    assert "RMB40.28 billion" in hits[0][0].text
    assert ReportIndex.open(settings).ingest([corpus]).added == 0

    chroma_server.stop()
    down = ReportIndex.open(settings)
    with pytest.raises(StoreUnavailableError, match=f"{chroma_server.url}"):
        down.dense_search("GDP", 3)
    chroma_server.start()
    assert "RMB40.28 billion" in down.dense_search("GDP of the directly administered area in 2024", 3)[0][0].text
