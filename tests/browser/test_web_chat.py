"""The chat page in headless Chromium against a live server with an API key: what a person does and sees."""
from __future__ import annotations

import re

import pytest

from tests.api.live import LiveServer, fresh_data_dir
from tests.browser.conftest import SHOTS

pytestmark = [pytest.mark.server, pytest.mark.browser]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

KEY = "browser-test-key"
SERVER = {"api_keys": KEY}  # the module's live server (tests/browser/conftest.py)


def ask(page, question: str):
    """Type the question and press Enter; returns the finished answer's locator."""
    count = page.locator(".answer-turn").count()
    box = page.get_by_role("textbox", name="Your question")
    box.fill(question)
    box.press("Enter")
    answer = page.locator(".answer-turn").nth(count)
    expect(answer).not_to_have_class(re.compile(r"\bpending\b"), timeout=60_000)
    return answer


def test_chat_stream_citation_follow_up_abstain_copy_and_new_chat(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    page.goto(server.url)
    expect(page.get_by_role("heading", name="Report assistant")).to_be_visible()
    page.screenshot(path=SHOTS / "desktop-empty.png")

    box = page.get_by_role("textbox", name="Your question")
    box.fill("When was Gui'an New Area established?")
    with page.expect_response(lambda r: r.url.endswith("/v1/chat/stream") and r.status != 401) as streamed:
        box.press("Enter")
        key_dialog = page.get_by_role("dialog", name="API key")
        expect(key_dialog).to_be_visible()
        page.get_by_label("Key", exact=True).fill(KEY)
        page.get_by_role("button", name="Save key").click()
    assert streamed.value.status == 200
    assert streamed.value.headers["content-type"].startswith("text/event-stream")
    first = page.locator(".answer-turn").first
    expect(first).not_to_have_class(re.compile(r"\bpending\b"), timeout=60_000)
    expect(first.locator(".answer-text")).to_contain_text("2014")
    expect(first.locator(".verification")).to_have_count(0)  # quoted answers need no verification note

    follow_up = ask(page, "How big is it?")
    expect(follow_up.locator(".answer-text")).to_contain_text("1,901 km²")
    citation = follow_up.get_by_role("button", name=re.compile("Open page 156"))
    expect(citation).to_have_text("p. 156")
    page.screenshot(path=SHOTS / "desktop-answers.png")

    citation.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="p. 156")
    expect(dialog).to_be_visible()
    highlighted = dialog.locator("mark")
    expect(highlighted).to_have_count(1)
    expect(highlighted).to_contain_text("has a planned area of 1,901 km² and a directly administered area of 491 km²")
    expect(highlighted).to_be_in_viewport()
    expect(dialog).to_contain_text("GAXQ")
    page.screenshot(path=SHOTS / "desktop-page-156.png")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(citation).to_be_focused()

    unanswerable = ask(page, "What was the population of Shenzhen in 1850?")
    expect(unanswerable).to_have_class(re.compile(r"\babstained\b"))
    expect(unanswerable.locator(".not-in-report")).to_have_text("Not in the report")
    expect(unanswerable.locator(".cite")).to_have_count(0)
    page.screenshot(path=SHOTS / "desktop-not-in-report.png")

    follow_up.get_by_role("button", name="Copy the answer").click()
    expect(follow_up.get_by_role("button", name="Copy the answer")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "1,901 km²" in copied and "p. 156 (corpus/page-156.txt)" in copied

    page.reload()
    expect(page.locator(".answer-turn")).to_have_count(3)
    expect(page.locator(".answer-turn.abstained")).to_have_count(1)
    old_session = page.evaluate("sessionStorage.getItem('rag.session')")
    page.get_by_role("button", name="New chat").click()
    expect(page.locator(".turn")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()
    ask(page, "When was Gui'an New Area established?")
    new_session = page.evaluate("sessionStorage.getItem('rag.session')")
    assert new_session and new_session != old_session
    context.close()


def test_phone_width_answer_and_cited_page(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    context.add_init_script(f"localStorage.setItem('rag.apiKey', {KEY!r})")
    page = context.new_page()
    page.goto(server.url)
    answer = ask(page, "What was the GDP of the directly administered area in 2024?")
    expect(answer.locator(".answer-text")).to_contain_text("RMB40.28 billion")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "nothing overflows the phone's width"
    page.screenshot(path=SHOTS / "phone-answer.png")
    answer.get_by_role("button", name=re.compile("Open page 156")).tap()
    dialog = page.get_by_role("dialog", name="p. 156")
    expect(dialog.locator("mark")).to_contain_text("RMB40.28 billion")
    page.screenshot(path=SHOTS / "phone-page-156.png")
    dialog.get_by_role("button", name="Close the page").tap()
    expect(dialog).to_be_hidden()
    context.close()


def test_generated_answer_says_what_verification_did(report_data, tmp_path, browser):
    """With the generative answerer and a backend that fails, the page shows the quoted answer and says so."""
    from tests.llm.conftest import StandInServer

    with StandInServer("error") as backend:
        live = LiveServer(fresh_data_dir(report_data, tmp_path), answerer="generative", llm_base_url=backend.url,
                          llm_timeout=5).start()
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
            page.goto(live.url)
            answer = ask(page, "What is the planned area of Gui'an New Area?")
            expect(answer.locator(".answer-text")).to_contain_text("1,901 km²")
            note = answer.locator(".verification")
            expect(note).to_have_attribute("data-verdict", "fallback")
            expect(note).to_contain_text("the quoted answer is shown instead")
            page.screenshot(path=SHOTS / "generative-fallback.png")
        finally:
            live.stop()


def test_chinese_question_gets_the_figure_with_its_citation(server, browser):
    """A Chinese question about the English page: the figure, the page, a line saying the text is English, and
    the message marked as Chinese for screen readers and fonts."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.add_init_script(f"localStorage.setItem('rag.apiKey', {KEY!r})")
    page = context.new_page()
    page.goto(server.url)
    answer = ask(page, "贵安新区的规划面积是多少？")
    text = answer.locator(".answer-text")
    expect(text).to_contain_text("1,901 km²")
    expect(text).to_contain_text("英文")
    expect(text).to_have_attribute("lang", "zh")
    expect(page.locator(".question-turn .bubble").last).to_have_attribute("lang", "zh")
    expect(answer.get_by_role("button", name=re.compile("Open page 156"))).to_be_visible()
    page.screenshot(path=SHOTS / "chinese-answer.png")
    context.close()


def test_a_bilingual_page_cites_both_languages(tmp_path, browser):
    """A page printing a passage in English and in Chinese (tests/fixtures/pages/page-66-bilingual.txt): a Chinese
    question is answered from the Chinese text, and both quotes are cited, each chip saying its language."""
    from pathlib import Path

    from rag.config import Settings
    from rag.index import ReportIndex

    data = tmp_path / "bilingual"
    page_file = Path(__file__).parents[1] / "fixtures" / "pages" / "page-66-bilingual.txt"
    ReportIndex.open(Settings(data_dir=data)).ingest([page_file])
    live = LiveServer(data).start()
    try:
        page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
        page.goto(live.url)
        answer = ask(page, "有多少比例的会员企业表示2025年通关时间缩短了？")
        text = answer.locator(".answer-text")
        expect(text).to_contain_text("62%")
        expect(text).to_have_attribute("lang", "zh")
        expect(answer.get_by_role("button", name=re.compile("Open page 66"))).to_have_text(["p. 66 · 中文",
                                                                                           "p. 66 · English"])
        page.screenshot(path=SHOTS / "bilingual-citations.png")
    finally:
        live.stop()
