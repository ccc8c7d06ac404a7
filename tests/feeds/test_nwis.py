"""USGS NWIS instantaneous values -> flood events through thresholds (and bad threshold files)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from feed_samples import dumps, sample, sample_json

from feeds.adapters import flood_levels, nwis
from feeds.adapters.errors import PayloadRefused

IV = "usgs_nwis_iv_choptank_seneca_2019-02-14.json"
UTC = timezone.utc
CHOPTANK = """\
sites:
  01491000:
    name: Choptank
    levels:
      "00065": {LEVELS}
"""


def _thresholds(tmp_path: Path, text: str) -> flood_levels.Thresholds:
    path = tmp_path / "gauges.yaml"
    path.write_text(text, encoding="utf-8")
    return nwis.load_thresholds(path)


def _choptank(tmp_path: Path, levels: str) -> flood_levels.Thresholds:
    return _thresholds(tmp_path, CHOPTANK.replace("{LEVELS}", levels))


def test_example_thresholds_one_gauge_over_warning_one_below():
    events, skipped = nwis.parse_report(sample(IV))
    assert skipped == []
    assert [(e.external_id, e.msg_type, e.severity) for e in events] == [
        ("USGS-01491000:00065:flood", "alert", "moderate"),
        ("USGS-01645000:00060:flood", "cancel", "unknown"),
        ("USGS-01645000:00065:flood", "cancel", "unknown"),
    ]  # Choptank discharge has no thresholds: nothing
    high = events[0]
    assert high.headline == ("Choptank River near Greensboro, MD: gage height 6.43 ft, "
                             "at or above the warning level (6 ft)")
    assert high.raw_level == "6.43 ft"
    assert high.sent_at == high.occurred_at == datetime(2019, 2, 14, 6, 0, tzinfo=UTC)  # latest: 01:00-05:00
    assert high.version == "2019-02-14T06:00:00.000+00:00"
    assert (high.lat, high.lon) == (38.99719444, -75.7858056)
    assert (high.category, high.certainty, high.sender) == ("met", "observed", "USGS")
    assert high.description == ("Reading 6.43 ft at 2019-02-14T06:00:00+00:00 (site USGS-01491000, parameter 00065)\n"
                                "Levels (ft): warning 6, danger 8, record 12\n"
                                "Station: CHOPTANK RIVER NEAR GREENSBORO, MD\nData: approved")
    low = events[2]
    assert low.headline == "Seneca Creek at Dawsonville, MD: gage height 3.13 ft, below the warning level (5 ft)"
    assert low.sent_at == datetime(2019, 2, 14, 5, 20, tzinfo=UTC)
    assert (low.lat, low.lon) == (39.1280833, -77.33577778)
    assert events[1].raw_level == "474 ft³/s"


@pytest.mark.parametrize(("levels", "msg_type", "severity", "stage"), [
    ("{warning: 6.43, danger: 7}", "alert", "moderate", "warning level (6.43 ft)"),  # equal counts as reached
    ("{warning: 5, danger: 6}", "alert", "severe", "danger level (6 ft)"),
    ("{warning: 5, danger: 6, record: 6.4}", "alert", "extreme", "record level (6.4 ft)"),
    ("{warning: 6.44, danger: 9}", "cancel", "unknown", "below the warning level (6.44 ft)"),
])
def test_levels_decide_severity(tmp_path, levels, msg_type, severity, stage):
    (event,) = nwis.parse(sample(IV), thresholds=_choptank(tmp_path, levels))
    assert (event.msg_type, event.severity) == (msg_type, severity)
    assert event.headline.endswith(stage)
    assert event.external_id == "USGS-01491000:00065:flood"


def test_sites_without_thresholds_produce_nothing(tmp_path):
    thresholds = _thresholds(tmp_path, 'sites:\n  "99999999": {name: Elsewhere, levels: {"00065": '
                                       '{warning: 1, danger: 2}}}\n')
    assert nwis.parse(sample(IV), thresholds=thresholds) == []


def test_the_latest_usable_reading_decides(tmp_path):
    doc = sample_json(IV)
    gage = doc["value"]["timeSeries"][1]["values"][0]["value"]
    gage[-1]["value"] = "-999999"  # noDataValue: equipment failure
    gage[-2]["value"] = "Eqp"
    (event,) = nwis.parse(dumps(doc), thresholds=_choptank(tmp_path, "{warning: 6.46, danger: 8}"))
    assert event.raw_level == "6.46 ft" and event.msg_type == "alert"
    assert event.sent_at == datetime(2019, 2, 14, 5, 30, tzinfo=UTC)


def test_a_second_sensor_with_a_later_reading_wins(tmp_path):
    doc = sample_json(IV)
    blocks = doc["value"]["timeSeries"][1]["values"]
    blocks.append({"value": [{"value": "9.10", "qualifiers": ["P"], "dateTime": "2019-02-14T01:15:00.000-05:00"}]})
    (event,) = nwis.parse(dumps(doc), thresholds=_choptank(tmp_path, "{warning: 6, danger: 8}"))
    assert (event.severity, event.raw_level) == ("severe", "9.10 ft")
    assert event.description.endswith("Data: provisional")


def test_position_not_in_wgs84_is_not_used_and_the_file_position_is(tmp_path):
    doc = sample_json(IV)
    doc["value"]["timeSeries"][1]["sourceInfo"]["geoLocation"]["geogLocation"]["srs"] = "EPSG:4267"
    (event,) = nwis.parse(dumps(doc), thresholds=_choptank(tmp_path, "{warning: 6, danger: 8}"))
    assert event.lat is None and event.guessed == ("the feed's position is in EPSG:4267, not WGS-84; not used",)
    with_position = CHOPTANK.replace("    levels:", "    lat: 38.9972\n    lon: -75.7858\n    levels:")
    (event,) = nwis.parse(dumps(doc), thresholds=_thresholds(tmp_path, with_position.replace(
        "{LEVELS}", "{warning: 6, danger: 8}")))
    assert (event.lat, event.lon) == (38.9972, -75.7858)
    assert event.guessed[1] == "position from the thresholds file gauges; the feed gave none usable"


def test_broken_series_are_skipped(tmp_path):
    doc = sample_json(IV)
    series = doc["value"]["timeSeries"]
    series[0]["sourceInfo"]["siteCode"] = []
    series[1]["variable"]["unit"]["unitCode"] = "m"
    for entry in series[3]["values"][0]["value"]:
        entry["dateTime"] = "2019-02-14T00:00:00"  # no offset
    events, skipped = nwis.parse_report(dumps(doc))
    assert [e.external_id for e in events] == ["USGS-01645000:00060:flood"]
    assert skipped == [(0, "sourceInfo.siteCode or variable.variableCode is missing"),
                       (1, "USGS-01491000 00065: unit 'm', thresholds are in ft"),
                       (3, "USGS-01645000 00065: no usable reading")]


@pytest.mark.parametrize(("payload", "reason"), [
    (b"<xml/>", "not valid JSON"),
    (b'{"value": {}}', "no value.timeSeries list"),
    (b'{"value": {"timeSeries": [{}, 3]}}', "none of the 2 time series"),
    (sample("usgs_waterdata_ogcapi_bundle_2026-08-07.json"), "no value.timeSeries list"),
])
def test_refused_payloads(payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        nwis.parse(payload)


def test_no_series_is_no_events():
    assert nwis.parse(b'{"value": {"timeSeries": []}}') == []


def test_detect():
    assert nwis.detect(sample(IV))
    assert not nwis.detect(sample("usgs_waterdata_ogcapi_bundle_2026-08-07.json"))
    assert not nwis.detect(sample("usgs_all_day_2018-09-16.geojson"))


GOOD = 'sites:\n  "01491000":\n    name: Choptank\n    levels:\n      "00065": {warning: 6, danger: 8}\n'


@pytest.mark.parametrize(("text", "message"), [
    (GOOD.replace("sites:", "site:"), "line 1, site: unknown key 'site' (allowed: sites)"),
    (GOOD.replace("    name: Choptank\n", ""), "line 2, sites.01491000: missing 'name'"),
    (GOOD.replace('"01491000"', "Choptank"), "line 2, sites.Choptank: 'Choptank' is not a site number"),
    (GOOD.replace("00065", "00045"), "line 5, sites.01491000.levels.00045: unknown parameter code '00045' "
                                     "(known: 00065 (gage height, ft), 00060 (discharge, ft³/s))"),
    (GOOD.replace("danger: 8", "danger: 5"), "line 5, sites.01491000.levels.00065: levels must rise"),
    (GOOD.replace("warning: 6", "warning: high"), "sites.01491000.levels.00065.warning: must be a number, not 'high'"),
    (GOOD.replace(", danger: 8", ""), "line 5, sites.01491000.levels.00065: missing 'danger'"),
    (GOOD.replace("{warning: 6, danger: 8}", "{warning: 6, danger: 8, flood: 9}"), "unknown key 'flood'"),
    (GOOD.replace("    levels:", "    lat: 39\n    levels:"), "give both lat and lon"),
    (GOOD + '  "USGS-01491000":\n    name: again\n    levels: {"00065": {warning: 1, danger: 2}}\n',
     "USGS-01491000 is listed twice"),
    (GOOD.replace("{warning: 6, danger: 8}", "{warning: 6, danger: 8"), "line 6: not valid YAML"),
])
def test_bad_threshold_files_say_where(tmp_path, text, message):
    with pytest.raises(flood_levels.ThresholdError) as error:
        _thresholds(tmp_path, text)
    assert isinstance(error.value, ValueError)
    assert str(error.value).startswith("gauges.yaml")
    assert message in str(error.value)


def test_unknown_threshold_name_and_unquoted_site_numbers(tmp_path):
    with pytest.raises(flood_levels.ThresholdError, match="no such thresholds file; shipped: example"):
        nwis.load_thresholds("county")
    # 01645000 unquoted would be an octal integer to a plain YAML loader; here it stays the site number
    thresholds = _thresholds(tmp_path, GOOD.replace('"01491000"', "01645000"))
    assert list(thresholds.sites) == ["USGS-01645000"]
    assert flood_levels.default_thresholds().name == "example"
