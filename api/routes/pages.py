"""`GET /v1/pages/{source}/{page}`: a reconstructed page with its sections, so a quote can be read in context."""
from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, Field

from api.deps import Assistant, authorize, error_responses
from rag.ingest.models import ReconstructedPage

router = APIRouter(prefix="/v1/pages", tags=["pages"], dependencies=[Depends(authorize)])


class Span(BaseModel):
    start: int = Field(description="Offset into `text`, in Unicode code points.")
    end: int


class PageSection(BaseModel):
    kind: str = Field(description="heading, paragraph or list_item.")
    text: str
    section: str = Field(description="The heading path, outermost first, joined by ' > '.")
    footnotes: list[str] = Field(description="Sources the section's heading cites.")
    start: int = Field(description="Offset of the block in `text` (code points).")
    end: int


class PageSummary(BaseModel):
    source: str
    page: int = Field(description="1-based physical page of the source file.")
    page_label: str = Field(description="The page number printed on the page.")
    title: str | None = None


class PageResponse(PageSummary):
    text: str = Field(description="The page in reading order, cleaned: what citations quote.")
    sections: list[PageSection]
    footnotes: dict[str, str] = Field(description="Footnote marker -> source.")
    highlights: list[Span] = Field(description="Where `quote` occurs in `text` (empty without a quote).")


PAGE_EXAMPLE = {
    "source": "corpus/page-156.txt", "page": 156, "page_label": "156",
    "title": "AmCham South China 2026 Special Report on the State of Business in South China",
    "text": "… Gui’an New Area is the eighth national new area established in 2014. …",
    "sections": [{"kind": "paragraph", "text": "Gui’an New Area is the eighth national new area established in 2014. …",
                  "section": "Special economic zones > Gui’an New Area",
                  "footnotes": ["GAXQ, https://www.gaxq.gov.cn/"],
                  "start": 896, "end": 1301}],
    "footnotes": {"123": "GAXQ, https://www.gaxq.gov.cn/"},
    "highlights": [{"start": 896, "end": 964}],
}


def find_quote(text: str, quote: str) -> list[Span]:
    """Every place the quote occurs; tolerant of whitespace and quote-mark differences a client may add."""
    quote = quote.strip()
    if not quote:
        return []
    spans = [Span(start=m.start(), end=m.end()) for m in re.finditer(re.escape(quote), text)]
    if spans:
        return spans
    apostrophes = "'\u2019\u2018`\u00b4"
    words = quote.split()
    parts = []
    for word in words:
        parts.append("".join(f"[{re.escape(apostrophes)}]" if ch in apostrophes else re.escape(ch) for ch in word))
    pattern = re.compile(r"\s+".join(parts), re.IGNORECASE)
    return [Span(start=m.start(), end=m.end()) for m in pattern.finditer(text)]


def page_response(page: ReconstructedPage, quote: str | None) -> PageResponse:
    sections = [PageSection(kind=b.kind, text=b.text, section=" > ".join(b.section), footnotes=list(b.footnotes),
                            start=b.start, end=b.end) for b in page.blocks]
    return PageResponse(source=page.source, page=page.page, page_label=page.page_label, title=page.title,
                        text=page.text, sections=sections, footnotes=dict(page.footnotes),
                        highlights=find_quote(page.text, quote) if quote else [])


@router.get("", response_model=list[PageSummary], summary="List the ingested pages",
            responses=error_responses(401, 429))
async def list_pages(assistant: Assistant) -> list[PageSummary]:
    pages = sorted(assistant.index.pages.values(), key=lambda p: (p.source, p.page))
    return [PageSummary(source=p.source, page=p.page, page_label=p.page_label, title=p.title) for p in pages]


@router.get(
    "/{source:path}/{page}",
    response_model=PageResponse,
    summary="Read a cited page",
    responses={200: {"content": {"application/json": {"example": PAGE_EXAMPLE}}},
               **error_responses(401, 404, 429)},
)
async def read_page(
    assistant: Assistant,
    source: Annotated[str, Path(description="A citation's `source` (its file name alone is enough).",
                                examples=["corpus/page-156.txt"])],
    page: Annotated[str, Path(description="Physical page number or printed page label.", examples=["156"])],
    quote: Annotated[str | None, Query(max_length=4000, description="A citation's quote to locate in the text.",
                                       examples=["Gui’an New Area is the eighth national new area established "
                                                 "in 2014."])] = None,
) -> PageResponse:
    """The reconstructed page text with its sections and footnotes; with `quote`, where that quote sits."""
    found = assistant.index.page(page, source)
    if found is None:
        raise HTTPException(status_code=404, detail=f"Page {page} of {source} is not in the index.")
    return page_response(found, quote)
