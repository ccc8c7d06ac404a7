"""The liaison's queue on a phone: an escalation appears live, one tap acknowledges, others see it at once."""

from __future__ import annotations

import pytest
import requests

from sqlalchemy import update

from command.cli import DEMO_DIRECTORY
from command.models import Person
from command.runtime import build_runtime
from command.tokens import issue_feed_token
from tests.conftest import FEED, PASSWORD_HASH, event_body

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DEMO_PEOPLE = ("water.liaison", "water.head", "fire.liaison")


@pytest.fixture
def duty_server(start_server, sqlite_url):
    """A server with the demo duty room and the shipped playbooks; returns it and a poster.

    The demo directory's people have no password: the test's one is given to them once the server loaded them.
    """
    server = start_server("threading", VIGIL_DIRECTORY_FILE=str(DEMO_DIRECTORY), VIGIL_ESCALATION_POLL_SECONDS="0.2")
    rt = build_runtime({"DATABASE_URL": sqlite_url})
    with rt.unit_of_work() as session:
        token = issue_feed_token(session, FEED)
        loaded = session.execute(update(Person).where(Person.username.in_(DEMO_PEOPLE))
                                 .values(password_hash=PASSWORD_HASH))
        assert loaded.rowcount == len(DEMO_PEOPLE)
    rt.engine.dispose()

    def post(body):
        response = requests.post(f"{server.url}/api/v1/feeds/{FEED}/events", json=body,
                                 headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code in (200, 201), response.text
    return server, post


def test_a_liaison_acknowledges_from_a_phone_and_the_other_phone_sees_it(duty_server, open_page, page_errors):
    server, post = duty_server
    mine = open_page(f"{server.url}/queue?department=water", viewport=PHONE, locale="zh-CN", user="water.liaison")
    other = open_page(f"{server.url}/queue?department=water&lang=en", viewport=PHONE, user="water.head")
    fire = open_page(f"{server.url}/queue?department=fire&lang=en", viewport=PHONE)  # the administrator sees all
    post(event_body("flood-1", headline="秦淮河水位超保证水位 Qinhuai over guarantee level", event="Flood",
                    category="met", severity="extreme"))
    item = mine.locator("#queue .item").first
    item.wait_for(timeout=15000)
    assert "秦淮河" in item.inner_text()
    other.locator("#queue .item").first.wait_for(timeout=5000)
    assert fire.locator("#queue .item").count() == 0  # another department's queue stays empty

    assert mine.locator("#actor").is_hidden()  # the liaison logged in: no name to type
    item.get_by_role("button", name="确认").click()
    other.locator("#queue .item .answers li").first.wait_for(timeout=5000)
    assert "water.liaison" in other.locator("#queue .item .answers").inner_text()
    assert "Acknowledged" in other.locator("#queue .item .meta").inner_text()

    width = mine.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the queue must not scroll sideways on a phone"
    box = item.get_by_role("button", name="确认").bounding_box()
    assert box["height"] >= 44, "buttons are big enough for a thumb"
    assert page_errors == []
