"""German NINA warnings -> FeedEvents: the mapData list and the warning details (Home Assistant's fixtures)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from feed_samples import SAMPLES_DIR, dumps, sample, sample_json

from feeds.adapters import nina
from feeds.adapters.errors import PayloadRefused

MAP_DATA = "nina_bbk_mapdata_warnings_corona.json"
DETAILS = "nina_bbk_warning_details_corona_avian_flu.json"
CORONA = "mow.DE-BW-S-SE018-20211102-18-001"
WIND = "mow.DE-NW-BN-SE030-20201014-30-000"
AVIAN_FLU = "biw.BIWAPP-69634"
UTC = timezone.utc


@pytest.fixture(scope="module")
def details():
    return {e.external_id: e for e in nina.parse(sample(DETAILS))}


def _detail(identifier: str, **info_changes) -> nina.FeedEvent:
    warning = sample_json(DETAILS)[identifier]
    warning["info"][0].update(info_changes)
    (event,) = nina.parse(dumps(warning))  # a single warning detail, as /warnings/<id>.json answers
    return event


def test_details_keyed_by_identifier_are_three_warnings(details):
    assert list(details) == [CORONA, WIND, AVIAN_FLU]
    assert {e.area for e in details.values()} == {None} and {e.lat for e in details.values()} == {None}


def test_corona_health_warning(details):
    corona = details[CORONA]
    assert corona.headline == "Corona-Verordnung des Landes: Warnstufe durch Landesgesundheitsamt ausgerufen"
    assert (corona.category, corona.event) == ("health", "Gefahreninformation")
    assert (corona.msg_type, corona.status, corona.scope) == ("update", "actual", "public")
    assert (corona.severity, corona.urgency, corona.certainty, corona.raw_level) == (
        "minor", "immediate", "observed", "Minor")
    assert corona.sent_at == corona.occurred_at == datetime(2021, 11, 2, 19, 7, 16, tzinfo=UTC)  # 20:07:16+01:00
    assert corona.version == "2021-11-02T19:07:16.000+00:00"
    assert corona.sender == "DE-NW-BN-SE030" and corona.language == "de"
    assert corona.address.startswith("Bundesland: Freie Hansestadt Bremen, Land Berlin, Land Hessen")
    assert corona.instruction.splitlines()[:2] == [
        "Waschen Sie sich regelmäßig und gründlich die Hände.", "- Beachten Sie die AHA + A + L - Regeln:"]
    assert "<br" not in corona.instruction
    assert corona.description.startswith("Die Zahl der mit dem Corona-Virus infizierten Menschen steigt")
    assert "Issued by: BBK, Nationale Warnzentrale Bonn" in corona.description
    assert "Warned districts (ARS): 130000000000, 140000000000, 160000000000" in corona.description


def test_corona_has_no_single_region_code(details):
    # geocode is NINA's placeholder "AreaId 0" and warnVerwaltungsbereiche lists all 16 states.
    assert details[CORONA].region_code is None


def test_mowas_references_written_as_three_lists_are_paired(details):
    corona = details[CORONA]
    assert len(corona.references) == 6
    assert corona.references[0] == ("DE-NW-BN-SE030-20200506-30-001,mow.DE-NW-BN-SE030-20200506-30-001,"
                                    "2020-04-03T00:00:00+00:00")
    assert corona.references[-1] == "DE-NW-BN-W003,mow.DE-NW-BN-W003-20200403-000,2020-04-03T00:00:00+00:00"
    assert corona.guessed == (
        "references were three comma-joined lists, not CAP triples; paired them into 6 references",)


def test_dwd_wind_warning_keeps_the_altered_times(details):
    wind = details[WIND]
    assert wind.headline == "Ausfall Notruf 112"  # the HA test authors' headline on a DWD STURMBÖEN message
    assert (wind.category, wind.event, wind.response_type) == ("met", "STURMBÖEN", "prepare")
    assert (wind.severity, wind.urgency, wind.certainty) == ("moderate", "immediate", "likely")
    assert wind.sent_at == datetime(2021, 10, 11, 4, 20, tzinfo=UTC)
    assert wind.effective_at == datetime(2021, 11, 1, 2, 20, tzinfo=UTC)
    assert wind.occurred_at == datetime(2021, 11, 1, 4, 20, tzinfo=UTC)  # onset
    assert wind.expires_at == datetime(3021, 11, 22, 4, 19, tzinfo=UTC)  # as given: a valid time
    assert wind.language == "de-DE" and wind.sender == "opendata@dwd.de"
    assert wind.address.endswith("Gemeinde Gutach (Schwarzwaldbahn) und 3392 weitere.")
    assert wind.references == () and wind.guessed == ()


def test_biwapp_avian_flu_text_is_plain(details):
    flu = details[AVIAN_FLU]
    assert flu.headline.startswith("Geflügelpest im Landkreis Cuxhaven - Teile des Landkreises Osterholz")
    assert (flu.category, flu.event, flu.severity) == ("other", "4", "minor")
    assert flu.sent_at == datetime(1999, 8, 7, 8, 59, tzinfo=UTC)  # the HA authors' 1999, kept
    assert flu.expires_at == datetime(2002, 8, 7, 8, 59, tzinfo=UTC)
    assert "<br>" not in flu.description and "&nbsp;" not in flu.description
    paragraphs = flu.description.split("\n")
    assert paragraphs[0].startswith("In Beverstedt im Landkreis Cuxhaven ist am 20. Juli 2022")
    assert paragraphs[1].startswith("Die Überwachungszone mit einem Radius von mindestens zehn Kilometern")
    assert "Issued by: Landkreis Osterholz" in flu.description
    assert flu.address.startswith("Axstedt, Gnarrenburg, Grasberg")


def test_map_data_list():
    corona, outage = nina.parse(sample(MAP_DATA))
    assert corona.external_id == CORONA
    assert corona.headline == "Corona-Verordnung des Landes: Warnstufe durch Landesgesundheitsamt ausgerufen"
    assert (corona.msg_type, corona.severity, corona.raw_level) == ("update", "minor", "Minor")
    assert (corona.sender, corona.event, corona.category) == ("MOWAS", "BBK-EVC-040", "other")
    assert corona.sent_at == corona.occurred_at == datetime(2021, 11, 2, 19, 7, 16, tzinfo=UTC)
    assert corona.expires_at is None and corona.language == "de"
    assert "Area codes (ZGEM, compressed): 9956+1102,100001" in corona.description
    assert outage.external_id == WIND and outage.headline == "Ausfall Notruf 112"
    assert outage.occurred_at == datetime(2021, 11, 1, 4, 20, tzinfo=UTC)
    assert outage.expires_at == datetime(3021, 11, 22, 4, 19, tzinfo=UTC)


def test_map_data_top_level_fields_and_english_title():
    entry = {"id": "dwd.2.49.0.0.276.0.DWD.PVW.1", "version": 3, "startDate": "2024-01-05T10:00:00+01:00",
             "expiresDate": "2024-01-05T18:00:00+01:00", "severity": "Severe", "type": "Update",
             "i18nTitle": {"de": "Amtliche Unwetterwarnung vor Glätte", "en": "Official severe weather warning"},
             "transKeys": {"event": "BBK-EVC-001"}}
    (event,) = nina.parse(dumps([entry]))
    assert event.headline == "Official severe weather warning" and event.language == "en"
    assert (event.msg_type, event.severity) == ("update", "severe")
    assert event.sent_at == datetime(2024, 1, 5, 9, 0, tzinfo=UTC)
    assert event.expires_at == datetime(2024, 1, 5, 17, 0, tzinfo=UTC)
    del entry["startDate"]
    (undated,) = nina.parse(dumps([entry]))
    assert undated.version == "v3" and undated.sent_at is None


def test_a_real_area_code_becomes_the_region_code():
    event = _detail(AVIAN_FLU, area=[{"areaDesc": "Landkreis Osterholz",
                                      "geocode": [{"valueName": "ARS", "value": "033560000000"}]}])
    assert event.region_code == "033560000000" and event.address == "Landkreis Osterholz"
    single = _detail(CORONA, parameter=[{"valueName": "warnVerwaltungsbereiche", "value": "033560000000"}])
    assert single.region_code == "033560000000"


def test_standard_cap_references_and_english_info():
    warning = sample_json(DETAILS)[AVIAN_FLU]
    warning["references"] = "CAP@biwapp.de,biw.BIWAPP-1,2022-07-22T10:00:00+02:00 CAP@biwapp.de,biw.BIWAPP-2,x"
    english = dict(warning["info"][0], language="en-GB", headline="Avian influenza in Cuxhaven district")
    warning["info"].append(english)
    (event,) = nina.parse(dumps(warning))
    assert event.references == ("CAP@biwapp.de,biw.BIWAPP-1,2022-07-22T10:00:00+02:00", "CAP@biwapp.de,biw.BIWAPP-2,x")
    assert event.headline == "Avian influenza in Cuxhaven district" and event.language == "en-GB"
    assert event.guessed == ()


def test_a_warning_without_info_is_skipped():
    document = sample_json(DETAILS)
    del document[WIND]["info"]
    events, skipped = nina.parse_report(dumps(document))
    assert [e.external_id for e in events] == [CORONA, AVIAN_FLU]
    assert skipped == [(1, "info: a NINA warning detail needs an info block")]


@pytest.mark.parametrize(("payload", "reason"), [
    (b"\x00\x01", "not valid JSON"),
    (b"42", "neither a list of warnings nor a warning object"),
    (b'{"status": "down"}', "not a NINA warning list"),
    (b'[{"id": "x"}]', "none of the 1 items"),
    (b'{"identifier": "x", "sent": "2021-11-02T20:07:16+01:00"}', "none of the 1 items.*info block"),
    (sample("usgs_all_day_2018-09-16.geojson"), "not a NINA warning list"),
])
def test_refused_payloads(payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        nina.parse(payload)


def test_empty_list_is_no_warnings():
    assert nina.parse(b"[]") == []


def test_detect_only_nina():
    assert nina.detect(sample(MAP_DATA)) and nina.detect(sample(DETAILS))
    others = [p.name for p in Path(SAMPLES_DIR).iterdir()
              if p.name not in (MAP_DATA, DETAILS) and nina.detect(p.read_bytes())]
    assert others == []
