"""End to end in a real browser (Debian's Chromium driven by Playwright), plus gradio_client against the
same running server. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Settings
from app.index import IndexBuilder

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
    settings = Settings(index_dir=root / "index", embedder="fake", vector_store="memory", ingest_token="tok")
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


def ask(page, question: str) -> None:  # noqa: ANN001
    page.get_by_label("Question").fill(question)
    page.get_by_role("button", name="Ask", exact=True).click()


def test_ask_click_citation_and_see_the_highlighted_passage(server_url: str, browser) -> None:  # noqa: ANN001
    import httpx

    expected = httpx.post(server_url + "api/ask", json={"question": "When was the Bishkek Protocol signed?"}).json()
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server_url)
    ask(page, "When was the Bishkek Protocol signed?")
    page.wait_for_selector("a.cite", timeout=30_000)
    page.wait_for_function("document.querySelectorAll('.source-card').length > 0", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "answer.png"))
    assert "5 May 1994" in page.locator(".message-wrap, [data-testid='bot']").first.inner_text()
    page.locator("a.cite").first.click()
    mark = page.wait_for_selector("#cited-passage", timeout=10_000)
    assert mark.inner_text() == expected["citations"][0]["quote"]
    assert page.evaluate("document.querySelector('.doc-text').dataset.doc") == expected["citations"][0]["doc_id"]
    page.screenshot(path=str(ARTIFACTS / "citation-panel.png"))
    page.close()


def test_html_in_documents_and_questions_never_runs(server_url: str, browser) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server_url)
    ask(page, "What did the Yevlakh talks discuss on 21 September 2023? <img src=x onerror=\"window.__pwned='q'\">")
    page.wait_for_selector("a.cite", timeout=30_000)
    page.wait_for_function("document.querySelectorAll('.source-card').length > 0", timeout=30_000)
    cite = page.locator("a.cite[href^='#cite:payload-report']").first
    cite.click()
    page.wait_for_selector("#doc-panel .doc-text", timeout=10_000)
    panel_text = page.locator("#doc-panel").inner_text()
    assert "<script>window.__pwned='body'</script>" in panel_text, "the payload is shown as text"
    page.get_by_role("tab", name="Sources").click()
    page.locator("a[href='#doc:payload-report']").click()
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "payload.png"))
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#doc-panel img, .message-wrap img[src='x']").count() == 0
    page.close()


def test_timeline_and_article_views(server_url: str, browser) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server_url)
    page.get_by_role("tab", name="Explain this article").click()
    page.get_by_label("Paste a news article").fill("Talks about the Bishkek Protocol and the Khojaly killings.")
    page.get_by_role("button", name="Explain the background").click()
    page.wait_for_selector("text=Background", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "article.png"))
    page.close()


def test_gradio_client_against_the_running_server(server_url: str) -> None:
    from gradio_client import Client

    client = Client(server_url, verbose=False)
    history, *_ = client.predict("When was the Bishkek Protocol signed?", [], api_name="/ask")
    reply = history[-1]["content"]
    text = reply if isinstance(reply, str) else " ".join(part.get("text", "") for part in reply)
    assert "5 May 1994" in text and 'class="cite"' in text
