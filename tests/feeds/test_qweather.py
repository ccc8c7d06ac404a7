"""QWeather relays of CMA warnings -> FeedEvents: the v7 Shanghai gale and the v1 Huidong rainstorm downgrade."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from feed_samples import dumps, sample, sample_json

from feeds.adapters import qweather
from feeds.adapters.errors import PayloadRefused

V7 = "qweather_cn_warning_now_shanghai_gale_blue_2023-04-03.json"
V1 = "qweather_cn_alert_v1_huidong_rainstorm_downgrade_2025-09-17.json"
UTC = timezone.utc


def _v7(**fields) -> qweather.FeedEvent:
    doc = sample_json(V7)
    doc["warning"][0].update(fields)
    (event,) = qweather.parse(dumps(doc))
    return event


def test_v7_shanghai_gale_blue():
    (warning,) = qweather.parse(sample(V7))
    assert warning.external_id == "10102010020230403103000500681616"
    assert warning.headline == "上海中心气象台发布大风蓝色预警[Ⅳ级/一般]"
    assert warning.severity == "minor" and warning.raw_level == "Blue"
    assert warning.sent_at == datetime(2023, 4, 3, 2, 30, tzinfo=UTC)  # pubTime 10:30+08:00
    assert warning.effective_at == datetime(2023, 4, 3, 2, 30, tzinfo=UTC)
    assert warning.expires_at == datetime(2023, 4, 4, 2, 30, tzinfo=UTC)
    assert warning.version == "2023-04-03T02:30:00.000+00:00"
    assert (warning.msg_type, warning.status, warning.category) == ("alert", "actual", "met")
    assert (warning.event, warning.language) == ("大风", "zh-CN")
    assert warning.address == "上海中心气象台" and warning.sender == "上海中心气象台"
    assert (warning.lat, warning.lon, warning.area) == (None, None, None)
    assert warning.description.startswith("上海中心气象台2023年04月03日10时30分发布大风蓝色预警")
    assert warning.references == ()
    assert (warning.urgency, warning.certainty) == ("unknown", "unknown")  # empty strings in the payload


def test_v1_rainstorm_downgrade_is_an_update_with_references():
    downgrade, thunder = qweather.parse(sample(V1))
    assert downgrade.external_id == "202509171626005627867812"
    assert downgrade.msg_type == "update"
    assert downgrade.references == ("202509171514000384631878",)
    assert downgrade.headline == "惠东县气象台发布暴雨黄色预警"
    assert downgrade.severity == "moderate" and downgrade.raw_level == "Yellow"
    assert "降级为黄色" in downgrade.description
    assert downgrade.instruction.startswith("1. 进入暴雨戒备状态")
    assert downgrade.sent_at == datetime(2025, 9, 17, 8, 26, tzinfo=UTC)
    assert downgrade.occurred_at == datetime(2025, 9, 17, 8, 26, tzinfo=UTC)
    assert downgrade.expires_at == datetime(2025, 9, 18, 8, 26, tzinfo=UTC)
    assert (downgrade.event, downgrade.address, downgrade.language) == ("暴雨", "惠东县气象台", "zh-CN")
    assert downgrade.lat is None and downgrade.area is None

    assert thunder.external_id == "202509171312007817414166"
    assert thunder.msg_type == "alert" and thunder.references == ()
    assert thunder.headline == "惠东县气象台发布雷雨大风黄色预警"
    assert thunder.sent_at == datetime(2025, 9, 17, 5, 12, tzinfo=UTC)


def test_v7_cancel_and_update_carry_the_related_id():
    cancel = _v7(status="cancel", related="10102010020230403080000500681234")
    assert cancel.msg_type == "cancel"
    assert cancel.references == ("10102010020230403080000500681234",)
    assert _v7(status="update", related="A1,A2").references == ("A1", "A2")


@pytest.mark.parametrize(("colour", "level", "source_severity", "severity"), [
    ("Red", "", "", "extreme"), ("Orange", "", "", "severe"), ("Yellow", "", "", "moderate"),
    ("Blue", "", "Severe", "minor"),  # the colour decides
    ("", "红色", "", "extreme"), ("", "橙色", "", "severe"), ("", "黄色", "", "moderate"), ("", "蓝", "", "minor"),
    ("Green", "", "", "unknown"), ("White", "", "Unknown", "unknown"),
    ("Black", "", "Extreme", "extreme"),  # no CMA colour: the relay's own CAP word
])
def test_colour_to_severity(colour, level, source_severity, severity):
    event = _v7(severityColor=colour, level=level, severity=source_severity)
    assert event.severity == severity
    assert event.raw_level == ((colour or level or source_severity) or None)


def test_v1_current_schema_message_type_and_supersedes():
    doc = sample_json(V1)
    alert = doc["alerts"][0]
    for old in ("msgType", "relatedAlertIds", "event", "expireTime"):
        del alert[old]
    alert.update(messageType={"code": "cancel", "supersedes": ["X1"]}, eventType={"name": "暴雨", "code": "1003"},
                 expiredTime="2025-09-17T09:26Z")
    event = qweather.parse(dumps(doc))[0]
    assert event.msg_type == "cancel" and event.references == ("X1",)
    assert event.event == "暴雨"
    assert event.expires_at == datetime(2025, 9, 17, 9, 26, tzinfo=UTC)


def test_no_warnings_is_no_events():
    assert qweather.parse(b'{"code": "204", "updateTime": "2023-04-03T14:20+08:00"}') == []
    assert qweather.parse(b'{"code": "200", "warning": []}') == []
    assert qweather.parse(b'{"metadata": {"zeroResult": true}, "alerts": []}') == []


def test_a_warning_without_an_offset_is_skipped():
    doc = sample_json(V1)
    doc["alerts"][1]["issuedTime"] = "2025-09-17T13:12"
    events, skipped = qweather.parse_report(dumps(doc))
    assert [e.external_id for e in events] == ["202509171626005627867812"]
    assert skipped == [(1, "issuedTime: '2025-09-17T13:12' has no UTC offset")]


@pytest.mark.parametrize(("payload", "reason"), [
    (b"\xff\xfe\x00", "not valid JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"hello": "world"}', "neither a v7"),
    (b'{"code": "401"}', "error code '401'"),
    (b'{"error": {"status": 403, "title": "Forbidden"}}', "Forbidden"),
    (b'{"code": "200", "warning": "none"}', "no 'warning' list"),
    (b'{"code": "200", "warning": [{"id": "x"}]}', "none of the 1 items"),
    (sample("usgs_all_day_2018-09-16.geojson"), "neither a v7"),
])
def test_refused_payloads(payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        qweather.parse(payload)


def test_detect():
    assert qweather.detect(sample(V7)) and qweather.detect(sample(V1))
    assert not qweather.detect(sample("nsw_rfs_major_incidents_2018-09.geojson"))
