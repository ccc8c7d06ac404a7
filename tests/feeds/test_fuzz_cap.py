"""Hostile and broken CAP / EDXL-DE payloads: the adapters return valid events or raise PayloadRefused, nothing else.

Random bytes and mutated sample bytes, the same for every adapter, are in test_fuzz.py.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

import pytest
from feed_samples import sample
from fuzz_util import FUZZ, SAMPLES, assert_clean_refusal, parse
from hypothesis import given
from hypothesis import strategies as st

from feeds.adapters import cap
from feeds.adapters.errors import PayloadRefused

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
CASES = [(name, file) for name, file in SAMPLES if name in ("cap", "edxl_de") and not file.startswith("SECURITY")]
_TREES = {file: ET.fromstring(sample(file)) for _, file in CASES}


@pytest.mark.parametrize(("name", "file"), CASES)
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
    assert_clean_refusal(name, ET.tostring(root, encoding="utf-8"))


@pytest.mark.parametrize("name", ["cap", "edxl_de"])
@pytest.mark.parametrize("payload", [
    b"<a>" * 100_000 + b"</a>" * 100_000,
    b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">' + b"<info>" * 50_000 + b"</info>" * 50_000 + b"</alert>",
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><alert>&lol2;</alert>',
    b"\xef\xbb\xbf", "<alert/>".encode("utf-16"), b" " * 10, b"<alert>\x00</alert>", b"<?xml version='1.0'?>",
])
def test_pathological_payloads_are_refused(name, payload):
    with pytest.raises(PayloadRefused):
        parse(name, payload)


def test_many_circles_stay_bounded():
    circles = "".join(f"<circle>{i % 80}.5,{i % 170}.5 {1 + i % 50}</circle>" for i in range(3000))
    info = f"<info><event>E</event><area><areaDesc>a</areaDesc>{circles}</area></info>"
    payload = (f'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier>'
               f"<sent>2020-01-01T00:00:00Z</sent>{info * 3}</alert>").encode()
    events = cap.parse(payload)
    drawn = [len(e.area["coordinates"]) if e.area else 0 for e in events]
    assert drawn == [1000, 1000, 0]  # 1000 shapes per block, 2000 circles per payload
    assert "more than 2000 circles in one payload: the rest were ignored" in events[2].guessed
