"""`rag ingest` and `rag inspect` as a user runs them."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import CORPUS_PAGE, ROOT

pytestmark = pytest.mark.store


def rag(*args, cwd, data_dir):
    env = {**os.environ, "RAG_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def corpus_of(tmp_path, *pages):
    """A corpus folder in ``tmp_path`` holding the report page and ``pages``, and the data dir beside it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for page in (CORPUS_PAGE, *pages):
        shutil.copy(page, corpus)
    return corpus, tmp_path / "data"


def test_ingest_summary_skip_exit_code_and_inspect(tmp_path):
    corpus, data = corpus_of(tmp_path)
    (corpus / "unreadable.pdf").write_bytes(b"not a pdf at all")
    done = rag("ingest", cwd=tmp_path, data_dir=data)
    assert done.returncode == 2, done.stderr
    assert "unreadable.pdf" in done.stderr and "unreadable PDF" in done.stderr
    assert "files 1 · pages 1 · chunks added" in done.stdout
    (corpus / "unreadable.pdf").unlink()
    again = rag("ingest", cwd=tmp_path, data_dir=data)
    assert again.returncode == 0 and "added 0," in again.stdout
    shown = rag("inspect", "156", cwd=tmp_path, data_dir=data)
    assert shown.returncode == 0
    assert "Gui’an New Area has a planned area of 1,901 km²" in shown.stdout
    assert "section: Special economic zones > Gui’an New Area > Big data industry" in shown.stdout
    assert "source: GAXQ, https://www.gaxq.gov.cn/" in shown.stdout
    missing = rag("inspect", "999", cwd=tmp_path, data_dir=data)
    assert missing.returncode == 1 and "page 999 is not in the index" in missing.stderr


def test_sources_deleted_file_and_remove(tmp_path):
    fixtures = ROOT / "tests" / "fixtures" / "pages"
    corpus, data = corpus_of(tmp_path, fixtures / "page-88.txt", fixtures / "page-48.txt")
    assert rag("ingest", cwd=tmp_path, data_dir=data).returncode == 0
    listed = rag("sources", cwd=tmp_path, data_dir=data)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split(" · ")[0] for line in lines] == ["page-156.txt", "page-48.txt", "page-88.txt"]
    assert "page export · pages 1 (88) · chunks " in lines[2] and str(tmp_path) not in listed.stdout
    (corpus / "page-88.txt").unlink()
    again = rag("ingest", cwd=tmp_path, data_dir=data)
    assert again.returncode == 0 and "sources removed 1 ·" in again.stdout
    assert "removed corpus/page-88.txt: no longer in its folder" in again.stderr
    removed = rag("remove", "page-48.txt", cwd=tmp_path, data_dir=data)
    assert removed.returncode == 0 and "removed corpus/page-48.txt · chunks removed" in removed.stdout
    assert rag("sources", cwd=tmp_path, data_dir=data).stdout.split(" · ")[0] == "page-156.txt"
    unknown = rag("remove", "page-48.txt", cwd=tmp_path, data_dir=data)
    assert unknown.returncode == 1 and "no source named 'page-48.txt'" in unknown.stderr


def test_a_rebuild_keeps_the_uploaded_files(tmp_path):
    from tests.pdfs import ferry_pdf

    _, data = corpus_of(tmp_path)
    (data / "uploads").mkdir(parents=True)
    (data / "uploads" / "ferry.pdf").write_bytes(ferry_pdf())
    rebuilt = rag("ingest", "--rebuild", cwd=tmp_path, data_dir=data)
    assert rebuilt.returncode == 0 and "files 2 · pages 3" in rebuilt.stdout, rebuilt.stdout + rebuilt.stderr
    listed = rag("sources", cwd=tmp_path, data_dir=data).stdout
    assert "ferry.pdf · pdf · pages 2 (1, 2)" in listed and "page-156.txt · page export" in listed
    (data / "uploads" / "ferry.pdf").unlink()
    again = rag("ingest", cwd=tmp_path, data_dir=data)
    assert "sources removed 1" in again.stdout and "ferry.pdf" not in rag("sources", cwd=tmp_path, data_dir=data).stdout
