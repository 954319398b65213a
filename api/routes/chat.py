"""`POST /v1/chat` (one JSON answer) and `POST /v1/chat/stream` (server-sent events)."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from sse_starlette import EventSourceResponse

from api.deps import (Assistant, admit_answer, authorize, error_responses, iterate_chain, require_ingested, run_chain,
                      without_paths)
from rag.chain import ChatRequest, ChatResponse, QuestionError, TurnResult
from rag.history import HistoryError
from rag.index import IndexError_, StoreUnavailableError

log = logging.getLogger("api")

router = APIRouter(prefix="/v1", tags=["chat"], dependencies=[Depends(authorize)])

CHAT_EXAMPLES: dict[str, Any] = {
    "new": {"summary": "A new conversation",
            "value": {"message": "What is the planned area of Gui'an New Area?", "session_id": None}},
    "follow-up": {"summary": "A follow-up in the same conversation",
                  "value": {"message": "How big is it?", "session_id": "f41ff64e1f5c477ebf32467c4874948d"}},
}
CHAT_RESPONSE_EXAMPLE = {
    "answer": "1,901 km² — Located between Guiyang and Anshun and as a core area in the Central Guizhou Economic "
              "Zone, Gui’an New Area has a planned area of 1,901 km² and a directly administered area of 491 km².",
    "abstained": False,
    "citations": [{"page": 156, "page_label": "156", "source": "corpus/page-156.txt",
                   "quote": "Located between Guiyang and Anshun and as a core area in the Central Guizhou Economic "
                            "Zone, Gui’an New Area has a planned area of 1,901 km² and a directly administered "
                            "area of 491 km².", "score": 0.8743}],
    "session_id": "f41ff64e1f5c477ebf32467c4874948d",
}
STREAM_EXAMPLE = (
    'event: delta\ndata: {"text": "RMB40.28 billion — In 2024, the GDP of the directly administered area reached '
    'RMB40.28 billion, marking a growth of 21.1%, …"}\n\n'
    'event: final\ndata: {"answer": "RMB40.28 billion — …", "abstained": false, "citations": [{"page": 156, '
    '"page_label": "156", "source": "corpus/page-156.txt", "quote": "In 2024, …", "score": 0.85}], '
    '"session_id": "9513ba87bca341eab317bc16eaa553cd"}\n\n'
)

ChatBody = Annotated[ChatRequest, Body(openapi_examples=CHAT_EXAMPLES)]


@router.post(
    "/chat",
    response_model=ChatResponse,
    response_model_exclude_none=True,
    summary="Ask a question",
    dependencies=[Depends(require_ingested)],
    responses={200: {"content": {"application/json": {"example": CHAT_RESPONSE_EXAMPLE}}},
               **error_responses(401, 404, 413, 422, 429, 500, 503)},
)
async def chat(body: ChatBody, assistant: Assistant, request: Request) -> ChatResponse:
    """Answer from the report with exact quotes; the first citation is the main evidence.

    `abstained` is true when the report does not answer the question (the answer then says so and
    `citations` is empty). Pass the returned `session_id` back for follow-up questions.
    """
    message, session_id = assistant.validate(body.message, body.session_id)
    await admit_answer(request, message, session_id)
    return await run_chain(request, assistant.ask, message, session_id)


def stream_error(exc: Exception, data_dir: Path) -> dict[str, Any]:
    """The SSE event for a failure after the stream has started (the status line was already sent); the data
    dir is named by its setting, never by its path."""
    if isinstance(exc, StoreUnavailableError):
        status, detail = 503, f"The report store is unavailable, try again shortly. {exc}"
    elif isinstance(exc, QuestionError):
        status, detail = 422, str(exc)
    elif isinstance(exc, (HistoryError, IndexError_)):
        status, detail = 500, str(exc)
    else:
        log.error("stream failed", exc_info=exc)
        status, detail = 500, "Internal error; the server log has the details."
    return {"event": "error", "data": json.dumps({"status": status, "detail": without_paths(detail, data_dir)})}


def sse_event(kind: str, value: Any) -> dict[str, Any]:
    if kind == "delta":
        return {"event": "delta", "data": json.dumps({"text": value}, ensure_ascii=False)}
    result: TurnResult = value
    return {"event": "final", "data": result.response.model_dump_json()}


@router.post(
    "/chat/stream",
    summary="Ask a question, streamed",
    dependencies=[Depends(require_ingested)],
    response_class=EventSourceResponse,
    responses={200: {"description": "Server-sent events: `delta` events carry answer text as it is produced "
                                    "(`{\"text\": …}`); one `final` event carries the whole /v1/chat response "
                                    "(verified answer, `abstained`, citations, session id). A failure after "
                                    "the stream started is an `error` event `{\"status\", \"detail\"}`.",
                     "content": {"text/event-stream": {"example": STREAM_EXAMPLE}}},
               **error_responses(401, 404, 413, 422, 429, 500, 503)},
)
async def chat_stream(body: ChatBody, assistant: Assistant, request: Request) -> EventSourceResponse:
    """The same answer as `POST /v1/chat`, sent as it is produced.

    Show `delta` text as it arrives, then replace it with the `final` event's `answer`: that is the
    verified text the citations support.
    """
    message, session_id = assistant.validate(body.message, body.session_id)
    await admit_answer(request, message, session_id)
    events = iterate_chain(request, assistant.stream(message, session_id))
    # Retrieval runs before the first event: its failures still get a proper status code.
    first = await anext(events)

    async def sse() -> AsyncIterator[dict[str, Any]]:
        yield sse_event(*first)
        try:
            async for kind, value in events:
                yield sse_event(kind, value)
        except Exception as exc:  # the 200 is already sent; report the failure in-band
            yield stream_error(exc, request.app.state.settings.data_dir)

    return EventSourceResponse(sse(), ping=15, headers={"Cache-Control": "no-store"})
