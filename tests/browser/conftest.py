"""Shared by the browser tests: the module's live server, Debian's Chromium (one per test module), where screenshots
go, and a guard that keeps a page or context on 127.0.0.1 (every other request aborted and recorded)."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.api.live import report_data, serving  # noqa: F401  (the ingested report page, shared by the servers)
from tests.conftest import ARTIFACTS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SHOTS = ARTIFACTS / "browser"


@pytest.fixture(scope="module")
def server(request, report_data, tmp_path_factory):  # noqa: F811
    """The app on 127.0.0.1 over a fresh copy of the ingested report, configured by the module's ``SERVER``
    settings (``{"api_keys": KEY}``…), one per test module."""
    name = request.module.__name__.rsplit(".", 1)[-1]
    with serving(report_data, tmp_path_factory.mktemp(name), **request.module.SERVER) as live:
        yield live


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the module; the screenshot folder exists."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def keep_local(target, outside: list[str]) -> None:
    """Abort every request of ``target`` (a page or a browser context) that is not to 127.0.0.1; each refused
    URL is appended to ``outside``."""
    def only_local(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    target.route("**/*", only_local)
