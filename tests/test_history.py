"""The conversation store (rag/history.py) on a temporary SQLite file: turns, limits, owners, feedback, delete."""
from __future__ import annotations

import pytest

from rag.history import ConversationStore, HistoryError, Turn


@pytest.fixture
def store(tmp_path) -> ConversationStore:
    return ConversationStore(f"sqlite:///{tmp_path / 'history' / 'conversations.sqlite3'}")


def turn(n: int, **extra) -> Turn:
    return Turn(question=f"question {n}?", query=f"query {n}", answer=f"answer {n}", created=1000.0 + n, **extra)


def test_turns_come_back_oldest_first_with_what_was_stored(store):
    cited = [{"page": 156, "page_label": "156", "quote": "a planned area of 1,901 km²"}]
    store.add_turn("s1", turn(1))
    store.add_turn("s1", turn(2, abstained=True, citations=cited))
    store.add_turn("other", turn(9))
    turns = store.turns("s1")
    assert [t.question for t in turns] == ["question 1?", "question 2?"]
    assert (turns[1].query, turns[1].answer, turns[1].abstained, turns[1].citations) == (
        "query 2", "answer 2", True, cited)
    assert turns[0].abstained is False and turns[0].created == 1001.0
    assert store.turns("nobody") == []


def test_a_limit_keeps_the_latest_turns_still_oldest_first(store):
    for n in range(1, 6):
        store.add_turn("s1", turn(n))
    assert [t.question for t in store.turns("s1", limit=2)] == ["question 4?", "question 5?"]


def test_the_first_claim_owns_a_conversation_and_later_claims_get_that_owner(store):
    assert store.owner("s1") is None
    assert store.claim("s1", "key:alice") == "key:alice"
    assert store.claim("s1", "key:bob") == "key:alice"
    assert store.owner("s1") == "key:alice"


def test_sessions_lists_owned_conversations_with_their_turn_counts(store):
    store.claim("s1", "key:alice")
    store.add_turn("s1", turn(1))
    store.add_turn("s1", turn(2))
    [info] = store.sessions()
    assert (info.session_id, info.owner, info.turns) == ("s1", "key:alice", 2)


def test_feedback_rates_a_turn_and_a_second_vote_by_the_same_user_replaces_the_first(store):
    for n in (1, 2, 3):
        store.add_turn("s1", turn(n))
    assert store.add_feedback("s1", 2, "down") == 2
    assert store.add_feedback("s1", 2, "up") == 2  # the same user changes their mind
    assert store.add_feedback("s1", None, "down", user="slack:U1") == 3  # None: the latest turn
    votes = store.feedback()
    assert [(v["turn"], v["rating"], v["user"]) for v in votes] == [(2, "up", "web"), (3, "down", "slack:U1")]
    assert votes[0]["question"] == "question 2?" and votes[0]["history"] == ["question 1?"]
    assert votes[0]["answer"] == "answer 2"


def test_feedback_on_a_turn_that_does_not_exist_is_refused(store):
    store.add_turn("s1", turn(1))
    assert store.add_feedback("s1", 2, "up") is None
    assert store.add_feedback("nobody", None, "up") is None
    with pytest.raises(ValueError, match="rating must be one of up, down"):
        store.add_feedback("s1", 1, "meh")
    assert store.feedback() == []


def test_delete_removes_the_turns_the_owner_and_the_feedback_of_one_conversation_only(store):
    store.claim("s1", "key:alice")
    store.add_turn("s1", turn(1))
    store.add_turn("s1", turn(2))
    store.add_feedback("s1", 1, "up")
    store.add_turn("s2", turn(3))
    assert store.delete("s1") == 2
    assert store.turns("s1") == [] and store.owner("s1") is None and store.feedback() == []
    assert [t.question for t in store.turns("s2")] == ["question 3?"]
    assert store.delete("s1") == 0


def test_the_store_reopens_with_what_it_held(store):
    store.add_turn("s1", turn(1))
    store.claim("s1", "key:alice")
    again = ConversationStore(store.url)
    assert [t.question for t in again.turns("s1")] == ["question 1?"] and again.owner("s1") == "key:alice"


def test_a_file_that_is_not_a_database_is_a_history_error_naming_it(tmp_path):
    path = tmp_path / "conversations.sqlite3"
    path.write_bytes(b"this is not an SQLite database, just some text " * 100)
    with pytest.raises(HistoryError) as info:
        ConversationStore(f"sqlite:///{path}")
    assert str(path) in str(info.value) and "Move it aside or delete it" in str(info.value)
