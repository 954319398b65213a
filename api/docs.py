"""The API docs — Swagger UI at /docs, ReDoc at /redoc, the schema at /openapi.json — served from local
files (the assets of the installed `fastapi-offline` package), so they render with no network.

When API keys are set (RAG_API_KEYS) the three routes need `Authorization: Bearer <key>` like every
/v1 route, unless RAG_OPEN_DOCS=1 opens them (a browser cannot send the header when it opens /docs).
"""
from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from api.deps import authorize
from rag.config import Settings

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/docs-assets"
# The doc pages load nothing from another origin (ReDoc's footer would fetch its logo from a CDN).
# Swagger UI's start-up script is inline; ReDoc styles inline and searches in a blob: worker.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; base-uri 'none'; "
            "frame-ancestors 'none'")


def with_csp(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page


def install_docs(app: FastAPI, settings: Settings) -> None:
    """Add /docs, /redoc and /openapi.json (create the app with docs_url, redoc_url and openapi_url None)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    router = APIRouter(include_in_schema=False, dependencies=[] if settings.open_docs else [Depends(authorize)])

    @router.get("/openapi.json")
    async def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        return with_csp(get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} — API",
                                   swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS_URL}/favicon.png"))

    @router.get("/redoc")
    async def redoc() -> HTMLResponse:
        return with_csp(get_redoc_html(openapi_url="/openapi.json", title=f"{app.title} — API reference",
                              redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
                              redoc_favicon_url=f"{ASSETS_URL}/favicon.png", with_google_fonts=False))

    app.include_router(router)
