"""The HTTP API as a client sees it, auth off (the default): one live server for the module."""
from __future__ import annotations

import json

import httpx
import pytest

from tests.api.live import LiveServer, fresh_data_dir, parse_sse

pytestmark = pytest.mark.server

QUOTE_2014 = "Gui’an New Area is the eighth national new area established in 2014."


@pytest.fixture(scope="module")
def server(report_data, tmp_path_factory):
    live = LiveServer(fresh_data_dir(report_data, tmp_path_factory.mktemp("chat-http"))).start()
    yield live
    live.stop()


@pytest.fixture
def http(server):
    with server.client() as client:
        yield client


def ask(http: httpx.Client, message: str, session_id: str | None = None) -> dict:
    response = http.post("/v1/chat", json={"message": message, "session_id": session_id})
    assert response.status_code == 200, response.text
    return response.json()


def test_chat_answers_with_the_contract_shape_and_resolves_a_follow_up(http):
    first = ask(http, "When was Gui'an New Area established?")
    assert set(first) == {"answer", "abstained", "citations", "session_id"}
    assert set(first["citations"][0]) == {"page", "page_label", "source", "quote", "score", "section"}
    assert first["citations"][0]["section"].endswith("Gui’an New Area"), first["citations"][0]
    assert "2014" in first["answer"] and first["abstained"] is False
    assert first["citations"][0]["page"] == 156 and first["citations"][0]["page_label"] == "156"
    assert first["citations"][0]["quote"] == QUOTE_2014

    follow_up = ask(http, "How big is it?", first["session_id"])
    assert follow_up["session_id"] == first["session_id"]
    assert "1,901 km²" in follow_up["answer"]
    assert follow_up["citations"][0]["page"] == 156 and "1,901 km²" in follow_up["citations"][0]["quote"]


def test_a_question_the_report_does_not_answer_abstains(http):
    answer = ask(http, "What was the population of Shenzhen in 1850?")
    assert answer["abstained"] is True and answer["citations"] == []
    assert "does not answer" in answer["answer"]


@pytest.mark.parametrize(("body", "detail"), [
    (b'{"message": ', "not valid JSON"),
    (b"[]", "valid dictionary"),
    (b"{}", "message: Field required"),
    (b'{"message": 42}', "message: Input should be a valid string"),
    (b'{"message": "When?", "session_id": 7}', "session_id: Input should be a valid string"),
    (b'{"message": ""}', "The question is empty."),
    (b'{"message": "   "}', "The question is empty."),
    (json.dumps({"message": "x" * 2001}).encode(), "the limit is 2000"),
    (b'{"message": "When?", "session_id": "no spaces allowed"}', "session_id must be"),
], ids=["malformed", "array", "missing", "number", "session-type", "empty", "blank", "too-long", "session-id"])
def test_bad_bodies_get_422_with_a_message(http, body, detail):
    response = http.post("/v1/chat", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert detail in response.json()["detail"]
    assert "Traceback" not in response.text


def test_an_oversized_body_gets_413_before_the_chain_runs(http):
    response = http.post("/v1/chat", content=json.dumps({"message": "x" * 70_000}),
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "larger than 64000 bytes" in response.json()["detail"]
    chunked = http.post("/v1/chat", content=iter([b'{"message": "', b"x" * 70_000, b'"}']),
                        headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413, "a body without Content-Length is counted as it arrives"


def test_stream_sends_text_then_a_final_event_with_citations(http):
    with http.stream("POST", "/v1/chat/stream", json={"message": "What was the GDP in 2024?"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(response.iter_lines())
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "delta" and kinds[-1] == "final" and kinds.count("final") == 1
    streamed = "".join(json.loads(data)["text"] for kind, data in events if kind == "delta")
    final = json.loads(events[-1][1])
    assert set(final) == {"answer", "abstained", "citations", "session_id"}
    assert "RMB40.28 billion" in streamed and "RMB40.28 billion" in final["citations"][0]["quote"]
    assert final["citations"][0]["page_label"] == "156"


def test_stream_refuses_a_bad_question_with_422_not_an_event(http):
    response = http.post("/v1/chat/stream", json={"message": ""})
    assert response.status_code == 422 and response.json()["detail"] == "The question is empty."


def test_page_endpoint_returns_sections_and_locates_the_quote(http):
    response = http.get("/v1/pages/corpus/page-156.txt/156", params={"quote": QUOTE_2014})
    assert response.status_code == 200
    page = response.json()
    assert page["page"] == 156 and page["page_label"] == "156"
    [span] = page["highlights"]
    assert page["text"][span["start"]:span["end"]] == QUOTE_2014
    heading = next(s for s in page["sections"] if s["kind"] == "heading" and s["text"] == "Gui’an New Area")
    assert heading["footnotes"] == ["GAXQ, https://www.gaxq.gov.cn/"]
    assert "Page 156 -" not in page["text"]

    by_name = http.get("/v1/pages/page-156.txt/156", params={"quote": "Gui'an New Area is the eighth"}).json()
    assert len(by_name["highlights"]) == 1, "a straight apostrophe still finds the curly one"
    missing = http.get("/v1/pages/corpus/page-156.txt/999")
    assert missing.status_code == 404 and "not in the index" in missing.json()["detail"]
    assert [p["page_label"] for p in http.get("/v1/pages").json()] == ["156"]


def test_session_history_can_be_read_and_deleted(http):
    session = ask(http, "When was Gui'an New Area established?")["session_id"]
    ask(http, "How big is it?", session)
    history = http.get(f"/v1/sessions/{session}").json()
    assert [t["question"] for t in history["turns"]] == ["When was Gui'an New Area established?", "How big is it?"]
    assert history["turns"][1]["citations"][0]["page"] == 156
    cited = history["turns"][0]["citations"][0]
    assert set(cited) == {"page", "page_label", "source", "quote", "score", "section"}
    assert cited["section"].endswith("Gui’an New Area")
    assert http.delete(f"/v1/sessions/{session}").json() == {"session_id": session, "deleted": 2}
    gone = http.get(f"/v1/sessions/{session}")
    assert gone.status_code == 404 and "No conversation" in gone.json()["detail"]


def test_openai_compatible_completions_with_follow_up_and_streaming(http):
    question = {"role": "user", "content": "When was Gui'an New Area established?"}
    first = http.post("/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": [question]}).json()
    content = first["choices"][0]["message"]["content"]
    assert first["object"] == "chat.completion" and "2014" in content and "Sources: p. 156" in content
    assert first["citations"][0]["quote"] == QUOTE_2014

    transcript = [question, {"role": "assistant", "content": content}, {"role": "user", "content": "How big is it?"}]
    second = http.post("/v1/chat/completions", json={"model": "any", "messages": transcript}).json()
    assert "1,901 km²" in second["choices"][0]["message"]["content"]

    with http.stream("POST", "/v1/chat/completions", json={"stream": True, "messages": [question]}) as response:
        events = parse_sse(response.iter_lines())
    assert events[-1][1] == "[DONE]"
    chunks = [json.loads(data) for _, data in events[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "2014" in text and chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["citations"][0]["page"] == 156

    not_user = http.post("/v1/chat/completions", json={"messages": [{"role": "assistant", "content": "hi"}]})
    assert not_user.status_code == 400
    assert "last message must be a user message" in not_user.json()["error"]["message"]


def test_health_readiness_docs_and_the_web_page(http):
    assert http.get("/healthz").json() == {"status": "ok"}
    ready = http.get("/readyz").json()
    assert ready["status"] == "ready" and ready["pages"] == 1 and ready["chunks"] > 5
    spec = http.get("/openapi.json").json()
    for path in ("/v1/chat", "/v1/chat/stream", "/v1/chat/completions", "/v1/pages/{source}/{page}",
                 "/v1/sessions/{session_id}", "/healthz", "/readyz"):
        assert path in spec["paths"], path
    chat = spec["paths"]["/v1/chat"]["post"]
    assert chat["requestBody"]["content"]["application/json"]["examples"]["follow-up"]
    assert {"401", "422", "429", "503"} <= set(chat["responses"])
    page = http.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_cors_is_off_by_default(http):
    preflight = http.options("/v1/chat", headers={"Origin": "http://elsewhere.example",
                                                  "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
