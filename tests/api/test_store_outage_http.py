"""A Chroma server that goes down: the API says 503 with a clear message, and recovers when it returns."""
from __future__ import annotations

import json

import pytest

from rag.config import Settings
from rag.index import ReportIndex
from tests.api.live import LiveServer, parse_sse
from tests.conftest import CORPUS_PAGE

pytestmark = pytest.mark.server

QUESTION = {"message": "What is the planned area of Gui'an New Area?"}


def test_chroma_outage_gives_503_and_the_app_recovers(chroma_server, tmp_path):
    chroma = chroma_server
    data_dir = tmp_path / "data"
    ReportIndex.open(Settings(data_dir=data_dir, chroma_url=chroma.url)).ingest([CORPUS_PAGE])
    app = LiveServer(data_dir, chroma_url=chroma.url).start()
    try:
        with app.client() as http:
            assert "1,901 km²" in http.post("/v1/chat", json=QUESTION).json()["answer"]

            chroma.stop()
            down = http.post("/v1/chat", json=QUESTION)
            assert down.status_code == 503, down.text
            detail = down.json()["detail"]
            assert detail.startswith("The report store is unavailable, try again shortly.")
            assert chroma.url in detail and "Traceback" not in down.text
            assert down.headers["retry-after"] == "5"
            ready = http.get("/readyz")
            assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
            assert chroma.url in ready.json()["detail"]
            assert http.post("/v1/chat/stream", json=QUESTION).status_code == 503
            completion = http.post("/v1/chat/completions", json={"messages": [{"role": "user",
                                                                               "content": QUESTION["message"]}]})
            assert completion.status_code == 503 and completion.json()["error"]["code"] == "store_unavailable"
            assert chroma.url in completion.json()["error"]["message"]
            assert http.get("/healthz").status_code == 200, "liveness does not depend on the store"

            chroma.start()
            assert http.get("/readyz").json()["status"] == "ready"
            back = http.post("/v1/chat", json=QUESTION)
            assert back.status_code == 200 and "1,901 km²" in back.json()["answer"]
            with http.stream("POST", "/v1/chat/stream", json=QUESTION) as response:
                events = parse_sse(response.iter_lines())
            assert events[-1][0] == "final" and json.loads(events[-1][1])["citations"][0]["page"] == 156
    finally:
        app.stop()
