"""POST /slack/events: Slack's Events API, interactivity (buttons) and the /ask-report command.

Every request must carry a valid Slack signature (RAG_SLACK_SIGNING_SECRET); without the secret the
endpoint answers 503 and names it rather than accept unsigned requests. A timestamp that is not a Unix
time is 401, like any bad signature. A signed slash command replayed (the same signature, timestamp and
body, which Slack never sends twice) is acknowledged and not answered again; events are deduplicated
by the bot (api/slack/).
"""
from __future__ import annotations

import hashlib
import threading
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier

from api.slack.config import SlackConfigError, SlackMode, require_slack_settings
from api.slack.listeners import SlackBot, create_slack_bot
from rag.config import Settings, get_settings

router = APIRouter()
_create_lock = threading.Lock()


def _settings(request: Request) -> Settings:
    return getattr(request.app.state, "settings", None) or get_settings()


def _bot(request: Request) -> SlackBot:
    """The app's one SlackBot, made on the first Slack request (the web chat does not need Slack)."""
    state = request.app.state
    with _create_lock:
        bot = getattr(state, "slack_bot", None)
        if bot is None:
            bot = state.slack_bot = create_slack_bot(_settings(request), state.assistant, mode=SlackMode.HTTP)
        return bot


@router.post("/slack/events", include_in_schema=False)
async def slack_events(request: Request) -> Response:
    try:
        require_slack_settings(_settings(request), SlackMode.HTTP)
    except SlackConfigError as exc:
        return JSONResponse(status_code=503, content={"detail": str(exc)})
    body = await request.body()
    timestamp = request.headers.get("x-slack-request-timestamp", "")
    if not timestamp.isascii() or not timestamp.isdigit():
        return JSONResponse(status_code=401, content={
            "detail": "X-Slack-Request-Timestamp must be the Unix time (whole seconds) Slack signed the request at."})
    bot = await run_in_threadpool(_bot, request)
    if await run_in_threadpool(_is_replayed_command, bot, request, body, timestamp):
        return Response(status_code=200)
    # Bolt's own Starlette adapter dispatches on the event loop; a sync App belongs in the thread pool
    bolt_response = await run_in_threadpool(bot.app.dispatch, to_bolt_request(request, body))
    return to_starlette_response(bolt_response)


def _is_replayed_command(bot: SlackBot, request: Request, body: bytes, timestamp: str) -> bool:
    """True for a validly signed slash command already received (signature + timestamp + body)."""
    if b"command=" not in body or "command" not in parse_qs(body.decode("utf-8", "replace")):
        return False
    signature = request.headers.get("x-slack-signature", "")
    if not SignatureVerifier(_settings(request).slack_signing_secret or "").is_valid(body, timestamp, signature):
        return False  # Bolt answers it 401
    digest = hashlib.sha256(b"\n".join([signature.encode(), timestamp.encode(), body])).hexdigest()
    return not bot.store.claim([f"command:{digest}"])
