"""Fuzz the quakeml, nws_api, nina and firms adapters: whatever the bytes, only events or PayloadRefused."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from feed_samples import sample
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds import firms, nina, nws_api, quakeml
from feeds.errors import PayloadRefused
from feeds.event import TIME_FIELDS, FeedEvent

ADAPTERS = {"quakeml": quakeml, "nws_api": nws_api, "nina": nina, "firms": firms}
# The FIRMS file is 2575 rows; its first 300 (real rows, an excerpt) keep a hundred examples quick.
FIRMS_EXCERPT = b"\n".join(sample("nasa_firms_modis_usa_24h_2020-09-30.csv").split(b"\n")[:301]) + b"\n"
BYTE_CASES = [
    ("quakeml", sample("ingv_italy_quakeml_2022-03-01.xml")),
    ("nws_api", sample("nws_api_flood_watch_update_no_geometry_2019-12-20.json")),
    ("nina", sample("nina_bbk_mapdata_warnings_corona.json")),
    ("nina", sample("nina_bbk_warning_details_corona_avian_flu.json")),
    ("firms", FIRMS_EXCERPT),
]
JSON_CASES = [(name, payload) for name, payload in BYTE_CASES if name in ("nws_api", "nina")]
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = ["type", "features", "geometry", "coordinates", "properties", "id", "sent", "effective", "onset", "expires",
        "ends", "status", "messageType", "msgType", "category", "severity", "certainty", "urgency", "event",
        "headline", "description", "instruction", "response", "areaDesc", "geocode", "UGC", "references",
        "identifier", "sender", "parameters", "parameter", "NWSheadline", "VTEC", "@graph", "info", "area",
        "valueName", "value", "payload", "data", "i18nTitle", "transKeys", "startDate", "version", "title", "detail"]
LEAVES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
          | st.text(max_size=30)
          | st.sampled_from(["", "Z", "2019-12-20T13:34:00-08:00", "2019-12-20T13:34", "0001-01-01T00:00+08:00",
                             "9999-12-31T23:59+00:00", "Update", "Cancel", "Actual", "Bogus", "Health", "Met",
                             "Feature", "FeatureCollection", "Polygon", "AreaId", "ARS", "0", "033560000000",
                             "<br/>a&nbsp;b", "a,b,c d,e,f", "a b,c d,e", "warnVerwaltungsbereiche"]))
JSON_VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5),
                           max_leaves=12)
XML_TEXTS = st.text(max_size=20) | st.sampled_from(["", "nan", "inf", "1e400", "-91", "not existing", "2022-13-01",
                                                    "2022-03-01T22:53:55Z", "9999-12-31T23:59:59-23:59"])
CSV_CELLS = st.text(max_size=12) | st.sampled_from(["", "nan", "inf", "-inf", "1e400", "0", "-0", "100", "h", "x",
                                                    "2020-02-30", "2020-09-30", "2400", "5", "9999", "-181"])
DELETE = object()


def _assert_only_events_or_refusal(name: str, payload: bytes) -> None:
    try:
        events = ADAPTERS[name].parse(payload)
    except PayloadRefused as refused:
        assert refused.reason
        return
    for event in events:
        assert isinstance(event, FeedEvent) and event.source == name
        for field in TIME_FIELDS:
            moment = getattr(event, field)
            assert moment is None or moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize("name", sorted(ADAPTERS))
@FUZZ
@given(payload=st.binary(max_size=2000))
def test_random_bytes(name, payload):
    _assert_only_events_or_refusal(name, payload)


@pytest.mark.parametrize("name", sorted(ADAPTERS))
@FUZZ
@given(document=JSON_VALUES)
def test_random_json_made_of_feed_keys(name, document):
    _assert_only_events_or_refusal(name, json.dumps(document).encode())


@pytest.mark.parametrize(("name", "payload"), BYTE_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BYTE_CASES)])
@FUZZ
@given(data=st.data())
def test_mutated_sample_bytes(name, payload, data):
    payload = bytearray(payload)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(payload) - 1))
        edit = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        if edit == "replace":
            payload[at] = data.draw(st.integers(0, 255))
        elif edit == "delete":
            del payload[at]
        else:
            payload[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    _assert_only_events_or_refusal(name, bytes(payload))


def _paths(node, prefix=()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*prefix, key))


def _replaced(document, path, value):
    if not path:
        return value
    document = copy.deepcopy(document)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document


@pytest.mark.parametrize(("name", "payload"), JSON_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(JSON_CASES)])
@FUZZ
@given(data=st.data())
def test_mutated_sample_values(name, payload, data):
    document = json.loads(payload)
    paths = list(_paths(document))
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(paths))
        value = data.draw(JSON_VALUES | st.just(DELETE) if path else JSON_VALUES)
        try:
            document = _replaced(document, path, value)
        except (KeyError, IndexError, TypeError):  # an earlier edit removed this path
            continue
    _assert_only_events_or_refusal(name, json.dumps(document, ensure_ascii=False).encode())


@FUZZ
@given(data=st.data())
def test_mutated_quakeml_texts(data):
    root = ET.fromstring(sample("ingv_italy_quakeml_2022-03-01.xml"))
    elements = list(root.iter())
    for _ in range(data.draw(st.integers(1, 5))):
        element = data.draw(st.sampled_from(elements))
        if data.draw(st.booleans()):
            element.text = data.draw(XML_TEXTS)
        else:
            element.set("publicID", data.draw(XML_TEXTS))
    _assert_only_events_or_refusal("quakeml", ET.tostring(root))


@FUZZ
@given(data=st.data())
def test_mutated_firms_cells(data):
    lines = FIRMS_EXCERPT.decode().splitlines()
    rows = [line.split(",") for line in lines[1:]]
    for _ in range(data.draw(st.integers(1, 12))):
        row = data.draw(st.sampled_from(rows))
        row[data.draw(st.integers(0, len(row) - 1))] = data.draw(CSV_CELLS).replace(",", "").replace("\n", "")
    payload = "\n".join([lines[0], *(",".join(row) for row in rows)])
    _assert_only_events_or_refusal("firms", payload.encode())


@pytest.mark.parametrize("name", sorted(ADAPTERS))
@pytest.mark.parametrize("payload", [
    b"[" * 100_000, b'{"a": ' * 50_000, b"1" * 5000, b'{"n": 1e400}', b"\xef\xbb\xbf{}", "{}".encode("utf-16"),
    b" " * 10, b"<a>" * 100_000, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;&a;</x>',
    b"latitude,longitude,brightness,acq_date,acq_time\n\"" + b"x" * 200_000 + b"\",1,1,2020-01-01,0000\n",
    b"latitude,longitude,bright_ti4,acq_date,acq_time\n1\x00,2,3,2020-01-01,0000\n",
])
def test_pathological_payloads_are_refused(name, payload):
    with pytest.raises(PayloadRefused):
        ADAPTERS[name].parse(payload)
