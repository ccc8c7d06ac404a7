"""Hostile and broken payloads: every adapter either returns valid events or raises PayloadRefused."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from feed_samples import sample
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.errors import PayloadRefused
from feeds.event import TIME_FIELDS, FeedEvent
from feeds.registry import ADAPTERS

CASES = [
    ("usgs_quake", "usgs_all_day_2018-09-16.geojson"),
    ("geonet", "geonet_nz_quakes_mmi4_2019.geojson"),
    ("geonet", "geonet_nz_quake_deleted_2019.geojson"),
    ("qweather", "qweather_cn_warning_now_shanghai_gale_blue_2023-04-03.json"),
    ("qweather", "qweather_cn_alert_v1_huidong_rainstorm_downgrade_2025-09-17.json"),
    ("nsw_rfs", "nsw_rfs_major_incidents_2018-09.geojson"),
]
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = ["type", "features", "geometry", "geometries", "coordinates", "properties", "id", "mag", "time", "updated",
        "alert", "status", "title", "place", "publicID", "mmi", "quality", "magnitude", "depth", "locality",
        "code", "warning", "alerts", "pubTime", "severityColor", "level", "related", "msgType", "relatedAlertIds",
        "messageType", "supersedes", "color", "issuedTime", "guid", "pubDate", "category", "description", "error"]
LEAVES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
          | st.text(max_size=30)
          | st.sampled_from(["", "Z", "2019-07-21T20:43:22.303Z", "2023-04-03T10:30", "0001-01-01T00:00+08:00",
                             "9999-12-31T23:59+00:00", "15/09/2018 4:08:00 AM", "15/09/2018 99:08:00 PM",
                             "red", "红色", "Black", "deleted", "cancel", "Update", "Feature", "FeatureCollection",
                             "GeometryCollection", "Point", "Polygon", "<a href='x'>y</a><br />", "200", "204"]))
JSON_VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5),
                           max_leaves=12)
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


def _paths(node, prefix=()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*prefix, key))


_DOCS = {file: json.loads(sample(file)) for _, file in CASES}
_PATHS = {file: list(_paths(doc)) for file, doc in _DOCS.items()}


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


@pytest.mark.parametrize(("name", "file"), CASES)
@FUZZ
@given(data=st.data())
def test_mutated_sample_bytes(name, file, data):
    payload = bytearray(sample(file))
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


@pytest.mark.parametrize(("name", "file"), CASES)
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


@pytest.mark.parametrize(("name", "file"), CASES)
def test_huge_integers_in_coordinates(name, file):
    """A 400-digit JSON integer overflows float(); it must end as a skipped item or a dropped area, not a crash."""
    document = _DOCS[file]
    for path in _PATHS[file]:
        if "coordinates" in path and isinstance(_value(document, path), (int, float)):
            document = _replaced(document, path, 10 ** 400)
            break
    _assert_only_events_or_refusal(name, json.dumps(document).encode())


def _value(document, path):
    for key in path:
        document = document[key]
    return document


@pytest.mark.parametrize("name", sorted(ADAPTERS))
@pytest.mark.parametrize("payload", [b"[" * 100_000, b'{"a": ' * 50_000, b"1" * 5000, b'{"n": 1e400}',
                                     b"\xef\xbb\xbf{}", "{}".encode("utf-16"), b" " * 10])
def test_pathological_payloads_are_refused(name, payload):
    with pytest.raises(PayloadRefused):
        ADAPTERS[name].parse(payload)
