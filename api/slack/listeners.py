"""The Bolt app: the report assistant in channels, threads, DMs and a slash command.

One Bolt app serves both transports:

    bot = create_slack_bot(settings, assistant, mode=SlackMode.HTTP)    # POST /slack/events (api/routes/slack.py)
    run_socket_mode(settings, [])                                        # `rag slack`: Socket Mode, no public URL

Behaviour:

- ``app_mention`` in a channel is answered in the mention's thread; a DM is answered in the DM; a reply
  in a thread the bot already answers in is a follow-up. The conversation is the thread:
  session id ``slack:{channel}:{thread_ts}`` (``slack:{channel}:dm`` for a DM's top level).
- Own and other bots' messages are ignored; each message is answered once, whatever Slack delivers
  (retries with ``X-Slack-Retry-Num``, a DM mention as both ``app_mention`` and ``message``): the
  event id and the message's channel+ts are claimed in the database before answering.
- Listeners are lazy: Slack gets its acknowledgement at once, the answer follows from a worker thread.
- Replies are Block Kit: the answer, a sources line per citation ("p. 156 · Gui’an New Area · “…”"),
  a grey "Not in the report" reply when the assistant abstains, and 👍/👎 buttons whose clicks are
  stored with the question, answer and citations (``SlackStore.feedback()``).
- ``/ask-report QUESTION`` answers privately (ephemeral) with a "Share to channel" button.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from api.slack.config import SlackMode, api_url, require_slack_settings
from api.slack.render import (
    SlackMessage,
    context_block,
    escape_mrkdwn,
    question_from_slack,
    render_answer,
    source_lines,
)
from api.slack.store import SlackStore
from rag.chain import ChatResponse, Citation, QuestionError, ReportAssistant
from rag.config import Settings
from rag.history import SLACK_OWNER_PREFIX

logger = logging.getLogger(__name__)

SLASH_COMMAND = "/ask-report"


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener executor, counting work in flight so shutdown and tests can wait for it."""

    def __init__(self, max_workers: int = 4) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="slack-listener")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _: Future[Any]) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)


def _from_bot(event: dict[str, Any]) -> bool:
    return bool(event.get("bot_id") or event.get("bot_profile") or event.get("subtype") == "bot_message")


_USER_MENTION_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


class SlackBot:
    """The Bolt app wired to one ReportAssistant and one SlackStore."""

    def __init__(self, settings: Settings, assistant: ReportAssistant, *, mode: SlackMode,
                 store: SlackStore | None = None, max_workers: int = 4) -> None:
        require_slack_settings(settings, mode)
        self.settings = settings
        self.assistant = assistant
        self.mode = mode
        self.store = store or SlackStore(assistant.history)
        self.executor = TrackingExecutor(max_workers=max_workers)
        self.client = WebClient(token=settings.slack_bot_token, base_url=api_url(settings))
        self.app = App(
            token=settings.slack_bot_token,
            signing_secret=settings.slack_signing_secret or "",
            client=self.client,
            # Socket Mode checks the token at start-up (a clear error); HTTP mode checks it on the first event
            token_verification_enabled=mode is SlackMode.SOCKET,
            request_verification_enabled=mode is SlackMode.HTTP,
            listener_executor=self.executor,
            logger=logging.getLogger("api.slack.bolt"),
        )
        self._register()

    def _register(self) -> None:
        app = self.app
        app.event("app_mention")(ack=_ack, lazy=[self.on_mention])
        app.event("message")(ack=_ack, lazy=[self.on_message])
        app.command(SLASH_COMMAND)(ack=_ack_command, lazy=[self.on_command])
        app.action(re.compile(r"^feedback_(up|down)$"))(ack=_ack, lazy=[self.on_feedback])
        app.action("share_answer")(ack=_ack, lazy=[self.on_share])
        app.error(self.on_error)

    def on_error(self, error: Exception, body: dict[str, Any]) -> None:
        logger.error("Slack listener failed on %s: %s", body.get("type"), error, exc_info=error)

    def on_mention(self, body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if _from_bot(event):
            return
        self._answer_event(body, event, client, context)

    def on_message(self, body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if _from_bot(event) or event.get("subtype") not in (None, "thread_broadcast", "file_share"):
            return
        channel, thread_ts = event.get("channel", ""), event.get("thread_ts")
        if event.get("channel_type") != "im":
            # In channels only follow-ups in a thread the bot answers in, and not a side talk with someone else
            mentions = set(_USER_MENTION_RE.findall(event.get("text", "")))
            if not thread_ts or mentions - {context.bot_user_id} or context.bot_user_id in mentions:
                return
            if not self.store.has_session(session_id_for(channel, thread_ts)):
                return
        self._answer_event(body, event, client, context)

    def _answer_event(self, body: dict[str, Any], event: dict[str, Any], client: WebClient,
                      context: BoltContext) -> None:
        channel, ts = event.get("channel", ""), event.get("ts", "")
        keys = [f"message:{channel}:{ts}"] + ([f"event:{body['event_id']}"] if body.get("event_id") else [])
        if not self.store.claim(keys):
            logger.info("Slack delivery %s already handled", keys)
            return
        # app_mention events carry no channel_type; DM channel ids start with D
        direct = event.get("channel_type") == "im" or channel.startswith("D")
        thread_ts = event.get("thread_ts") or (None if direct else ts)
        session_id = session_id_for(channel, thread_ts)
        question = question_from_slack(event.get("text", ""), context.bot_user_id)
        reply_to = {"channel": channel, **({"thread_ts": thread_ts} if thread_ts else {})}
        if not question:
            client.chat_postMessage(**reply_to, text="Ask me about the report, e.g. “What is the planned area of "
                                                     "Gui’an New Area?” I answer with quotes and page numbers.")
            return
        messages = self._answer(question, session_id, channel=channel, user=event.get("user", ""),
                                team=body.get("team_id", ""))
        for message in messages:
            client.chat_postMessage(**reply_to, text=message.text, blocks=message.blocks,
                                    unfurl_links=False, unfurl_media=False)

    def _answer(self, question: str, session_id: str, *, channel: str, user: str, team: str = "",
                shareable: bool = False) -> list[SlackMessage]:
        try:
            # Slack's conversations are Slack's: the HTTP API answers 404 for them (api/deps.admit_answer)
            self.assistant.history.claim(session_id, SLACK_OWNER_PREFIX + (team or "workspace"))
            response = self.assistant.ask(question, session_id)
        except QuestionError as exc:
            text = f":warning: {escape_mrkdwn(str(exc))}"
            return [SlackMessage(text=text, blocks=[context_block([text])])]
        except Exception as exc:
            logger.exception("The assistant failed on a Slack question")
            text = f":warning: Sorry, I could not answer that just now ({escape_mrkdwn(type(exc).__name__)})."
            return [SlackMessage(text=text, blocks=[context_block([text])])]
        answer_id = self.store.save_answer(session_id=session_id, channel=channel, user=user, question=question,
                                           response=response)
        return render_answer(response, source_lines(response.citations), answer_id=answer_id,
                             shareable=shareable)

    def on_command(self, command: dict[str, Any], respond: Respond) -> None:
        question = question_from_slack(command.get("text", ""))
        if not question:
            return
        channel, user = command.get("channel_id", ""), command.get("user_id", "")
        # One conversation per user and channel, so "/ask-report How big is it?" follows the previous question
        messages = self._answer(question, session_id_for(channel, f"cmd-{user}"), channel=channel, user=user,
                                team=command.get("team_id", ""), shareable=True)
        for message in messages:
            respond(response_type="ephemeral", replace_original=False, text=message.text, blocks=message.blocks)

    def on_feedback(self, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        rating = "up" if action["action_id"] == "feedback_up" else "down"
        user = body.get("user", {}).get("id", "")
        if self.store.add_feedback(action.get("value", ""), user, rating):
            text = ("Thanks, your 👍 is recorded." if rating == "up"
                    else "Thanks, your 👎 is recorded; it helps fix answers.")
        else:
            text = "That answer is no longer on record, so the feedback could not be stored."
        respond(response_type="ephemeral", replace_original=False, text=text)

    def on_share(self, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        record = self.store.answer(action.get("value", ""))
        if record is None:
            respond(response_type="ephemeral", replace_original=False,
                    text="That answer is no longer on record; ask again to share it.")
            return
        response = ChatResponse(answer=record["answer"], abstained=record["abstained"],
                                citations=[Citation(**c) for c in record["citations"]],
                                session_id=record["session_id"])
        messages = render_answer(response, source_lines(response.citations), answer_id=record["id"],
                                 asked_by=body.get("user", {}).get("id") or record["user"],
                                 question=record["question"])
        for message in messages:
            respond(response_type="in_channel", replace_original=False, text=message.text, blocks=message.blocks)
        respond(delete_original=True)


def _ack(ack: Ack) -> None:
    ack()


def _ack_command(ack: Ack, command: dict[str, Any]) -> None:
    if not question_from_slack(command.get("text", "")):
        ack(response_type="ephemeral",
            text=f"Usage: `{SLASH_COMMAND} QUESTION`, "
                 f"e.g. `{SLASH_COMMAND} What is the planned area of Gui’an New Area?`")
    else:
        ack()


def session_id_for(channel: str, thread_ts: str | None) -> str:
    """The conversation of a Slack thread (a DM's top level is one conversation)."""
    return f"slack:{channel}:{thread_ts or 'dm'}"


def create_slack_bot(settings: Settings, assistant: ReportAssistant, *, mode: SlackMode = SlackMode.HTTP,
                     store: SlackStore | None = None) -> SlackBot:
    """The bot for one transport; raises SlackConfigError naming any missing RAG_SLACK_* setting."""
    return SlackBot(settings, assistant, mode=mode, store=store)

