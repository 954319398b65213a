"""The API docs in headless Chromium with every request off 127.0.0.1 aborted: they render from local files.

The screenshot goes to test-artifacts/browser/api-docs.png (docs/img/api-docs-offline.png is one of them).
"""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.api.live import LiveServer, fresh_data_dir
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.server, pytest.mark.browser]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SHOTS = ARTIFACTS / "browser"


@pytest.fixture(scope="module")
def server(report_data, tmp_path_factory):
    live = LiveServer(fresh_data_dir(report_data, tmp_path_factory.mktemp("docs")), api_keys="docs-key",
                      open_docs=1).start()
    yield live
    live.stop()


@pytest.fixture
def offline_page(server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []

    def only_localhost(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.route("**/*", only_localhost)
        yield page, blocked
        browser.close()


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
