"""Signed requests replayed or mangled: a slash command sent three times is answered once; a timestamp
that is not a number is 401, not a server error."""
from __future__ import annotations

import time

from slack_sdk.signature import SignatureVerifier

from tests.slack.conftest import SIGNING_SECRET


def command(slack_api, name: str) -> dict[str, str]:
    return {"token": "legacy", "team_id": "T0001", "channel_id": "C0REPLAY", "user_id": "UDAVE",
            "command": "/ask-report", "text": "What is the planned area of Gui’an New Area?",
            "api_app_id": "A0REPORT", "trigger_id": "9.9.9", "response_url": slack_api.response_url(name)}


def test_the_same_signed_command_sent_three_times_is_answered_once(slack, slack_api):
    fields, ts = command(slack_api, "replayed"), int(time.time())
    responses = [slack.form(fields, timestamp=ts) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    [answer] = slack_api.to("/response/replayed")
    assert "1,901 km²" in answer.block_text()


def test_the_same_command_signed_again_later_is_a_new_request(slack, slack_api):
    fields = command(slack_api, "asked-twice")
    slack.form(fields, timestamp=int(time.time()) - 2)
    slack.form(fields, timestamp=int(time.time()))
    assert len(slack_api.to("/response/asked-twice")) == 2


def test_a_timestamp_that_is_not_a_number_is_401(slack, slack_api):
    body = "command=%2Fask-report&text=planned+area"
    for stamp in ("abc", "", "12.5", "-5"):
        response = slack.http.post("/slack/events", content=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp="1", body=body)})
        assert response.status_code == 401, (stamp, response.text)
        assert "X-Slack-Request-Timestamp" in response.json()["detail"]
    assert slack_api.posts() == []
