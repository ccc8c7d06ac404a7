"""Browser fixtures shared by every test folder: Debian's Chromium driven by Playwright (never a downloaded
browser). One plugin, so the whole session has one Playwright and one Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import ADMIN, PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium for the whole session."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (scripts/system_deps.sh installs Debian's chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_errors():
    """Collects uncaught page errors; a test asserts it stays empty."""
    return []


@pytest.fixture
def open_page(browser, page_errors):
    """Open a page on a new context: ``open_page(url, viewport=..., locale=...)``."""
    contexts = []

    def open_(url: str, viewport=None, locale="en-US", user: str | None = ADMIN):
        context = browser.new_context(viewport=viewport or {"width": 1366, "height": 768}, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        origin = url.split("/", 3)[0] + "//" + url.split("/")[2]
        page.on("request", lambda request: None if request.url.startswith(origin)
                else page_errors.append(f"request to another host: {request.url}"))
        if user:  # log in through the real form first (``user=None`` stays logged out)
            page.goto(f"{origin}/login")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("button[type=submit]")
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()
