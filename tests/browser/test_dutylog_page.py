"""The duty log page: a phone call recorded in one browser appears live in another; filters, export, phones;
and the handover page signed from two screens."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from command import dutylog
from command.models import Person, Shift, utcnow
from command.runtime import build_runtime
from tests.conftest import PASSWORD_HASH, make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
T0 = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)  # 11:00 in Shanghai
H = timedelta(hours=1)


@pytest.fixture
def server(start_server, sqlite_url):
    """A running server whose log already holds a note written at 03:00 UTC, and the operator chen.jing."""
    running = start_server("threading")
    rt = build_runtime({"DATABASE_URL": sqlite_url})
    with rt.unit_of_work() as session:
        dutylog.append(session, kind="note", summary="早班巡堤完毕 levee patrol done", author="chen", at=T0)
    make_user(rt, "chen.jing", "operator")
    rt.engine.dispose()
    return running


def _record_call(page, unit: str, situation: str) -> None:
    page.click("#new-call")
    form = page.locator("#call-form")
    form.locator('input[name="unit"]').fill(unit)
    form.locator('input[name="number"]').fill("025-8468 0000")
    form.locator('textarea[name="situation"]').fill(situation)
    assert form.locator('input[name="recorded_by"]').is_hidden()  # whoever logged in recorded it
    page.click("#call-save")
    page.locator("#call-dialog").wait_for(state="hidden", timeout=5000)


def test_a_phone_call_recorded_in_one_page_appears_live_in_another(server, open_page, page_errors):
    writer = open_page(f"{server.url}/dutylog?lang=en", user="chen.jing")
    reader = open_page(f"{server.url}/dutylog?lang=en")
    note = reader.locator("#log .entry.kind-note")
    note.wait_for(timeout=10000)
    assert "11:00:00" in note.locator(".when").inner_text(), "times are shown in the duty room's zone"
    reader.wait_for_function("() => document.querySelector('#offline').hidden")

    writer.click("#new-call")
    writer.click("#call-save")  # empty: the form says what is missing, field by field
    writer.locator('[data-error-for="unit"]', has_text="Required.").wait_for(timeout=5000)
    assert writer.locator('[data-error-for="number"]').inner_text() == "Required."
    writer.click("#call-dialog .cancel")
    _record_call(writer, "栖霞区应急局", "燕子矶江堤出现管涌 piping at the levee")

    call = reader.locator("#log .entry.kind-phone_call")
    call.wait_for(timeout=5000)
    assert "燕子矶江堤出现管涌" in call.inner_text() and "栖霞区应急局" in call.inner_text()
    assert "by chen.jing" in call.locator(".meta").inner_text()  # the writer's login, not the reader's
    assert reader.locator("#log .entry").first.get_attribute("data-kind") == "phone_call", "newest first"
    assert reader.locator("#more").is_hidden(), "no older page to offer"
    assert page_errors == []


def test_filter_by_kind_and_the_export_link_carries_the_filters(server, open_page, page_errors):
    page = open_page(f"{server.url}/dutylog?lang=en")
    page.locator("#log .entry.kind-note").wait_for(timeout=10000)
    _record_call(page, "消防支队", "仓库起火 warehouse fire")
    page.locator("#log .entry.kind-phone_call").wait_for(timeout=5000)

    page.select_option("#filter-kind", label="Phone calls")
    page.wait_for_function("() => !document.querySelector('#log .entry.kind-note')"
                           " && document.querySelector('#log .entry.kind-phone_call')")
    assert page.locator("#log .entry").count() == 1
    page.fill("#filter-q", "仓库")
    page.wait_for_function("() => new URL(location.href).searchParams.get('q') === '仓库'")
    query = parse_qs(urlsplit(page.locator("#export").get_attribute("href")).query)
    assert query == {"kind": ["phone_call"], "q": ["仓库"], "format": ["csv"]}

    page.select_option("#filter-kind", label="Notes")
    page.fill("#filter-q", "")
    page.wait_for_function("() => document.querySelector('#log .entry.kind-note')"
                           " && !document.querySelector('#log .entry.kind-phone_call')")
    assert page.locator("#log .entry").count() == 1
    assert parse_qs(urlsplit(page.url).query)["kind"] == ["note"], "the filtered view can be linked"

    # What the log really holds, as the administrator (who also sees the audit trail) lists it: the note,
    # the call, and the audit entries of logging in. The check must walk every one of them.
    kinds = page.evaluate("fetch('/api/v1/dutylog?limit=500').then(r => r.json())"
                          ".then(body => body.entries.map(entry => entry.kind))")
    assert {"note", "phone_call", "audit"} <= set(kinds)
    page.click("#verify")
    page.wait_for_function("() => document.querySelector('#verify-result').classList.contains('ok')")
    assert page.locator("#verify-result").inner_text() == f"Chain intact: {len(kinds)} entries checked."
    assert page_errors == []


def test_on_a_phone_the_log_and_the_call_form_fit_the_width(server, open_page, page_errors):
    page = open_page(f"{server.url}/dutylog?lang=en", viewport=PHONE)
    page.locator("#log .entry").first.wait_for(timeout=10000)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("#new-call")
    box = page.locator("#call-dialog").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("#call-save").bounding_box()["height"] >= 40, "big enough for a thumb"
    assert page_errors == []


@pytest.fixture
def change_over(start_server, sqlite_url):
    """A server with chen on duty now and li rostered next, and a call of chen's shift with no incident."""
    running = start_server("threading")
    rt = build_runtime({"DATABASE_URL": sqlite_url})
    now = utcnow()
    with rt.unit_of_work() as session:
        chen = Person(username="chen", display_name="陈静", role="operator", password_hash=PASSWORD_HASH)
        li = Person(username="li", display_name="李强", role="operator", password_hash=PASSWORD_HASH)
        session.add_all([chen, li])
        session.flush()
        session.add_all([Shift(starts_at=now - 6 * H, ends_at=now + 6 * H, duty_officer_id=chen.id),
                         Shift(starts_at=now + 6 * H, ends_at=now + 18 * H, duty_officer_id=li.id)])
        session.flush()
        dutylog.append(session, kind="phone_call", summary="来电：地铁站口积水", author="chen")
    rt.engine.dispose()
    return running


def test_the_handover_is_signed_from_two_screens_and_each_sees_the_other(change_over, open_page, page_errors):
    outgoing = open_page(f"{change_over.url}/handover?lang=en", user="chen")
    incoming = open_page(f"{change_over.url}/handover?lang=en", user="li")
    outgoing.locator("#open-items li", has_text="地铁站口积水").wait_for(timeout=10000)
    incoming.locator("#open-items li", has_text="地铁站口积水").wait_for(timeout=10000)
    assert incoming.locator("#sign-incoming").is_disabled(), "the incoming officer signs second"
    assert outgoing.locator("#actor").is_hidden() and incoming.locator("#actor").is_hidden()  # the login signs

    outgoing.click("#sign-outgoing")
    outgoing.wait_for_function("() => document.querySelector('#state').textContent.includes('outgoing officer chen')")
    incoming.wait_for_function("() => !document.querySelector('#sign-incoming').disabled", timeout=5000)
    outgoing.click("#sign-incoming")  # the outgoing officer cannot also sign for the incoming one
    outgoing.wait_for_function("() => document.querySelector('#sign-error').textContent"
                               " === 'Not done: The incoming officer must be someone else.'")
    someone = open_page(f"{change_over.url}/handover?lang=en")  # the administrator is not on the roster
    someone.wait_for_function("() => !document.querySelector('#sign-incoming').disabled", timeout=5000)
    someone.click("#sign-incoming")
    someone.wait_for_function("() => document.querySelector('#sign-error').textContent"
                              " === 'Not done: The roster names li for this signature.'")
    incoming.click("#sign-incoming")
    outgoing.wait_for_function("() => document.querySelector('#state').textContent.includes('The shift is closed')",
                               timeout=5000)
    incoming.wait_for_function("() => document.querySelector('#state').textContent.includes('chen to li')",
                               timeout=5000)
    assert incoming.locator("#sign-incoming").is_disabled() and outgoing.locator("#sign-outgoing").is_disabled()
    assert page_errors == []
