"""Conversations belong to who started them: another key, another browser, or the OpenAI route's
transcript hash computed by someone else never reaches them; an admin key lists and deletes."""
from __future__ import annotations

import sqlite3

import httpx
import openai
import pytest

from tests.api.live import report_data, serving  # noqa: F401  (fixture)

QUESTION = "What is the planned area of Gui'an New Area?"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def keyed(report_data, tmp_path_factory):  # noqa: F811
    with serving(report_data, tmp_path_factory.mktemp("owners-keys"), api_keys="key-alpha,key-bravo",
                     admin_api_keys="key-admin", rate_limit_per_minute=0) as live:
        yield live


@pytest.fixture(scope="module")
def open_server(report_data, tmp_path_factory):  # noqa: F811
    with serving(report_data, tmp_path_factory.mktemp("owners-open"), rate_limit_per_minute=0) as live:
        yield live


@pytest.mark.server
def test_another_key_cannot_read_continue_or_delete_a_conversation(keyed):
    with keyed.client(headers=bearer("key-alpha")) as alpha, keyed.client(headers=bearer("key-bravo")) as bravo:
        first = alpha.post("/v1/chat", json={"message": QUESTION})
        assert first.status_code == 200, first.text
        session = first.json()["session_id"]

        for response in (bravo.get(f"/v1/sessions/{session}"),
                         bravo.post("/v1/chat", json={"message": "How big is it?", "session_id": session}),
                         bravo.delete(f"/v1/sessions/{session}")):
            assert response.status_code == 404, response.text
            assert response.json()["detail"] == f"No conversation has the session id {session}."
        with bravo.stream("POST", "/v1/chat/stream", json={"message": "How big?", "session_id": session}) as s:
            assert s.status_code == 404

        mine = alpha.get(f"/v1/sessions/{session}")
        assert mine.status_code == 200 and [t["question"] for t in mine.json()["turns"]] == [QUESTION]


@pytest.mark.server
def test_the_openai_transcript_hash_of_one_key_is_not_anothers(keyed):
    question = {"role": "user", "content": "When was Gui'an New Area established?"}

    def completion(key: str, messages: list[dict]):
        client = openai.OpenAI(base_url=f"{keyed.url}/v1", api_key=key, max_retries=0)
        return client.chat.completions.create(model="report-assistant", messages=messages)

    first = completion("key-alpha", [question])
    follow_up = [question, {"role": "assistant", "content": first.choices[0].message.content},
                 {"role": "user", "content": "How big is it?"}]
    alpha_next = completion("key-alpha", follow_up)
    bravo_next = completion("key-bravo", follow_up)  # the same transcript, sent by someone else
    assert "1,901 km²" in alpha_next.choices[0].message.content
    alpha_id, bravo_id = alpha_next.model_extra["session_id"], bravo_next.model_extra["session_id"]
    assert alpha_id != bravo_id
    with keyed.client(headers=bearer("key-bravo")) as bravo:
        assert bravo.get(f"/v1/sessions/{alpha_id}").status_code == 404
    with keyed.client(headers=bearer("key-alpha")) as alpha:
        turns = alpha.get(f"/v1/sessions/{alpha_id}").json()["turns"]
        assert [t["question"] for t in turns][-2:] == ["When was Gui'an New Area established?", "How big is it?"]


@pytest.mark.server
def test_slack_conversations_are_not_reachable_over_http(keyed):
    with keyed.client(headers=bearer("key-alpha")) as alpha:
        taken = alpha.post("/v1/chat", json={"message": QUESTION, "session_id": "slack:C0123:cmd-U0456"})
        assert taken.status_code == 422 and "Slack" in taken.json()["detail"]
        assert alpha.get("/v1/sessions/slack:C0123:cmd-U0456").status_code == 404


@pytest.mark.server
def test_an_admin_key_lists_and_deletes_every_conversation(keyed):
    with keyed.client(headers=bearer("key-bravo")) as bravo, keyed.client(headers=bearer("key-admin")) as admin:
        session = bravo.post("/v1/chat", json={"message": QUESTION}).json()["session_id"]
        assert bravo.get("/v1/sessions").status_code == 403

        listed = admin.get("/v1/sessions")
        assert listed.status_code == 200
        [row] = [r for r in listed.json()["sessions"] if r["session_id"] == session]
        assert row["turns"] == 1 and row["owner"].startswith("key:") and "key-bravo" not in listed.text

        assert admin.delete(f"/v1/sessions/{session}").json() == {"session_id": session, "deleted": 1}
        assert bravo.get(f"/v1/sessions/{session}").status_code == 404


@pytest.mark.server
def test_with_auth_off_a_conversation_belongs_to_the_browser_cookie(open_server):
    with open_server.client() as mine, open_server.client() as theirs:
        first = mine.post("/v1/chat", json={"message": QUESTION})
        cookie = first.headers["set-cookie"]
        assert "rag_owner=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        session = first.json()["session_id"]
        assert mine.post("/v1/chat", json={"message": "How big is it?", "session_id": session}).status_code == 200
        assert len(mine.get(f"/v1/sessions/{session}").json()["turns"]) == 2

        assert theirs.get(f"/v1/sessions/{session}").status_code == 404  # another browser: another cookie
        assert theirs.delete(f"/v1/sessions/{session}").status_code == 404
        assert httpx.get(f"{open_server.url}/v1/sessions/{session}").status_code == 404  # no cookie at all
        assert len(mine.get(f"/v1/sessions/{session}").json()["turns"]) == 2


def test_history_from_before_owners_is_kept_for_the_admin_only(tmp_path):
    """A conversation database written before owners existed: its web turns belong to nobody (only an
    admin key lists or deletes them), its Slack turns stay Slack's; nothing is lost."""
    from rag.history import UNOWNED, ConversationStore

    path = tmp_path / "conversations.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id VARCHAR(128), "
                   "created FLOAT, question TEXT, query TEXT, answer TEXT, abstained INTEGER, citations TEXT)")
        db.executemany("INSERT INTO turns (session_id, created, question, query, answer, abstained, citations) "
                       "VALUES (?, ?, ?, ?, ?, 0, '[]')",
                       [("web-1", 1.0, "q1", "q1", "a1"), ("web-1", 2.0, "q2", "q2", "a2"),
                        ("slack:C1:cmd-U1", 3.0, "q3", "q3", "a3")])
    store = ConversationStore(f"sqlite:///{path}")
    assert store.owner("web-1") == UNOWNED and store.owner("slack:C1:cmd-U1").startswith("slack:")
    assert [t.question for t in store.turns("web-1")] == ["q1", "q2"]
    assert store.claim("web-1", "key:someone") == UNOWNED, "an unowned conversation cannot be taken over"
    assert {(s.session_id, s.turns) for s in store.sessions()} == {("web-1", 2), ("slack:C1:cmd-U1", 1)}
    assert store.claim("new", "key:someone") == "key:someone" and store.claim("new", "key:other") == "key:someone"
