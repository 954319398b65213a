"""`POST /v1/feedback`: 👍/👎 on an answer of the web chat, stored with its turn in the conversation database."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import Assistant, authorize, error_responses, owned_session
from rag.chain import SESSION_ID_RE

router = APIRouter(prefix="/v1/feedback", tags=["sessions"], dependencies=[Depends(authorize)])


class FeedbackRequest(BaseModel):
    session_id: str = Field(description="The `session_id` of the chat response.", max_length=128)
    turn: int | None = Field(None, ge=1, description="Which answer of the session (1-based); the latest if omitted.")
    rating: Literal["up", "down"] = Field(description="'up' (helpful) or 'down' (not helpful).")


class FeedbackStored(BaseModel):
    session_id: str
    turn: int = Field(description="The answer the rating was stored with.")
    rating: str


@router.post("", response_model=FeedbackStored, summary="Rate an answer",
             responses=error_responses(401, 404, 422, 429, 500))
async def rate(body: FeedbackRequest, assistant: Assistant, request: Request,
               client: str = Depends(authorize)) -> FeedbackStored:
    """Store a 👍/👎 with the session's turn; rating the same answer again replaces the earlier rating."""
    if not SESSION_ID_RE.match(body.session_id):
        raise HTTPException(status_code=422,
                            detail="session_id must be 1-128 characters of letters, digits and . _ : @ / -")
    await owned_session(request, body.session_id)  # only the conversation's owner rates its answers
    turn = await run_in_threadpool(assistant.history.add_feedback, body.session_id, body.turn, body.rating,
                                   f"web:{client}"[:64])
    if turn is None:
        where = f"turn {body.turn}" if body.turn else "any answer"
        raise HTTPException(status_code=404, detail=f"The conversation {body.session_id} has no {where} to rate.")
    return FeedbackStored(session_id=body.session_id, turn=turn, rating=body.rating)
