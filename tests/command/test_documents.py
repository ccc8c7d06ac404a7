"""Documents: every kind in Chinese and English, as printable HTML and as PDF whose text reads back in Chinese;
the background queue claims a job once, shows progress, and records a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from command import dutylog
from command import handover as handovers
from command.documents import content, jobs, render
from command.documents.content import DocumentRequestError
from command.migrate import upgrade
from command.models import (Acknowledgement, Department, DocumentJob, Escalation, Incident, IncidentLog, Person,
                            Report, ReportObligation, Shift)
from command.runtime import build_runtime

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = "2026-11-24"  # the daily report's day, in Shanghai


def local(hour: int, minute: int = 0, day: int = 24) -> datetime:
    """A Shanghai wall-clock time on 2026-11-``day``, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def seed_documents(runtime) -> dict[str, int]:
    """A day in the duty room: a graded flood with a late first report and a missed written one, a fire reported
    on time, an escalation answered, significant log entries, two shifts and a handover. Returns ids by name."""
    with runtime.unit_of_work() as session:
        session.add_all([Department(code="water", name_en="Water resources", name_zh="水利"),
                         Department(code="fire", name_en="Fire and rescue", name_zh="消防")])
        people = {username: Person(username=username, display_name=name, role=role)
                  for username, name, role in (("zhao.min", "赵敏", "operator"), ("qian.lei", "钱磊", "operator"),
                                               ("li.jianguo", "李建国", "leader"))}
        session.add_all(people.values())
        session.flush()
        night = Shift(starts_at=local(8, day=23), ends_at=local(8), duty_officer_id=people["qian.lei"].id,
                      leader_id=people["li.jianguo"].id)
        day_shift = Shift(starts_at=local(8), ends_at=local(8, day=25), duty_officer_id=people["zhao.min"].id,
                          leader_id=people["li.jianguo"].id)
        session.add_all([night, day_shift])
        session.flush()
        flood = Incident(source="water-gauges", external_id="flood-1", headline="秦淮河水位超警戒 Qinhuai over warning",
                         event="Flood", category="met", severity="severe", status="responding", grade="II",
                         received_at=local(3), occurred_at=local(2, 50), updated_at=local(3, 5), address="南京市秦淮区",
                         departments=["water"])
        fire = Incident(source="fire-119", external_id="fire-1", headline="化工厂火灾 Chemical plant fire",
                        event="Fire", category="fire", severity="extreme", status="new", grade="I",
                        received_at=local(14), updated_at=local(14), departments=["fire"])
        drill = Incident(source="fire-119", external_id="drill-1", headline="<b>演练</b> drill <script>x()</script>",
                         category="fire", severity="minor", status="new", cap_status="exercise",
                         received_at=local(15), updated_at=local(15), departments=[])
        rumour = Incident(source="hotline", external_id="rumour-1", headline="网络舆情 online rumour", category="other",
                          status="new", sensitive=True, received_at=local(16), updated_at=local(16))
        session.add_all([flood, fire, drill, rumour])
        session.flush()
        session.add(IncidentLog(incident_id=flood.id, at=local(3, 10), actor="zhao.min", kind="grade", before=None,
                                after="II", reason="死亡 3 人 three dead", version=2))
        escalation = Escalation(incident_id=flood.id, playbook="flood-severe",
                                snapshot={"title": {"zh": "严重洪涝", "en": "Severe flood"}, "steps": []},
                                state="acknowledged", reply_code="4821", created_at=local(3, 1), updated_at=local(3, 6))
        session.add(escalation)
        session.flush()
        session.add(Acknowledgement(escalation_id=escalation.id, actor="water.liaison", answer="going", via="sms",
                                    at=local(3, 6)))
        first = Report(incident_id=flood.id, kind="first", number=0, channel="phone", filed_by="赵敏",
                       filed_at=local(3, 40), to_verify=["casualties"],
                       fields={"time": local(2, 50).isoformat(), "place": "南京市秦淮区中华门段",
                               "source": "水文站自动报警", "nature": "河道水位超警戒", "casualties": "3 人死亡（待核实）"})
        fire_first = Report(incident_id=fire.id, kind="first", number=0, channel="written", filed_by="钱磊",
                            filed_at=local(14, 20), fields={"time": "14:00", "place": "化工园区", "source": "119",
                                                            "nature": "火灾"})
        follow_up = Report(incident_id=flood.id, kind="follow_up", number=1, channel="written", filed_by="赵敏",
                           filed_at=local(9), fields={"measures": "转移群众 200 人"})
        session.add_all([first, fire_first, follow_up])
        session.flush()
        session.add_all([
            ReportObligation(incident_id=flood.id, profile="default", rule="phone-30min", trigger="grade:II",
                             channel="phone", base_clock="received_at", base_at=local(3), due_at=local(3, 30),
                             status="late", report_id=first.id, filed_at=local(3, 40), late_minutes=10,
                             created_at=local(3, 10)),
            ReportObligation(incident_id=flood.id, profile="default", rule="written-60min", trigger="grade:II",
                             channel="written", base_clock="received_at", base_at=local(3), due_at=local(4),
                             status="missed", created_at=local(3, 10)),
            ReportObligation(incident_id=fire.id, profile="default", rule="phone-30min", trigger="grade:I",
                             channel="phone", base_clock="received_at", base_at=local(14), due_at=local(14, 30),
                             status="filed", report_id=fire_first.id, filed_at=local(14, 20), created_at=local(14)),
            ReportObligation(incident_id=fire.id, profile="default", rule="written-60min", trigger="grade:I",
                             channel="written", base_clock="received_at", base_at=local(14), due_at=local(15),
                             status="filed", report_id=fire_first.id, filed_at=local(14, 20), created_at=local(14)),
            ReportObligation(incident_id=rumour.id, profile="default", rule="sensitive-phone", trigger="sensitive",
                             channel="phone", base_clock="triggered_at", base_at=local(16), due_at=local(16, 30),
                             status="open", created_at=local(16)),
        ])
        call = dutylog.append(session, kind="phone_call", author="zhao.min", at=local(3, 2),
                              summary="水利局来电：秦淮河中华门段水位上涨 call from the water bureau",
                              incident_id=flood.id, significant=True)
        dutylog.append(session, kind="note", author="zhao.min", at=local(5), summary="例行巡查 routine round")
        later = dutylog.append(session, kind="note", author="qian.lei", at=local(6), summary="泵站启动 pumps started")
        dutylog.set_significant(session, later.id, True, "li.jianguo", "重要", at=local(6, 5))
        handover = handovers.draft_handover(session, night.id, local(7, 50))  # the real draft, as the page makes it
        pumps = next(item["key"] for item in handover.draft["open_items"] if item["entry_id"] == later.id)
        handovers.edit(session, handover.id, actor="qian.lei", at=local(7, 52), notes="夜间注意降雨 rain tonight",
                       settled={pumps: "已电话核实 checked by phone"})
        handovers.sign(session, handover.id, "outgoing", "qian.lei", local(7, 55))
        session.flush()
        return {"flood": flood.id, "fire": fire.id, "first": first.id, "follow_up": follow_up.id,
                "handover": handover.id, "call": call.id, "night": night.id, "day": day_shift.id}


@pytest.fixture
def seeded(runtime):
    return seed_documents(runtime)


def _params(kind: str, ids: dict) -> dict:
    return {"report": {"report_id": ids["first"]}, "handover": {"handover_id": ids["handover"]},
            "daily": {"date": DAY}, "monthly": {"month": "2026-11"}}[kind]


# What a reader must find in each document, per language.
EXPECTED = {
    ("daily", "zh"): ["值班日报", "秦淮河水位超警戒", "化工厂火灾", "赵敏", "李建国", "迟报", "漏报", "严重洪涝",
                      "水利局来电", "泵站启动", "II 级（重大）", "死亡 3 人", "演练", "待报送", "sensitive-phone"],
    ("daily", "en"): ["Daily duty report", "Qinhuai over warning", "Chemical plant fire", "赵敏", "Late", "Missed",
                      "Severe flood", "water.liaison", "EXERCISE"],
    ("monthly", "zh"): ["信息报送月报", "水利", "消防", "迟报", "漏报", "合计", "未指定部门"],
    ("monthly", "en"): ["Monthly reporting record", "Water resources", "Fire and rescue", "Late", "Missed", "Total"],
    ("report", "zh"): ["首报", "南京市秦淮区中华门段", "水文站自动报警", "待核实", "伤亡情况", "续报 1"],
    ("report", "en"): ["First report", "南京市秦淮区中华门段", "to be verified", "Casualties", "Follow-up 1"],
    ("handover", "zh"): ["交接班记录", "未结事件", "秦淮河水位超警戒", "未完成事项", "泵站启动", "已电话核实",
                         "重要记录", "夜间注意降雨", "钱磊 (qian.lei)", "未签字"],
    ("handover", "en"): ["Shift handover", "Open incidents", "Unfinished items", "pumps started", "checked by phone",
                         "rain tonight", "钱磊 (qian.lei)", "not signed"],
}
NOT_EXPECTED = {("daily", "zh"): ["例行巡查"]}  # not significant: stays in the log, out of the daily report


def _render(runtime, kind, ids, fmt, language):
    return render.render_document(runtime.sessions, kind, _params(kind, ids), fmt, language, "Asia/Shanghai",
                                  requested_by="zhao.min", now=local(23))


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("kind", list(content.KINDS))
def test_each_kind_renders_to_printable_html(runtime, seeded, kind, language):
    document = _render(runtime, kind, seeded, "html", language)
    html = document.body.decode("utf-8")
    assert document.content_type == "text/html; charset=utf-8"
    assert document.file_name == f"vigil-{render.content.KINDS[kind].stem(_params(kind, seeded))}-{language}.html"
    assert "size: A4" in html and f'lang="{"zh-CN" if language == "zh" else "en"}"' in html
    for text in EXPECTED[(kind, language)]:
        assert text in html, text
    for text in NOT_EXPECTED.get((kind, language), []):
        assert text not in html, text


def test_feed_text_is_escaped_in_the_html(runtime, seeded):
    html = _render(runtime, "daily", seeded, "html", "zh").body.decode("utf-8")
    assert "<script>x()</script>" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html


def test_times_are_in_the_duty_room_time_zone(runtime, seeded):
    html = _render(runtime, "daily", seeded, "html", "zh").body.decode("utf-8")
    assert "2026-11-24 03:00" in html  # the flood was received at 03:00 Beijing time (19:00 UTC the day before)
    assert "2026-11-23 19:00" not in html


def test_the_daily_report_covers_one_local_day(runtime, seeded):
    """An incident received at 00:30 the next morning (Beijing) is the next day's, not this one's."""
    with runtime.unit_of_work() as session:
        session.add(Incident(source="x", external_id="next-day", headline="次日事件 next day", received_at=local(0, 30, 25),
                             updated_at=local(0, 30, 25)))
    html = _render(runtime, "daily", seeded, "html", "zh").body.decode("utf-8")
    assert "次日事件" not in html
    nxt = render.render_document(runtime.sessions, "daily", {"date": "2026-11-25"}, "html", "zh", "Asia/Shanghai")
    assert "次日事件" in nxt.body.decode("utf-8")


def test_a_long_section_says_how_much_it_leaves_out(runtime, seeded, monkeypatch):
    monkeypatch.setattr(content, "ROW_CAP", 1)
    html = _render(runtime, "daily", seeded, "html", "en").body.decode("utf-8")
    assert "3 more not shown" in html  # four incidents opened that day, one listed
    assert "秦淮河水位超警戒" in html and "化工厂火灾" not in html


def test_a_day_in_a_zone_with_daylight_saving_can_be_23_hours():
    start, end = content.day_window("2026-03-08", ZoneInfo("America/New_York"))
    assert end - start == timedelta(hours=23)
    assert start == datetime(2026, 3, 8, 5, tzinfo=UTC)
    start, end = content.day_window("2026-11-24", SHANGHAI)
    assert (start, end - start) == (datetime(2026, 11, 23, 16, tzinfo=UTC), timedelta(hours=24))


def test_monthly_counts_per_department(runtime, seeded):
    context = content.Context(params={"month": "2026-11"}, zone=SHANGHAI, language="zh")
    with runtime.sessions() as session:
        counts = content.KINDS["monthly"].sections[0].build(session, context)
    by_name = {row["name"]: row for row in counts["departments"]}
    assert {k: by_name["水利"][k] for k in ("obligations", "on_time", "late", "missed")} == \
        {"obligations": 2, "on_time": 0, "late": 1, "missed": 1}
    assert {k: by_name["消防"][k] for k in ("obligations", "on_time", "late", "missed")} == \
        {"obligations": 2, "on_time": 2, "late": 0, "missed": 0}
    assert by_name[None]["open"] == 1  # the sensitive rumour concerns no department
    assert counts["total"]["obligations"] == 5


def test_the_monthly_report_leaves_out_other_months(runtime, seeded):
    context = content.Context(params={"month": "2026-12"}, zone=SHANGHAI, language="en")
    with runtime.sessions() as session:
        counts = content.KINDS["monthly"].sections[0].build(session, context)
    assert counts["total"]["obligations"] == 0 and counts["departments"] == []


# ---- PDF -----------------------------------------------------------------------------------------

def _pdftotext(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        message = "pdftotext is missing (scripts/system_deps.sh installs Debian's poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          timeout=60).stdout.decode("utf-8")


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("kind", list(content.KINDS))
def test_each_kind_renders_to_a_pdf_whose_text_reads_back(runtime, seeded, kind, language, tmp_path):
    started = time.perf_counter()
    document = _render(runtime, kind, seeded, "pdf", language)
    elapsed = time.perf_counter() - started
    print(f"{kind}/{language}: {len(document.body)} bytes in {elapsed:.2f}s")
    assert document.body.startswith(b"%PDF-") and document.content_type == "application/pdf"
    text = "".join(_pdftotext(document.body, tmp_path).split())  # lines wrap inside table cells: drop all spacing
    for expected in EXPECTED[(kind, language)]:
        assert "".join(expected.split()) in text, expected
    assert "\ufffd" not in text  # no glyph came out as a replacement character


# ---- the queue -------------------------------------------------------------------------------------

def _enqueue(runtime, kind="daily", params=None, fmt="html", language="zh") -> int:
    with runtime.unit_of_work() as session:
        return jobs.enqueue(session, kind, params or {"date": DAY}, fmt, language, "zhao.min")


def _job(runtime, job_id) -> DocumentJob:
    with runtime.sessions() as session:
        return session.get(DocumentJob, job_id)


def test_a_queued_job_is_rendered_and_stored(runtime, seeded):
    job_id = _enqueue(runtime, fmt="pdf")
    assert _job(runtime, job_id).status == "queued"
    assert jobs.run_once(runtime, "worker-a") == 1
    job = _job(runtime, job_id)
    assert (job.status, job.progress, job.content_type, job.lease_holder) == ("done", 100, "application/pdf", None)
    assert job.result.startswith(b"%PDF-")
    assert jobs.run_once(runtime, "worker-a") == 0  # nothing left


def test_progress_is_committed_section_by_section(runtime, seeded, monkeypatch):
    """Each section reads the job's committed progress: a poller sees it rise while the document is made."""
    job_id = _enqueue(runtime)
    seen = []
    original = content.KINDS["daily"]

    def watching(section):
        def build(session, ctx):
            seen.append(session.scalar(select(DocumentJob.progress).where(DocumentJob.id == job_id)))
            return section.build(session, ctx)
        return content.Section(section.name, build)

    monkeypatch.setitem(content.KINDS, "daily", content.Kind(original.check, tuple(map(watching, original.sections)),
                                                             original.template, original.stem))
    jobs.run_once(runtime, "worker-a")
    assert len(seen) == len(original.sections)
    assert seen[0] == 0 and seen == sorted(seen) and len(set(seen)) == len(seen), seen
    assert _job(runtime, job_id).progress == 100


def test_a_failed_render_is_recorded_with_its_error(runtime, seeded, monkeypatch):
    job_id = _enqueue(runtime, fmt="pdf")

    def broken(_html):
        raise RuntimeError("no font for 值")
    monkeypatch.setattr(render, "html_to_pdf", broken)
    assert jobs.run_once(runtime, "worker-a") == 1
    job = _job(runtime, job_id)
    assert job.status == "failed" and job.error == "RuntimeError: no font for 值"
    assert job.result is None and job.lease_holder is None
    assert jobs.run_once(runtime, "worker-a") == 0  # a failed job is not retried forever


def test_a_job_whose_worker_died_is_taken_over(runtime, seeded):
    job_id = _enqueue(runtime)
    now = local(12)
    with runtime.unit_of_work() as session:
        assert jobs.claim(session, "dead-worker", now) == [job_id]
    with runtime.unit_of_work() as session:
        assert jobs.claim(session, "worker-b", now + timedelta(seconds=60)) == []  # still leased
    assert jobs.run_once(runtime, "worker-b", now + timedelta(seconds=jobs.LEASE_SECONDS + 1)) == 1
    assert _job(runtime, job_id).status == "done"
    # the dead worker, come back to life, cannot overwrite the result
    assert jobs.run_job(runtime, job_id, "dead-worker") == "lost"
    assert _job(runtime, job_id).status == "done"


def test_bad_requests_are_refused_before_queueing(runtime, seeded):
    with runtime.unit_of_work() as session:
        for kind, params, fmt, language, field in (
                ("weekly", {}, "pdf", "zh", "kind"), ("daily", {"date": "24/11/2026"}, "pdf", "zh", "params.date"),
                ("daily", {"date": "2026-02-30"}, "pdf", "zh", "params.date"),
                ("report", {"report_id": 999}, "pdf", "zh", "params.report_id"),
                ("monthly", {"month": "2026-13"}, "pdf", "zh", "params.month"),
                ("daily", {"date": DAY}, "docx", "zh", "format"), ("daily", {"date": DAY}, "pdf", "fr", "language")):
            with pytest.raises(DocumentRequestError) as refused:
                jobs.enqueue(session, kind, params, fmt, language, "zhao.min")
            assert refused.value.field == field
        assert session.scalar(select(DocumentJob.id)) is None


def test_other_kinds_in_the_table_are_left_to_their_own_worker(runtime):
    with runtime.unit_of_work() as session:
        session.add(DocumentJob(kind="dutylog_export", params={}, format="csv", language="zh", status="queued",
                                requested_by="x", created_at=local(1), updated_at=local(1)))
    assert jobs.run_once(runtime, "worker-a") == 0


def _race(runtime, count: int = 8) -> Counter:
    ids = [_enqueue(runtime, params={"date": f"2026-11-{day:02d}"}) for day in range(1, count + 1)]
    claims: Counter = Counter()
    lock = threading.Lock()
    start = threading.Barrier(2)
    original = jobs.claim

    def recording(session, holder, now, limit=jobs.BATCH, lease_seconds=jobs.LEASE_SECONDS):
        got = original(session, holder, now, limit, lease_seconds)
        with lock:
            claims.update(got)
        return got

    def worker(name):
        start.wait()
        while jobs.run_once(runtime, name):
            pass

    jobs.claim = recording
    try:
        threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        jobs.claim = original
    with runtime.sessions() as session:
        statuses = Counter(session.scalars(select(DocumentJob.status).where(DocumentJob.id.in_(ids))))
    assert statuses == {"done": count}
    assert set(claims) == set(ids) and max(claims.values()) == 1, claims
    with runtime.sessions() as session:
        assert all(job["size"] > 1000 for job in jobs.recent(session))  # every result stored
    return claims


def test_two_workers_claim_each_job_once_on_sqlite(runtime):
    _race(runtime)


@pytest.fixture
def pg_runtime(pg_url):
    rt = build_runtime({"DATABASE_URL": pg_url, "SECRET_KEY": "test"})
    upgrade(rt.engine)
    yield rt
    rt.engine.dispose()


@pytest.mark.postgres
def test_two_workers_claim_each_job_once_on_postgresql(pg_runtime):
    _race(pg_runtime)


@pytest.mark.postgres
def test_a_claim_in_progress_is_skipped_not_waited_for_on_postgresql(pg_runtime):
    first, second = _enqueue(pg_runtime), _enqueue(pg_runtime, params={"date": "2026-11-25"})
    now = local(12)
    with pg_runtime.unit_of_work() as holding:
        assert jobs.claim(holding, "a", now) == [first]  # row locked until this transaction ends
        with pg_runtime.unit_of_work() as other:
            assert jobs.claim(other, "b", now) == [second]
            assert jobs.claim(other, "b", now) == []
