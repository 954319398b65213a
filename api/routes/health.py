"""`GET /healthz` (the process is up, the index loaded) and `GET /readyz` (it can answer now)."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import Assistant, without_paths
from rag.history import HistoryError
from rag.index import IndexError_

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Readiness(BaseModel):
    status: str = Field(description="'ready' or 'unavailable'.")
    pages: int = Field(description="Reconstructed pages in the index.")
    chunks: int = Field(description="Searchable chunks in the index.")
    detail: str | None = Field(None, description="Why the assistant cannot answer now.")


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Health:
    """200 while the process serves; it only serves once the model and index are loaded."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, summary="Readiness",
            responses={503: {"model": Readiness, "description": "The index is empty, a store is unreachable, or the vector "
                                                            "store has lost vectors the index names.",
                             "content": {"application/json": {"example": {
                                 "status": "unavailable", "pages": 1, "chunks": 16,
                                 "detail": "Chroma store at http://127.0.0.1:8001 is unavailable: …"}}}}})
async def readyz(assistant: Assistant) -> Readiness | JSONResponse:
    """200 when the index holds chunks, the vector store answers and agrees with the index (counts and a
    sample of ids), and the conversation store answers; else 503 saying why."""
    index = assistant.index

    def check() -> str | None:
        index.reload()
        if not index.ready:
            return f"The index in {assistant.settings.data_dir} is empty; run `rag ingest` first."
        try:
            index.ping()
            assistant.history.ping()
        except IndexError_ as exc:
            # a damaged embedded store: the self-check's reason (no paths, and the repair is `rag ingest`)
            return (None if assistant.settings.chroma_url else index.self_check()) or str(exc)
        except HistoryError as exc:
            return str(exc)
        return index.self_check()

    problem = await run_in_threadpool(check)
    if problem:
        problem = without_paths(problem, assistant.settings.data_dir)
    body = Readiness(status="unavailable" if problem else "ready", pages=len(index.pages), chunks=len(index.chunks),
                     detail=problem)
    if problem:
        return JSONResponse(status_code=503, content=body.model_dump(), headers={"Retry-After": "5"})
    return body
