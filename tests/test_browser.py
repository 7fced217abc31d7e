"""End to end in a real browser (Debian's Chromium driven by Playwright) at a laptop's 1366x900 and a
phone's 390x844, plus gradio_client against the same running server. Screenshots go to tests/artifacts/.

The server indexes the fixture corpus, a document carrying HTML payloads, and the real timeline (225
events), so the timeline list is long enough that its last link sits far below the fold."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.config import Settings
from app.index import IndexBuilder

from .conftest import CORPUS

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
PAYLOAD_DOC = """---
id: payload-report
title: "Report <img src=x onerror=\\"window.__pwned='title'\\">"
kind: news
date: 2023-09-21
publisher: "<script>window.__pwned='publisher'</script>"
---
The Yevlakh talks on 21 September 2023 discussed the reintegration of Karabakh Armenians.
<script>window.__pwned='body'</script> <img src=x onerror="window.__pwned='img'">
The talks ended without a final agreement on 21 September 2023.
"""
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update"]
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = [pytest.param(LAPTOP, id="laptop"), pytest.param(PHONE, id="phone")]
QUESTION = "When was the Bishkek Protocol signed?"
IN_VIEW = """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight + 1
    && r.right <= window.innerWidth + 1 && r.top < window.innerHeight; }"""
# the start of the last answer lies inside the chat's visible box (not scrolled away to its source cards),
# and inside the window
ANSWER_START_SHOWN = """() => { const marks = document.querySelectorAll('.answer-final');
  const el = marks[marks.length - 1];
  let box = el.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) {
    box = box.parentElement; }
  const r = el.getBoundingClientRect(), b = (box || document.documentElement).getBoundingClientRect();
  return r.top >= b.top - 2 && r.top < b.bottom - 20 && r.top >= 0 && r.top < window.innerHeight - 20; }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from app.api import create_app

    root = tmp_path_factory.mktemp("browser")
    corpus = root / "corpus"
    shutil.copytree(Path(__file__).parent / "fixtures" / "corpus", corpus)
    (corpus / "payload.md").write_text(PAYLOAD_DOC)
    (corpus / "data").mkdir()
    shutil.copy(CORPUS / "data" / "timeline.yaml", corpus / "data" / "timeline.yaml")
    settings = Settings(index_dir=root / "index", embedder="fake", vector_store="memory", ingest_token="tok",
                        answer_scorer="rules",  # the learned model is trained on MiniLM features
                        timeline_file=corpus / "data" / "timeline.yaml", corpus_dir=corpus)
    IndexBuilder(settings).build([corpus])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.1)
    assert server.started, "server did not start"
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs the Debian packages chromium and chromium-driver")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


def open_page(browser, url: str, viewport: dict, query: str = ""):  # noqa: ANN001, ANN201
    page = browser.new_page(viewport=viewport)
    page.goto(url + query)
    page.wait_for_selector("#question textarea", timeout=30_000)
    return page


def name(viewport: dict) -> str:
    return "phone" if viewport["width"] < 600 else "laptop"


def tab(page, label: str) -> None:  # noqa: ANN001
    """Open a tab; on a phone Gradio folds the tabs that do not fit into a "More tabs" menu."""
    button = page.get_by_role("tab", name=label, exact=True)
    if button.count() and button.first.is_visible():
        button.first.click()
        return
    page.locator("[aria-label='More tabs']").click()
    page.locator(".overflow-dropdown button", has_text=label).first.click()


def ask(page, question: str) -> None:  # noqa: ANN001
    page.locator("#question textarea").fill(question)
    page.locator("#ask-btn").click()


def wait_answer(page, count: int = 1) -> None:  # noqa: ANN001
    page.wait_for_function(f"document.querySelectorAll('.answer-final').length >= {count}", timeout=30_000)


def api_answer(url: str, question: str, filters: dict | None = None) -> dict:
    body: dict = {"question": question}
    if filters:
        body["filters"] = filters
    return httpx.post(url + "api/ask", json=body, timeout=30).json()


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = (luminance(tuple(float(x) for x in re.findall(r"[\d.]+", c)[:3])) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_ask_click_citation_and_see_the_highlighted_passage(server_url: str, browser, viewport: dict) -> None:  # noqa: ANN001
    expected = api_answer(server_url, QUESTION)
    page = open_page(browser, server_url, viewport)
    ask(page, QUESTION)
    wait_answer(page)
    page.wait_for_timeout(300)
    assert page.evaluate(ANSWER_START_SHOWN), "the chat shows the start of the answer"
    page.screenshot(path=str(ARTIFACTS / f"answer-{name(viewport)}.png"))
    assert "5 May 1994" in page.locator("#chat").inner_text()
    first = page.locator("a.cite").first
    assert first.get_attribute("aria-label") == f"source 1: {expected['citations'][0]['title']}"
    first.click()
    mark = page.wait_for_selector("#cited-passage", timeout=10_000)
    assert mark.inner_text() == expected["citations"][0]["quote"]
    assert page.evaluate("document.querySelector('.doc-text').dataset.doc") == expected["citations"][0]["doc_id"]
    assert page.locator("#doc-panel .doc-title").inner_text() == expected["citations"][0]["title"]
    assert page.evaluate(IN_VIEW, "#doc-panel .doc-title"), "the title is visible"
    assert page.evaluate(IN_VIEW, "#cited-passage"), "the passage is scrolled into the panel's view"
    assert page.locator("#doc-panel").get_attribute("aria-live") == "polite"
    page.screenshot(path=str(ARTIFACTS / f"citation-panel-{name(viewport)}.png"))
    if viewport is PHONE:  # a drawer over the page, with a close button
        assert page.evaluate("getComputedStyle(document.getElementById('doc-panel')).position") == "fixed"
        page.locator("#doc-panel .doc-close").click()
        assert not page.locator("#doc-panel").is_visible()
    else:
        assert page.get_by_role("button", name="Download the conversation (Markdown)").is_visible()
        tab(page, "Sources")  # another tab clears the panel
        page.wait_for_function("!document.getElementById('cited-passage')", timeout=5_000)
        tab(page, "Ask")
        page.locator("a.cite").first.click()
        page.wait_for_selector("#cited-passage", timeout=10_000)
        page.locator("#new-conversation").click()  # so does a new conversation
        page.wait_for_function("!document.getElementById('cited-passage')", timeout=5_000)
    page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_panel_is_in_view_after_a_click_at_the_bottom_of_the_timeline(server_url: str, browser, viewport: dict) -> None:  # noqa: ANN001
    page = open_page(browser, server_url, viewport)
    tab(page, "Timeline")
    page.wait_for_selector(".timeline-list li", timeout=30_000)
    assert page.locator("circle.event-mark").count() == page.locator(".timeline-list li").count()
    assert page.locator("svg.timeline-svg text", has_text="2020").count() >= 1
    last = page.locator(".timeline-list li").last
    last.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 500, "the list is long: its end is far below the fold"
    last.locator("a.cite").click()
    page.wait_for_selector("#cited-passage", timeout=10_000)
    assert page.evaluate(IN_VIEW, "#doc-panel .doc-title")
    assert page.evaluate(IN_VIEW, "#cited-passage")
    summary = page.evaluate("document.querySelector('.timeline-list li:last-child a.cite').dataset.quote")
    assert page.locator("#cited-passage").inner_text() == summary
    page.screenshot(path=str(ARTIFACTS / f"timeline-bottom-{name(viewport)}.png"))
    page.close()


def test_hover_preview_follow_ups_and_reopen_link(server_url: str, browser) -> None:  # noqa: ANN001
    expected = api_answer(server_url, QUESTION)
    page = open_page(browser, server_url, LAPTOP, "?q=" + QUESTION.replace(" ", "%20"))
    wait_answer(page)  # /?q= reopened the question
    page.locator("a.cite").first.hover()
    page.wait_for_selector("#cite-preview.shown", timeout=5_000)
    assert page.locator("#cite-preview").inner_text() == expected["citations"][0]["quote"]
    page.screenshot(path=str(ARTIFACTS / "hover-preview.png"))
    page.mouse.move(0, 0)
    suggestion = page.locator(".follow-ups a.ask-link").first
    asked = suggestion.inner_text().strip()
    suggestion.click()
    wait_answer(page, 2)
    users = page.locator("#chat .message.user, #chat [data-testid='user']")
    assert users.last.inner_text().strip() == asked
    page.close()


def test_examples_ask_and_an_empty_question_does_nothing(server_url: str, browser) -> None:  # noqa: ANN001
    page = open_page(browser, server_url, LAPTOP)
    page.locator("#ask-btn").click()
    page.wait_for_timeout(800)
    assert page.locator("#chat .message, #chat [data-testid='bot']").count() == 0
    page.locator(".examples a.ask-link").first.click()
    page.wait_for_function("document.querySelectorAll('#chat [data-testid=\"bot\"], #chat .bot').length > 0",
                           timeout=30_000)
    page.close()


def test_filters_change_the_answers_sources(server_url: str, browser) -> None:  # noqa: ANN001
    question = "What happened in Shusha in May 1992?"
    plain = {c["doc_id"] for c in api_answer(server_url, question)["citations"]}
    events = {c["doc_id"] for c in api_answer(server_url, question, {"kinds": ["event"]})["citations"]}
    assert events and events != plain
    page = open_page(browser, server_url, LAPTOP)
    page.get_by_text("Filters").first.click()
    page.locator("#kind-filter").get_by_label("event", exact=True).check()
    ask(page, question)
    wait_answer(page)
    shown = {href.split(":")[1] for href in page.eval_on_selector_all(
        "#chat a.cite", "els => els.map(e => e.getAttribute('href'))")}
    assert shown == events
    page.screenshot(path=str(ARTIFACTS / "filters.png"))
    page.close()


def test_dark_mode_highlight_and_meta_text_contrast(server_url: str, browser) -> None:  # noqa: ANN001
    page = open_page(browser, server_url, LAPTOP, "?__theme=dark")
    ask(page, QUESTION)
    wait_answer(page)
    page.locator("a.cite").first.click()
    page.wait_for_selector("#cited-passage", timeout=10_000)
    assert page.evaluate("document.body.classList.contains('dark') || !!document.querySelector('.dark')")
    mark = page.evaluate("(() => { const s = getComputedStyle(document.getElementById('cited-passage'));"
                         " return [s.color, s.backgroundColor]; })()")
    assert contrast(*mark) >= 4.5, mark
    meta = page.evaluate("""(() => { const m = getComputedStyle(document.querySelector('#doc-panel .doc-meta'));
      let el = document.getElementById('doc-panel'), bg = 'rgba(0, 0, 0, 0)';
      while (el && /rgba\\(0, 0, 0, 0\\)|transparent/.test(bg)) {
        bg = getComputedStyle(el).backgroundColor; el = el.parentElement; }
      return [m.color, bg]; })()""")
    assert contrast(*meta) >= 4.5, meta
    page.screenshot(path=str(ARTIFACTS / "dark-mode.png"))
    page.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_placeholder_contrast_and_a_visible_focus_ring(server_url: str, browser, theme: str) -> None:  # noqa: ANN001
    page = open_page(browser, server_url, LAPTOP, f"?__theme={theme}")
    colours = page.evaluate("""(() => { const box = document.querySelector('#question textarea');
      let el = box, bg = 'rgba(0, 0, 0, 0)';
      while (el && /rgba\\(0, 0, 0, 0\\)|transparent/.test(bg)) {
        bg = getComputedStyle(el).backgroundColor; el = el.parentElement; }
      return [getComputedStyle(box, '::placeholder').color, bg, getComputedStyle(box).color]; })()""")
    assert contrast(colours[0], colours[1]) >= 4.5, colours
    ask(page, QUESTION)
    wait_answer(page)
    page.locator("a.cite").first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
    ring = page.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                         " return [s.outlineStyle, s.outlineWidth, document.activeElement.className]; })()")
    assert ring[0] != "none" and float(ring[1].rstrip("px")) >= 2, ring
    page.close()


def test_html_in_documents_and_questions_never_runs(server_url: str, browser) -> None:  # noqa: ANN001
    page = open_page(browser, server_url, LAPTOP)
    ask(page, "What did the Yevlakh talks discuss on 21 September 2023? <img src=x onerror=\"window.__pwned='q'\">")
    wait_answer(page)
    page.locator("#chat a.cite[href^='#cite:payload-report']").first.click()
    page.wait_for_selector("#doc-panel .doc-text", timeout=10_000)
    panel_text = page.locator("#doc-panel").inner_text()
    assert "<script>window.__pwned='body'</script>" in panel_text, "the payload is shown as text"
    tab(page, "Sources")
    page.locator("a[href='#doc:payload-report']").click()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#doc-panel img, #chat img[src='x']").count() == 0
    page.close()


def test_article_and_sources_views(server_url: str, browser) -> None:  # noqa: ANN001
    page = open_page(browser, server_url, LAPTOP)
    tab(page, "Explain this article")
    page.get_by_label("Paste a news article").fill(
        "YEREVAN, 12 May 1994 - The ceasefire took effect on Thursday after the Bishkek Protocol; "
        "officials recalled the Khojaly killings and the fall of Shushi.")
    page.get_by_role("button", name="Explain the background").click()
    page.wait_for_selector("text=Key background", timeout=30_000)
    assert "12 May 1994 (dateline)" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)
    tab(page, "Sources")
    page.get_by_label("Search the sources").fill("Khojaly")
    page.wait_for_function("!document.querySelector(\"a[href='#doc:ceasefire-1994']\")", timeout=10_000)
    assert page.locator("a[href='#doc:khojaly-1992']").count() == 1
    page.close()


def test_gradio_client_against_the_running_server(server_url: str) -> None:
    from gradio_client import Client

    client = Client(server_url, verbose=False)
    history, *_ = client.predict(QUESTION, [], [], "", "", False, api_name="/ask")
    reply = history[-1]["content"]
    text = reply if isinstance(reply, str) else " ".join(part.get("text", "") for part in reply)
    assert "5 May 1994" in text and 'class="cite"' in text
