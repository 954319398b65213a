"""Conversation memory behind an SQLAlchemy URL (an SQLite file in ``RAG_DATA_DIR`` by default).

    store = ConversationStore("sqlite:///.rag/conversations.sqlite3")
    store.add_turn("s1", Turn(question="When was Gui'an New Area established?", query=..., answer=...))
    store.turns("s1")                         # oldest first
    store.claim("s1", "key:3f2a…")            # -> the owner: the first claimant's, or the existing one
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Float, Integer, String, Text, create_engine, delete, event, func, inspect, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class HistoryError(Exception):
    """The conversation store cannot be used; the message names the database and the way out."""


class _Base(DeclarativeBase):
    pass


class _TurnRow(_Base):
    __tablename__ = "turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(128), index=True)
    created: Mapped[float] = mapped_column(Float)
    question: Mapped[str] = mapped_column(Text)
    query: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    abstained: Mapped[int] = mapped_column(Integer)
    citations: Mapped[str] = mapped_column(Text)  # JSON list of citation dicts


class _SessionRow(_Base):
    """Who a conversation belongs to: a principal name such as ``key:<hash>``, ``web:<hash>``, ``slack:<team>``
    (never a secret itself), or :data:`UNOWNED` for conversations kept from before owners were recorded."""

    __tablename__ = "sessions"

    session_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    owner: Mapped[str] = mapped_column(String(80), index=True)
    created: Mapped[float] = mapped_column(Float)


UNOWNED = "unowned"  # history from before owners were recorded: only an admin key may list or delete it
SLACK_OWNER_PREFIX = "slack:"


@dataclass
class SessionInfo:
    session_id: str
    owner: str
    turns: int
    created: float


class _FeedbackRow(_Base):
    """A 👍/👎 on one turn, as the Slack bot stores its votes (rating 'up'/'down', user, created)."""

    __tablename__ = "turn_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[int] = mapped_column(Integer, index=True)
    session_id: Mapped[str] = mapped_column(String(128), index=True)
    user: Mapped[str] = mapped_column(String(64))
    rating: Mapped[str] = mapped_column(String(8))
    created: Mapped[float] = mapped_column(Float)


RATINGS = ("up", "down")


@dataclass
class Turn:
    """One question and its answer; ``query`` is what retrieval searched for (the rewritten question)."""

    question: str
    query: str
    answer: str
    abstained: bool = False
    citations: list[dict[str, Any]] = field(default_factory=list)
    created: float = field(default_factory=time.time)


def _sqlite_wal(connection, _record) -> None:
    """Write-ahead logging: a turn is one append, not an fsync of the database per commit (10–14 ms a question),
    and readers do not wait for the writer. A crash of the process loses nothing; a power cut may lose the last
    turns, never the database."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class ConversationStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.location = url.split("///", 1)[1] if url.startswith("sqlite:///") else url
        if url.startswith("sqlite:///"):
            Path(self.location).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine = create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 30}
                                        if url.startswith("sqlite") else {})
            if url.startswith("sqlite") and self.location != ":memory:":
                event.listen(self.engine, "connect", _sqlite_wal)
            migrate = "turns" in inspect(self.engine).get_table_names() and \
                "sessions" not in inspect(self.engine).get_table_names()
            _Base.metadata.create_all(self.engine)
            if migrate:
                self._adopt_legacy_sessions()
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    def _adopt_legacy_sessions(self) -> None:
        """A database from before owners: its Slack conversations stay Slack's, the rest belong to nobody
        (no principal can be proven to have made them), so they stay readable only to an admin key."""
        with Session(self.engine) as session, session.begin():
            rows = session.execute(select(_TurnRow.session_id, func.min(_TurnRow.created))
                                   .group_by(_TurnRow.session_id)).all()
            for session_id, created in rows:
                owner = SLACK_OWNER_PREFIX + "legacy" if session_id.startswith(SLACK_OWNER_PREFIX) else UNOWNED
                session.add(_SessionRow(session_id=session_id, owner=owner, created=created or 0.0))

    def _error(self, exc: Exception) -> HistoryError:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return HistoryError(
            f"The conversation database {self.location} cannot be used ({reason}). Move it aside or delete it "
            "to start with an empty history; the report index is not affected."
        )

    def add_turn(self, session_id: str, turn: Turn) -> None:
        try:
            with Session(self.engine) as session, session.begin():
                session.add(_TurnRow(session_id=session_id, created=turn.created, question=turn.question,
                                     query=turn.query, answer=turn.answer, abstained=int(turn.abstained),
                                     citations=json.dumps(turn.citations, ensure_ascii=False)))
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    def turns(self, session_id: str, limit: int | None = None) -> list[Turn]:
        try:
            with Session(self.engine) as session:
                stmt = select(_TurnRow).where(_TurnRow.session_id == session_id).order_by(_TurnRow.id.desc())
                if limit:
                    stmt = stmt.limit(limit)
                rows = list(session.scalars(stmt))
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc
        return [Turn(question=r.question, query=r.query, answer=r.answer, abstained=bool(r.abstained),
                     citations=json.loads(r.citations), created=r.created) for r in reversed(rows)]

    def delete(self, session_id: str) -> int:
        try:
            with Session(self.engine) as session, session.begin():
                session.execute(delete(_SessionRow).where(_SessionRow.session_id == session_id))
                session.execute(delete(_FeedbackRow).where(_FeedbackRow.session_id == session_id))
                return session.execute(delete(_TurnRow).where(_TurnRow.session_id == session_id)).rowcount or 0
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    def claim(self, session_id: str, owner: str) -> str:
        """Record ``owner`` for a conversation nobody owns yet; return whoever owns it now (atomic:
        two first requests racing for one id get the same answer)."""
        try:
            with Session(self.engine) as session, session.begin():
                if self.engine.dialect.name == "sqlite":
                    session.execute(sqlite_insert(_SessionRow).values(
                        session_id=session_id, owner=owner, created=time.time()).on_conflict_do_nothing())
                elif session.get(_SessionRow, session_id) is None:
                    session.add(_SessionRow(session_id=session_id, owner=owner, created=time.time()))
            with Session(self.engine) as session:
                return session.get(_SessionRow, session_id).owner  # type: ignore[union-attr]
        except IntegrityError:
            return self.owner(session_id) or owner
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    def owner(self, session_id: str) -> str | None:
        """Who owns the conversation; None when nobody has claimed it yet."""
        try:
            with Session(self.engine) as session:
                row = session.get(_SessionRow, session_id)
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc
        return row.owner if row is not None else None

    def sessions(self, limit: int = 1000) -> list[SessionInfo]:
        """Every owned conversation, newest first, with its turn count (for an admin)."""
        try:
            with Session(self.engine) as session:
                counts = (select(_TurnRow.session_id, func.count(_TurnRow.id).label("n"))
                          .group_by(_TurnRow.session_id).subquery())
                rows = session.execute(
                    select(_SessionRow.session_id, _SessionRow.owner, _SessionRow.created, counts.c.n)
                    .join(counts, counts.c.session_id == _SessionRow.session_id)
                    .order_by(_SessionRow.created.desc()).limit(limit)).all()
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc
        return [SessionInfo(session_id=r[0], owner=r[1], created=r[2], turns=r[3]) for r in rows]

    def add_feedback(self, session_id: str, turn: int | None, rating: str, user: str = "web") -> int | None:
        """Record (or change) a user's rating of a session's turn (1-based; None: the latest).

        Returns the turn's number, or None when the session has no such turn.
        """
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {', '.join(RATINGS)}")
        try:
            with Session(self.engine) as session, session.begin():
                ids = list(session.scalars(select(_TurnRow.id).where(_TurnRow.session_id == session_id)
                                           .order_by(_TurnRow.id)))
                number = len(ids) if turn is None else turn
                if not ids or not 1 <= number <= len(ids):
                    return None
                turn_id = ids[number - 1]
                session.execute(delete(_FeedbackRow).where(_FeedbackRow.turn_id == turn_id,
                                                           _FeedbackRow.user == user))
                session.add(_FeedbackRow(turn_id=turn_id, session_id=session_id, user=user, rating=rating,
                                         created=time.time()))
                return number
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    def feedback(self) -> list[dict[str, Any]]:
        """Every rating with its turn (question, answer, citations) and the earlier questions of its session,
        oldest first, in the shape of the Slack bot's votes (``SlackStore.feedback``) plus ``turn`` and
        ``history``."""
        try:
            with Session(self.engine) as session:
                votes = list(session.scalars(select(_FeedbackRow).order_by(_FeedbackRow.id)))
                out = []
                for vote in votes:
                    rows = list(session.scalars(select(_TurnRow).where(_TurnRow.session_id == vote.session_id)
                                                .order_by(_TurnRow.id)))
                    number = next((i for i, r in enumerate(rows, start=1) if r.id == vote.turn_id), None)
                    if number is None:  # the conversation was deleted since
                        continue
                    row = rows[number - 1]
                    out.append({"rating": vote.rating, "user": vote.user, "created": vote.created,
                                "session_id": vote.session_id, "turn": number, "question": row.question,
                                "history": [r.question for r in rows[: number - 1]], "answer": row.answer,
                                "abstained": bool(row.abstained), "citations": json.loads(row.citations)})
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc
        return out

    def ping(self) -> None:
        self.turns("__ping__", limit=1)

