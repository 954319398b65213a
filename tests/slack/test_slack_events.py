"""The real Bolt app behind POST /slack/events, talking to a local Slack Web API stand-in.

Requests are signed as Slack signs them; the assistant is the real one over page 156.
"""
from __future__ import annotations

import itertools
import json
import time

import pytest
from slack_sdk.signature import SignatureVerifier

from tests.slack.conftest import BOT_ID, BOT_USER, SIGNING_SECRET, SlackServer

pytestmark = pytest.mark.slack

_ids = itertools.count(1)


def new_ts() -> str:
    return f"{int(time.time())}.{next(_ids):06d}"


def new_event_id() -> str:
    return f"Ev{next(_ids):08d}"


def mention(text: str, *, channel: str = "C0GENERAL", ts: str | None = None, thread_ts: str | None = None,
            user: str = "UALICE") -> dict:
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts or new_ts(),
             "channel": channel}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(text: str, *, channel: str, ts: str | None = None, thread_ts: str | None = None,
            user: str | None = "UALICE", channel_type: str = "channel", **extra: str) -> dict:
    event = {"type": "message", "text": text, "ts": ts or new_ts(), "channel": channel,
             "channel_type": channel_type, **extra}
    if user:
        event["user"] = user
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def answer_id_of(call) -> str:
    [actions] = [b for b in call.params["blocks"] if b["type"] == "actions"]
    return next(e["value"] for e in actions["elements"] if e["action_id"] == "feedback_up")


def click(slack: SlackServer, slack_api, call, action_id: str, *, user: str = "UALICE", name: str = "click"):
    value = next(e["value"] for b in call.params["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["action_id"] == action_id)
    payload = {"type": "block_actions", "team": {"id": "T0001"}, "user": {"id": user, "team_id": "T0001"},
               "api_app_id": "A0REPORT", "token": "legacy", "trigger_id": "1.2.3",
               "container": {"type": "message", "channel_id": call.params.get("channel", "C0GENERAL")},
               "channel": {"id": call.params.get("channel", "C0GENERAL")},
               "response_url": slack_api.response_url(name),
               "actions": [{"type": "button", "action_id": action_id, "block_id": f"answer:{value}", "value": value,
                            "action_ts": new_ts()}]}
    return slack.form({"payload": json.dumps(payload)})


def test_mention_gets_one_threaded_reply_citing_page_156(slack, slack_api):
    event = mention("What is the planned area of Gui’an New Area?")
    started = time.perf_counter()
    response = slack.event(event, event_id=new_event_id())
    assert response.status_code == 200
    [reply] = slack_api.posts()
    assert reply.method == "chat.postMessage" and reply.token == "xoxb-test-token"
    assert reply.params["channel"] == "C0GENERAL" and reply.params["thread_ts"] == event["ts"]
    text = reply.block_text()
    assert "1,901 km²" in text
    assert "*p. 156* · Gui’an New Area · “Located between Guiyang and Anshun" in text
    assert "(p. 156)" in reply.params["text"]
    assert {"👍 Helpful", "👎 Not helpful"} <= set(text.splitlines())
    assert time.perf_counter() - started < 30


def test_ack_comes_before_the_answer(slack, slack_api, monkeypatch):
    """Slack's 3-second acknowledgement does not wait for the assistant."""
    assistant = slack.app.state.assistant
    slow_ask = assistant.ask

    def ask(*args, **kwargs):
        time.sleep(3.2)
        return slow_ask(*args, **kwargs)

    monkeypatch.setattr(assistant, "ask", ask)
    started = time.perf_counter()
    body = json.dumps({"type": "event_callback", "team_id": "T0001", "api_app_id": "A0REPORT",
                       "event_id": new_event_id(), "event_time": int(time.time()),
                       "event": mention("When was Gui'an New Area established?")})
    ts = str(int(time.time()))
    response = slack.http.post("/slack/events", content=body, headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body)})
    assert response.status_code == 200 and time.perf_counter() - started < 3
    assert slack_api.posts() == []
    slack.settle()
    assert len(slack_api.to("chat.postMessage")) == 1


def test_retried_delivery_gets_no_second_reply(slack, slack_api):
    event, event_id = mention("When was Gui'an New Area established?"), new_event_id()
    assert slack.event(event, event_id=event_id).status_code == 200
    for retry in ("1", "2"):
        again = slack.event(event, event_id=event_id,
                            headers={"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"})
        assert again.status_code == 200
    [reply] = slack_api.to("chat.postMessage")
    assert "2014" in reply.block_text()


@pytest.mark.parametrize("how", ["wrong secret", "stale timestamp", "no signature"])
def test_bad_or_stale_signature_gets_401_and_no_reply(slack, slack_api, how):
    event = mention("When was Gui'an New Area established?")
    if how == "wrong secret":
        response = slack.event(event, event_id=new_event_id(), secret="not-the-secret")
    elif how == "stale timestamp":
        response = slack.event(event, event_id=new_event_id(), timestamp=int(time.time()) - 10 * 60)
    else:
        response = slack.http.post("/slack/events", json={"type": "event_callback", "event": event})
        slack.settle()
    assert response.status_code == 401
    assert slack_api.posts() == []


def test_url_verification_answers_the_challenge(slack):
    response = slack.send(json.dumps({"type": "url_verification", "token": "legacy", "challenge": "c-123"}),
                          "application/json")
    assert response.status_code == 200 and response.json() == {"challenge": "c-123"}


@pytest.mark.parametrize("follow_up_mentions_bot", [False, True], ids=["plain reply", "mention"])
def test_thread_follow_up_is_answered_in_context(slack, slack_api, follow_up_mentions_bot):
    first = mention("When was Gui'an New Area established?", channel="C0THREADS")
    slack.event(first, event_id=new_event_id())
    if follow_up_mentions_bot:
        follow = mention("How big is it?", channel="C0THREADS", thread_ts=first["ts"])
    else:
        follow = message("How big is it?", channel="C0THREADS", thread_ts=first["ts"])
    slack.event(follow, event_id=new_event_id())
    first_reply, second_reply = slack_api.to("chat.postMessage")
    assert "2014" in first_reply.block_text()
    assert second_reply.params["thread_ts"] == first["ts"]
    assert "1,901 km²" in second_reply.block_text() and "p. 156" in second_reply.block_text()


def test_thread_replies_between_people_are_left_alone(slack, slack_api):
    first = mention("When was Gui'an New Area established?", channel="C0SIDE")
    slack.event(first, event_id=new_event_id())
    slack_api.clear()
    slack.event(message("<@UBOB> can you check this?", channel="C0SIDE", thread_ts=first["ts"]),
                event_id=new_event_id())
    slack.event(message("How big is it?", channel="C0SIDE", thread_ts="1600000000.000001"), event_id=new_event_id())
    slack.event(message("How big is Gui'an New Area?", channel="C0SIDE"), event_id=new_event_id())
    assert slack_api.posts() == []


def test_feedback_click_is_stored_with_question_answer_and_citations(slack, slack_api):
    slack.event(mention("What is the planned area of Gui’an New Area?", channel="C0FEEDBACK"), event_id=new_event_id())
    [reply] = slack_api.to("chat.postMessage")
    answer_id = answer_id_of(reply)
    assert click(slack, slack_api, reply, "feedback_up", name="up").status_code == 200
    [thanks] = slack_api.to("/response/up")
    assert thanks.params["response_type"] == "ephemeral" and "👍" in thanks.params["text"]
    [vote] = [v for v in slack.bot.store.feedback() if v["answer_id"] == answer_id]
    assert vote["rating"] == "up" and vote["user"] == "UALICE"
    assert vote["question"] == "What is the planned area of Gui’an New Area?"
    assert "1,901 km²" in vote["answer"] and vote["session_id"] == f"slack:C0FEEDBACK:{reply.params['thread_ts']}"
    assert vote["citations"][0]["page_label"] == "156" and "1,901 km²" in vote["citations"][0]["quote"]

    click(slack, slack_api, reply, "feedback_down", name="down")
    assert [v["rating"] for v in slack.bot.store.feedback() if v["answer_id"] == answer_id] == ["down"]


@pytest.mark.parametrize("sender", ["other bot", "own bot", "bot mention"])
def test_bot_messages_are_ignored(slack, slack_api, sender):
    text = "When was Gui'an New Area established?"
    if sender == "other bot":
        event = message(text, channel="D0DIRECT", channel_type="im", user=None, subtype="bot_message", bot_id="BOTHER")
    elif sender == "own bot":
        event = message(text, channel="D0DIRECT", channel_type="im", user=BOT_USER, bot_id=BOT_ID)
    else:
        event = {**mention(text), "bot_id": "BOTHER", "user": "UOTHERBOT"}
    assert slack.event(event, event_id=new_event_id()).status_code == 200
    assert slack_api.posts() == []


def test_direct_message_is_answered_in_the_dm(slack, slack_api):
    slack.event(message("What is the planned area of Gui’an New Area?", channel="D0ALICE", channel_type="im"),
                event_id=new_event_id())
    [reply] = slack_api.to("chat.postMessage")
    assert reply.params["channel"] == "D0ALICE" and "thread_ts" not in reply.params
    assert "1,901 km²" in reply.block_text()


@pytest.mark.parametrize("mention_first", [True, False], ids=["app_mention first", "message first"])
def test_dm_mention_delivered_as_mention_and_message_is_answered_once(slack, slack_api, mention_first):
    ts, text = new_ts(), "When was Gui'an New Area established?"
    deliveries = [mention(text, channel="D0BOB", ts=ts),
                  message(f"<@{BOT_USER}> {text}", channel="D0BOB", ts=ts, channel_type="im")]
    for event in deliveries if mention_first else reversed(deliveries):
        slack.event(event, event_id=new_event_id())
    [reply] = slack_api.to("chat.postMessage")
    assert "2014" in reply.block_text() and "thread_ts" not in reply.params


def test_question_outside_the_report_gets_a_visibly_different_reply(slack, slack_api):
    slack.event(mention("What is the capital of France?", channel="C0ABSTAIN"), event_id=new_event_id())
    [reply] = slack_api.to("chat.postMessage")
    kinds = [b["type"] for b in reply.params["blocks"]]
    assert kinds == ["context", "actions"]
    assert reply.params["blocks"][0]["elements"][0]["text"].startswith(":mag: *Not in the report.*")
    assert reply.params["text"].startswith("Not in the report.")
    assert "p. 156" not in reply.block_text()


def test_slash_command_answers_ephemerally_with_a_share_button(slack, slack_api):
    # Slack sends &, < and > the user typed as entities
    question = "What is the planned area of Gui’an New Area &amp; its &lt;directly administered&gt; area?"
    command = {"token": "legacy", "team_id": "T0001", "channel_id": "C0ASK", "user_id": "UCAROL",
               "command": "/ask-report", "text": question, "api_app_id": "A0REPORT", "trigger_id": "1.2.3",
               "response_url": slack_api.response_url("command")}
    response = slack.form(command)
    assert response.status_code == 200 and response.text == ""
    [private] = slack_api.to("/response/command")
    assert private.params["response_type"] == "ephemeral"
    assert "1,901 km²" in private.block_text() and "p. 156" in private.block_text()
    assert "Share to channel" in private.block_text()
    assert slack_api.to("chat.postMessage") == []

    click(slack, slack_api, private, "share_answer", user="UCAROL", name="share")
    shared, deleted = slack_api.to("/response/share")
    assert shared.params["response_type"] == "in_channel"
    text = shared.block_text()
    assert ("<@UCAROL> asked: What is the planned area of Gui’an New Area &amp; its "
            "&lt;directly administered&gt; area?") in text
    assert "<directly" not in text and "1,901 km²" in text
    assert deleted.params["delete_original"] is True


def test_slash_command_without_a_question_shows_usage(slack, slack_api):
    response = slack.form({"team_id": "T0001", "channel_id": "C0ASK", "user_id": "UCAROL", "command": "/ask-report",
                           "text": "  ", "response_url": slack_api.response_url("usage")})
    assert response.status_code == 200 and "Usage: `/ask-report QUESTION`" in response.json()["text"]
    assert slack_api.posts() == []


def test_without_signing_secret_http_mode_refuses(slack_settings, assistant, slack_api):
    server = SlackServer(slack_settings.model_copy(update={"slack_signing_secret": None}), assistant)
    try:
        slack_api.clear()
        response = server.event(mention("When was Gui'an New Area established?"), event_id=new_event_id())
        assert response.status_code == 503 and "RAG_SLACK_SIGNING_SECRET" in response.json()["detail"]
        assert slack_api.posts() == []
    finally:
        server.close()


def test_main_app_serves_slack_events(slack_settings, assistant, slack_api):
    """The real app of `rag serve` (api.main.create_app) answers a signed mention; unsigned gets 401."""
    server = SlackServer(slack_settings)
    try:
        slack_api.clear()
        assert server.http.post("/slack/events", json={"type": "event_callback"}).status_code == 401
        event = mention("What is the planned area of Gui’an New Area?", channel="C0MAIN")
        assert server.event(event, event_id=new_event_id()).status_code == 200
        [reply] = slack_api.posts()
        assert reply.params["thread_ts"] == event["ts"] and "1,901 km²" in reply.block_text()
    finally:
        server.close()


def test_a_chinese_question_is_answered_in_chinese_with_its_citation(slack, slack_api):
    event = mention("贵安新区的规划面积是多少？")
    assert slack.event(event, event_id=new_event_id()).status_code == 200
    [reply] = slack_api.posts()
    text = reply.block_text()
    assert "1,901 km²" in text and "（报告此处只有英文原文。）" in text, text
    assert "*p. 156*" in text


def test_a_chinese_question_the_report_does_not_answer_as_asked_is_refused_in_chinese(slack, slack_api):
    slack.event(mention("贵安新区2019年的GDP是多少？"), event_id=new_event_id())
    [reply] = slack_api.posts()
    assert "报告没有按所问的回答这个问题" in reply.block_text() and "2019年" in reply.block_text()
