"""A corpus folder with symbolic links: one leading outside the folder is refused with a message (and the
exit code says something was skipped); links to a file inside the folder ingest that file once."""
from __future__ import annotations

from tests.faults.conftest import run_rag, write_synthetic


def test_links_out_of_the_corpus_folder_are_refused_and_duplicates_read_once(corpus, tmp_path):
    outside = tmp_path / "private"
    write_synthetic(outside, 1, start_page=500)
    [secret] = sorted(outside.glob("*.txt"))
    (corpus / "leak.txt").symlink_to(secret)
    [first, *_] = sorted(corpus.glob("synth-*.txt"))
    (corpus / "again.txt").symlink_to(first)  # inside the folder: the same file, once

    data_dir = tmp_path / "data"
    done = run_rag(data_dir, "ingest", str(corpus))
    message = " ".join(done.stderr.split())
    assert done.returncode == 2, done.stderr[-2000:]
    assert "leak.txt" in message and "symbolic link leading outside the corpus folder" in message
    files = len(list(corpus.glob("synth-*.txt")))
    assert f"files {files} " in done.stdout, done.stdout

    from rag.config import Settings
    from rag.index import ReportIndex

    index = ReportIndex.open(Settings(data_dir=data_dir))
    assert not any("private" in s or s.endswith("leak.txt") for s in index.sources), list(index.sources)
    assert len(index.sources) == files
