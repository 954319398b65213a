"""The FastAPI app: one ReportAssistant per process, loaded at start-up."""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from rag.chain import ChatRequest, ChatResponse, QuestionError, ReportAssistant
from rag.config import Settings, get_settings
from rag.history import HistoryError
from rag.index import IndexError_, StoreUnavailableError


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        assistant = ReportAssistant.from_settings(settings)
        await run_in_threadpool(assistant.warm_up)
        app.state.assistant = assistant
        yield

    app = FastAPI(title="Report assistant", lifespan=lifespan,
                  description="Questions about the AmCham South China 2026 Special Report, answered with quotes "
                              "and page citations.")

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", [])), "msg": e.get("msg", "")} for e in exc.errors()]
        return JSONResponse(status_code=422, content={"detail": errors})

    @app.get("/healthz")
    async def healthz(request: Request) -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/chat", response_model=ChatResponse)
    async def chat(body: ChatRequest, request: Request) -> ChatResponse:
        assistant: ReportAssistant = request.app.state.assistant
        try:
            return await run_in_threadpool(assistant.ask, body.message, body.session_id)
        except QuestionError as exc:
            return JSONResponse(status_code=422, content={"detail": str(exc)})  # type: ignore[return-value]
        except StoreUnavailableError as exc:
            return JSONResponse(status_code=503, content={"detail": str(exc)})  # type: ignore[return-value]
        except (HistoryError, IndexError_) as exc:
            return JSONResponse(status_code=500, content={"detail": str(exc)})  # type: ignore[return-value]

    return app
