"""A server started before anything is ingested: it says so at start-up and on every question route,
then answers once `rag ingest` has run (without a restart)."""
from __future__ import annotations

import os
import subprocess
import sys

import openai
import pytest

from tests.api.live import LiveServer
from tests.conftest import CORPUS_PAGE, ROOT

pytestmark = pytest.mark.server

NOTHING = "Nothing is ingested yet; run `rag ingest`"
QUESTION = {"message": "What is the planned area of Gui'an New Area?"}


def test_an_empty_index_is_503_until_ingest_then_answers(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    live = LiveServer(data_dir).start()
    try:
        assert NOTHING in live.log(), "the start-up log says nothing is ingested"
        with live.client() as http:
            for path in ("/v1/chat", "/v1/chat/stream"):
                refused = http.post(path, json=QUESTION)
                assert refused.status_code == 503, refused.text
                detail = refused.json()["detail"]
                assert detail.startswith(NOTHING) and "RAG_DATA_DIR" in detail and str(data_dir) not in detail
            assert http.get("/readyz").status_code == 503

            with openai.OpenAI(base_url=f"{live.url}/v1", api_key="-", max_retries=0) as client:
                for stream in (False, True):
                    with pytest.raises(openai.InternalServerError) as refused:
                        client.chat.completions.create(model="report-assistant", stream=stream,
                                                       messages=[{"role": "user", "content": QUESTION["message"]}])
                    assert refused.value.status_code == 503 and NOTHING in refused.value.message
                    assert refused.value.code == "index_empty" and refused.value.type == "server_error"
                assert [m.id for m in client.models.list().data] == ["report-assistant"], "models need no index"

            env = {**{k: v for k, v in os.environ.items() if not k.startswith("RAG_")}, "RAG_DATA_DIR": str(data_dir)}
            subprocess.run([sys.executable, "-m", "rag.cli", "ingest", str(CORPUS_PAGE)], cwd=ROOT, env=env,
                           check=True, capture_output=True, timeout=600)
            answered = http.post("/v1/chat", json=QUESTION)
            assert answered.status_code == 200 and "1,901 km²" in answered.json()["answer"]

            # A corrupt index under the running server: a 500 naming the file, in OpenAI's envelope there.
            (data_dir / "index.json").write_text("{not json", encoding="utf-8")
            with openai.OpenAI(base_url=f"{live.url}/v1", api_key="-", max_retries=0) as client:
                with pytest.raises(openai.InternalServerError) as broken:
                    client.chat.completions.create(model="report-assistant",
                                                   messages=[{"role": "user", "content": QUESTION["message"]}])
            assert broken.value.status_code == 500 and "index.json is corrupt" in broken.value.message
            assert "Traceback" not in broken.value.response.text
    finally:
        live.stop()

