"""What Slack needs to start, per transport (HTTP events or Socket Mode), and where its Web API is."""
from __future__ import annotations

import enum

from rag.config import Settings

ENV = {"bot_token": "RAG_SLACK_BOT_TOKEN", "signing_secret": "RAG_SLACK_SIGNING_SECRET",
       "app_token": "RAG_SLACK_APP_TOKEN"}


class SlackMode(str, enum.Enum):
    HTTP = "http"
    SOCKET = "socket"


class SlackConfigError(RuntimeError):
    """Slack cannot start: the message names the RAG_ variable(s) to set."""


def require_slack_settings(settings: Settings, mode: SlackMode) -> None:
    """Raise SlackConfigError naming every missing token or secret the mode needs."""
    needed = ["bot_token", "signing_secret"] if mode is SlackMode.HTTP else ["app_token", "bot_token"]
    missing = [ENV[name] for name in needed if not getattr(settings, f"slack_{name}")]
    if missing:
        where = "Slack events at /slack/events" if mode is SlackMode.HTTP else "Slack Socket Mode (`rag slack`)"
        raise SlackConfigError(f"{where} need {' and '.join(missing)}; set {'them' if len(missing) > 1 else 'it'} "
                               "in the environment or .env (see docs/slack.md).")
    if mode is SlackMode.SOCKET and not str(settings.slack_app_token).startswith("xapp-"):
        raise SlackConfigError("RAG_SLACK_APP_TOKEN must be an app-level token (xapp-…) with the "
                               "connections:write scope, not a bot token (see docs/slack.md).")




def api_url(settings: Settings) -> str:
    """The Slack Web API base URL, with the trailing slash slack_sdk expects."""
    return settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
