"""The generic CAD adapter and its YAML mapping language: the example 110 mapping, quirks, and bad mapping files.

The 110 export below is CONSTRUCTED for these tests (no real Chinese CAD export
is public): it has the shape of a 接处警 CSV export that example_110.yaml documents.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from feeds.adapters import cad, cad_hooks
from feeds.adapters.cad_mapping import MAPPINGS_DIR, mapping_names
from feeds.adapters.errors import PayloadRefused
from feeds.event import InvalidEvent

UTC = timezone.utc
HEADER = "警情编号,报警时间,发案时间,警情类别,警情细类,警情级别,经度,纬度,发生地址,报警内容,管辖单位,处警单位,警情状态"
CONSTRUCTED_110 = "\n".join([
    HEADER,
    "J320100202407150012,2024-07-15 08:30:00,2024-07-15 08:10:00,交通事故,交通事故（伤人）,二级,118.7969,32.0603,"
    "示例县中山路与长江路交叉口,两车相撞，一人受伤,城关派出所,交警一中队,处置中",
    "J320100202407150013,2024-07-15 09:05:12,,火灾,,一级,32.0500,118.7800,示例县工业园区3号厂房,厂房冒烟,"
    "工业园派出所,,已结案",
    "J320100202407150014,2024-07-15 23:59:59,2024-07-15 25:00:00,群众求助,,五级,,,不详,老人走失,城关派出所,,",
    "J320100202407150015,15/07/2024,,治安案件,,三级,0,0,示例县人民路8号,,城关派出所,,",
    "",
]).encode("utf-8")


def _write(tmp_path: Path, text: str, name: str = "county.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _example_text() -> str:
    return (MAPPINGS_DIR / "example_110.yaml").read_text(encoding="utf-8")


def test_constructed_110_export_read_through_the_example_mapping():
    events, skipped = cad.parse_report(CONSTRUCTED_110, "county-110", "example_110")
    assert [e.external_id for e in events] == ["J320100202407150012", "J320100202407150013", "J320100202407150014"]
    assert skipped == [(3, "报警时间: '15/07/2024' is not a time in format '%Y-%m-%d %H:%M:%S'")]
    crash, fire, lost = events

    assert crash.headline == "交通事故（伤人）" and crash.event == "交通事故（伤人）"  # 警情细类 before 警情类别
    assert crash.severity == "severe" and crash.raw_level == "二级"
    assert crash.category == "transport"  # "交通事故*" matches the 细类 by prefix
    assert crash.sent_at == datetime(2024, 7, 15, 0, 30, tzinfo=UTC)  # 08:30 Beijing time
    assert crash.occurred_at == datetime(2024, 7, 15, 0, 10, tzinfo=UTC)
    assert crash.version == "2024-07-15T00:30:00.000+00:00|处置中"
    assert (crash.lat, crash.lon) == (32.0603, 118.7969)
    assert crash.address == "示例县中山路与长江路交叉口"
    assert crash.description == "两车相撞，一人受伤\n管辖单位: 城关派出所\n处警单位: 交警一中队"
    assert (crash.msg_type, crash.language, crash.sender) == ("alert", "zh-CN", "示例县公安局110指挥中心")
    assert crash.guessed == ()

    assert fire.msg_type == "cancel" and fire.version.endswith("|已结案")
    assert (fire.severity, fire.category, fire.headline) == ("extreme", "fire", "火灾")
    assert (fire.lat, fire.lon) == (32.05, 118.78)  # 经度 and 纬度 were written the wrong way round
    assert fire.guessed == ("latitude and longitude were swapped in '118.7800,32.0500' "
                            "(latitude 118.78 is off the globe)",)
    assert fire.occurred_at == fire.sent_at == datetime(2024, 7, 15, 1, 5, 12, tzinfo=UTC)

    assert (lost.severity, lost.raw_level, lost.category) == ("unknown", "五级", "rescue")
    assert lost.lat is None and lost.address == "不详"
    assert lost.occurred_at == lost.sent_at == datetime(2024, 7, 15, 15, 59, 59, tzinfo=UTC)
    assert lost.guessed == (
        "the caller could not give an address (不详); the position may be the caller's phone cell",
        "occurred time '发案时间' '2024-07-15 25:00:00' is not a time in format '%Y-%m-%d %H:%M:%S'; "
        "the call time is used instead",
    )


def test_a_zero_position_is_left_out_with_a_note():
    rows = CONSTRUCTED_110.decode().splitlines()
    payload = "\n".join([rows[0], rows[4].replace("15/07/2024", "2024-07-15 10:00:00")]).encode()
    (event,) = cad.parse(payload, "county-110", "example_110")
    assert event.lat is None and event.lon is None
    assert event.guessed == ("position 0,0 is a placeholder, not a place; left out",)
    assert event.description == "管辖单位: 城关派出所"


def test_an_excel_export_with_a_byte_order_mark_and_a_gb18030_export(tmp_path):
    assert len(cad.parse(b"\xef\xbb\xbf" + CONSTRUCTED_110, "county-110", "example_110")) == 3
    path = _write(tmp_path, _example_text().replace("encoding: utf-8", "encoding: gb18030"))
    events = cad.parse(CONSTRUCTED_110.decode().encode("gb18030"), "county-110", cad.load_mapping(path))
    assert events[0].address == "示例县中山路与长江路交叉口"
    with pytest.raises(PayloadRefused, match="not utf-8 text .*gb18030"):
        cad.parse(CONSTRUCTED_110.decode().encode("gb18030"), "county-110", "example_110")


@pytest.mark.parametrize(("datum", "lat", "lon"), [
    ("wgs84", 31.17530398364597, 121.531541859215),
    ("cgcs2000", 31.17530398364597, 121.531541859215),
    ("gcj02", 31.1774276, 121.5272106),  # published GCJ-02 test pair, Shanghai
])
def test_position_datum_is_converted_to_wgs84(tmp_path, datum, lat, lon):
    path = _write(tmp_path, _example_text().replace("datum: wgs84", f"datum: {datum}"))
    row = f"J1,2024-07-15 08:30:00,,火灾,,一级,121.531541859215,31.17530398364597,,,,,"
    (event,) = cad.parse(f"{HEADER}\n{row}".encode(), "county-110", cad.load_mapping(path))
    assert event.lat == pytest.approx(lat, abs=1e-7) and event.lon == pytest.approx(lon, abs=1e-7)


def test_gcj02_and_bd09_converters():
    assert cad_hooks.wgs84_to_gcj02(39.911954, 116.377817) == pytest.approx((39.91334545536069, 116.38404722455657))
    assert cad_hooks.gcj02_to_wgs84(39.91334545536069, 116.38404722455657) == pytest.approx((39.911954, 116.377817))
    lat, lon = cad_hooks.bd09_to_wgs84(39.915, 116.404)  # Baidu's Tian'anmen
    assert cad_hooks.wgs84_to_gcj02(lat, lon) == pytest.approx((39.908656, 116.397627), abs=2e-5)
    assert cad_hooks.gcj02_to_wgs84(47.61, -122.28) == (47.61, -122.28)  # outside China: unchanged


JSON_MAPPING = """\
format: json
items: data.calls
fields:
  id: call.no
  time: {column: received, format: iso, timezone: Europe/Stockholm}
  type: {column: [kind, fallback_kind], strip: "*"}
  priority: {column: prio, severity: {"A": severe, "b": minor}}
  position: {column: where.pos, separator: " ", order: "lon,lat"}
  address: [where.street, where.town]
  status: {column: state, cancel: [Closed, cleared]}
  category: fire
"""


def _json_calls(*calls) -> bytes:
    return json.dumps({"data": {"calls": list(calls)}}).encode()


def test_json_export_with_dotted_paths_lon_lat_pairs_and_status(tmp_path):
    mapping = cad.load_mapping(_write(tmp_path, JSON_MAPPING))
    payload = _json_calls(
        {"call": {"no": 17}, "received": "2024-03-31T02:30:00", "kind": "*Brand*", "prio": "a",
         "where": {"pos": "18.07 59.33", "street": "Drottninggatan 1", "town": "Stockholm"}, "state": "open"},
        {"call": {"no": "18"}, "received": "2024-10-27T02:30:00+01:00", "fallback_kind": "Larm", "prio": "c",
         "state": "CLEARED"},
        {"call": {"no": 19}, "received": "2024-10-27T02:30:00"},
        {"call": {}, "received": "2024-10-27T02:30:00", "kind": "x"},
    )
    events, skipped = cad.parse_report(payload, "county", mapping)
    fire, alarm, ambiguous = events
    assert skipped == [(3, "call.no: a call needs its number")]
    assert (fire.external_id, fire.headline, fire.severity, fire.raw_level) == ("17", "Brand", "severe", "a")
    assert (fire.lat, fire.lon, fire.category) == (59.33, 18.07, "fire")
    assert fire.address == "Drottninggatan 1, Stockholm"
    # 02:30 on 31 March 2024 does not exist in Stockholm (clocks jump 02:00 -> 03:00)
    assert fire.sent_at == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert fire.guessed == ("local time '2024-03-31T02:30:00' falls in a daylight-saving change in "
                            "Europe/Stockholm; read as UTC+0100",)
    assert (alarm.external_id, alarm.headline, alarm.msg_type, alarm.severity) == ("18", "Larm", "cancel", "unknown")
    assert alarm.sent_at == datetime(2024, 10, 27, 1, 30, tzinfo=UTC) and alarm.guessed == ()
    # 02:30 on 27 October 2024 happens twice in Stockholm: the first (summer time) is taken
    assert ambiguous.sent_at == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    assert ambiguous.headline == "Call 19"
    assert ambiguous.guessed == ("local time '2024-10-27T02:30:00' falls in a daylight-saving change in "
                                 "Europe/Stockholm; read as UTC+0200",
                                 "the call has no 'kind'; headline made from its number")


@pytest.mark.parametrize(("position", "expected", "note"), [
    ("18.07 59.33", (59.33, 18.07), None),
    ("47.6 -122.3", (47.6, -122.3), "latitude and longitude were swapped in '47.6 -122.3' (latitude -122.3 is off "
                                    "the globe)"),
    ("181 95", (None, None), "position '181 95' is off the globe; left out"),
    ("north", (None, None), "position 'north' is not two numbers; left out"),
    ("nan 1", (None, None), "position 'nan 1' is not two numbers; left out"),
])
def test_position_quirks_of_a_lon_lat_pair(tmp_path, position, expected, note):
    payload = _json_calls({"call": {"no": 1}, "received": "2024-01-01T00:00:00Z", "kind": "x",
                           "where": {"pos": position}})
    (event,) = cad.parse(payload, "county", cad.load_mapping(_write(tmp_path, JSON_MAPPING)))
    assert (event.lat, event.lon) == expected
    assert event.guessed == ((note,) if note else ())


def test_swapped_lat_lon_columns(tmp_path):
    mapping = cad.load_mapping(_write(tmp_path, JSON_MAPPING.replace(
        '{column: where.pos, separator: " ", order: "lon,lat"}', "{lat: y, lon: x}")))
    payload = _json_calls({"call": {"no": 1}, "received": "2024-01-01T00:00:00Z", "kind": "x", "y": -122.3, "x": 47.6})
    (event,) = cad.parse(payload, "county", mapping)
    assert (event.lat, event.lon) == (47.6, -122.3)
    assert event.guessed == ("latitude and longitude were swapped in '-122.3,47.6' (latitude -122.3 is off the globe)",)


@pytest.mark.parametrize(("payload", "reason"), [
    (b"", "no CSV header row"),
    (b"\xff\xfe\x00garbage", "not utf-8 text"),
    ("a,b,c\n1,2,3\n".encode(), "the CSV header has no column '警情编号'"),
    (HEADER.replace("报警时间", "接警时间").encode(), "no column '报警时间'"),
    (f"{HEADER}\nJ1,not a time,,火灾,,一级,,,,,,,\n".encode(), "none of the 1 items .* not a time"),
])
def test_refused_csv_payloads(payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        cad.parse(payload, "county-110", "example_110")


def test_a_header_only_export_is_no_calls():
    assert cad.parse(HEADER.encode() + b"\r\n", "county-110", "example_110") == []


@pytest.mark.parametrize(("payload", "reason"), [
    (b"[]", "no 'data.calls' list"),
    (b'{"data": {"calls": {}}}', "data.calls is not a JSON array"),
    (b"{", "not valid JSON"),
])
def test_refused_json_payloads(tmp_path, payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        cad.parse(payload, "county", cad.load_mapping(_write(tmp_path, JSON_MAPPING)))


def test_detect_needs_a_mapping():
    assert not cad.detect(CONSTRUCTED_110)
    assert cad.detect(CONSTRUCTED_110, "example_110")
    assert not cad.detect(b"a,b\n1,2\n", "example_110")


def test_parse_without_a_mapping_or_with_a_bad_source():
    with pytest.raises(PayloadRefused, match="no mapping configured"):
        cad.parse(CONSTRUCTED_110)  # a payload pushed to a cad feed without a mapping is refused and kept
    with pytest.raises(cad.MappingError, match="needs options"):
        cad.check_options({})  # and such a feed is refused when the feeds file is loaded
    with pytest.raises(InvalidEvent, match="source"):
        cad.parse(CONSTRUCTED_110, "Bad Source!", "example_110")


def test_shipped_mappings_load():
    assert mapping_names() == ["example_110", "polisen", "seattle_spd"]
    for name in mapping_names():
        assert cad.load_mapping(name).name == name


def test_unknown_mapping_name_lists_the_shipped_ones():
    with pytest.raises(cad.MappingError, match="no such CAD mapping; shipped: example_110, polisen, seattle_spd"):
        cad.load_mapping("county_x")
    with pytest.raises(cad.MappingError, match="cannot read the file"):
        cad.load_mapping(Path("/nonexistent/county.yaml"))


GOOD = """\
format: csv
fields:
  id: No
  time: {column: Time, format: "%Y-%m-%d %H:%M", timezone: Asia/Shanghai}
  type: Type
"""


@pytest.mark.parametrize(("text", "message"), [
    (GOOD.replace("format: csv", "formt: csv"), "line 1, formt: unknown key 'formt' (allowed: delimiter, "),
    (GOOD.replace("format: csv", "format: xml"), "line 1, format: 'xml' is not one of csv, json"),
    (GOOD.replace("  type: Type\n", ""), "line 2, fields: missing 'type'"),
    (GOOD + "  colour: red\n", "line 6, fields.colour: unknown key 'colour'"),
    (GOOD.replace("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%Q"), "line 4, fields.time.format: '%Y-%m-%d %H:%Q' is not a usable"),
    (GOOD.replace("%Y-%m-%d %H:%M", "%H:%M"), "line 4, fields.time.format: '%H:%M' must give the year"),
    (GOOD.replace("Asia/Shanghai", "Asia/Shangai"), "line 4, fields.time.timezone: unknown time zone 'Asia/Shangai'"),
    (GOOD.replace(", timezone: Asia/Shanghai", ""), "line 4, fields.time: needs 'timezone'"),
    (GOOD.replace('format: "%Y-%m-%d %H:%M"', "parser: magic"), "line 4, fields.time.parser: unknown parser 'magic' "
                                                               "(known: polisen_name)"),
    (GOOD.replace('format: "%Y-%m-%d %H:%M", ', ""), "line 4, fields.time: give exactly one of 'format'"),
    (GOOD + "  priority: {column: P, severity: {'1': critical}}\n",
     "line 6, fields.priority.severity.1: 'critical' is not one of extreme, severe"),
    (GOOD + "  category: crime\n", "line 6, fields.category: 'crime' is not one of geo, met"),
    (GOOD + "  category: {default: security, by_type: {Fire: hot}}\n", "line 6, fields.category.by_type.Fire: 'hot'"),
    (GOOD + "  position: {lat: Y}\n", "line 6, fields.position: needs both 'lat' and 'lon'"),
    (GOOD + "  position: {column: P, lat: Y}\n", "fields.position: give either 'lat' and 'lon' columns or one"),
    (GOOD + "  position: {column: P, datum: bd08}\n", "fields.position.datum: 'bd08' is not one of wgs84"),
    (GOOD + "  status: {column: S}\n", "line 6, fields.status: missing 'cancel'"),
    (GOOD + "items: data\n", "line 6, items: is for json mappings only"),
    (GOOD.replace("format: csv", "format: json"), "a json mapping needs 'items'"),
    (GOOD + "encoding: klingon\n", "line 6, encoding: unknown text encoding 'klingon'"),
    (GOOD + "delimiter: ';;'\n", "line 6, delimiter: must be one character"),
    (GOOD + "notes: [{column: A, matches: '(', note: x}]\n", "line 6, notes.0.matches: not a regular expression"),
    (GOOD + "  id: Other\n", "line 6, fields.id: duplicate key"),
    (GOOD + "  headline: &h Type\n  address: *h\n", "anchors and aliases"),
    ("format: csv\nfields: {id: [No\n", "line 3: not valid YAML"),
    ("", "the file is empty"),
    ("- a\n- b\n", "(top level): must be a mapping"),
])
def test_bad_mapping_files_say_where(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(cad.MappingError) as error:
        cad.load_mapping(path)
    assert str(error.value).startswith("county.yaml")
    assert message in str(error.value)


def test_a_good_minimal_mapping(tmp_path):
    mapping = cad.load_mapping(_write(tmp_path, GOOD))
    (event,) = cad.parse(b"No,Time,Type\n7,2024-01-02 03:04,Fight\n", "county", mapping)
    assert (event.external_id, event.headline, event.category, event.severity) == ("7", "Fight", "other", "unknown")
    assert event.sent_at == datetime(2024, 1, 1, 19, 4, tzinfo=UTC)
