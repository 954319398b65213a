"""An OpenAI-compatible `POST /v1/chat/completions` (and `GET /v1/models`) for existing chat clients.

The last user message is the question. Follow-ups work without any extension: the conversation is
keyed by a hash of the messages before the question, so a client that sends the transcript back
(as every chat client does) continues it. A `session_id` field, if given, is used instead.
Citations come in a `citations` field beside `choices` and as a "Sources:" line in the content.
"""
from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette import EventSourceResponse

from api.deps import Assistant, admit_answer, authorize, error_responses, iterate_chain, run_chain
from api.routes.chat import stream_error
from rag.chain import ChatResponse, Citation, ReportAssistant, TurnResult, VerificationField

router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[Depends(authorize)])

MODEL_NAME = "report-assistant"


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type") in ("text", "input_text"))
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    """OpenAI's request; sampling options (temperature, max_tokens, …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(MODEL_NAME, description="Any name is accepted; the answer always comes from the report.")
    messages: list[OpenAIMessage] = Field(min_length=1)
    stream: bool = False
    user: str | None = Field(None, description="Keeps different users' conversations apart.")
    session_id: str | None = Field(None, description="Extension: continue this /v1/chat session explicitly.")


class CompletionMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class CompletionChoice(BaseModel):
    index: int = 0
    message: CompletionMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(VerificationField):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: Usage
    citations: list[Citation] = Field(description="Extension: the answer's citations, main evidence first.")
    abstained: bool = Field(description="Extension: true when the report does not answer the question.")
    session_id: str = Field(description="Extension: the session that holds this conversation.")
    verification: str | None = Field(None, description="Extension: the generative answerer's verification "
                                                        "verdict (see /v1/chat); absent for the extractive one.")


COMPLETION_EXAMPLES: dict[str, Any] = {
    "question": {"summary": "One question",
                 "value": {"model": MODEL_NAME, "messages": [
                     {"role": "user", "content": "When was Gui'an New Area established?"}]}},
    "follow-up": {"summary": "A follow-up: the transcript is sent back",
                  "value": {"model": MODEL_NAME, "messages": [
                      {"role": "user", "content": "When was Gui'an New Area established?"},
                      {"role": "assistant", "content": "2014 — Gui’an New Area is the eighth national new area "
                                                       "established in 2014.\n\nSources: p. 156 (page-156.txt)"},
                      {"role": "user", "content": "How big is it?"}]}},
}


def conversation_key(messages: list[tuple[str, str]], user: str | None, principal: str) -> str:
    """The session id of a transcript: the same caller (principal: a key's or cookie's hash), user and
    user/assistant messages give the same id; another caller sending the same transcript gets another."""
    canonical = json.dumps([principal, user or "", [(r, " ".join(t.split())) for r, t in messages]],
                           ensure_ascii=False)
    return "oa-" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def transcript(messages: list[OpenAIMessage]) -> list[tuple[str, str]]:
    return [(m.role, m.text) for m in messages if m.role in ("user", "assistant")]


def sources_line(citations: list[Citation]) -> str:
    if not citations:
        return ""
    pages = dict.fromkeys(f"p. {c.page_label} ({c.source.rsplit('/', 1)[-1]})" for c in citations)
    return "\n\nSources: " + "; ".join(pages)


def question_of(body: ChatCompletionRequest) -> tuple[str, list[tuple[str, str]]]:
    last = body.messages[-1]
    if last.role != "user" or not last.text.strip():
        raise HTTPException(status_code=422, detail="The last message must be a user message with text.")
    return last.text, transcript(body.messages[:-1])


def session_for(body: ChatCompletionRequest, prior: list[tuple[str, str]], principal: str) -> str:
    if body.session_id:
        return body.session_id
    return conversation_key(prior, body.user, principal) if prior else uuid.uuid4().hex


def carry_over(assistant: ReportAssistant, session_id: str, next_id: str) -> None:
    """Copy the conversation to the id the client's next request will hash to."""
    for turn in assistant.history.turns(session_id, limit=assistant.settings.history_turns):
        assistant.history.add_turn(next_id, turn)


async def with_first(first: Any, rest: AsyncIterator[Any]) -> AsyncIterator[Any]:
    yield first
    async for item in rest:
        yield item


def words(text: str) -> int:
    return len(text.split())


@router.get("/models", summary="List models (OpenAI-compatible)")
async def list_models() -> dict[str, Any]:
    return {"object": "list", "data": [{"id": MODEL_NAME, "object": "model", "created": 0, "owned_by": "report"}]}


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    response_model_exclude_none=True,
    summary="Chat completions (OpenAI-compatible)",
    responses={200: {"description": "A chat.completion object, or with `stream: true` server-sent "
                                    "chat.completion.chunk events ending with `data: [DONE]`.",
                     "content": {"text/event-stream": {}}},
               **error_responses(401, 404, 413, 422, 429, 500, 503)},
)
async def chat_completions(body: Annotated[ChatCompletionRequest, Body(openapi_examples=COMPLETION_EXAMPLES)],
                           assistant: Assistant, request: Request) -> ChatCompletion | EventSourceResponse:
    """Answer the last user message from the report; earlier messages give follow-ups their context."""
    question, prior = question_of(body)
    message, session_id = assistant.validate(question, session_for(body, prior, request.state.principal))
    await admit_answer(request, message, session_id)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())

    def finish(content: str) -> str:
        next_id = body.session_id or conversation_key(prior + [("user", question), ("assistant", content)],
                                                      body.user, request.state.principal)
        if next_id != session_id and assistant.history.claim(next_id, request.state.principal) == \
                request.state.principal:
            carry_over(assistant, session_id, next_id)
        return next_id

    if not body.stream:
        response: ChatResponse = await run_chain(request, assistant.ask, message, session_id)
        content = response.answer + sources_line(response.citations)
        next_id = await run_in_threadpool(finish, content)
        prompt = sum(words(t) for _, t in prior) + words(question)
        return ChatCompletion(
            id=completion_id, created=created, model=body.model,
            choices=[CompletionChoice(message=CompletionMessage(content=content))],
            usage=Usage(prompt_tokens=prompt, completion_tokens=words(content), total_tokens=prompt + words(content)),
            citations=response.citations, abstained=response.abstained, session_id=next_id,
            verification=response.verification)

    events = iterate_chain(request, assistant.stream(message, session_id))
    first = await anext(events)

    def chunk(delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> dict[str, Any]:
        data = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": body.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}], **extra}
        return {"data": json.dumps(data, ensure_ascii=False)}

    async def sse() -> AsyncIterator[dict[str, Any]]:
        sent = ""
        yield chunk({"role": "assistant", "content": ""})
        try:
            async for kind, value in with_first(first, events):
                if kind == "delta":
                    sent += value
                    yield chunk({"content": value})
                    continue
                result: TurnResult = value
                tail = sources_line(result.response.citations)
                sent += tail
                next_id = await run_in_threadpool(finish, sent)
                verdict = {"verification": result.response.verification} if result.response.verification else {}
                yield chunk({"content": tail} if tail else {}, "stop",
                            citations=[c.model_dump() for c in result.response.citations],
                            abstained=result.response.abstained, session_id=next_id, **verdict)
        except Exception as exc:  # the 200 is already sent; report the failure in-band
            yield {"data": json.dumps({"error": json.loads(stream_error(exc)["data"])})}
        yield {"data": "[DONE]"}

    return EventSourceResponse(sse(), ping=15, headers={"Cache-Control": "no-store"})
