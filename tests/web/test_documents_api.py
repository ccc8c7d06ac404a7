"""The documents API: 202 with a job, its progress, 409 until the file is ready, then the file with a good name."""

from __future__ import annotations

import pytest

from command.documents import jobs, render
from tests.command.test_documents import DAY, seed_documents


@pytest.fixture
def seeded(runtime):
    return seed_documents(runtime)


def _ask(client, **overrides):
    body = {"kind": "daily", "params": {"date": DAY}, "format": "pdf", "language": "zh", "actor": "zhao.min"}
    body.update(overrides)
    return client.post("/api/v1/documents", json=body)


def test_ask_watch_and_fetch_a_pdf(client, runtime, seeded):
    asked = _ask(client)
    assert asked.status_code == 202
    job = asked.get_json()
    assert (job["status"], job["progress"], job["file_url"]) == ("queued", 0, None)
    assert asked.headers["Location"] == job["url"] == f"/api/v1/documents/{job['id']}"

    early = client.get(f"/api/v1/documents/{job['id']}/file")
    assert early.status_code == 409 and early.get_json()["code"] == "not_ready"

    assert jobs.run_once(runtime, "worker-test") == 1
    done = client.get(job["url"]).get_json()
    assert (done["status"], done["progress"]) == ("done", 100) and done["size"] > 1000
    pdf = client.get(done["file_url"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="vigil-daily-{DAY}-zh.pdf"'


def test_printable_html_opens_in_the_browser_and_can_run_nothing(client, runtime, seeded):
    job = _ask(client, kind="report", params={"report_id": seeded["first"]}, format="html", language="en").get_json()
    jobs.run_once(runtime, "worker-test")
    page = client.get(f"/api/v1/documents/{job['id']}/file")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["Content-Disposition"] == f'inline; filename="vigil-report-{seeded["first"]}-en.html"'
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "First report" in page.get_data(as_text=True)
    saved = client.get(f"/api/v1/documents/{job['id']}/file?download=1")
    assert saved.headers["Content-Disposition"].startswith("attachment;")


def test_a_failed_document_says_why(client, runtime, seeded, monkeypatch):
    job = _ask(client).get_json()

    def broken(_html):
        raise RuntimeError("layout exploded")
    monkeypatch.setattr(render, "html_to_pdf", broken)
    jobs.run_once(runtime, "worker-test")
    status = client.get(job["url"]).get_json()
    assert status["status"] == "failed" and "layout exploded" in status["error"]
    answer = client.get(f"/api/v1/documents/{job['id']}/file")
    assert answer.status_code == 409 and answer.get_json()["code"] == "document_failed"


@pytest.mark.parametrize("overrides, field", [
    ({"kind": "weekly"}, "kind"), ({"params": {"date": "tomorrow"}}, "params.date"),
    ({"kind": "handover", "params": {"handover_id": 999}}, "params.handover_id"),
    ({"format": "docx"}, "format"), ({"language": "fr"}, "language"), ({"params": "2026-11-24"}, "params"),
])
def test_bad_requests_get_422_naming_the_field(client, seeded, overrides, field):
    answer = _ask(client, **overrides)
    assert answer.status_code == 422 and answer.get_json()["field"] == field
    assert client.get("/api/v1/documents").get_json()["documents"] == []


@pytest.mark.parametrize("named", ["leader.wang", "", None])
def test_the_person_logged_in_is_who_asked_whatever_the_body_says(app, runtime, seeded, named):
    from tests.conftest import log_in
    clerk = app.test_client()
    log_in(clerk, runtime, "zhao.min", role="operator")
    asked = _ask(clerk, actor=named)  # someone else, an empty name, or a JSON null
    assert asked.status_code == 202 and asked.get_json()["requested_by"] == "zhao.min"
    assert [d["requested_by"] for d in clerk.get("/api/v1/documents").get_json()["documents"]] == ["zhao.min"]


def test_unknown_jobs_and_bodies(client):
    assert client.get("/api/v1/documents/999").status_code == 404
    assert client.get("/api/v1/documents/999/file").status_code == 404
    assert client.post("/api/v1/documents", data="nope").status_code == 400


def test_the_documents_page_lists_recent_jobs(client, runtime, seeded):
    first = _ask(client, format="html").get_json()
    jobs.run_once(runtime, "worker-test")
    second = _ask(client, kind="monthly", params={"month": "2026-11"}).get_json()
    listed = client.get("/api/v1/documents").get_json()["documents"]
    assert [job["id"] for job in listed] == [second["id"], first["id"]]
    page = client.get("/documents?lang=en").get_data(as_text=True)
    assert f'href="/api/v1/documents/{first["id"]}/file">vigil-daily-{DAY}-zh.html</a>' in page
    assert f'data-job="{second["id"]}"' in page and "Waiting" in page
