"""Updates and cancels change the incident they belong to, on realistic sequences from the corpus."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

from sqlalchemy import func, select

from command.events import IncidentOpened, IncidentUpdated
from command.models import Incident, IncidentLog
from feeds.adapters.registry import get_adapter
from feeds.demo import SAMPLES_DIR
from feeds.ingest import ingest


def _parse(adapter: str, sample: str, payload: bytes | None = None):
    return get_adapter(adapter).parse(payload or (SAMPLES_DIR / sample).read_bytes())


def _ingest(runtime, events):
    ingest(runtime, events[0].source, list(enumerate(events)))


def _incidents(runtime) -> list[Incident]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Incident).order_by(Incident.id)))


def test_a_cma_downgrade_update_changes_the_warning_it_references(runtime):
    """The real QWeather Update downgrades an orange rainstorm warning to yellow; the orange one is built
    from it (constructed: same sender and area, the referenced id, Orange), as the CMA would have sent it."""
    sample = "qweather_cn_alert_v1_huidong_rainstorm_downgrade_2025-09-17.json"
    document = json.loads((SAMPLES_DIR / sample).read_bytes())
    update = next(a for a in document["alerts"] if a["msgType"] == "Update")
    orange = dict(update, id=update["relatedAlertIds"][0], msgType="Alert", relatedAlertIds=[],
                  headline="惠东县气象台发布暴雨橙色预警", color=dict(update["color"], code="Orange"),
                  issuedTime="2025-09-17T07:14Z")
    published = []
    runtime.publisher.subscribe(published.append)
    _ingest(runtime, _parse("qweather", "", json.dumps({**document, "alerts": [orange]}).encode()))
    _ingest(runtime, _parse("qweather", sample))

    incidents = {i.headline: i for i in _incidents(runtime)}
    assert len(incidents) == 2  # the rainstorm warning (one, downgraded) and the separate gale warning
    rainstorm = incidents["惠东县气象台发布暴雨黄色预警"]
    assert (rainstorm.external_id, rainstorm.severity, rainstorm.version) == (orange["id"], "moderate", 2)
    with runtime.sessions() as session:
        rules = session.scalars(select(IncidentLog.rule_id).where(IncidentLog.incident_id == rainstorm.id)
                                .order_by(IncidentLog.id)).all()
    assert rules == ["FEED-OPEN", "FEED-DOWNGRADE"]  # a downgrade, which must page nobody (escalation reads this)
    assert [type(e) for e in published] == [IncidentOpened, IncidentUpdated, IncidentOpened]  # payload order


def test_a_geonet_deletion_cancels_the_quake_it_retracts(runtime):
    """GeoNet's real feed lists 2019p159004 as deleted; the quake as first reported is constructed from it
    (quality best, an hour earlier): the deletion resolves that incident and opens nothing new."""
    published = []
    runtime.publisher.subscribe(published.append)
    [deleted] = _parse("geonet", "geonet_nz_quake_deleted_2019.geojson")
    first_report = dataclasses.replace(deleted, msg_type="alert", version="best:first",
                                       sent_at=deleted.sent_at - timedelta(hours=1) if deleted.sent_at else None)
    _ingest(runtime, [first_report])
    assert [i.status for i in _incidents(runtime)] == ["new"]
    quakes = _parse("geonet", "geonet_nz_quakes_mmi4_2019.geojson")
    _ingest(runtime, quakes)
    statuses = {i.external_id: i.status for i in _incidents(runtime)}
    assert statuses["2019p159004"] == "resolved"
    cancels = sum(e.msg_type == "cancel" for e in quakes)
    assert len(statuses) == len(quakes) - cancels + 1  # the other deleted quakes, never seen alive, open nothing
    _ingest(runtime, [first_report])  # the old report again: a duplicate, changes nothing
    assert {i.external_id: i.status for i in _incidents(runtime)}["2019p159004"] == "resolved"


def test_a_cap_cancel_without_info_closes_the_alert_it_references(runtime):
    """The real IPAWS Cancel references an earlier AtHoc alert; that alert is constructed from the cancel's
    own reference triple (sender, identifier, sent) with a headline, as the originator sent it."""
    published = []
    runtime.publisher.subscribe(published.append)
    cancel = _parse("cap", "ipaws_athoc_cancel_no_info_2016-02-25.cap")[0]
    sender, identifier, sent = cancel.references[0].split(",")
    original = dataclasses.replace(cancel, external_id=identifier, version=sent, msg_type="alert",
                                   headline="Shelter in place", references=(), severity="severe",
                                   sent_at=cancel.sent_at - timedelta(minutes=30))
    _ingest(runtime, [original])
    _ingest(runtime, [cancel])
    [incident] = _incidents(runtime)
    assert (incident.external_id, incident.status, incident.headline) == (identifier, "resolved", "Shelter in place")


def test_a_cancel_leaves_an_incident_people_are_responding_to_open(runtime, client):
    published = []
    runtime.publisher.subscribe(published.append)
    alert = _parse("cap", "nws_wcatwc_tsunami_warning_update_2011-09-02.cap")[0]
    alert = dataclasses.replace(alert, msg_type="alert", references=())
    _ingest(runtime, [alert])
    [incident] = _incidents(runtime)
    for version, action in enumerate(("acknowledge", "respond"), start=1):
        assert client.post(f"/api/v1/incidents/{incident.id}/actions",
                           json={"actor": "duty", "action": action, "version": version}).status_code == 200
    cancel = dataclasses.replace(alert, msg_type="cancel", version="cancel", sent_at=alert.sent_at + timedelta(hours=1))
    _ingest(runtime, [cancel])
    [incident] = _incidents(runtime)
    assert incident.status == "responding"  # the source's all-clear does not recall teams on site
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(IncidentLog)
                              .where(IncidentLog.rule_id == "FEED-CANCEL-KEEP")) == 1
