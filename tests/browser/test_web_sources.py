"""Sources, upload, the printed page behind a PDF citation, feedback and dark-mode contrast, in headless Chromium
against a live server with an API key. Offline: every request not to 127.0.0.1 is aborted (and counted)."""
from __future__ import annotations

import re

import pytest

from rag.config import Settings
from rag.history import ConversationStore
from tests.api.live import LiveServer
from tests.browser.conftest import SHOTS, keep_local
from tests.browser.test_web_chat import ask
from tests.conftest import ARTIFACTS
from tests.pdfs import FERRY_FACT, FERRY_QUESTION, FERRY_QUOTE, ferry_pdf

pytestmark = [pytest.mark.server, pytest.mark.browser]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

KEY = "sources-browser-key"
SERVER = {"api_keys": KEY}  # the module's live server (tests/browser/conftest.py)


@pytest.fixture
def context(browser):
    """A browser context with the key saved that only reaches 127.0.0.1."""
    outside: list[str] = []

    def make(**kwargs):
        ctx = browser.new_context(**{"viewport": {"width": 1280, "height": 860}, **kwargs})
        keep_local(ctx, outside)
        ctx.add_init_script(f"localStorage.setItem('rag.apiKey', {KEY!r})")
        made.append(ctx)
        return ctx

    made: list = []
    yield make
    for ctx in made:
        ctx.close()
    assert not outside, f"the page tried to reach other hosts: {outside}"


def test_sources_upload_then_the_pdf_answers_with_its_printed_page(server, context):
    page = context().new_page()
    page.goto(server.url)
    page.get_by_role("button", name="Sources").click()
    dialog = page.get_by_role("dialog", name="Sources")
    rows = dialog.locator("#sources-list tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("page-156.txt")
    expect(rows.first).to_contain_text("page export")
    expect(rows.first).to_contain_text("1 (156)")

    dialog.get_by_label("Add a PDF or a .txt page export").set_input_files(
        files=[{"name": "notes.docx", "mimeType": "application/octet-stream", "buffer": b"PK\x03\x04 words"}])
    dialog.get_by_role("button", name="Upload").click()
    expect(dialog.locator("#upload-status")).to_contain_text("Only a PDF (.pdf) or a page export (.txt)")
    expect(rows).to_have_count(1)

    dialog.get_by_label("Add a PDF or a .txt page export").set_input_files(
        files=[{"name": "ferry-services.pdf", "mimeType": "application/pdf", "buffer": ferry_pdf()}])
    dialog.get_by_role("button", name="Upload").click()
    expect(dialog.locator("#upload-status")).to_contain_text("ferry-services.pdf added: 2 pages", timeout=120_000)
    expect(rows).to_have_count(2)
    uploaded = rows.filter(has_text="ferry-services.pdf")
    expect(uploaded).to_contain_text("pdf")
    expect(uploaded).to_contain_text("2 (1, 2)")
    page.screenshot(path=SHOTS / "sources-after-upload.png")
    dialog.get_by_role("button", name="Close the sources").click()

    answer = ask(page, FERRY_QUESTION)
    expect(answer.locator(".answer-text")).to_contain_text(FERRY_FACT)
    citation = answer.get_by_role("button", name=re.compile("Open page 2 "))
    expect(citation.first).to_have_text("p. 2")
    citation.first.click()
    viewer = page.get_by_role("dialog", name="p. 2")
    image = viewer.get_by_role("img", name=re.compile("Page 2 of .*ferry-services.pdf as printed"))
    expect(image).to_be_visible()
    expect(viewer.locator("mark")).to_contain_text(FERRY_QUOTE)
    box = viewer.locator(".quote-box")
    expect(box).to_have_count(1)
    shown, boxed = image.bounding_box(), box.bounding_box()
    # the box sits on the image, over the upper part of the page where the quote is printed
    assert shown["x"] < boxed["x"] < boxed["x"] + boxed["width"] < shown["x"] + shown["width"]
    assert shown["y"] < boxed["y"] < shown["y"] + shown["height"] * 0.3
    assert 0.3 * shown["width"] < boxed["width"] < 0.9 * shown["width"] and 8 < boxed["height"] < 60
    text_view = viewer.locator("#page-body").bounding_box()
    assert text_view["x"] >= shown["x"] + shown["width"] - 1, "image and text side by side"
    page.screenshot(path=SHOTS / "pdf-page-with-boxed-quote.png")
    page.keyboard.press("Escape")

    export = ask(page, "What is the planned area of Gui'an New Area?")
    export.get_by_role("button", name=re.compile("Open page 156")).first.click()
    text_only = page.get_by_role("dialog", name="p. 156")
    expect(text_only.locator("mark")).to_contain_text("1,901 km²")
    expect(text_only.locator("#page-printed")).to_be_hidden()  # a page export keeps the reconstructed page


def test_feedback_buttons_store_the_rating_with_the_turn(server, context):
    page = context().new_page()
    page.goto(server.url)
    first = ask(page, "When was Gui'an New Area established?")
    second = ask(page, "How big is it?")
    session = page.evaluate("sessionStorage.getItem('rag.session')")
    down = second.get_by_role("button", name="Not helpful")
    up = first.get_by_role("button", name="Helpful", exact=True)
    expect(down).to_have_attribute("aria-pressed", "false")
    down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(second.locator(".feedback-note")).to_have_text("Thanks for the feedback.")
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=SHOTS / "feedback-buttons.png")
    store = ConversationStore(Settings(data_dir=server.data_dir).resolved_history_url)
    votes = {(v["turn"], v["rating"], v["question"]) for v in store.feedback() if v["session_id"] == session}
    assert votes == {(1, "up", "When was Gui'an New Area established?"), (2, "down", "How big is it?")}

    page.reload()  # a restored conversation rates the right turns too
    restored = page.locator(".answer-turn").nth(1)
    restored.get_by_role("button", name="Helpful", exact=True).click()
    expect(restored.get_by_role("button", name="Helpful", exact=True)).to_have_attribute("aria-pressed", "true")
    votes = {(v["turn"], v["rating"]) for v in store.feedback() if v["session_id"] == session}
    assert votes == {(1, "up"), (2, "up")}


CONTRAST = """(el) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const style = getComputedStyle(el);
  const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_the_highlighted_quote_is_readable_in_both_colour_schemes(server, context, scheme):
    page = context(color_scheme=scheme).new_page()
    page.goto(server.url)
    answer = ask(page, "What is the planned area of Gui'an New Area?")
    answer.get_by_role("button", name=re.compile("Open page 156")).first.click()
    mark = page.get_by_role("dialog", name="p. 156").locator("mark")
    expect(mark).to_contain_text("1,901 km²")
    ratio = mark.evaluate(CONTRAST)
    assert ratio >= 4.5, f"{scheme}: quote contrast {ratio:.2f}:1"
    page.screenshot(path=SHOTS / f"page-156-{scheme}.png")
    assert ARTIFACTS.exists()


def test_a_server_with_nothing_ingested_says_so_on_the_page(browser, tmp_path):
    """Before any ingest, a question on the web page gets the server's instruction, not a confident abstention."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    live = LiveServer(data_dir).start()
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        page = context.new_page()
        page.goto(live.url)
        answer = ask(page, "What share of companies expect revenue to grow?")
        expect(answer).to_contain_text("Nothing is ingested yet; run `rag ingest`")
        expect(answer).not_to_contain_text("does not answer")
        page.screenshot(path=SHOTS / "nothing-ingested.png")
        context.close()
    finally:
        live.stop()
