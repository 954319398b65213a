"""`GET /v1/pages/{source}/{page}`: a reconstructed page with its sections, so a quote can be read in context;
for a PDF also where the quote is printed (`boxes`) and `GET …/image`, the page as printed (PNG)."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from api.deps import AppSettings, Assistant, authorize, error_responses
from rag.config import Settings
from rag.index import ReportIndex
from rag.ingest.chunk import SECTION_SEPARATOR
from rag.ingest.models import ReconstructedPage
from rag.ingest.pipeline import source_file, source_kind

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


class Box(BaseModel):
    """A rectangle on the printed page, as fractions of its width and height (0 top-left, 1 bottom-right)."""

    x0: float
    y0: float
    x1: float
    y1: float


class PageResponse(PageSummary):
    text: str = Field(description="The page in reading order, cleaned: what citations quote.")
    sections: list[PageSection]
    footnotes: dict[str, str] = Field(description="Footnote marker -> source.")
    highlights: list[Span] = Field(description="Where `quote` occurs in `text` (empty without a quote).")
    image: str | None = Field(None, description="For a PDF page: the URL of the page as printed (PNG).")
    boxes: list[Box] = Field(default_factory=list, description="For a PDF page with `quote`: where the quote "
                                                               "is printed on the image, one box per line.")


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


def page_response(page: ReconstructedPage, quote: str | None, index: ReportIndex | None = None) -> PageResponse:
    sections = [PageSection(kind=b.kind, text=b.text, section=SECTION_SEPARATOR.join(b.section), footnotes=list(b.footnotes),
                            start=b.start, end=b.end) for b in page.blocks]
    printed = index is not None and source_kind(page.source) == "pdf"
    return PageResponse(source=page.source, page=page.page, page_label=page.page_label, title=page.title,
                        text=page.text, sections=sections, footnotes=dict(page.footnotes),
                        highlights=find_quote(page.text, quote) if quote else [],
                        image=f"/v1/pages/{page.source.lstrip('/')}/{page.page}/image" if printed else None,
                        boxes=quote_boxes(pdf_file(index, page), page.page, quote) if printed and quote else [])


def lookup(index: ReportIndex, page: str, source: str) -> ReconstructedPage:
    """The page a URL names; an absolute source arrives without its leading slash."""
    found = index.page(page, source) or index.page(page, f"/{source}")
    if found is None:
        raise HTTPException(status_code=404, detail=f"Page {page} of {source} is not in the index.")
    return found


def pdf_file(index: ReportIndex, page: ReconstructedPage) -> FilePath:
    """The PDF a page came from, or 404 when it is no longer where it was ingested from."""
    path = source_file(page.source, index.sources.get(page.source))
    if not path.is_file():
        raise HTTPException(status_code=404, detail=f"The file of {page.source} is no longer on disk; "
                                                    "re-ingest it to see its pages as printed.")
    return path


def _quote_variants(quote: str) -> list[str]:
    quote = " ".join(quote.split())
    straight = re.sub("[\u2019\u2018`\u00b4]", "'", quote)
    return list(dict.fromkeys([quote, straight, straight.replace("'", "\u2019")]))


def quote_boxes(path: FilePath, page_number: int, quote: str) -> list[Box]:
    """Where the quote is printed (PyMuPDF ``search_for``), one box per line, as fractions of the page."""
    import pymupdf

    with pymupdf.open(path) as doc:
        if not 1 <= page_number <= doc.page_count:
            return []
        page = doc[page_number - 1]
        width, height = page.rect.width, page.rect.height
        for variant in _quote_variants(quote):
            rects = page.search_for(variant)
            if rects:
                return [Box(x0=r.x0 / width, y0=r.y0 / height, x1=r.x1 / width, y1=r.y1 / height) for r in rects]
    return []


def render_page(path: FilePath, page_number: int, zoom: float, fingerprint: str, settings: Settings) -> FilePath:
    """The page as a PNG, rendered once and cached by file fingerprint, page and zoom in the data dir."""
    cached = settings.page_image_dir / f"{fingerprint[:32]}-p{page_number}-z{zoom:g}.png"
    if cached.exists():
        return cached
    import pymupdf

    with pymupdf.open(path) as doc:
        if not 1 <= page_number <= doc.page_count:
            raise HTTPException(status_code=404, detail=f"Page {page_number} is not in {path.name}.")
        pixmap = doc[page_number - 1].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{uuid.uuid4().hex}.tmp")
    pixmap.save(str(tmp), output="png")
    os.replace(tmp, cached)
    return cached


@router.get("", response_model=list[PageSummary], summary="List the ingested pages",
            responses=error_responses(401, 429))
async def list_pages(assistant: Assistant) -> list[PageSummary]:
    pages = sorted(assistant.index.pages.values(), key=lambda p: (p.source, p.page))
    return [PageSummary(source=p.source, page=p.page, page_label=p.page_label, title=p.title) for p in pages]


@router.get(
    "/{source:path}/{page}/image",
    response_class=FileResponse,
    summary="See a cited PDF page as printed",
    responses={200: {"content": {"image/png": {}}, "description": "The rendered page."},
               **error_responses(401, 404, 422, 429)},
)
async def page_image(
    assistant: Assistant,
    settings: AppSettings,
    source: Annotated[str, Path(description="A citation's `source` of a PDF.")],
    page: Annotated[str, Path(description="Physical page number or printed page label.", examples=["2"])],
    zoom: Annotated[float, Query(ge=0.5, le=4, description="Scale: 1 is 72 dpi, 2 is 144 dpi.")] = 2,
) -> FileResponse:
    """The PDF page rendered as a PNG (page exports have no printed image: 404). `boxes` of the page's JSON
    say where a quote sits on it."""
    found = lookup(assistant.index, page, source)
    if source_kind(found.source) != "pdf":
        raise HTTPException(status_code=404, detail=f"{found.source} is a page export: it has no printed image, "
                                                    "only the reconstructed text.")
    path = pdf_file(assistant.index, found)
    fingerprint = str(assistant.index.sources.get(found.source, {}).get("sha256") or "unknown")
    image = await run_in_threadpool(render_page, path, found.page, zoom, fingerprint, settings)
    return FileResponse(image, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


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
    found = lookup(assistant.index, page, source)
    return await run_in_threadpool(page_response, found, quote, assistant.index)
