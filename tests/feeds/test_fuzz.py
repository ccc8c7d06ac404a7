"""Hostile and broken payloads: every adapter either returns valid events or raises PayloadRefused.

The cases here are the same for every adapter in feeds.adapters.registry.ADAPTERS; the
format-specific ones (hostile text in real XML elements, CSV cells, pathological
XML) are in test_fuzz_cap.py, test_fuzz_georss.py, test_fuzz_cad_water.py and
test_fuzz_misc.py.
"""

from __future__ import annotations

import json

import pytest
from feed_samples import sample
from fuzz_util import (FIRMS_EXCERPT, FUZZ, SAMPLES, assert_clean_refusal, json_values, mutated_bytes,
                       mutated_document, parse, paths, replaced, value_at)
from hypothesis import given
from hypothesis import strategies as st
from test_cad import CONSTRUCTED_110

from feeds.adapters.errors import PayloadRefused
from feeds.adapters.registry import ADAPTERS

# JSON documents are built of each area's feed keys and tricky values.
FEED_JSON = json_values(
    ["type", "features", "geometry", "geometries", "coordinates", "properties", "id", "mag", "time", "updated",
     "alert", "status", "title", "place", "publicID", "mmi", "quality", "magnitude", "depth", "locality",
     "code", "warning", "alerts", "pubTime", "severityColor", "level", "related", "msgType", "relatedAlertIds",
     "messageType", "supersedes", "color", "issuedTime", "guid", "pubDate", "category", "description", "error"],
    ["", "Z", "2019-07-21T20:43:22.303Z", "2023-04-03T10:30", "0001-01-01T00:00+08:00",
     "9999-12-31T23:59+00:00", "15/09/2018 4:08:00 AM", "15/09/2018 99:08:00 PM",
     "red", "红色", "Black", "deleted", "cancel", "Update", "Feature", "FeatureCollection",
     "GeometryCollection", "Point", "Polygon", "<a href='x'>y</a><br />", "200", "204"])
WATER_CAD_JSON = json_values(
    ["value", "timeSeries", "sourceInfo", "siteCode", "agencyCode", "geoLocation", "geogLocation", "srs",
     "latitude", "longitude", "variable", "variableCode", "unit", "unitCode", "noDataValue", "values",
     "dateTime", "qualifiers", "type", "features", "properties", "geometry", "coordinates",
     "latest-continuous", "monitoring_location_id", "parameter_code", "statistic_id", "time",
     "unit_of_measure", "approval_status", "qualifier", "id", "datetime", "name", "summary", "url",
     "location", "gps"],
    ["", "01491000", "USGS-01491000", "USGS-06904500", "00065", "00060", "00011", "00003",
     "-999999", "6.43", "1e400", "NaN", "ft", "m", "EPSG:4326", "EPSG:4267",
     "2019-02-14T01:00:00.000-05:00", "2026-08-07T18:45:00+00:00", "2026-08-07",
     "2025-06-07 7:32:06 +02:00", "2025-06-07 25:32:06 +02:00", "31 december 23.50, Brand",
     "29 februari 10.00, x", "59.4,16.1", "91,181", "0,0", ",", "Örebro län",
     "FeatureCollection", "Feature", "Point", "Provisional"])
ALERT_JSON = json_values(
    ["type", "features", "geometry", "coordinates", "properties", "id", "sent", "effective", "onset", "expires",
     "ends", "status", "messageType", "msgType", "category", "severity", "certainty", "urgency", "event",
     "headline", "description", "instruction", "response", "areaDesc", "geocode", "UGC", "references",
     "identifier", "sender", "parameters", "parameter", "NWSheadline", "VTEC", "@graph", "info", "area",
     "valueName", "value", "payload", "data", "i18nTitle", "transKeys", "startDate", "version", "title", "detail"],
    ["", "Z", "2019-12-20T13:34:00-08:00", "2019-12-20T13:34", "0001-01-01T00:00+08:00",
     "9999-12-31T23:59+00:00", "Update", "Cancel", "Actual", "Bogus", "Health", "Met",
     "Feature", "FeatureCollection", "Polygon", "AreaId", "ARS", "0", "033560000000",
     "<br/>a&nbsp;b", "a,b,c d,e,f", "a b,c d,e", "warnVerwaltungsbereiche"])
VOCABULARIES = {"feed": FEED_JSON, "water_cad": WATER_CAD_JSON, "alert": ALERT_JSON}
# Every adapter gets the feed vocabulary; these also get their own area's.
AREAS = {"polisen": "water_cad", "nwis": "water_cad", "waterdata_ogc": "water_cad", "seattle_cad": "water_cad",
         "cad": "water_cad", "quakeml": "alert", "nws_api": "alert", "nina": "alert", "firms": "alert"}
BYTE_CASES = ([pytest.param(name, sample(file), id=f"{name}-{file}") for name, file in SAMPLES]
              + [pytest.param("firms", FIRMS_EXCERPT, id="firms-excerpt"),
                 pytest.param("cad", CONSTRUCTED_110, id="cad-constructed_110")])
JSON_SAMPLES = [(name, file) for name, file in SAMPLES if file.endswith((".json", ".geojson"))]
_DOCS = {file: json.loads(sample(file)) for _, file in JSON_SAMPLES}
_PATHS = {file: list(paths(doc)) for file, doc in _DOCS.items()}


@pytest.mark.parametrize("name", sorted(ADAPTERS))
@FUZZ
@given(payload=st.binary(max_size=2000))
def test_random_bytes(name, payload):
    assert_clean_refusal(name, payload)


@pytest.mark.parametrize(("name", "vocabulary"), [(name, "feed") for name in sorted(ADAPTERS)] + sorted(AREAS.items()))
@FUZZ
@given(data=st.data())
def test_random_json_made_of_feed_keys(name, vocabulary, data):
    assert_clean_refusal(name, json.dumps(data.draw(VOCABULARIES[vocabulary])).encode())


@pytest.mark.parametrize(("name", "payload"), BYTE_CASES)
@FUZZ
@given(data=st.data())
def test_mutated_sample_bytes(name, payload, data):
    assert_clean_refusal(name, mutated_bytes(data, payload))


@pytest.mark.parametrize(("name", "file"), JSON_SAMPLES)
@FUZZ
@given(data=st.data())
def test_mutated_sample_values(name, file, data):
    values = VOCABULARIES[AREAS.get(name, "feed")]
    document = mutated_document(data, _DOCS[file], _PATHS[file], values)
    assert_clean_refusal(name, json.dumps(document, ensure_ascii=False).encode())


@pytest.mark.parametrize(("name", "file"), [(name, file) for name, file in JSON_SAMPLES if name not in AREAS])
def test_huge_integers_in_coordinates(name, file):
    """A 400-digit JSON integer overflows float(); it must end as a skipped item or a dropped area, not a crash."""
    document = _DOCS[file]
    for path in _PATHS[file]:
        if "coordinates" in path and isinstance(value_at(document, path), (int, float)):
            document = replaced(document, path, 10 ** 400)
            break
    assert_clean_refusal(name, json.dumps(document).encode())


@pytest.mark.parametrize("name", sorted(ADAPTERS))
@pytest.mark.parametrize("payload", [b"[" * 100_000, b'{"a": ' * 50_000, b"1" * 5000, b'{"n": 1e400}',
                                     b"\xef\xbb\xbf{}", "{}".encode("utf-16"), b" " * 10])
def test_pathological_payloads_are_refused(name, payload):
    with pytest.raises(PayloadRefused):
        parse(name, payload)
