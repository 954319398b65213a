"""`GET/DELETE /v1/sessions/{session_id}`: read back or forget a conversation; `GET /v1/sessions` (admin).

A conversation belongs to the principal that started it (an API key, or with auth off the browser's
owner cookie; Slack's belong to Slack): anyone else gets 404. An admin key (RAG_ADMIN_API_KEYS) may
list every conversation and delete any.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import Assistant, authorize, error_responses, owned_session, require_admin
from rag.chain import SESSION_ID_RE, Citation

router = APIRouter(prefix="/v1/sessions", tags=["sessions"], dependencies=[Depends(authorize)])


class SessionTurn(BaseModel):
    question: str = Field(description="As the user asked it.")
    answer: str
    abstained: bool
    citations: list[Citation]
    created: float = Field(description="Unix time of the answer.")


class SessionHistoryResponse(BaseModel):
    session_id: str
    turns: list[SessionTurn] = Field(description="Oldest first.")


class SessionDeleted(BaseModel):
    session_id: str
    deleted: int = Field(description="How many turns were forgotten.")


class SessionSummary(BaseModel):
    session_id: str
    owner: str = Field(description="'key:<hash of the key>', 'web:<hash of a browser cookie>', 'slack:<team>' "
                                   "or 'unowned' (kept from before owners were recorded); never a key itself.")
    turns: int
    created: float = Field(description="Unix time of the first turn.")


class SessionList(BaseModel):
    sessions: list[SessionSummary] = Field(description="Newest first, at most 1000.")


SessionId = Annotated[str, Path(description="The `session_id` a chat response returned.",
                                examples=["f41ff64e1f5c477ebf32467c4874948d"])]


def checked(session_id: str) -> str:
    if not SESSION_ID_RE.match(session_id):
        raise HTTPException(status_code=422,
                            detail="session_id must be 1-128 characters of letters, digits and . _ : @ / -")
    return session_id


@router.get("", response_model=SessionList, summary="List every conversation (admin key)",
            dependencies=[Depends(require_admin)], responses=error_responses(401, 403, 429, 500))
async def list_sessions(assistant: Assistant) -> SessionList:
    """Every conversation with its owner and size, for an admin key; other keys get 403."""
    rows = await run_in_threadpool(assistant.history.sessions)
    return SessionList(sessions=[SessionSummary(session_id=r.session_id, owner=r.owner, turns=r.turns,
                                                created=r.created) for r in rows])


@router.get("/{session_id:path}", response_model=SessionHistoryResponse, response_model_exclude_none=True,
            summary="Read a conversation",
            responses=error_responses(401, 404, 422, 429, 500))
async def read_session(session_id: SessionId, assistant: Assistant, request: Request) -> SessionHistoryResponse:
    """Every turn of the conversation, oldest first, with the citations each answer gave (your own only)."""
    await owned_session(request, checked(session_id))
    turns = await run_in_threadpool(assistant.history.turns, session_id)
    if not turns:
        raise HTTPException(status_code=404, detail=f"No conversation has the session id {session_id}.")
    fields = set(Citation.model_fields)
    return SessionHistoryResponse(session_id=session_id, turns=[
        SessionTurn(question=t.question, answer=t.answer, abstained=t.abstained, created=t.created,
                    citations=[Citation(**{k: v for k, v in c.items() if k in fields}) for c in t.citations])
        for t in turns])


@router.delete("/{session_id:path}", response_model=SessionDeleted, summary="Forget a conversation",
               responses=error_responses(401, 404, 422, 429, 500))
async def delete_session(session_id: SessionId, assistant: Assistant, request: Request) -> SessionDeleted:
    """Delete the conversation's turns (your own, or any with an admin key); later questions with this id
    start afresh."""
    await owned_session(request, checked(session_id), admin_ok=True)
    deleted = await run_in_threadpool(assistant.history.delete, session_id)
    return SessionDeleted(session_id=session_id, deleted=deleted)
