"""What every route shares: the settings, the one assistant, the API-key and rate-limit guard, error bodies.

    @router.post("/v1/chat", dependencies=[Depends(authorize)])
    async def chat(body: ChatRequest, assistant: Assistant) -> ChatResponse: ...
"""
from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from api.security import ANSWER_BASE_COST, ApiKeys, RateLimiter, answer_cost, cookie_principal
from rag.chain import ReportAssistant
from rag.config import Settings
from rag.history import SLACK_OWNER_PREFIX


class ErrorResponse(BaseModel):
    """Every error the API returns: one sentence a person can act on, never a stack trace."""

    detail: str = Field(examples=["The question is empty."])


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_assistant(request: Request) -> ReportAssistant:
    return request.app.state.assistant


T = TypeVar("T")
_DONE = object()


def chain_limiter() -> anyio.CapacityLimiter:
    """How many chain calls run at once: about one per core, since each one is CPU-bound
    (torch already spreads a call over the cores; more at once only adds thrashing)."""
    return anyio.CapacityLimiter(max(2, os.cpu_count() or 2))


async def run_chain(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run a blocking chain call off the event loop, within the app's chain limiter."""
    return await anyio.to_thread.run_sync(fn, *args, limiter=request.app.state.chain_limiter)


async def iterate_chain(request: Request, iterator: Iterator[T]) -> AsyncIterator[T]:
    """A blocking iterator (``assistant.stream``) as an async one; each step within the chain limiter."""
    limiter = request.app.state.chain_limiter
    while True:
        item = await anyio.to_thread.run_sync(next, iterator, _DONE, limiter=limiter)
        if item is _DONE:
            return
        yield item  # type: ignore[misc]


AppSettings = Annotated[Settings, Depends(get_settings)]
Assistant = Annotated[ReportAssistant, Depends(get_assistant)]


class NothingIngestedError(Exception):
    """The index holds no chunks: there is nothing to answer from (503 until `rag ingest` has run)."""


def nothing_ingested(settings: Settings) -> str:
    return f"Nothing is ingested yet; run `rag ingest` (the index in {settings.data_dir} is empty)."


async def require_ingested(assistant: Assistant) -> None:
    """Refuse a question while the index is empty; an ingest by another process is seen on the next request."""
    def ready() -> bool:
        assistant.index.reload()
        return assistant.index.ready

    if not await anyio.to_thread.run_sync(ready):
        raise NothingIngestedError(nothing_ingested(assistant.settings))

bearer = HTTPBearer(auto_error=False, scheme_name="ApiKey",
                    description="A key from RAG_API_KEYS, sent as `Authorization: Bearer <key>` "
                                "(only needed when RAG_API_KEYS is set).")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _take(limiter: RateLimiter, client: str) -> None:
    wait = limiter.acquire(client)
    if wait is not None:
        raise HTTPException(
            status_code=429,
            detail=f"Too many requests: the limit is {int(limiter.capacity)} per minute "
                   f"(RAG_RATE_LIMIT_PER_MINUTE). Retry in {RateLimiter.retry_after(wait)} s.",
            headers={"Retry-After": RateLimiter.retry_after(wait)},
        )


async def authorize(request: Request,
                    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
    """Check the bearer key (when keys are configured) and take one request from the client's budget.

    The client is its key when auth is on, else its address; failed attempts count against the
    address, so guessing keys is rate limited too. Returns the client's bucket name.

    Sets ``request.state.principal`` (who owns the conversations this request makes: the key's hash,
    or with auth off the browser's owner cookie's hash) and ``request.state.admin`` (an admin key).
    """
    keys: ApiKeys = request.app.state.api_keys
    admins: ApiKeys = request.app.state.admin_keys
    limiter: RateLimiter = request.app.state.rate_limiter
    address = f"ip:{client_address(request)}"
    token = credentials.credentials if credentials else None
    if keys.enabled and not keys.check(token):
        _take(limiter, address)
        detail = ("Invalid API key." if token else
                  "An API key is required: send `Authorization: Bearer <key>` (keys are set by RAG_API_KEYS).")
        raise HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})
    client = ApiKeys.client_id(token) if keys.enabled and token else address
    _take(limiter, client)
    if keys.enabled and token:
        request.state.principal = client
    else:
        request.state.principal = cookie_principal(request.scope.get("state", {}).get("owner_cookie") or address)
    request.state.admin = bool(token) and admins.check(token)
    request.state.client = client
    return client


def _not_found(session_id: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"No conversation has the session id {session_id}.")


def _reserved(session_id: str) -> None:
    if session_id.startswith(SLACK_OWNER_PREFIX):
        raise HTTPException(status_code=422, detail="Session ids starting with 'slack:' are Slack conversations; "
                                                    "they are read and continued in Slack only.")


async def admit_answer(request: Request, question: str, session_id: str) -> str:
    """Before any answer work: take the question's cost from the client's answer budget (429 when spent),
    then make the conversation the caller's (a new id) or check that it is (an existing one): another
    principal's conversation answers 404, as if it did not exist."""
    budget: RateLimiter = request.app.state.answer_budget
    wait = budget.acquire(request.state.client, cost=answer_cost(question))
    if wait is not None:
        raise HTTPException(
            status_code=429,
            detail=f"Too much answer work: the budget is {int(budget.capacity)} question characters per minute "
                   f"(RAG_ANSWER_BUDGET_PER_MINUTE; each question costs {ANSWER_BASE_COST} plus its length). "
                   f"Retry in {RateLimiter.retry_after(wait)} s.",
            headers={"Retry-After": RateLimiter.retry_after(wait)})
    _reserved(session_id)
    history = request.app.state.assistant.history
    owner = await run_in_threadpool(history.claim, session_id, request.state.principal)
    if owner != request.state.principal:
        raise _not_found(session_id)
    return session_id


async def owned_session(request: Request, session_id: str, *, admin_ok: bool = False) -> str:
    """An existing conversation of the caller's (or any, for an admin key when ``admin_ok``), else 404."""
    history = request.app.state.assistant.history
    owner = await run_in_threadpool(history.owner, session_id)
    if owner is None or (owner != request.state.principal and not (admin_ok and request.state.admin)):
        raise _not_found(session_id)
    return session_id


async def require_admin(request: Request) -> None:
    if not request.state.admin:
        raise HTTPException(status_code=403, detail="This needs an admin key (RAG_ADMIN_API_KEYS).")


def without_paths(text: str, data_dir: Path) -> str:
    """An error for a client without the server's absolute paths: the data dir is named by its setting."""
    for prefix in sorted({str(data_dir.resolve()), str(data_dir.absolute())}, key=len, reverse=True):
        text = text.replace(prefix, "RAG_DATA_DIR")
    return text


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI descriptions of the error statuses a route can return, each with an example body."""
    described = {
        401: "No or wrong API key (only when RAG_API_KEYS is set).",
        403: "The key is valid but not an admin key (RAG_ADMIN_API_KEYS).",
        404: "Not found.",
        413: "The request body is larger than RAG_MAX_REQUEST_BYTES.",
        422: "Malformed JSON, wrong types, or a question that is empty or too long.",
        429: "Rate limit exceeded; the Retry-After header says when to try again.",
        500: "The conversation store or the index cannot be used; the message says why.",
        503: "Nothing is ingested yet, or the vector store (Chroma) is unreachable; retry when it is back.",
    }
    examples = {
        401: "An API key is required: send `Authorization: Bearer <key>` (keys are set by RAG_API_KEYS).",
        403: "This needs an admin key (RAG_ADMIN_API_KEYS).",
        404: "Page 999 is not in the index.",
        413: "The request body is larger than 64000 bytes (RAG_MAX_REQUEST_BYTES).",
        422: "The question is empty.",
        429: "Too many requests: the limit is 120 per minute (RAG_RATE_LIMIT_PER_MINUTE). Retry in 1 s.",
        500: "The conversation database .rag/conversations.sqlite3 cannot be used (disk I/O error). …",
        503: "The report store is unavailable: Chroma server at http://127.0.0.1:8001 is not reachable. …",
    }
    return {code: {"model": ErrorResponse, "description": described[code],
                   "content": {"application/json": {"example": {"detail": examples[code]}}}} for code in codes}
