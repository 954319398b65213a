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

from api.routes import chat, feedback, health, openai, pages, sessions, slack, sources
from api.deps import chain_limiter
from api.security import ApiKeys, RateLimiter, SecurityHeaders
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


def install_error_handlers(app: FastAPI) -> None:
    """Map the library's errors to status codes with a clear message; never leak a stack trace."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": describe_validation_errors(exc)})

    @app.exception_handler(QuestionError)
    async def bad_question(request: Request, exc: QuestionError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": str(exc)})

    @app.exception_handler(StoreUnavailableError)
    async def store_down(request: Request, exc: StoreUnavailableError) -> JSONResponse:
        log.warning("store unavailable: %s", exc)
        return JSONResponse(status_code=503, headers={"Retry-After": "5"},
                            content={"detail": f"The report store is unavailable, try again shortly. {exc}"})

    @app.exception_handler(HistoryError)
    async def history_broken(request: Request, exc: HistoryError) -> JSONResponse:
        log.error("conversation store: %s", exc)
        return JSONResponse(status_code=500, content={"detail": str(exc)})

    @app.exception_handler(IndexError_)
    async def index_broken(request: Request, exc: IndexError_) -> JSONResponse:
        log.error("index: %s", exc)
        return JSONResponse(status_code=500, content={"detail": str(exc)})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={"detail": "Internal error; the server log has the details."})


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
            log.warning("the index in %s is empty; run `rag ingest` first", settings.data_dir)
        app.state.assistant = assistant
        yield

    app = FastAPI(
        title="Report assistant",
        version="1.0",
        lifespan=lifespan,
        openapi_tags=OPENAPI_TAGS,
        description="Questions about the *AmCham South China 2026 Special Report on the State of Business in "
                    "South China*, answered with exact quotes and page citations.\n\n"
                    "When `RAG_API_KEYS` is set, every `/v1` route needs `Authorization: Bearer <key>`. "
                    "Errors are JSON `{\"detail\": \"…\"}`.",
    )
    app.state.settings = settings
    app.state.api_keys = ApiKeys.parse(settings.api_keys)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.chain_limiter = chain_limiter()

    install_error_handlers(app)
    for module in (chat, openai, pages, sessions, health, slack):
        app.include_router(module.router)
    app.include_router(sources.router)
    app.include_router(feedback.router)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def web_page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Content-Security-Policy": PAGE_CSP,
                                                            "Cache-Control": "no-cache"})

    app.add_middleware(sources.UploadSizeLimit, max_bytes=settings.max_request_bytes,
                       upload_max_bytes=settings.upload_max_bytes)
    app.add_middleware(SecurityHeaders)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"], expose_headers=["Retry-After"],
                           max_age=600)
    return app
