"""`GET /v1/sources`: the ingested files, so a user can see what the assistant answers from."""
from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import Assistant, authorize, error_responses

router = APIRouter(prefix="/v1/sources", tags=["sources"], dependencies=[Depends(authorize)])


class SourceInfo(BaseModel):
    source: str = Field(description="The name citations use for this file (their `source`).")
    path: str = Field(description="The file, relative to the corpus root (never an absolute path).")
    kind: str = Field(description="'pdf' or 'page export'.")
    pages: int
    page_labels: list[str] = Field(description="The page numbers printed on its pages, in order.")
    chunks: int = Field(description="Passages indexed from it.")
    ingested: float | None = Field(description="Unix time it was last read (None if before this was recorded).")


@router.get("", response_model=list[SourceInfo], summary="List the ingested files",
            responses=error_responses(401, 429))
async def list_sources(assistant: Assistant) -> list[SourceInfo]:
    """Every file in the index with its kind, pages, printed page labels, chunks and when it was ingested."""
    assistant.index.reload()
    return [SourceInfo(**{k: v for k, v in s.items() if k in SourceInfo.model_fields})
            for s in assistant.index.source_list()]
