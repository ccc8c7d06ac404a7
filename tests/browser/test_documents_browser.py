"""Generating the daily duty report from the roster page: click, watch the progress bar move, download the PDF."""

from __future__ import annotations

import threading

import pytest

from sqlalchemy import select

from command.documents import content, jobs
from command.models import DocumentJob
from command.runtime import build_runtime
from tests.conftest import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def web_only(start_server, sqlite_url):
    """A server that makes no documents itself (role web), and a runtime on its database for the test's worker."""
    server = start_server("threading", args=["--role", "web"])
    runtime = build_runtime({"DATABASE_URL": sqlite_url})
    make_user(runtime, "zhao.min", "operator")
    yield server, runtime
    runtime.engine.dispose()


def _held_after_two_sections(monkeypatch):
    """Make the daily report wait before its third section until released; return (reached, release)."""
    reached, release = threading.Event(), threading.Event()
    original = content.KINDS["daily"]

    def held(section):
        def build(session, context):
            reached.set()
            release.wait(60)
            return section.build(session, context)
        return content.Section(section.name, build)

    sections = original.sections[:2] + (held(original.sections[2]),) + original.sections[3:]
    monkeypatch.setitem(content.KINDS, "daily", content.Kind(original.check, sections, original.template,
                                                             original.stem))
    return reached, release


def test_generate_the_daily_report_see_progress_and_download(web_only, open_page, page_errors, monkeypatch, tmp_path):
    server, runtime = web_only
    page = open_page(f"{server.url}/roster?lang=en", user="zhao.min")
    assert page.locator("#actor").is_hidden()  # the roster knows who is logged in
    page.fill("#daily-date", "2026-11-24")
    page.select_option("#daily-language", "zh")
    widget = page.locator("#daily-widget")
    widget.get_by_role("button", name="Generate PDF").click()

    status = widget.locator(".vdoc-status")
    bar = widget.locator("progress")
    bar.wait_for(state="visible", timeout=10000)
    page.wait_for_function("document.querySelector('#daily-widget').dataset.status === 'queued'", timeout=10000)
    assert status.inner_text() == "Waiting…"  # no worker has taken it yet
    assert widget.get_by_role("button", name="Generate PDF").is_disabled()

    reached, release = _held_after_two_sections(monkeypatch)
    worker = threading.Thread(target=jobs.run_once, args=(runtime, "browser-test-worker"))
    worker.start()
    try:
        assert reached.wait(30), "the worker never started the document"
        page.wait_for_function("document.querySelector('#daily-widget progress').value > 0", timeout=10000)
        partway = bar.evaluate("bar => bar.value")
        assert 0 < partway < 100
        assert f"{partway}%" in status.inner_text()
    finally:
        release.set()
        worker.join(timeout=60)

    link = widget.locator("a.vdoc-file")
    link.wait_for(state="visible", timeout=10000)
    assert link.inner_text() == "vigil-daily-2026-11-24-zh.pdf"
    assert bar.evaluate("bar => bar.value") == 100
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "vigil-daily-2026-11-24-zh.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    with runtime.sessions() as session:
        assert session.scalars(select(DocumentJob.requested_by)).all() == ["zhao.min"]  # asked by the login
    assert page_errors == []


def test_the_documents_page_lists_the_job(web_only, open_page, page_errors):
    server, runtime = web_only
    page = open_page(f"{server.url}/documents?lang=en", user="zhao.min")
    assert page.locator("#actor").is_hidden()
    page.select_option("select[name=kind]", "monthly")
    assert page.locator("input[name=month]").is_visible() and not page.locator("input[name=date]").is_visible()
    page.locator("#documents-widget").get_by_role("button", name="Printable HTML").click()
    page.wait_for_function("document.querySelector('#documents-widget').dataset.status === 'queued'", timeout=10000)
    assert jobs.run_once(runtime, "browser-test-worker") == 1
    link = page.locator("#documents-widget a.vdoc-file")
    link.wait_for(state="visible", timeout=10000)
    assert link.get_attribute("target") == "_blank"
    page.reload()
    assert "vigil-monthly-" in page.locator("#recent").inner_text()
    assert page.locator("#recent tbody tr").first.locator("td").nth(2).inner_text() == "zhao.min"  # asked by
    assert page_errors == []
