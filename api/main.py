"""The FastAPI app: one ReportAssistant per process, loaded at start-up; routers per concern.

    uvicorn api.main:create_app --factory     # what `rag serve` runs
"""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import NothingIngestedError, chain_limiter, nothing_ingested, without_paths
from api.docs import install_docs
from api.routes import chat, feedback, health, openai, pages, sessions, slack, sources
from api.security import ApiKeys, OwnerCookie, RateLimiter, SecurityHeaders
from api.validation import TextValidation
from rag.chain import QuestionError, ReportAssistant
from rag.config import Settings, get_settings
from rag.history import HistoryError
from rag.index import IndexError_, StoreUnavailableError

log = logging.getLogger("api")

STATIC = Path(__file__).resolve().parent / "static"
# The page loads only its own files: no inline script, no third-party origin.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

OPENAPI_TAGS = [
    {"name": "chat", "description": "Ask the report; answers quote it and cite the page."},
    {"name": "openai", "description": "OpenAI-compatible chat completions, for existing chat clients."},
    {"name": "pages", "description": "The reconstructed report pages that citations point to."},
    {"name": "sources", "description": "The ingested files: list, upload, progress."},
    {"name": "sessions", "description": "Conversation history, kept per session id."},
    {"name": "health", "description": "Liveness and readiness probes."},
]


def describe_validation_errors(exc: RequestValidationError) -> str:
    """One readable sentence from pydantic's errors: "message: Input should be a valid string"."""
    parts = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            return f"The body is not valid JSON ({error.get('ctx', {}).get('error', 'parse error')})."
        loc = [str(p) for p in error.get("loc", []) if p != "body"]
        where = ".".join(loc) or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "Invalid request: " + "; ".join(parts) + "."


def error_response(request: Request, status: int, detail: str, *, headers: dict[str, str] | None = None,
                   param: str | None = None, code: str | None = None) -> JSONResponse:
    """`{"detail": …}`, or OpenAI's error envelope on the OpenAI-compatible paths."""
    if openai.is_openai_path(request.url.path):
        return openai.error_response(status, detail, headers=headers, param=param, code=code)
    return JSONResponse(status_code=status, content={"detail": detail}, headers=headers)


def install_error_handlers(app: FastAPI, settings: Settings) -> None:
    """Map the library's errors to status codes with a clear message; never leak a stack trace, nor the
    server's absolute paths (the data dir is named RAG_DATA_DIR)."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        param = ".".join(str(p) for p in first.get("loc", []) if p != "body") or None
        return error_response(request, 422, describe_validation_errors(exc), param=param, code="invalid_value")

    @app.exception_handler(openai.OpenAIError)
    async def openai_refusal(request: Request, exc: openai.OpenAIError) -> JSONResponse:
        return openai.error_response(exc.status, exc.message, param=exc.param, code=exc.code)

    @app.exception_handler(QuestionError)
    async def bad_question(request: Request, exc: QuestionError) -> JSONResponse:
        return error_response(request, 422, str(exc), param="messages", code="invalid_value")

    @app.exception_handler(NothingIngestedError)
    async def nothing_ingested(request: Request, exc: NothingIngestedError) -> JSONResponse:
        return error_response(request, 503, without_paths(str(exc), settings.data_dir), headers={"Retry-After": "30"},
                              code="index_empty")

    @app.exception_handler(StoreUnavailableError)
    async def store_down(request: Request, exc: StoreUnavailableError) -> JSONResponse:
        log.warning("store unavailable: %s", exc)
        return error_response(request, 503, without_paths(f"The report store is unavailable, try again shortly. {exc}",
                                                          settings.data_dir),
                              headers={"Retry-After": "5"}, code="store_unavailable")

    @app.exception_handler(HistoryError)
    async def history_broken(request: Request, exc: HistoryError) -> JSONResponse:
        log.error("conversation store: %s", exc)
        return error_response(request, 500, without_paths(str(exc), settings.data_dir))

    @app.exception_handler(IndexError_)
    async def index_broken(request: Request, exc: IndexError_) -> JSONResponse:
        log.error("index: %s", exc)
        return error_response(request, 500, without_paths(str(exc), settings.data_dir))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "Internal error; the server log has the details.")


def warm_up(assistant: ReportAssistant) -> None:
    """Load the model, the report's word vectors and the store once, not on the first user's question."""
    assistant.warm_up()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        assistant = await run_in_threadpool(ReportAssistant.from_settings, settings)
        try:
            await run_in_threadpool(warm_up, assistant)
        except StoreUnavailableError as exc:
            # Serve anyway: /readyz and chat say 503 until the store is back, then recover by themselves.
            log.warning("starting without the vector store: %s", exc)
        if not assistant.index.ready:
            log.warning("%s", nothing_ingested(settings))
        elif problem := await run_in_threadpool(assistant.index.self_check):
            log.warning("the index and the vector store disagree (/readyz says 503 until fixed): %s", problem)
        app.state.assistant = assistant
        yield

    app = FastAPI(
        title="Report assistant",
        version="1.0",
        lifespan=lifespan,
        openapi_tags=OPENAPI_TAGS,
        docs_url=None, redoc_url=None, openapi_url=None,  # api/docs.py serves them from local files
        description="Questions about the *AmCham South China 2026 Special Report on the State of Business in "
                    "South China*, answered with exact quotes and page citations.\n\n"
                    "When `RAG_API_KEYS` is set, every `/v1` route needs `Authorization: Bearer <key>`. "
                    "Errors are JSON `{\"detail\": \"…\"}`; on the OpenAI-compatible routes they are OpenAI's "
                    "`{\"error\": {\"message\", \"type\", \"param\", \"code\"}}`.",
    )
    app.state.settings = settings
    app.state.api_keys = ApiKeys.parse(f"{settings.api_keys},{settings.admin_api_keys}")
    app.state.admin_keys = ApiKeys.parse(settings.admin_api_keys)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    # RAG_RATE_LIMIT_PER_MINUTE=0 turns every per-client limit off, the answer budget too
    app.state.answer_budget = RateLimiter(settings.answer_budget_per_minute if settings.rate_limit_per_minute else 0)
    app.state.chain_limiter = chain_limiter()

    install_error_handlers(app, settings)
    install_docs(app, settings)
    for module in (chat, openai, pages, sessions, health, slack):
        app.include_router(module.router)
    app.include_router(sources.router)
    app.include_router(feedback.router)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def web_page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Content-Security-Policy": PAGE_CSP,
                                                            "Cache-Control": "no-cache"})

    app.add_middleware(TextValidation)  # inside the size limit: only bodies within it are parsed
    app.add_middleware(sources.UploadSizeLimit, max_bytes=settings.max_request_bytes,
                       upload_max_bytes=settings.upload_max_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(OwnerCookie, enabled=not app.state.api_keys.enabled)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"], expose_headers=["Retry-After"],
                           max_age=600)
    return app
