"""Slack text both ways: a question out of a Slack message, and an answer as Block Kit messages (the answer,
a sources line per citation, 👍/👎 and share buttons) within Slack's limits."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rag.chain import ChatResponse, Citation
from rag.citations import SEPARATOR, page_ref, quoted, source_name
from rag.ingest.chunk import innermost_section

SECTION_TEXT_LIMIT = 3000  # Slack's limit for a section's text and a context element
MESSAGE_BLOCK_LIMIT = 50  # Slack's limit of blocks in one message
FALLBACK_TEXT_LIMIT = 3000  # the notification text; Slack truncates beyond 40,000, phones far earlier
SECTIONS_PER_MESSAGE = 4  # keeps a button click's payload (it carries the message) small
SOURCES_SHOWN = 3
QUOTE_CHARS = 280


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


def context_block(texts: list[str]) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in texts[:10]]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
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
        header = [context_block([f"<@{asked_by}> asked: {escape_mrkdwn(question)}"[:SECTION_TEXT_LIMIT]])]
    if response.abstained:
        pieces = split_for_slack(f":mag: *Not in the report.* {answer}", SECTION_TEXT_LIMIT)
        bodies = [context_block([p]) for p in pieces]
    else:
        pieces = split_for_slack(answer, SECTION_TEXT_LIMIT)
        bodies = [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in pieces]

    footer: list[dict[str, Any]] = []
    if sources and not response.abstained:
        several = len({s.source for s in sources}) > 1
        footer.append(context_block([s.mrkdwn(with_source=several)[:SECTION_TEXT_LIMIT]
                                for s in sources[:SOURCES_SHOWN]]))
    buttons = []
    if shareable:
        buttons.append(button("Share to channel", "share_answer", answer_id, style="primary"))
    if with_feedback:
        buttons += [button("👍 Helpful", "feedback_up", answer_id),
                    button("👎 Not helpful", "feedback_down", answer_id)]
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

