"""Hypothesis over the text fields a client controls, including lone surrogates, control characters,
other scripts and odd lengths: no response of the live server is a 5xx, and a refusal names a field.

Bounded: ``MAX_EXAMPLES`` examples per target, fixed seed (derandomized), no example database; the
size is recorded in docs/web.md.
"""
from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.server

MAX_EXAMPLES = 60

# every Unicode category, lone surrogates (Cs) and controls (Cc) included, weighted towards report words
any_char = st.characters(codec=None, categories=None)
hostile = st.sampled_from(["\ud800", "\udfff", "\x00", "\x07", "\x1b", "\x7f", "\u2028", "\ufeff", "\U0001F600"])
text = st.one_of(
    st.text(any_char, max_size=60),
    st.lists(st.one_of(st.sampled_from(["planned", "area", "Gui'an", "面积", "2014", "km²", " "]), hostile),
             max_size=12).map("".join),
)
FUZZ = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def post(live_server, path: str, body: object) -> httpx.Response:
    # ensure_ascii: a lone surrogate goes on the wire as the JSON escape \ud800, as a client would send it
    raw = json.dumps(body, ensure_ascii=True).encode()
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        return http.post(path, content=raw, headers={"Content-Type": "application/json"})


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    if response.status_code == 422:
        body = response.json()
        message = body["detail"] if "detail" in body else body["error"]["message"]
        assert isinstance(message, str) and message


@FUZZ
@given(message=text, session_id=st.one_of(st.none(), text))
def test_chat_text_fields(live_server, message, session_id):
    check(post(live_server, "/v1/chat", {"message": message, "session_id": session_id}))


@FUZZ
@given(message=text)
def test_stream_text_field(live_server, message):
    check(post(live_server, "/v1/chat/stream", {"message": message}))


@FUZZ
@given(earlier=text, question=text, user=st.one_of(st.none(), text),
       role=st.sampled_from(["assistant", "system", "user", "developer"]))
def test_completions_text_fields(live_server, earlier, question, user, role):
    body = {"model": "report-assistant", "user": user,
            "messages": [{"role": role, "content": earlier}, {"role": "user", "content": question}]}
    check(post(live_server, "/v1/chat/completions", body))
