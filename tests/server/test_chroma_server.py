"""Server mode: a real `chroma run` on 127.0.0.1, ingest and query through it."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from rag.index import ReportIndex, StoreUnavailableError
from tests.conftest import CORPUS_PAGE, free_port

pytestmark = pytest.mark.server


class ChromaServer:
    """A `chroma run` process the test owns; stop() and start() simulate an outage."""

    def __init__(self, path: Path) -> None:
        self.path, self.port, self.proc = path, free_port(), None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        chroma = Path(sys.executable).with_name("chroma")
        self.proc = subprocess.Popen([str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("chroma server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None


@pytest.fixture
def chroma_server(tmp_path):
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    yield server
    server.stop()


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
