"""Screenshots of each screen for the README, from a running server (the real index, the seed report
ingested, ingest enabled), in Debian's Chromium at 1366x900 and 390x844.

    python docs/screens/take.py http://127.0.0.1:7861/
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).parent
SEED = HERE.parents[2] / "shared" / "seeds" / "news-2023-09-20-karabakh-offensive.txt"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
QUESTION = "What did the 10 November 2020 statement say about the Lachin corridor?"


def tab(page, label: str) -> None:  # noqa: ANN001
    button = page.get_by_role("tab", name=label, exact=True)
    if button.count() and button.first.is_visible():
        button.first.click()
        return
    page.locator("[aria-label='More tabs']").click()
    page.locator(".overflow-dropdown button", has_text=label).first.click()


def main(url: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, viewport in (("laptop", {"width": 1366, "height": 900}), ("phone", {"width": 390, "height": 844})):
            page = browser.new_page(viewport=viewport)
            page.goto(url)
            page.wait_for_selector("#question textarea", timeout=60_000)
            page.locator("#question textarea").fill(QUESTION)
            page.locator("#ask-btn").click()
            page.wait_for_selector(".answer-final", state="attached", timeout=120_000)
            page.wait_for_timeout(800)
            page.screenshot(path=str(HERE / f"ask-{name}.png"))
            page.locator("#chat a.cite").first.hover()
            page.wait_for_timeout(300)
            page.screenshot(path=str(HERE / f"preview-{name}.png"))
            page.mouse.move(5, 5)
            page.locator("#chat a.cite").first.click()
            page.wait_for_selector("#cited-passage", timeout=10_000)
            page.mouse.move(5, 5)
            page.wait_for_timeout(300)
            page.screenshot(path=str(HERE / f"citation-panel-{name}.png"))
            page.keyboard.press("Escape")
            tab(page, "Explain this article")
            page.get_by_label("Paste a news article").fill(SEED.read_text(encoding="utf-8"))
            page.get_by_label("The article's date (YYYY-MM-DD), if it has no dateline").fill("2023-09-20")
            page.get_by_role("button", name="Explain the background").click()
            page.wait_for_selector("text=Key background", timeout=240_000)
            page.evaluate("[...document.querySelectorAll('h3')].find(h => h.textContent === 'Key background')"
                          ".scrollIntoView({block: 'start'})")
            page.wait_for_timeout(300)
            page.screenshot(path=str(HERE / f"article-{name}.png"))
            tab(page, "Timeline")
            page.wait_for_selector("svg.timeline-svg", timeout=30_000)
            page.locator("svg.timeline-svg").scroll_into_view_if_needed()
            page.screenshot(path=str(HERE / f"timeline-{name}.png"))
            tab(page, "Sources")
            page.get_by_label("Search the sources").fill("Lachin")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(HERE / f"sources-{name}.png"))
            if page.get_by_role("tab", name="Upload (newsroom)").count() or name == "phone":
                try:
                    tab(page, "Upload (newsroom)")
                    page.wait_for_timeout(500)
                    page.screenshot(path=str(HERE / f"upload-{name}.png"))
                except Exception as exc:  # noqa: BLE001 - a screenshot is not worth failing the others
                    print(f"no upload tab: {exc}")
            page.close()
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(url + "?__theme=dark")
        page.wait_for_selector("#question textarea", timeout=60_000)
        page.locator("#question textarea").fill(QUESTION)
        page.locator("#ask-btn").click()
        page.wait_for_selector(".answer-final", state="attached", timeout=120_000)
        page.locator("#chat a.cite").first.click()
        page.wait_for_selector("#cited-passage", timeout=10_000)
        page.wait_for_timeout(300)
        page.screenshot(path=str(HERE / "dark-laptop.png"))
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:7861/")
