"""What a user sees when things go wrong: killed ingests, racing ingests, queries during ingest, corrupt files."""
from __future__ import annotations

import json
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.api.live import LiveServer
from tests.faults.conftest import run_rag, start_ingest_driver, write_synthetic

pytestmark = pytest.mark.server


def open_index(data_dir: Path):
    from rag.config import Settings
    from rag.index import ReportIndex

    return ReportIndex.open(Settings(data_dir=data_dir))


def grow(corpus: Path, extra_pages: int) -> Path:
    """Add ``extra_pages`` new pages to the test's corpus, so the next ingest has real work to do."""
    write_synthetic(corpus, extra_pages, start_page=100)
    return corpus


def wait_for_line(proc, prefix: str, timeout: float = 120) -> str:
    """The first stdout line starting with ``prefix`` (readline blocks, so the deadline is a backstop
    checked between lines; the pytest timeout covers a silent hang)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            proc.wait(timeout=30)
            raise AssertionError(f"ingest ended (rc {proc.returncode}) before '{prefix}': {proc.stderr.read()[-2000:]}")
        if line.startswith(prefix):
            return line
    raise AssertionError(f"no '{prefix}' line in {timeout}s")


def ask_json(data_dir: Path, question: str) -> dict:
    done = run_rag(data_dir, "ask", question, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("phase", ["reading", "embedding"])
def test_sigkill_midway_keeps_the_previous_index_and_the_next_run_completes(phase, data_dir, corpus, base_corpus):
    facts = base_corpus[1]
    before = open_index(data_dir)
    committed, pages_before = set(before.chunks), len(before.pages)
    grow(corpus, extra_pages=8)

    # "reading": killed before anything is written; "embedding": after the first batch of new vectors
    # is in Chroma but before the manifest names them.
    proc = start_ingest_driver(data_dir, corpus, pause_at=phase, embedding_batch_size=2)
    wait_for_line(proc, "paused")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    survivor = open_index(data_dir)
    assert set(survivor.chunks) == committed and len(survivor.pages) == pages_before
    if phase == "embedding":  # the killed run did leave uncommitted vectors behind ...
        assert survivor.store()._collection.count() > len(committed)
    fact = facts[0]
    hits = survivor.dense_search(fact.question, 10)
    assert hits and all(chunk.id in committed for chunk, _ in hits)  # ... which searches never return
    answer = ask_json(data_dir, fact.question)
    assert fact.answer in answer["answer"] and answer["citations"][0]["page"] == fact.page

    done = run_rag(data_dir, "ingest", str(corpus))
    assert done.returncode == 0, done.stderr
    after = open_index(data_dir)
    assert len(after.pages) == pages_before + 8 and committed < set(after.chunks)
    assert after.store()._collection.count() == len(after.chunks)  # nothing left over from the killed run
    assert not list(data_dir.glob("index.tmp.*"))


def test_second_concurrent_ingest_is_refused_with_a_clear_message(data_dir, corpus):
    grow(corpus, extra_pages=8)
    first = start_ingest_driver(data_dir, corpus, pause_at="reading", embedding_batch_size=2)
    try:
        wait_for_line(first, "paused")  # the first ingest holds the lock here
        second = run_rag(data_dir, "ingest", str(corpus))
        assert second.returncode != 0
        message = " ".join(second.stderr.split())
        assert "Traceback" not in second.stderr, second.stderr[-3000:]
        assert "Another `rag ingest`" in message and f"pid {first.pid}" in message and str(data_dir) in message
        out, err = first.communicate("\n", timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, err
    index = open_index(data_dir)
    assert len(index.pages) == 4 + 8 and index.store()._collection.count() == len(index.chunks)
    open_index(data_dir).ingest([corpus])  # the lock is free again (in-process: no second model load)


def _figure_fact(corpus: Path, facts: list):
    """A fact whose answer is printed once, contiguously, in its page export (so it can be edited)."""
    texts = {p: p.read_text(encoding="utf-8") for p in corpus.glob("*.txt")}
    for fact in facts:
        page = corpus / f"synth-{fact.page:04d}.txt"
        if (re.fullmatch(r"[\d,.]+", fact.answer) and len(fact.answer) >= 3
                and sum(t.count(fact.answer) for t in texts.values()) == 1 and fact.answer in texts[page]):
            return fact, page
    pytest.skip("no editable figure in the synthetic corpus")


def test_query_during_reingest_sees_the_old_or_the_new_index(data_dir, corpus, base_corpus):
    fact, page = _figure_fact(corpus, base_corpus[1])
    old = fact.answer
    new = "".join(str((int(c) + 1) % 10) if c.isdigit() else c for c in old)
    page.write_text(page.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    grow(corpus, extra_pages=8)  # enough work that queries overlap the ingest
    changed = corpus

    server = LiveServer(data_dir, rate_limit_per_minute=0).start()  # the asker is one busy client
    seen: list[str] = []
    problems: list[str] = []
    stop = threading.Event()

    def ask_repeatedly() -> None:
        with server.client() as client:
            while not stop.is_set():
                response = client.post("/v1/chat", json={"message": fact.question})
                if response.status_code != 200:
                    problems.append(f"{response.status_code}: {response.text}")
                    continue
                body = response.json()
                figures = [f for f in (old, new) if f in body["answer"]]
                quote = body["citations"][0]["quote"] if body["citations"] else ""
                if len(figures) != 1 or figures[0] not in quote:
                    problems.append(f"mixed or missing figure: {body}")
                    continue
                seen.append("old" if figures[0] == old else "new")

    try:
        asker = threading.Thread(target=ask_repeatedly)
        asker.start()
        deadline = time.time() + 60
        while time.time() < deadline and not seen and not problems:  # the old index answers first
            time.sleep(0.05)
        done = run_rag(data_dir, "ingest", str(changed))
        assert done.returncode == 0, done.stderr
        deadline = time.time() + 60
        while time.time() < deadline and (not seen or seen[-1] != "new"):
            time.sleep(0.5)
        stop.set()
        asker.join(timeout=120)
    finally:
        stop.set()
        server.stop()
    assert not problems, problems[:3]
    assert seen and seen[0] == "old" and seen[-1] == "new", seen
    first_new = seen.index("new")
    assert "old" not in seen[first_new:], "the server went back to the old index"


def test_corrupt_index_file_names_the_file_and_the_fix(data_dir):
    manifest = data_dir / "index.json"
    manifest.write_text('{"version": 1, "chunks": [', encoding="utf-8")
    done = run_rag(data_dir, "ask", "How big is the area?")
    message = " ".join(done.stderr.split())
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert str(manifest) in message and "corrupt" in message and "rag ingest" in message


def test_index_file_corrupted_under_a_running_server_is_a_clear_500(data_dir, base_corpus):
    server = LiveServer(data_dir).start()
    try:
        (data_dir / "index.json").write_bytes(b"\x00\xff garbage")
        with server.client() as client:
            response = client.post("/v1/chat", json={"message": base_corpus[1][0].question})
    finally:
        server.stop()
    assert response.status_code == 500
    detail = response.json()["detail"]
    assert "RAG_DATA_DIR/index.json" in detail and "rag ingest" in detail
    assert str(data_dir) not in detail, "the server's absolute paths stay in its log"


def test_corrupt_conversation_database_names_the_file_and_the_fix(data_dir, base_corpus):
    database = data_dir / "conversations.sqlite3"
    database.write_bytes(b"this is not an sqlite database" * 100)
    done = run_rag(data_dir, "ask", base_corpus[1][0].question)
    message = " ".join(done.stderr.split())
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert str(database) in message and "delete it" in message


def test_server_with_a_corrupt_conversation_database_says_which_file(data_dir):
    database = data_dir / "conversations.sqlite3"
    database.write_bytes(b"this is not an sqlite database" * 100)
    server = LiveServer(data_dir)
    with pytest.raises(RuntimeError) as failed:
        server.start(timeout=180)
    assert str(database) in str(failed.value) and "delete it" in str(failed.value)
