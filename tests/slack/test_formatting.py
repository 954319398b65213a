"""Block Kit formatting of answers: pure, no Slack and no model needed."""
from __future__ import annotations

import pytest

from api.slack.listeners import session_id_for
from api.slack.render import (
    MESSAGE_BLOCK_LIMIT,
    SECTION_TEXT_LIMIT,
    SourceLine,
    escape_mrkdwn,
    question_from_slack,
    render_answer,
    split_for_slack,
)
from rag.chain import SESSION_ID_RE, ChatResponse, Citation

QUOTE = ("Located between Guiyang and Anshun and as a core area in the Central Guizhou Economic Zone, Gui’an New "
         "Area has a planned area of 1,901 km² and a directly administered area of 491 km².")
SOURCE = SourceLine(page_label="156", section="Gui’an New Area", quote=QUOTE, source="corpus/page-156.txt")


def response(answer: str, *, abstained: bool = False) -> ChatResponse:
    citations = [] if abstained else [Citation(page=156, page_label="156", source="corpus/page-156.txt",
                                               quote=QUOTE, score=0.9)]
    return ChatResponse(answer=answer, abstained=abstained, citations=citations, session_id="slack:C1:1.2")


def texts(blocks: list[dict]) -> list[str]:
    out = []
    for block in blocks:
        if block["type"] == "section":
            out.append(block["text"]["text"])
        elif block["type"] == "context":
            out += [e["text"] for e in block["elements"]]
    return out


@pytest.mark.parametrize(("raw", "escaped"), [
    ("R&D <b>bold</b> > 5%", "R&amp;D &lt;b&gt;bold&lt;/b&gt; &gt; 5%"),
    ("&amp; stays literal", "&amp;amp; stays literal"),
    ("1,901 km²", "1,901 km²"),
])
def test_escape_mrkdwn(raw, escaped):
    assert escape_mrkdwn(raw) == escaped


@pytest.mark.parametrize(("text", "question"), [
    ("<@UBOT> How big is Gui&amp;apos;an?", "How big is Gui&apos;an?"),
    ("<@UBOT>   What is R&amp;D spending &lt;2024&gt;?", "What is R&D spending <2024>?"),
    ("What does <https://www.gaxq.gov.cn|GAXQ> say? <@UBOT>", "What does GAXQ say?"),
    ("Ask <#C123|general> about <@UBOB>", "Ask general about"),
])
def test_question_from_slack(text, question):
    assert question_from_slack(text, "UBOT") == question


def test_session_id_is_the_thread_and_a_valid_chain_session():
    assert session_id_for("C0GENERAL", "1700000000.000100") == "slack:C0GENERAL:1700000000.000100"
    assert SESSION_ID_RE.match(session_id_for("D0ALICE", None))


def test_answer_with_sources_and_feedback():
    [message] = render_answer(response("1,901 km² — " + QUOTE), [SOURCE], answer_id="a1")
    section, sources, actions = message.blocks
    assert section["type"] == "section" and section["text"]["text"].startswith("1,901 km²")
    assert sources["elements"][0]["text"].startswith("*p. 156* · Gui’an New Area · “Located between Guiyang")
    assert [e["action_id"] for e in actions["elements"]] == ["feedback_up", "feedback_down"]
    assert {e["value"] for e in actions["elements"]} == {"a1"}
    assert message.text.endswith("(p. 156)")


def test_long_quote_is_shortened_in_the_sources_line():
    long = SourceLine(page_label="156", section="", quote="word " * 200, source="corpus/page-156.txt")
    line = long.mrkdwn()
    assert len(line) < 320 and line.endswith("…”") and line.startswith("*p. 156* · “word")


def test_abstention_looks_different():
    [message] = render_answer(response("The report does not say.", abstained=True), [], answer_id="a2")
    assert [b["type"] for b in message.blocks] == ["context", "actions"]
    assert texts(message.blocks)[0] == ":mag: *Not in the report.* The report does not say."


def test_answer_text_is_escaped():
    [message] = render_answer(response("R&D spending <rose> by 5% > 2023"), [SOURCE], answer_id="a3")
    assert texts(message.blocks)[0] == "R&amp;D spending &lt;rose&gt; by 5% &gt; 2023"
    assert "<rose>" not in message.text


@pytest.mark.parametrize("length", [2_999, 3_001, 9_000, 70_000, 200_000])
def test_long_answers_are_split_within_slack_limits(length):
    sentence = "The park & its <data centres> grew by 21.1% in 2024. "
    answer = (sentence * (length // len(sentence) + 1))[:length].strip()
    messages = render_answer(response(answer), [SOURCE], answer_id="a4")
    bodies = []
    for message in messages:
        assert len(message.blocks) <= MESSAGE_BLOCK_LIMIT and len(message.text) <= 3000
        for block in message.blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= SECTION_TEXT_LIMIT
                bodies.append(block["text"]["text"])
    assert " ".join(bodies).split() == escape_mrkdwn(answer).split()
    assert [b["type"] for b in messages[-1].blocks][-2:] == ["context", "actions"]
    assert all(b["type"] == "section" for m in messages[:-1] for b in m.blocks)


def test_split_never_cuts_an_entity():
    text = escape_mrkdwn("&" * 2000)
    pieces = split_for_slack(text, 3000)
    assert "".join(pieces) == text and all(len(p) <= 3000 and p.endswith(";") for p in pieces)


def test_split_prefers_sentence_ends():
    pieces = split_for_slack("First sentence here. " * 200, 1000)
    assert all(p.endswith(".") for p in pieces) and all(len(p) <= 1000 for p in pieces)
