"""A local stand-in for Slack's Web API, signed Slack requests, and the real FastAPI route serving the real bot.

The stand-in records every call (Web API methods and response_url posts) the way bolt-python's own
tests do with their mock server; the bot is pointed at it through RAG_SLACK_API_URL.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from tests.conftest import CORPUS_PAGE, free_port

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
REVOKED_TOKEN = "xoxb-revoked"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0001"


@dataclass
class SlackCall:
    path: str
    params: dict[str, Any]
    token: str | None

    @property
    def method(self) -> str:
        return self.path.removeprefix("/api/")

    def block_text(self) -> str:
        """All mrkdwn/plain text of the call's blocks, in order."""
        parts: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                    parts.append(node["text"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.params.get("blocks", []))
        return "\n".join(parts)


@dataclass
class SlackStandIn:
    """Slack's Web API on 127.0.0.1: answers like Slack, remembers what it was sent."""

    port: int
    socket_url: str | None = None  # what apps.connections.open hands out (Socket Mode)
    calls: list[SlackCall] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def to(self, method: str) -> list[SlackCall]:
        with self.lock:
            return [c for c in self.calls if c.method == method or c.path == method]

    def posts(self) -> list[SlackCall]:
        """Everything the bot said: messages, ephemerals and response_url posts."""
        with self.lock:
            return [c for c in self.calls if c.method not in ("auth.test", "apps.connections.open")]

    def clear(self) -> None:
        with self.lock:
            self.calls.clear()


def _serve_stand_in(stand_in: SlackStandIn) -> ThreadingHTTPServer:
    counter = itertools.count(1)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
            if "json" in (self.headers.get("Content-Type") or ""):
                params = json.loads(raw or "{}")
            else:
                params = {k: v[0] for k, v in parse_qs(raw).items()}
                for key in ("blocks", "attachments"):
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ") or params.get("token")
            call = SlackCall(path=self.path, params=params, token=token)
            with stand_in.lock:
                stand_in.calls.append(call)
            ts = f"{int(time.time())}.{next(counter):06d}"
            if self.path.startswith("/response/"):
                body, content_type = b"ok", "text/plain"
            else:
                reply: dict[str, Any] = {"ok": True}
                if token == REVOKED_TOKEN:
                    reply = {"ok": False, "error": "invalid_auth"}
                elif call.method == "auth.test":
                    reply.update(url="https://report-test.slack.com/", team="Report test", user="report-bot",
                                 team_id=TEAM, user_id=BOT_USER, bot_id=BOT_ID, is_enterprise_install=False)
                elif call.method == "chat.postMessage":
                    reply.update(channel=params.get("channel"), ts=ts, message={"text": params.get("text"), "ts": ts})
                elif call.method == "apps.connections.open":
                    reply = {"ok": True, "url": stand_in.socket_url} if stand_in.socket_url else \
                        {"ok": False, "error": "not_allowed_token_type"}
                elif call.method == "chat.postEphemeral":
                    reply.update(message_ts=ts)
                body, content_type = json.dumps(reply).encode(), "application/json"
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", stand_in.port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="slack-stand-in").start()
    return server


@pytest.fixture(scope="module")
def slack_api():
    stand_in = SlackStandIn(port=free_port())
    server = _serve_stand_in(stand_in)
    yield stand_in
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def slack_settings(tmp_path_factory, slack_api):
    from rag.config import Settings

    return Settings(data_dir=tmp_path_factory.mktemp("slack") / "data", slack_bot_token=BOT_TOKEN,
                    slack_signing_secret=SIGNING_SECRET, slack_app_token=None, slack_api_url=slack_api.api_url)


@pytest.fixture(scope="module")
def assistant(slack_settings):
    """A real ReportAssistant over page 156, loaded once per module."""
    from rag.chain import ReportAssistant
    from rag.index import ReportIndex

    index = ReportIndex.open(slack_settings)
    index.ingest([CORPUS_PAGE])
    return ReportAssistant(slack_settings, index)


class SlackServer:
    """The FastAPI route /slack/events under uvicorn on 127.0.0.1, and a client that signs like Slack."""

    def __init__(self, settings: Any, assistant: Any = None) -> None:
        """With an assistant: the Slack router alone on a bare FastAPI app sharing it; without: the main app."""
        import uvicorn
        from fastapi import FastAPI

        from api.main import create_app
        from api.routes.slack import router

        if assistant is None:
            self.app = create_app(settings)
        else:
            self.app = FastAPI()
            self.app.include_router(router)
            self.app.state.settings = settings
            self.app.state.assistant = assistant
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                   lifespan="off" if assistant else "on", log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="slack-uvicorn")
        self.thread.start()
        deadline = time.time() + 120
        while not self.server.started:
            assert time.time() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)

    @property
    def bot(self) -> Any:
        return getattr(self.app.state, "slack_bot", None)

    def send(self, body: str, content_type: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature,
                **(headers or {})}
        response = self.http.post("/slack/events", content=body.encode("utf-8"), headers=sent)
        self.settle()
        return response

    def settle(self) -> None:
        """Wait until every lazy listener has finished (the answers are posted)."""
        if self.bot is not None:
            assert self.bot.executor.wait_idle(timeout=60), "Slack listeners still running after 60 s"

    def event(self, event: dict[str, Any], *, event_id: str, **kwargs: Any) -> httpx.Response:
        envelope = {"token": "legacy", "team_id": TEAM, "api_app_id": "A0REPORT", "type": "event_callback",
                    "event_id": event_id, "event_time": int(time.time()),
                    "event": {"event_ts": event.get("ts"), **event},
                    "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}]}
        return self.send(json.dumps(envelope), "application/json", **kwargs)

    def form(self, fields: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.send(urlencode(fields), "application/x-www-form-urlencoded", **kwargs)

    def close(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)
        if self.bot is not None:
            self.bot.executor.shutdown(wait=True)


@pytest.fixture(scope="module")
def slack_server(slack_settings, assistant):
    server = SlackServer(slack_settings, assistant)
    yield server
    server.close()


@pytest.fixture
def slack(slack_server, slack_api):
    """The served bot with an empty call log."""
    slack_server.settle()
    slack_api.clear()
    return slack_server
