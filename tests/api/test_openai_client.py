"""The OpenAI-compatible route as the official `openai` client and LangChain's ChatOpenAI see it.

One live server with API keys on (so 401 is real) and a per-minute limit a test can exhaust with a
second key (so 429 is real); errors are asserted as the client raises them.
"""
from __future__ import annotations

import json

import openai
import pytest

from api.routes.openai import count_tokens
from tests.api.live import LiveServer, fresh_data_dir

pytestmark = pytest.mark.server

KEY, FLOOD_KEY = "key-main", "key-flood"
LIMIT = 80
QUESTION = "When was Gui'an New Area established?"
QUOTE_2014 = "Gui’an New Area is the eighth national new area established in 2014."


@pytest.fixture(scope="module")
def server(report_data, tmp_path_factory):
    live = LiveServer(fresh_data_dir(report_data, tmp_path_factory.mktemp("openai")),
                      api_keys=f"{KEY},{FLOOD_KEY}", rate_limit_per_minute=LIMIT).start()
    yield live
    live.stop()


@pytest.fixture
def client(server):
    with openai.OpenAI(base_url=f"{server.url}/v1", api_key=KEY, max_retries=0, timeout=60) as c:
        yield c


def ask(client, content: str = QUESTION, **options):
    return client.chat.completions.create(model="report-assistant",
                                          messages=[{"role": "user", "content": content}], **options)


def test_a_completion_answers_with_citations_and_usage(client):
    completion = ask(client)
    assert completion.object == "chat.completion" and len(completion.choices) == 1
    choice = completion.choices[0]
    assert choice.index == 0 and choice.finish_reason == "stop" and choice.message.role == "assistant"
    assert "2014" in choice.message.content and "Sources: p. 156 (page-156.txt)" in choice.message.content
    extra = completion.model_extra
    assert extra["citations"][0]["quote"] == QUOTE_2014 and extra["abstained"] is False
    usage = completion.usage
    assert usage.prompt_tokens == 9  # When · was · Gui · ' · an · New · Area · established · ?
    assert usage.completion_tokens == count_tokens(choice.message.content)
    assert usage.completion_tokens > 10 and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_a_follow_up_continues_the_transcript(client):
    first = ask(client).choices[0].message.content
    second = client.chat.completions.create(model="x", messages=[
        {"role": "user", "content": QUESTION}, {"role": "assistant", "content": first},
        {"role": "user", "content": "How big is it?"}])
    assert "1,901 km²" in second.choices[0].message.content


def test_n_gives_n_identical_choices(client):
    completion = ask(client, n=3)
    assert [c.index for c in completion.choices] == [0, 1, 2]
    assert len({c.message.content for c in completion.choices}) == 1
    assert completion.usage.completion_tokens == 3 * count_tokens(completion.choices[0].message.content)


@pytest.mark.parametrize("option", ["max_tokens", "max_completion_tokens"])
def test_a_token_limit_cuts_the_content_and_says_length(client, option):
    full = ask(client).choices[0].message.content
    cut = ask(client, **{option: 3})
    assert cut.choices[0].finish_reason == "length"
    assert cut.choices[0].message.content == "2014 — Gui"  # 2014 · — · Gui
    assert full.startswith(cut.choices[0].message.content) and len(cut.choices[0].message.content) < len(full)
    assert cut.usage.completion_tokens == 3
    roomy = ask(client, **{option: 10_000})
    assert roomy.choices[0].finish_reason == "stop" and roomy.choices[0].message.content == full


def test_json_object_response_format_is_a_json_object_with_citations(client):
    completion = ask(client, "What is the planned area of Gui'an New Area?",
                     response_format={"type": "json_object"})
    data = json.loads(completion.choices[0].message.content)
    assert set(data) == {"answer", "abstained", "citations"}
    assert "1,901 km²" in data["answer"] and data["citations"][0]["page"] == 156
    assert set(data["citations"][0]) == {"page", "page_label", "source", "quote", "score", "section"}


def test_streaming_with_usage_and_n(client):
    stream = ask(client, stream=True, n=2, stream_options={"include_usage": True})
    chunks = list(stream)
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert all(c.usage is None for c in chunks[:-1])
    texts = {0: "", 1: ""}
    finishes = {}
    for c in chunks[:-1]:
        for choice in c.choices:
            texts[choice.index] += choice.delta.content or ""
            if choice.finish_reason:
                finishes[choice.index] = choice.finish_reason
    assert texts[0] == texts[1] and "2014" in texts[0] and "Sources: p. 156" in texts[0]
    assert finishes == {0: "stop", 1: "stop"}
    assert chunks[-1].usage.completion_tokens == 2 * count_tokens(texts[0])


def test_streaming_with_a_token_limit_stops_at_the_limit(client):
    full = ask(client).choices[0].message.content
    chunks = list(ask(client, stream=True, max_tokens=5, stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert full.startswith(text) and len(text) < len(full)
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["length"]
    assert chunks[-1].usage.completion_tokens == 5


def test_models_list_and_retrieve(client):
    models = client.models.list()
    assert [m.id for m in models.data] == ["report-assistant"] and models.data[0].object == "model"
    assert client.models.retrieve("report-assistant").owned_by == "report-assistant"
    with pytest.raises(openai.NotFoundError) as missing:
        client.models.retrieve("gpt-4o")
    assert "The model 'gpt-4o' does not exist" in missing.value.message
    assert missing.value.code == "model_not_found" and missing.value.param == "model"


@pytest.mark.parametrize(("options", "text", "param"), [
    ({"messages": [{"role": "assistant", "content": "hi"}]}, "last message must be a user message", "messages"),
    ({"messages": []}, "messages: List should have at least 1 item", "messages"),
    ({"messages": [{"role": "wizard", "content": "hi"}]}, "messages.0.role: Input should be", "messages.0.role"),
    ({"messages": [{"role": "user", "content": "   "}]}, "last message must be a user message", "messages"),
    ({"messages": [{"role": "user", "content": "x" * 2001}]}, "the limit is 2000", "messages"),
    ({"n": 0}, "n: Input should be greater than or equal to 1", "n"),
    ({"max_tokens": 0}, "max_tokens: Input should be greater than or equal to 1", "max_tokens"),
    ({"response_format": {"type": "json_schema", "json_schema": {"name": "a", "schema": {}}}},
     "'json_schema' is not supported", "response_format"),
])
def test_bad_requests_are_400_with_our_message(client, options, text, param):
    body = {"model": "report-assistant", "messages": [{"role": "user", "content": QUESTION}], **options}
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(**body)
    assert text in refused.value.message
    assert refused.value.type == "invalid_request_error" and refused.value.param == param


def test_a_missing_or_wrong_key_is_401_in_the_envelope(server):
    for key in ("wrong", ""):
        with openai.OpenAI(base_url=f"{server.url}/v1", api_key=key or "-", max_retries=0) as bad:
            with pytest.raises(openai.AuthenticationError) as denied:
                ask(bad)
        assert "Invalid API key" in denied.value.message and denied.value.type == "authentication_error"
        with openai.OpenAI(base_url=f"{server.url}/v1", api_key=key or "-", max_retries=0) as bad:
            with pytest.raises(openai.AuthenticationError):
                bad.models.list()


def test_the_rate_limit_is_429_in_the_envelope_with_retry_after(server):
    with openai.OpenAI(base_url=f"{server.url}/v1", api_key=FLOOD_KEY, max_retries=0) as flood:
        with pytest.raises(openai.RateLimitError) as limited:
            for _ in range(LIMIT + 5):
                flood.models.list()
    assert f"the limit is {LIMIT} per minute" in limited.value.message
    assert limited.value.type == "rate_limit_error" and int(limited.value.response.headers["retry-after"]) >= 1


def test_the_chat_route_keeps_its_own_error_shape(server):
    with server.client(headers={"Authorization": f"Bearer {KEY}"}) as http:
        bad = http.post("/v1/chat", json={"message": ""})
        assert bad.status_code == 422 and bad.json() == {"detail": "The question is empty."}
        denied = http.post("/v1/chat", json={"message": QUESTION}, headers={"Authorization": "Bearer nope"})
        assert denied.status_code == 401 and denied.json() == {"detail": "Invalid API key."}


def test_langchain_chat_openai_invokes_and_streams(server):
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=f"{server.url}/v1", api_key=KEY, model="report-assistant", max_retries=0)
    reply = llm.invoke(QUESTION)
    assert "2014" in reply.content and "Sources: p. 156" in reply.content
    assert reply.usage_metadata["input_tokens"] == 9
    pieces = list(llm.stream("What is the planned area of Gui'an New Area?"))
    text = "".join(p.content for p in pieces)
    assert "1,901 km²" in text and len([p for p in pieces if p.content]) > 1


def test_docs_need_a_key_when_keys_are_set(server):
    with server.client() as http:
        for path in ("/docs", "/redoc", "/openapi.json"):
            denied = http.get(path)
            assert denied.status_code == 401 and "API key is required" in denied.json()["detail"], path
            assert http.get(path, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200, path
        assert http.get("/docs-assets/swagger-ui-bundle.js").status_code == 200, "the library files are public"


def test_a_chinese_question_gets_a_chinese_answer_intact_also_streamed(client):
    """UTF-8 end to end: the figure, the one-line note in Chinese, the page; streamed chunks join to the same text."""
    completion = ask(client, "贵安新区的规划面积是多少？")
    content = completion.choices[0].message.content
    assert "1,901 km²" in content and "（报告此处只有英文原文。）" in content, content
    assert completion.model_extra["citations"][0]["page"] == 156
    stream = ask(client, "贵安新区的规划面积是多少？", stream=True)
    streamed = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert streamed == content
    missing = ask(client, "贵安新区2019年的GDP是多少？").choices[0].message.content
    assert missing.startswith("报告没有按所问的回答这个问题") and "2019年" in missing, missing
