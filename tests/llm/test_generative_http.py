"""The generative answerer behind the real app over HTTP: the verification verdict reaches clients in
`/v1/chat`, the SSE `final` event and the OpenAI-compatible response; figures shown are quoted."""
from __future__ import annotations

import json

import pytest

from rag.verify import VERDICTS, figures
from tests.api.live import LiveServer, fresh_data_dir, parse_sse, report_data  # noqa: F401
from tests.llm.conftest import StandInServer

pytestmark = [pytest.mark.server, pytest.mark.llm]

AREA_Q = "What is the planned area of Gui'an New Area?"


def assert_figures_quoted(body: dict) -> None:
    quoted = [f for c in body["citations"] for f in figures(c["quote"])]
    for figure in figures(body["answer"]):
        assert any(figure.supported_by(q) for q in quoted), (figure.raw, body)


def test_a_failing_backend_is_reported_as_fallback_on_every_endpoint(report_data, tmp_path):  # noqa: F811
    with StandInServer("error") as backend:
        live = LiveServer(fresh_data_dir(report_data, tmp_path), answerer="generative",
                          llm_base_url=backend.url, llm_timeout=5).start()
        try:
            with live.client() as http:
                body = http.post("/v1/chat", json={"message": AREA_Q}).json()
                assert body["verification"] == "fallback", body
                assert "1,901 km²" in body["answer"] and "1,901 km²" in body["citations"][0]["quote"]
                response = http.post("/v1/chat/stream", json={"message": AREA_Q})
                final = [json.loads(data) for event, data in parse_sse(response.text.splitlines())
                         if event == "final"][-1]
                assert final["verification"] == "fallback" and final["answer"] == body["answer"]
                completion = http.post("/v1/chat/completions",
                                       json={"messages": [{"role": "user", "content": AREA_Q}]}).json()
                assert completion["verification"] == "fallback"
                assert completion["choices"][0]["message"]["content"].startswith(body["answer"])
        finally:
            live.stop()
        assert backend.requests >= 1


def test_real_model_over_http_carries_its_verdict_and_only_quoted_figures(report_data, tmp_path,  # noqa: F811
                                                                         llama_server):
    live = LiveServer(fresh_data_dir(report_data, tmp_path), answerer="generative", llm_base_url=llama_server,
                      llm_model="gemma-3-270m", llm_max_tokens=64, llm_timeout=300).start()
    try:
        with live.client(timeout=400) as http:
            response = http.post("/v1/chat", json={"message": "What was the GDP of the directly administered "
                                                              "area in 2024?"})
            assert response.status_code == 200, response.text
            body = response.json()
    finally:
        live.stop()
    assert body["verification"] in VERDICTS and body["verification"] != "fallback", body
    assert body["citations"] and not body["abstained"]
    assert_figures_quoted(body)
