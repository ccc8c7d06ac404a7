"""Hostile and broken GeoRSS payloads: the adapter either returns valid events or raises PayloadRefused.

Random bytes and mutated sample bytes, the same for every adapter, are in test_fuzz.py.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

import pytest
from feed_samples import sample
from fuzz_util import FUZZ, SAMPLES, assert_clean_refusal
from hypothesis import given
from hypothesis import strategies as st

from feeds.adapters.xml_util import parse_xml

FILES = [file for name, file in SAMPLES if name == "georss"]
TEXTS = st.text(max_size=30) | st.sampled_from([
    "", " ", "nan", "inf", "-inf", "1e400", "91 181", "-91,200 5", "45,-75 1e9", "45,-75 -1", "0,0 0",
    "1 2 3", "10 20 30 40 10 20", "10,20 30,40", "1_0 2_0", "Sun, 31 Feb 2018 10:00:00 GMT",
    "Mon, 01 Jan 0001 00:00:00 +1400", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2018-13-45",
    "31/12/99 13:61 PM", "00/00/0000 00:00:00", "2018-09-29 13:32 UT", "-0000", "Red", "Orange", "Cancel",
    "Update", "Exercise", "bogus", "msgType=Cancel", "severity=Extreme", "M=9,9", "magnitud 12.5 en X en la fecha",
    "After Storm: Cancellation for X", "Bushfire (A, B, FCAD: 1)", "24°10'19.56\"S & 151°47'30.12\"E, X",
    "#999999S/9999999E, X", "<b>x</b>&amp;", "<region>X</region>", "Alert Level: Emergency Warning Details: x",
    "-200 -100 100 200", "Expires: never", "x" * 300,
])
_TREES = {name: parse_xml(sample(name), name)[0] for name in FILES}


@pytest.mark.parametrize("name", FILES)
@FUZZ
@given(data=st.data())
def test_mutated_element_texts(name, data):
    """Well-formed XML whose element texts, attributes or elements are replaced by hostile values."""
    root = copy.deepcopy(_TREES[name])
    nodes = list(root.iter())
    for _ in range(data.draw(st.integers(1, 6))):
        node = nodes[data.draw(st.integers(0, len(nodes) - 1))]
        edit = data.draw(st.sampled_from(["text", "attribute", "clear"]))
        if edit == "text":
            node.text = data.draw(TEXTS)
        elif edit == "attribute":
            node.set(data.draw(st.sampled_from(["term", "label", "href", "type"])), data.draw(TEXTS))
        else:
            node.clear()
    assert_clean_refusal("georss", ET.tostring(root, encoding="utf-8"))


@pytest.mark.parametrize("payload", [
    b"", b"   ", b"<rss/>", b"<feed/>", b"<rss><channel/></rss>", b"\xef\xbb\xbf",
    b"<feed xmlns:georss='http://www.georss.org/georss'>" + b"<entry>" * 5000 + b"</entry>" * 5000 + b"</feed>",
    b"<feed>" + b"<x>" * 50_000 + b"</x>" * 50_000 + b"</feed>",
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rss>&b;</rss>',
    "<feed/>".encode("utf-16"),
])
def test_pathological_payloads(payload):
    assert_clean_refusal("georss", payload)
