"""`GET/DELETE /v1/sessions/{session_id}`: read back or forget a conversation."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import Assistant, authorize, error_responses
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


SessionId = Annotated[str, Path(description="The `session_id` a chat response returned.",
                                examples=["f41ff64e1f5c477ebf32467c4874948d"])]


def checked(session_id: str) -> str:
    if not SESSION_ID_RE.match(session_id):
        raise HTTPException(status_code=422,
                            detail="session_id must be 1-128 characters of letters, digits and . _ : @ / -")
    return session_id


@router.get("/{session_id:path}", response_model=SessionHistoryResponse, summary="Read a conversation",
            responses=error_responses(401, 404, 422, 429, 500))
async def read_session(session_id: SessionId, assistant: Assistant) -> SessionHistoryResponse:
    """Every turn of the conversation, oldest first, with the citations each answer gave."""
    turns = await run_in_threadpool(assistant.history.turns, checked(session_id))
    if not turns:
        raise HTTPException(status_code=404, detail=f"No conversation has the session id {session_id}.")
    fields = set(Citation.model_fields)
    return SessionHistoryResponse(session_id=session_id, turns=[
        SessionTurn(question=t.question, answer=t.answer, abstained=t.abstained, created=t.created,
                    citations=[Citation(**{k: v for k, v in c.items() if k in fields}) for c in t.citations])
        for t in turns])


@router.delete("/{session_id:path}", response_model=SessionDeleted, summary="Forget a conversation",
               responses=error_responses(401, 422, 429, 500))
async def delete_session(session_id: SessionId, assistant: Assistant) -> SessionDeleted:
    """Delete the conversation's turns; later questions with this id start afresh."""
    deleted = await run_in_threadpool(assistant.history.delete, checked(session_id))
    return SessionDeleted(session_id=session_id, deleted=deleted)
