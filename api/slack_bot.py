"""The Slack bot: the report assistant in channels, threads, DMs and a slash command.

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

import enum
import json
import logging
import re
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, delete, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from rag.chain import ChatResponse, Citation, QuestionError, ReportAssistant
from rag.citations import SEPARATOR, page_ref, quoted, source_name
from rag.config import Settings
from rag.history import SLACK_OWNER_PREFIX, HistoryError
from rag.index import IndexError_
from rag.ingest.chunk import innermost_section

logger = logging.getLogger(__name__)

SLASH_COMMAND = "/ask-report"
SECTION_TEXT_LIMIT = 3000  # Slack's limit for a section's text and a context element
MESSAGE_BLOCK_LIMIT = 50  # Slack's limit of blocks in one message
FALLBACK_TEXT_LIMIT = 3000  # the notification text; Slack truncates beyond 40,000, phones far earlier
SECTIONS_PER_MESSAGE = 4  # keeps a button click's payload (it carries the message) small
SOURCES_SHOWN = 3
QUOTE_CHARS = 280
DELIVERY_TTL_SECONDS = 24 * 3600  # Slack retries within minutes; a day is ample
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


def escape_mrkdwn(text: str) -> str:
    """Slack mrkdwn escaping: only &, < and > are control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_LINK_RE = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def question_from_slack(text: str, bot_user_id: str | None = None) -> str:
    """The question a user typed: without the bot's mention, links shown as their labels, entities decoded."""
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")

    def label(match: re.Match[str]) -> str:
        target, shown = match.group(1), match.group(2)
        if shown:
            return shown
        if target.startswith(("#C", "@U", "@W", "!subteam")):
            return ""
        return target.removeprefix("mailto:")

    text = _LINK_RE.sub(label, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"\s+", " ", text).strip()


_BREAKS = ("\n\n", "\n", ". ", "。", "！", "？", "; ", "；", ", ", "，", " ")  # Chinese: no space after a mark


def split_for_slack(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at the last paragraph, sentence or word break that fits.

    Never cuts inside an escaped entity (``&amp;``), so it can split text already escaped for mrkdwn.
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = 0
        for mark in _BREAKS:
            at = window.rfind(mark)
            if at > limit // 2:
                cut = at + len(mark.rstrip(" ")) if mark.strip() else at
                break
        if not cut:
            cut = limit
            entity = window.rfind("&", max(0, limit - 6))
            if entity != -1 and ";" not in window[entity:]:
                cut = entity
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


@dataclass(frozen=True)
class SourceLine:
    """One citation as a reader sees it in Slack."""

    page_label: str
    section: str
    quote: str
    source: str

    def mrkdwn(self, *, with_source: bool = False) -> str:
        parts = [f"*{escape_mrkdwn(page_ref(self.page_label))}*"]
        if with_source:
            parts.append(escape_mrkdwn(source_name(self.source)))
        if self.section:
            parts.append(escape_mrkdwn(self.section))
        parts.append(escape_mrkdwn(quoted(self.quote, QUOTE_CHARS)))
        return SEPARATOR.join(parts)


def source_lines(citations: Iterable[Citation]) -> list[SourceLine]:
    """Citations with the section they come from (the innermost heading above the quote)."""
    return [SourceLine(page_label=c.page_label, section=innermost_section(c.section or ""), quote=c.quote,
                       source=c.source) for c in citations]


@dataclass
class SlackMessage:
    """What one chat.postMessage / respond() call sends."""

    text: str
    blocks: list[dict[str, Any]]


def _context(texts: list[str]) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in texts[:10]]}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": text, "emoji": True},
                              "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


def render_answer(response: ChatResponse, sources: list[SourceLine], *, answer_id: str,
                  asked_by: str | None = None, question: str | None = None, shareable: bool = False,
                  with_feedback: bool = True) -> list[SlackMessage]:
    """The reply as one or more Slack messages; sources and buttons go on the last one.

    ``asked_by``/``question`` add an "<@U…> asked: …" line (a shared slash-command answer).
    """
    answer = escape_mrkdwn(response.answer.strip())
    header: list[dict[str, Any]] = []
    if asked_by and question:
        header = [_context([f"<@{asked_by}> asked: {escape_mrkdwn(question)}"[:SECTION_TEXT_LIMIT]])]
    if response.abstained:
        pieces = split_for_slack(f":mag: *Not in the report.* {answer}", SECTION_TEXT_LIMIT)
        bodies = [_context([p]) for p in pieces]
    else:
        pieces = split_for_slack(answer, SECTION_TEXT_LIMIT)
        bodies = [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in pieces]

    footer: list[dict[str, Any]] = []
    if sources and not response.abstained:
        several = len({s.source for s in sources}) > 1
        footer.append(_context([s.mrkdwn(with_source=several)[:SECTION_TEXT_LIMIT]
                                for s in sources[:SOURCES_SHOWN]]))
    buttons = []
    if shareable:
        buttons.append(_button("Share to channel", "share_answer", answer_id, style="primary"))
    if with_feedback:
        buttons += [_button("👍 Helpful", "feedback_up", answer_id),
                    _button("👎 Not helpful", "feedback_down", answer_id)]
    if buttons:
        footer.append({"type": "actions", "block_id": f"answer:{answer_id}", "elements": buttons})

    per_message = min(SECTIONS_PER_MESSAGE, MESSAGE_BLOCK_LIMIT - len(header) - len(footer))
    groups = [bodies[i:i + per_message] for i in range(0, len(bodies), per_message)] or [[]]
    page = f" ({page_ref(sources[0].page_label)})" if sources and not response.abstained else ""
    summary = f"Not in the report. {answer}" if response.abstained else answer + page
    texts = [(split_for_slack(summary, FALLBACK_TEXT_LIMIT) or ["…"])[0]] + ["(continued)"] * (len(groups) - 1)
    messages: list[SlackMessage] = []
    for n, (group, text) in enumerate(zip(groups, texts)):
        blocks = (header if n == 0 else []) + group + (footer if n == len(groups) - 1 else [])
        messages.append(SlackMessage(text=text, blocks=blocks))
    return messages


class SlackStore:
    """Delivery claims (dedupe), answers posted, and feedback; tables ``slack_*`` in the conversation database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.metadata = MetaData()
        self.deliveries = Table("slack_deliveries", self.metadata,
                                Column("key", String(200), primary_key=True),
                                Column("created", Float, index=True))
        self.answers = Table("slack_answers", self.metadata,
                             Column("id", String(32), primary_key=True),
                             Column("created", Float),
                             Column("session_id", String(128), index=True),
                             Column("channel", String(64)), Column("user", String(64)),
                             Column("question", Text), Column("answer", Text),
                             Column("abstained", Integer), Column("citations", Text))
        self.votes = Table("slack_feedback", self.metadata,
                           Column("id", Integer, primary_key=True, autoincrement=True),
                           Column("answer_id", String(32), index=True),
                           Column("user", String(64)), Column("rating", String(8)),
                           Column("created", Float))
        if url.startswith("sqlite:///"):
            Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url, future=True,
                                    connect_args={"check_same_thread": False, "timeout": 30}
                                    if url.startswith("sqlite") else {})
        self.metadata.create_all(self.engine)

    def claim(self, keys: Iterable[str]) -> bool:
        """True for the first caller with any of these keys; False when one was already claimed."""
        now = time.time()
        try:
            with self.engine.begin() as db:
                db.execute(delete(self.deliveries).where(self.deliveries.c.created < now - DELIVERY_TTL_SECONDS))
                db.execute(insert(self.deliveries), [{"key": k[:200], "created": now} for k in dict.fromkeys(keys)])
        except IntegrityError:
            return False
        return True

    def save_answer(self, *, session_id: str, channel: str, user: str, question: str,
                    response: ChatResponse) -> str:
        answer_id = uuid.uuid4().hex
        with self.engine.begin() as db:
            db.execute(insert(self.answers).values(
                id=answer_id, created=time.time(), session_id=session_id, channel=channel, user=user,
                question=question, answer=response.answer, abstained=int(response.abstained),
                citations=json.dumps([c.model_dump() for c in response.citations], ensure_ascii=False)))
        return answer_id

    def answer(self, answer_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as db:
            row = db.execute(select(self.answers).where(self.answers.c.id == answer_id)).mappings().first()
        if row is None:
            return None
        return {**row, "abstained": bool(row["abstained"]), "citations": json.loads(row["citations"])}

    def has_session(self, session_id: str) -> bool:
        with self.engine.connect() as db:
            return db.execute(select(self.answers.c.id).where(self.answers.c.session_id == session_id)
                              .limit(1)).first() is not None

    def add_feedback(self, answer_id: str, user: str, rating: str) -> bool:
        """Record (or change) a user's 👍/👎 on an answer; False if the answer is unknown."""
        if self.answer(answer_id) is None:
            return False
        with self.engine.begin() as db:
            db.execute(delete(self.votes).where(self.votes.c.answer_id == answer_id, self.votes.c.user == user))
            db.execute(insert(self.votes).values(answer_id=answer_id, user=user, rating=rating, created=time.time()))
        return True

    def feedback(self) -> list[dict[str, Any]]:
        """Every vote with its question, answer and citations, oldest first: material for the evaluation set."""
        out = []
        with self.engine.connect() as db:
            votes = db.execute(select(self.votes).order_by(self.votes.c.id)).mappings().all()
        for vote in votes:
            answer = self.answer(vote["answer_id"]) or {}
            out.append({"rating": vote["rating"], "user": vote["user"], "created": vote["created"],
                        "answer_id": vote["answer_id"], "session_id": answer.get("session_id"),
                        "question": answer.get("question"), "answer": answer.get("answer"),
                        "abstained": answer.get("abstained"), "citations": answer.get("citations", [])})
        return out


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
        self.store = store or SlackStore(settings.resolved_history_url)
        self.executor = TrackingExecutor(max_workers=max_workers)
        self.client = WebClient(token=settings.slack_bot_token, base_url=_api_url(settings))
        self.app = App(
            token=settings.slack_bot_token,
            signing_secret=settings.slack_signing_secret or "",
            client=self.client,
            # Socket Mode checks the token at start-up (a clear error); HTTP mode checks it on the first event
            token_verification_enabled=mode is SlackMode.SOCKET,
            request_verification_enabled=mode is SlackMode.HTTP,
            listener_executor=self.executor,
            logger=logging.getLogger("api.slack_bot.bolt"),
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
            return [SlackMessage(text=text, blocks=[_context([text])])]
        except Exception as exc:
            logger.exception("The assistant failed on a Slack question")
            text = f":warning: Sorry, I could not answer that just now ({escape_mrkdwn(type(exc).__name__)})."
            return [SlackMessage(text=text, blocks=[_context([text])])]
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


def _api_url(settings: Settings) -> str:
    return settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"


def session_id_for(channel: str, thread_ts: str | None) -> str:
    """The conversation of a Slack thread (a DM's top level is one conversation)."""
    return f"slack:{channel}:{thread_ts or 'dm'}"


def create_slack_bot(settings: Settings, assistant: ReportAssistant, *, mode: SlackMode = SlackMode.HTTP,
                     store: SlackStore | None = None) -> SlackBot:
    """The bot for one transport; raises SlackConfigError naming any missing RAG_SLACK_* setting."""
    return SlackBot(settings, assistant, mode=mode, store=store)


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
    client = WebClient(token=settings.slack_bot_token, base_url=_api_url(settings))
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
