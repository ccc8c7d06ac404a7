"""Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from command.runtime import build_runtime
from command.tokens import issue_feed_token
from tests.conftest import ADMIN, FEED, PASSWORD

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


@pytest.fixture
def live(start_server, sqlite_url):
    """A running server and a function that posts events to it."""
    server = start_server("threading")
    rt = build_runtime({"DATABASE_URL": sqlite_url})
    with rt.sessions.begin() as session:
        token = issue_feed_token(session, FEED)
    rt.engine.dispose()

    def post(body):
        response = requests.post(f"{server.url}/api/v1/feeds/{FEED}/events", json=body,
                                 headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()

    return server, post
