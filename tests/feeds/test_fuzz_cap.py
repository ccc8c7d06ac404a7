"""Hostile and broken CAP / EDXL-DE payloads: the adapters return valid events or raise PayloadRefused, nothing else."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from feed_samples import sample
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds import cap, edxl
from feeds.errors import PayloadRefused
from feeds.event import TIME_FIELDS, FeedEvent

ADAPTERS = {"cap": cap, "edxl_de": edxl}
CASES = [
    ("cap", "nws_hurricane_laura_warning_update_multipolygon_2020-08-26.cap"),
    ("cap", "imo_iceland_wind_warning_is_en_2021-09-10.cap"),
    ("cap", "ipaws_athoc_cancel_no_info_2016-02-25.cap"),
    ("cap", "krisinformation_se_vma_nonstandard_area_2018-11-21.cap"),
    ("cap", "nws_wcatwc_tsunami_warning_update_2011-09-02.cap"),
    ("cap", "pagasa_ph_tropical_cyclone_TEST_2014-11-03.cap"),
    ("cap", "usgs_earthquake_iso-8859-1_2012-10-14.cap"),
    ("cap", "nws_flash_flood_watch_montana_2010-08-30.cap"),
    ("cap", "wra_taiwan_reservoir_discharge_2014-05-14.cap"),
    ("cap", "bom_au_severe_thunderstorm_warning_2019-01-16.cap"),
    ("cap", "SECURITY_xxe_attack_on_nws_thunderstorm.cap"),
    ("edxl_de", "nsw_rfs_edxlde_incidents_2011-10.xml"),
]
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXTS = (st.text(max_size=40)
         | st.sampled_from(["", " ", "Z", "2019-07-21T20:43:22Z", "2023-04-03T10:30", "0001-01-01T00:00:00+08:00",
                            "9999-12-31T23:59:59-12:00", "Unknown", "Extreme", "CBRNE", "Cancel", "Ack", "Test",
                            "紅色", "Yellow", "91,0 5", "0,0 0", "1,1 1,2 2,2 1,1", "90,180 -90,-180 0,0 90,180",
                            "1e400,1 2,2 3,3", "nan,nan 0", "45,45 20001", "-0,-0 0.0", "a,b c", "1,2,3 4,5,6",
                            "x" * 30000, "<br />line<p>", "sender,id,2020-01-01T00:00:00Z " * 250,
                            "zh-tw", "ZH-hant-TW", "en-US-x-" + "a" * 40]))
# CAP elements whose text is worth breaking (matched by local name, any namespace)
TARGETS = ["identifier", "sender", "sent", "status", "msgType", "scope", "references", "incidents", "language",
           "category", "event", "urgency", "severity", "certainty", "effective", "onset", "expires", "headline",
           "description", "instruction", "value", "valueName", "areaDesc", "polygon", "circle", "Polygons"]
# Samples (trusted, from the corpus) are read with the plain stdlib parser to build mutated documents.
_TREES = {file: ET.fromstring(sample(file)) for _, file in CASES if not file.startswith("SECURITY")}


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


@pytest.mark.parametrize(("name", "file"), [case for case in CASES if case[1] in _TREES])
@FUZZ
@given(data=st.data())
def test_mutated_sample_elements(name, file, data):
    root = copy.deepcopy(_TREES[file])
    elements = [(parent, node) for parent in root.iter() for node in parent
                if node.tag.rsplit("}", 1)[-1] in TARGETS]
    for _ in range(data.draw(st.integers(1, 5))):
        parent, node = data.draw(st.sampled_from(elements))
        edit = data.draw(st.sampled_from(["text", "text", "delete", "duplicate"]))
        if edit == "text":
            node.text = data.draw(TEXTS)
        elif edit == "delete" and node in list(parent):
            parent.remove(node)
        elif edit == "duplicate":
            parent.append(copy.deepcopy(node))
    _assert_only_events_or_refusal(name, ET.tostring(root, encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(ADAPTERS))
@pytest.mark.parametrize("payload", [
    b"<a>" * 100_000 + b"</a>" * 100_000,
    b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">' + b"<info>" * 50_000 + b"</info>" * 50_000 + b"</alert>",
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><alert>&lol2;</alert>',
    b"\xef\xbb\xbf", "<alert/>".encode("utf-16"), b" " * 10, b"<alert>\x00</alert>", b"<?xml version='1.0'?>",
])
def test_pathological_payloads_are_refused(name, payload):
    with pytest.raises(PayloadRefused):
        ADAPTERS[name].parse(payload)


def test_many_circles_stay_bounded():
    circles = "".join(f"<circle>{i % 80}.5,{i % 170}.5 {1 + i % 50}</circle>" for i in range(3000))
    info = f"<info><event>E</event><area><areaDesc>a</areaDesc>{circles}</area></info>"
    payload = (f'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier>'
               f"<sent>2020-01-01T00:00:00Z</sent>{info * 3}</alert>").encode()
    events = cap.parse(payload)
    drawn = [len(e.area["coordinates"]) if e.area else 0 for e in events]
    assert drawn == [1000, 1000, 0]  # 1000 shapes per block, 2000 circles per payload
    assert "more than 2000 circles in one payload: the rest were ignored" in events[2].guessed
