"""Hostile and broken payloads for the CAD and water adapters: valid events or PayloadRefused, nothing else."""

from __future__ import annotations

import copy
import csv
import io
import json
from datetime import timedelta
from functools import partial

import pytest
from feed_samples import sample
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cad import CONSTRUCTED_110

from feeds import cad, nwis, polisen, seattle_cad, waterdata_ogc
from feeds.errors import PayloadRefused
from feeds.event import TIME_FIELDS, FeedEvent

PARSERS = {
    "seattle_cad": seattle_cad.parse,
    "polisen": polisen.parse,
    "nwis": nwis.parse,
    "waterdata_ogc": waterdata_ogc.parse,
    "cad": partial(cad.parse, mapping=cad.load_mapping("example_110")),
}
JSON_CASES = [
    ("polisen", "polisen_se_events_2025-06-07.json"),
    ("nwis", "usgs_nwis_iv_choptank_seneca_2019-02-14.json"),
    ("waterdata_ogc", "usgs_waterdata_ogcapi_bundle_2026-08-07.json"),
]
CSV_CASES = {"seattle_cad": sample("seattle_spd_call_data_sector_c3_2018-2023.csv"), "cad": CONSTRUCTED_110}
BYTE_CASES = [(name, sample(file)) for name, file in JSON_CASES] + list(CSV_CASES.items())
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = ["value", "timeSeries", "sourceInfo", "siteCode", "agencyCode", "geoLocation", "geogLocation", "srs",
        "latitude", "longitude", "variable", "variableCode", "unit", "unitCode", "noDataValue", "values",
        "dateTime", "qualifiers", "type", "features", "properties", "geometry", "coordinates",
        "latest-continuous", "monitoring_location_id", "parameter_code", "statistic_id", "time",
        "unit_of_measure", "approval_status", "qualifier", "id", "datetime", "name", "summary", "url",
        "location", "gps"]
LEAVES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
          | st.text(max_size=30)
          | st.sampled_from(["", "01491000", "USGS-01491000", "USGS-06904500", "00065", "00060", "00011", "00003",
                             "-999999", "6.43", "1e400", "NaN", "ft", "m", "EPSG:4326", "EPSG:4267",
                             "2019-02-14T01:00:00.000-05:00", "2026-08-07T18:45:00+00:00", "2026-08-07",
                             "2025-06-07 7:32:06 +02:00", "2025-06-07 25:32:06 +02:00", "31 december 23.50, Brand",
                             "29 februari 10.00, x", "59.4,16.1", "91,181", "0,0", ",", "Örebro län",
                             "FeatureCollection", "Feature", "Point", "Provisional"]))
JSON_VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5),
                           max_leaves=12)
CELLS = st.text(max_size=30) | st.sampled_from(["", "0", "0,0", "nan", "1e400", "-999", "02/30/2023 1:00:00 AM",
                                                 "11/03/2019 1:30:00 AM", "03/10/2019 2:30:00 AM",
                                                 "2024-07-15 25:00:00", "0001-01-01 00:00:00", "9999-12-31 23:59:59",
                                                 "已结案", "一级", "181", "-122.3", "\x00", "\ufeff"])
DELETE = object()


def _assert_only_events_or_refusal(name: str, payload: bytes) -> None:
    try:
        events = PARSERS[name](payload)
    except PayloadRefused as refused:
        assert refused.reason
        return
    for event in events:
        assert isinstance(event, FeedEvent) and event.source == (cad.SOURCE if name == "cad" else name)
        for field in TIME_FIELDS:
            moment = getattr(event, field)
            assert moment is None or moment.utcoffset() == timedelta(0)


def _paths(node, prefix=()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*prefix, key))


_DOCS = {file: json.loads(sample(file)) for _, file in JSON_CASES}
_PATHS = {file: list(_paths(doc)) for file, doc in _DOCS.items()}
_ROWS = {name: list(csv.reader(io.StringIO(payload.decode("utf-8-sig"), newline=""))) for name, payload in
         CSV_CASES.items()}


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


@pytest.mark.parametrize("name", sorted(PARSERS))
@FUZZ
@given(payload=st.binary(max_size=2000))
def test_random_bytes(name, payload):
    _assert_only_events_or_refusal(name, payload)


@pytest.mark.parametrize("name", sorted(PARSERS))
@FUZZ
@given(document=JSON_VALUES)
def test_random_json_made_of_feed_keys(name, document):
    _assert_only_events_or_refusal(name, json.dumps(document).encode())


@pytest.mark.parametrize(("name", "payload"), BYTE_CASES, ids=[name for name, _ in BYTE_CASES])
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


@pytest.mark.parametrize(("name", "file"), JSON_CASES)
@FUZZ
@given(data=st.data())
def test_mutated_sample_values(name, file, data):
    document = _DOCS[file]
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(_PATHS[file]))
        value = data.draw(JSON_VALUES | st.just(DELETE) if path else JSON_VALUES)
        try:
            document = _replaced(document, path, value)
        except (KeyError, IndexError, TypeError):  # an earlier edit removed this path
            continue
    _assert_only_events_or_refusal(name, json.dumps(document, ensure_ascii=False).encode())


@pytest.mark.parametrize("name", sorted(CSV_CASES))
@FUZZ
@given(data=st.data())
def test_mutated_csv_cells(name, data):
    rows = copy.deepcopy(_ROWS[name])
    for _ in range(data.draw(st.integers(1, 6))):
        row = data.draw(st.integers(0, len(rows) - 1))
        if not rows[row]:
            continue
        column = data.draw(st.integers(0, len(rows[row]) - 1))
        rows[row][column] = data.draw(CELLS)
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    _assert_only_events_or_refusal(name, out.getvalue().encode("utf-8", errors="surrogatepass"))


@pytest.mark.parametrize(("name", "file"), JSON_CASES)
def test_huge_integers_in_positions_and_values(name, file):
    """A 400-digit JSON integer overflows float(); it must end as a skipped item or a dropped position."""
    document = _DOCS[file]
    for path in _PATHS[file]:
        if path and path[-1] in ("latitude", "gps", "noDataValue", "value", 0) and _is_leaf(document, path):
            document = _replaced(document, path, 10 ** 400)
    _assert_only_events_or_refusal(name, json.dumps(document).encode())


def _is_leaf(document, path) -> bool:
    for key in path:
        document = document[key]
    return not isinstance(document, (dict, list))


@pytest.mark.parametrize("name", sorted(PARSERS))
@pytest.mark.parametrize("payload", [b"[" * 100_000, b'{"a": ' * 50_000, b"1" * 5000, b'{"n": 1e400}',
                                     b"\xef\xbb\xbf{}", "{}".encode("utf-16"), b" " * 10,
                                     b'"' + b"x" * 200_000 + b'"'])
def test_pathological_payloads_are_refused(name, payload):
    with pytest.raises(PayloadRefused):
        PARSERS[name](payload)
