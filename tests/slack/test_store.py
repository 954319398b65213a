"""The Slack bot's store (api/slack/store.py) on a temporary conversation database: claims, answers, votes."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect

from api.slack.store import SlackStore
from rag.chain import ChatResponse, Citation
from rag.history import ConversationStore

RESPONSE = ChatResponse(answer="1,901 km²", abstained=False, session_id="slack:C1:1.0", citations=[
    Citation(page=156, page_label="156", source="corpus/page-156.txt", quote="a planned area of 1,901 km²",
             score=0.9)])


@pytest.fixture
def stores(tmp_path):
    history = ConversationStore(f"sqlite:///{tmp_path / 'conversations.sqlite3'}")
    return history, SlackStore(history)


def test_the_bot_keeps_its_tables_in_the_conversation_database_on_the_one_engine(stores):
    history, slack = stores
    assert slack.engine is history.engine
    tables = set(inspect(history.engine).get_table_names())
    assert {"turns", "sessions", "slack_deliveries", "slack_answers", "slack_feedback"} <= tables


def test_a_delivery_is_claimed_once_whichever_of_its_keys_comes_again(stores):
    _, slack = stores
    assert slack.claim(["message:C1:1.0", "event:Ev1"])
    assert not slack.claim(["event:Ev1"])  # Slack's retry of the same event
    assert not slack.claim(["message:C1:1.0", "event:Ev2"])  # the same message as another event
    assert slack.claim(["message:C1:2.0"])


def test_an_answer_is_kept_with_its_citations_and_marks_its_thread_as_the_bots(stores):
    _, slack = stores
    answer_id = slack.save_answer(session_id="slack:C1:1.0", channel="C1", user="U1", question="How big?",
                                  response=RESPONSE)
    record = slack.answer(answer_id)
    assert (record["question"], record["answer"], record["abstained"]) == ("How big?", "1,901 km²", False)
    assert record["citations"][0]["quote"] == "a planned area of 1,901 km²"
    assert slack.has_session("slack:C1:1.0") and not slack.has_session("slack:C1:2.0")
    assert slack.answer("unknown") is None


def test_a_second_vote_by_the_same_user_replaces_the_first_and_an_unknown_answer_takes_none(stores):
    _, slack = stores
    answer_id = slack.save_answer(session_id="slack:C1:1.0", channel="C1", user="U1", question="How big?",
                                  response=RESPONSE)
    assert slack.add_feedback(answer_id, "U2", "down")
    assert slack.add_feedback(answer_id, "U2", "up")
    assert slack.add_feedback(answer_id, "U3", "down")
    assert not slack.add_feedback("unknown", "U2", "up")
    votes = slack.feedback()
    assert [(v["user"], v["rating"]) for v in votes] == [("U2", "up"), ("U3", "down")]
    assert votes[0]["question"] == "How big?" and votes[0]["session_id"] == "slack:C1:1.0"
