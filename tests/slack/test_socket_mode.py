"""`rag slack`: Socket Mode against a local WebSocket stand-in for Slack, and its start-up errors."""
from __future__ import annotations

import json
import threading
import time

import pytest
from websockets.sync.server import serve

from api.slack.socket_mode import run_socket_mode
from rag.config import Settings
from tests.conftest import ROOT, free_port
from tests.slack.conftest import BOT_USER, REVOKED_TOKEN, TEAM

pytestmark = pytest.mark.slack


@pytest.mark.parametrize(("tokens", "named"), [
    ({}, ["RAG_SLACK_APP_TOKEN", "RAG_SLACK_BOT_TOKEN"]),
    ({"slack_bot_token": "xoxb-1"}, ["RAG_SLACK_APP_TOKEN"]),
    ({"slack_app_token": "xapp-1"}, ["RAG_SLACK_BOT_TOKEN"]),
])
def test_missing_token_is_a_clear_start_up_error(tmp_path, capsys, tokens, named):
    settings = Settings(data_dir=tmp_path, **{"slack_bot_token": None, "slack_app_token": None, **tokens})
    assert run_socket_mode(settings, []) != 0
    err = capsys.readouterr().err
    assert all(name in err for name in named)


def test_bot_token_in_place_of_app_token_is_refused(tmp_path, capsys):
    settings = Settings(data_dir=tmp_path, slack_bot_token="xoxb-1", slack_app_token="xoxb-2")
    assert run_socket_mode(settings, []) != 0
    assert "RAG_SLACK_APP_TOKEN must be an app-level token (xapp-…)" in capsys.readouterr().err


def test_rejected_bot_token_is_a_clear_start_up_error(slack_settings, assistant, capsys):
    settings = slack_settings.model_copy(update={"slack_bot_token": REVOKED_TOKEN, "slack_app_token": "xapp-test"})
    assert run_socket_mode(settings, []) == 1
    err = capsys.readouterr().err
    assert "RAG_SLACK_BOT_TOKEN" in err and "invalid_auth" in err


def test_rejected_app_token_is_a_clear_start_up_error(slack_settings, assistant, slack_api, capsys):
    slack_api.socket_url = None  # apps.connections.open answers not_allowed_token_type
    settings = slack_settings.model_copy(update={"slack_app_token": "xapp-test"})
    assert run_socket_mode(settings, []) == 1
    err = capsys.readouterr().err
    assert "RAG_SLACK_APP_TOKEN" in err and "not_allowed_token_type" in err


def test_manifest_declares_what_the_bot_handles():
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text(encoding="utf-8"))
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) >= {"app_mention", "message.im"}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) >= {"app_mentions:read", "chat:write", "commands",
                                                              "im:history"}
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/ask-report"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_mention_over_socket_mode_is_acknowledged_and_answered(slack_settings, assistant, slack_api):
    received: list[dict] = []
    envelope = {"envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False, "retry_attempt": 0,
                "payload": {"type": "event_callback", "team_id": TEAM, "api_app_id": "A0REPORT",
                            "event_id": "EvSOCKET1", "event_time": int(time.time()),
                            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
                            "event": {"type": "app_mention", "user": "UALICE", "channel": "C0SOCKET",
                                      "text": f"<@{BOT_USER}> What is the planned area of Gui’an New Area?",
                                      "ts": "1700000000.000100", "event_ts": "1700000000.000100"}}}

    def slack_side(ws) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "stand-in"}}))
        ws.send(json.dumps(envelope))
        for raw in ws:
            received.append(json.loads(raw))

    port = free_port()
    server = serve(slack_side, "127.0.0.1", port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    slack_api.socket_url = f"ws://127.0.0.1:{port}/link"
    slack_api.clear()
    stop, codes = threading.Event(), []
    settings = slack_settings.model_copy(update={"slack_app_token": "xapp-test", "slack_signing_secret": None})
    runner = threading.Thread(target=lambda: codes.append(run_socket_mode(settings, [], stop=stop)))
    runner.start()
    try:
        deadline = time.time() + 60
        while not slack_api.to("chat.postMessage") and time.time() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        runner.join(timeout=60)
        server.shutdown()
        slack_api.socket_url = None
    assert codes == [0]
    assert {"envelope_id": "env-1"} in [{k: v for k, v in m.items() if k == "envelope_id"} for m in received]
    [reply] = slack_api.to("chat.postMessage")
    assert reply.params["thread_ts"] == "1700000000.000100"
    assert "1,901 km²" in reply.block_text() and "p. 156" in reply.block_text()
