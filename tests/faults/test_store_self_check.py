"""The vector store's database deleted or truncated under a running server: /readyz says 503 and why,
`rag ingest` (no --rebuild) embeds the lost vectors again, and the server answers again by itself."""
from __future__ import annotations

import time

import pytest

from tests.api.live import LiveServer
from tests.faults.conftest import run_rag

pytestmark = pytest.mark.server


def wait_ready(client, want: int, timeout: float = 60) -> dict:
    deadline = time.time() + timeout
    while True:
        response = client.get("/readyz")
        if response.status_code == want or time.time() > deadline:
            assert response.status_code == want, response.text
            return response.json()
        time.sleep(0.5)


@pytest.mark.parametrize("damage", ["delete", "truncate"])
def test_lost_store_file_is_reported_then_repaired_by_ingest(damage, data_dir, corpus, base_corpus, tmp_path):
    fact = base_corpus[1][0]
    store_file = data_dir / "chroma" / "chroma.sqlite3"
    server = LiveServer(data_dir, rate_limit_per_minute=0).start()
    try:
        with server.client() as client:
            assert wait_ready(client, 200)["status"] == "ready"
            if damage == "delete":
                store_file.unlink()
            else:
                with open(store_file, "r+b") as fh:
                    fh.truncate(0)
            degraded = wait_ready(client, 503)
            assert degraded["status"] == "unavailable" and "rag ingest" in degraded["detail"]
            assert "vector store" in degraded["detail"] and str(data_dir) not in degraded["detail"]

            done = run_rag(data_dir, "ingest", str(corpus))
            assert done.returncode == 0, done.stderr[-3000:]

            assert wait_ready(client, 200)["status"] == "ready"
            answer = client.post("/v1/chat", json={"message": fact.question})
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert fact.answer in body["answer"] and body["citations"][0]["page"] == fact.page
    finally:
        server.stop()
    assert "Traceback" not in server.log()
