"""What every route shares: the settings, the one assistant, the API-key and rate-limit guard, error bodies.

    @router.post("/v1/chat", dependencies=[Depends(authorize)])
    async def chat(body: ChatRequest, assistant: Assistant) -> ChatResponse: ...
"""
from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from api.security import ApiKeys, RateLimiter
from rag.chain import ReportAssistant
from rag.config import Settings


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
    """
    keys: ApiKeys = request.app.state.api_keys
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
    return client


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI descriptions of the error statuses a route can return, each with an example body."""
    described = {
        401: "No or wrong API key (only when RAG_API_KEYS is set).",
        404: "Not found.",
        413: "The request body is larger than RAG_MAX_REQUEST_BYTES.",
        422: "Malformed JSON, wrong types, or a question that is empty or too long.",
        429: "Rate limit exceeded; the Retry-After header says when to try again.",
        500: "The conversation store or the index cannot be used; the message says why.",
        503: "Nothing is ingested yet, or the vector store (Chroma) is unreachable; retry when it is back.",
    }
    examples = {
        401: "An API key is required: send `Authorization: Bearer <key>` (keys are set by RAG_API_KEYS).",
        404: "Page 999 is not in the index.",
        413: "The request body is larger than 64000 bytes (RAG_MAX_REQUEST_BYTES).",
        422: "The question is empty.",
        429: "Too many requests: the limit is 120 per minute (RAG_RATE_LIMIT_PER_MINUTE). Retry in 1 s.",
        500: "The conversation database .rag/conversations.sqlite3 cannot be used (disk I/O error). …",
        503: "The report store is unavailable: Chroma server at http://127.0.0.1:8001 is not reachable. …",
    }
    return {code: {"model": ErrorResponse, "description": described[code],
                   "content": {"application/json": {"example": {"detail": examples[code]}}}} for code in codes}
