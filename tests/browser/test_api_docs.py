"""The API docs in headless Chromium with every request off 127.0.0.1 aborted: they render from local files.

The screenshot goes to test-artifacts/browser/api-docs.png (docs/img/api-docs-offline.png is one of them).
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import SHOTS, keep_local

pytestmark = [pytest.mark.server, pytest.mark.browser]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

SERVER = {"api_keys": "docs-key", "open_docs": 1}  # the module's live server (tests/browser/conftest.py)


@pytest.fixture
def offline_page(browser):
    """A page whose requests off 127.0.0.1 are aborted, and the list of those it tried."""
    blocked: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    keep_local(page, blocked)
    yield page, blocked
    page.close()


def test_swagger_ui_lists_the_operations_offline(server, offline_page):
    page, blocked = offline_page
    page.goto(f"{server.url}/docs")
    expect(page.locator(".opblock-summary-path", has_text="/v1/chat/completions")).to_be_visible(timeout=30_000)
    for path in ("/v1/chat", "/v1/chat/stream", "/v1/models", "/readyz"):
        expect(page.locator(f".opblock-summary-path[data-path='{path}']")).to_have_count(1)
    expect(page.get_by_role("heading", name="Report assistant")).to_be_visible()
    page.screenshot(path=SHOTS / "api-docs.png")
    assert blocked == [], f"the docs tried to load from elsewhere: {blocked}"


def test_redoc_renders_offline(server, offline_page):
    page, blocked = offline_page
    page.goto(f"{server.url}/redoc")
    expect(page.get_by_role("heading", name="Chat completions (OpenAI-compatible)")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("menuitem", name="openai")).to_be_visible()
    assert blocked == [], f"ReDoc tried to load from elsewhere: {blocked}"


def test_open_docs_leave_the_api_itself_closed(server):
    with server.client() as http:
        assert http.get("/openapi.json").status_code == 200
        assert http.post("/v1/chat", json={"message": "When?"}).status_code == 401
