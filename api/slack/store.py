"""What the bot remembers, in tables ``slack_*`` on the conversation store's engine: delivery claims (each
message answered once), the answers it posted, and the votes on them."""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, insert, select
from sqlalchemy.exc import IntegrityError

from rag.chain import ChatResponse
from rag.history import ConversationStore

DELIVERY_TTL_SECONDS = 24 * 3600  # Slack retries within minutes; a day is ample


class SlackStore:
    """Delivery claims (dedupe), answers posted, and feedback; tables ``slack_*`` in the conversation database,
    on the conversation store's own engine (one engine, one connection pool, for the history database)."""

    def __init__(self, history: ConversationStore) -> None:
        self.url = history.url
        self.engine = history.engine
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

