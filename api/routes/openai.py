"""An OpenAI-compatible `POST /v1/chat/completions` (and `GET /v1/models`) for existing chat clients.

The last user message is the question. Follow-ups work without any extension: the conversation is
keyed by a hash of the messages before the question, so a client that sends the transcript back
(as every chat client does) continues it. A `session_id` field, if given, is used instead.
Citations come in a `citations` field beside `choices` and as a "Sources:" line in the content.

What of OpenAI's request is honoured (docs/web.md has the table):

- ``n``: n choices, index 0..n-1, each the same answer — the extractive answer is deterministic.
- ``max_completion_tokens`` (or the older ``max_tokens``): the content is cut after that many tokens
  and ``finish_reason`` is ``"length"``. Tokens are counted by :func:`count_tokens` — a word, a number,
  one Chinese character or one punctuation mark each — not by a model's tokenizer (there is none).
- ``stream_options.include_usage``: a last chunk with empty ``choices`` and ``usage``.
- ``response_format``: ``text`` and ``json_object`` (the content is a JSON object
  ``{"answer", "abstained", "citations"}``); ``json_schema`` is refused with a 400.
- Errors are OpenAI's envelope ``{"error": {"message", "type", "param", "code"}}``, validation errors
  with status 400 (api/main.py installs the handlers for these paths).
- Sampling options (temperature, top_p, …) are accepted and have no effect on an extractive answer.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette import EventSourceResponse

from api.deps import Assistant, admit_answer, authorize, error_responses, iterate_chain, require_ingested, run_chain
from api.routes.chat import stream_error
from rag.chain import ChatResponse, Citation, ReportAssistant, TurnResult, VerificationField
from rag.citations import format_sources
from rag.lang.detect import CJK_CHARS

router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[Depends(authorize)])

MODEL_NAME = "report-assistant"
MODEL_CREATED = 1767225600  # 2026-01-01, the report's year
PATHS = ("/v1/chat/completions", "/v1/models")

# One token: a Chinese character, a run of other letters/digits, or one other visible character.
TOKEN_RE = re.compile(f"[{CJK_CHARS}]|[^\\W{CJK_CHARS}]+|[^\\w\\s]")

ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "invalid_request_error", 405: "invalid_request_error", 413: "invalid_request_error",
               429: "rate_limit_error"}


def is_openai_path(path: str) -> bool:
    """True for the routes whose errors use OpenAI's envelope instead of ``{"detail": …}``."""
    return path in PATHS or path.startswith("/v1/models/")


class OpenAIError(Exception):
    """An error this route reports in OpenAI's envelope, with the request parameter at fault."""

    def __init__(self, status: int, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code


def error_body(status: int, message: str, *, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    kind = ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def error_response(status: int, message: str, *, headers: dict[str, str] | None = None,
                   param: str | None = None, code: str | None = None) -> JSONResponse:
    """OpenAI's error response; a validation error (422 elsewhere in this API) is a 400 here, as at OpenAI."""
    status = 400 if status == 422 else status
    return JSONResponse(status_code=status, content=error_body(status, message, param=param, code=code),
                        headers=headers)


def count_tokens(text: str) -> int:
    return len(TOKEN_RE.findall(text))


def truncate_tokens(text: str, limit: int | None) -> tuple[str, bool]:
    """The text up to its ``limit``-th token (see TOKEN_RE), and whether anything was cut."""
    if limit is None:
        return text, False
    for n, match in enumerate(TOKEN_RE.finditer(text)):
        if n == limit:
            return text[:match.start()].rstrip(), True
    return text, False


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type") in ("text", "input_text"))
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool | None = Field(None, description="Send a last chunk with empty `choices` and `usage`.")


class ResponseFormat(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["text", "json_object", "json_schema"]


class ChatCompletionRequest(BaseModel):
    """OpenAI's request. Sampling options (temperature, top_p, …) are accepted and have no effect."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(MODEL_NAME, description="Any name is accepted; the answer always comes from the report.")
    messages: list[OpenAIMessage] = Field(min_length=1)
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    n: int | None = Field(None, ge=1, le=128, description="Choices to return; all hold the same (deterministic) "
                                                          "answer.")
    max_completion_tokens: int | None = Field(None, ge=1, description="Cut the content after this many tokens "
                                                                      "(words, numbers, Chinese characters, "
                                                                      "punctuation marks); finish_reason 'length'.")
    max_tokens: int | None = Field(None, ge=1, description="The older name of max_completion_tokens.")
    response_format: ResponseFormat | None = Field(None, description="'text' (default) or 'json_object': the "
                                                                     "content is {answer, abstained, citations}. "
                                                                     "'json_schema' is refused (400).")
    user: str | None = Field(None, description="Keeps different users' conversations apart.")
    session_id: str | None = Field(None, description="Extension: continue this /v1/chat session explicitly.")

    @property
    def choices(self) -> int:
        return self.n or 1

    @property
    def token_limit(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens

    @property
    def as_json(self) -> bool:
        return self.response_format is not None and self.response_format.type == "json_object"


class CompletionMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class CompletionChoice(BaseModel):
    index: int = 0
    message: CompletionMessage
    finish_reason: Literal["stop", "length"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int

    @classmethod
    def of(cls, prompt: int, completion: int) -> Usage:
        return cls(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


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


class Model(BaseModel):
    id: str = MODEL_NAME
    object: Literal["model"] = "model"
    created: int = MODEL_CREATED
    owned_by: str = "report-assistant"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Model]


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
    "json": {"summary": "The answer and its citations as a JSON object",
             "value": {"model": MODEL_NAME, "response_format": {"type": "json_object"}, "messages": [
                 {"role": "user", "content": "What is the planned area of Gui'an New Area?"}]}},
}
OPENAI_ERROR_EXAMPLE = error_body(400, "messages: the last message must be a user message with text.",
                                  param="messages", code="invalid_value")


def conversation_key(messages: list[tuple[str, str]], user: str | None, principal: str) -> str:
    """The session id of a transcript: the same caller (principal: a key's or cookie's hash), user and
    user/assistant messages give the same id; another caller sending the same transcript gets another."""
    canonical = json.dumps([principal, user or "", [(r, " ".join(t.split())) for r, t in messages]],
                           ensure_ascii=False)
    return "oa-" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def transcript(messages: list[OpenAIMessage]) -> list[tuple[str, str]]:
    return [(m.role, m.text) for m in messages if m.role in ("user", "assistant")]


def sources_line(citations: list[Citation]) -> str:
    line = format_sources(citations)
    return "\n\n" + line if line else ""


def json_content(response: ChatResponse) -> str:
    """The content for ``response_format: {"type": "json_object"}``."""
    return json.dumps({"answer": response.answer, "abstained": response.abstained,
                       "citations": [c.model_dump() for c in response.citations]}, ensure_ascii=False)


def check_request(body: ChatCompletionRequest) -> tuple[str, list[tuple[str, str]]]:
    """The question and the transcript before it; what cannot be honoured is refused, never ignored."""
    if body.response_format is not None and body.response_format.type == "json_schema":
        raise OpenAIError(400, "response_format 'json_schema' is not supported: answers are quoted from the report, "
                               "not generated to a schema. Use {\"type\": \"json_object\"} for a JSON object "
                               "with answer, abstained and citations.",
                          param="response_format", code="unsupported_response_format")
    last = body.messages[-1]
    if last.role != "user" or not last.text.strip():
        raise OpenAIError(400, "The last message must be a user message with text.", param="messages",
                          code="invalid_value")
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


@router.get("/models", response_model=ModelList, summary="List models (OpenAI-compatible)",
            responses=error_responses(401, 429))
async def list_models() -> ModelList:
    """The one model this server has. Completions accept any model name; the answer comes from the report."""
    return ModelList(data=[Model()])


@router.get("/models/{model_id}", response_model=Model, summary="Retrieve a model (OpenAI-compatible)",
            responses={404: {"description": "No such model.", "content": {"application/json": {"example": error_body(
                404, "The model 'gpt-4o' does not exist; this server has 'report-assistant'.", param="model",
                code="model_not_found")}}}, **error_responses(401, 429)})
async def retrieve_model(model_id: str) -> Model:
    if model_id != MODEL_NAME:
        raise OpenAIError(404, f"The model '{model_id}' does not exist; this server has '{MODEL_NAME}'.",
                          param="model", code="model_not_found")
    return Model()


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    response_model_exclude_none=True,
    summary="Chat completions (OpenAI-compatible)",
    dependencies=[Depends(require_ingested)],
    responses={200: {"description": "A chat.completion object, or with `stream: true` server-sent "
                                    "chat.completion.chunk events ending with `data: [DONE]`.",
                     "content": {"text/event-stream": {}}},
               400: {"description": "Invalid request, in OpenAI's error envelope.",
                     "content": {"application/json": {"example": OPENAI_ERROR_EXAMPLE}}},
               **error_responses(401, 404, 413, 429, 500, 503)},
)
async def chat_completions(body: Annotated[ChatCompletionRequest, Body(openapi_examples=COMPLETION_EXAMPLES)],
                           assistant: Assistant, request: Request) -> ChatCompletion | EventSourceResponse:
    """Answer the last user message from the report; earlier messages give follow-ups their context.

    Errors on this route are OpenAI's envelope `{"error": {"message", "type", "param", "code"}}`.
    """
    question, prior = check_request(body)
    message, session_id = assistant.validate(question, session_for(body, prior, request.state.principal))
    await admit_answer(request, message, session_id)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    prompt_tokens = sum(count_tokens(m.text) for m in body.messages)
    limit = body.token_limit

    def finish(content: str) -> str:
        next_id = body.session_id or conversation_key(prior + [("user", question), ("assistant", content)],
                                                      body.user, request.state.principal)
        if next_id != session_id and assistant.history.claim(next_id, request.state.principal) == \
                request.state.principal:
            carry_over(assistant, session_id, next_id)
        return next_id

    if not body.stream:
        response: ChatResponse = await run_chain(request, assistant.ask, message, session_id)
        full = json_content(response) if body.as_json else response.answer + sources_line(response.citations)
        content, cut = truncate_tokens(full, limit)
        next_id = await run_in_threadpool(finish, content)
        choice = CompletionMessage(content=content)
        return ChatCompletion(
            id=completion_id, created=created, model=body.model,
            choices=[CompletionChoice(index=i, message=choice, finish_reason="length" if cut else "stop")
                     for i in range(body.choices)],
            usage=Usage.of(prompt_tokens, count_tokens(content) * body.choices),
            citations=response.citations, abstained=response.abstained, session_id=next_id,
            verification=response.verification)

    events = iterate_chain(request, assistant.stream(message, session_id))
    first = await anext(events)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)

    def chunk(delta: dict[str, Any] | None, finish_reason: str | None = None, **extra: Any) -> dict[str, Any]:
        choices = [] if delta is None else [{"index": i, "delta": delta, "finish_reason": finish_reason}
                                            for i in range(body.choices)]
        data = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": body.model,
                "choices": choices, **({"usage": None} if include_usage else {}), **extra}
        return {"data": json.dumps(data, ensure_ascii=False)}

    async def sse() -> AsyncIterator[dict[str, Any]]:
        sent, cut = "", False

        def admit(piece: str) -> str:
            """The part of ``piece`` that fits in the token limit (and note when the limit is reached)."""
            nonlocal sent, cut
            if cut or not piece:
                return ""
            allowed, cut = truncate_tokens(sent + piece, limit)
            new = allowed[len(sent):] if len(allowed) > len(sent) else ""
            sent += new
            return new

        yield chunk({"role": "assistant", "content": ""})
        try:
            async for kind, value in with_first(first, events):
                if kind == "delta":
                    if not body.as_json and (text := admit(value)):
                        yield chunk({"content": text})
                    continue
                result: TurnResult = value
                response = result.response
                tail = admit(json_content(response) if body.as_json else sources_line(response.citations))
                next_id = await run_in_threadpool(finish, sent)
                verdict = {"verification": response.verification} if response.verification else {}
                yield chunk({"content": tail} if tail else {}, "length" if cut else "stop",
                            citations=[c.model_dump() for c in response.citations],
                            abstained=response.abstained, session_id=next_id, **verdict)
                if include_usage:
                    usage = Usage.of(prompt_tokens, count_tokens(sent) * body.choices)
                    yield chunk(None, **{"usage": usage.model_dump()})
        except Exception as exc:  # the 200 is already sent; report the failure in-band, as OpenAI does
            failure = json.loads(stream_error(exc, request.app.state.settings.data_dir)["data"])
            yield {"data": json.dumps(error_body(failure["status"], failure["detail"]), ensure_ascii=False)}
        yield {"data": "[DONE]"}

    return EventSourceResponse(sse(), ping=15, headers={"Cache-Control": "no-store"})
