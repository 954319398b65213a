"""`rag slack`: the bot over Socket Mode (no public URL), both tokens checked before the index loads."""
from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from api.slack.config import SlackConfigError, SlackMode, api_url, require_slack_settings
from api.slack.listeners import create_slack_bot
from rag.chain import ReportAssistant
from rag.config import Settings
from rag.history import HistoryError
from rag.index import IndexError_


def run_socket_mode(settings: Settings, args: list[str], *, stop: threading.Event | None = None) -> int:
    """`rag slack`: answer Slack over Socket Mode until Ctrl+C, SIGTERM or ``stop``. Returns the exit code."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if args:
        print(f"error: `rag slack` takes no arguments (got {' '.join(args)}); configure it with the RAG_SLACK_* "
              "variables (see docs/slack.md).", file=sys.stderr)
        return 2
    try:
        require_slack_settings(settings, SlackMode.SOCKET)
    except SlackConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Check both tokens before the seconds-long index load, so a wrong one fails at once
    client = WebClient(token=settings.slack_bot_token, base_url=api_url(settings))
    checks: list[tuple[str, Callable[[], Any]]] = [
        ("RAG_SLACK_BOT_TOKEN", client.auth_test),
        ("RAG_SLACK_APP_TOKEN", lambda: client.apps_connections_open(app_token=settings.slack_app_token)),
    ]
    for variable, check in checks:
        try:
            check()
        except SlackApiError as exc:
            print(f"error: Slack did not accept {variable} ({exc.response.get('error', exc)}).", file=sys.stderr)
            return 1
        except OSError as exc:
            print(f"error: cannot reach Slack at {settings.slack_api_url} ({exc}).", file=sys.stderr)
            return 1
    try:
        assistant = ReportAssistant.from_settings(settings)
        if not assistant.index.ready:
            print(f"error: the report index in {settings.data_dir} is empty; run `rag ingest` first.", file=sys.stderr)
            return 1
        assistant.warm_up()
        bot = create_slack_bot(settings, assistant, mode=SlackMode.SOCKET)
    except BoltError as exc:
        print(f"error: Slack did not accept RAG_SLACK_BOT_TOKEN ({exc}).", file=sys.stderr)
        return 1
    except (IndexError_, HistoryError, SQLAlchemyError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    handler = SocketModeHandler(bot.app, settings.slack_app_token)
    try:
        handler.connect()
    except SlackApiError as exc:
        print(f"error: Slack did not accept RAG_SLACK_APP_TOKEN ({exc.response.get('error', exc)}).", file=sys.stderr)
        return 1
    print("Slack bot connected over Socket Mode; Ctrl+C stops it.", file=sys.stderr)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()
        bot.executor.wait_idle(timeout=30)
        bot.executor.shutdown(wait=False)
    return 0
