"""Fuzz the quakeml, nws_api, nina and firms adapters: whatever the bytes, only events or PayloadRefused.

The cases every adapter shares (random bytes and JSON, mutated samples) are in test_fuzz.py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from feed_samples import sample
from fuzz_util import FIRMS_EXCERPT, FUZZ, assert_clean_refusal, parse
from hypothesis import given
from hypothesis import strategies as st

from feeds.adapters.errors import PayloadRefused

XML_TEXTS = st.text(max_size=20) | st.sampled_from(["", "nan", "inf", "1e400", "-91", "not existing", "2022-13-01",
                                                    "2022-03-01T22:53:55Z", "9999-12-31T23:59:59-23:59"])
CSV_CELLS = st.text(max_size=12) | st.sampled_from(["", "nan", "inf", "-inf", "1e400", "0", "-0", "100", "h", "x",
                                                    "2020-02-30", "2020-09-30", "2400", "5", "9999", "-181"])


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
    assert_clean_refusal("quakeml", ET.tostring(root))


@FUZZ
@given(data=st.data())
def test_mutated_firms_cells(data):
    lines = FIRMS_EXCERPT.decode().splitlines()
    rows = [line.split(",") for line in lines[1:]]
    for _ in range(data.draw(st.integers(1, 12))):
        row = data.draw(st.sampled_from(rows))
        row[data.draw(st.integers(0, len(row) - 1))] = data.draw(CSV_CELLS).replace(",", "").replace("\n", "")
    payload = "\n".join([lines[0], *(",".join(row) for row in rows)])
    assert_clean_refusal("firms", payload.encode())


@pytest.mark.parametrize("name", ["firms", "nina", "nws_api", "quakeml"])
@pytest.mark.parametrize("payload", [
    b"<a>" * 100_000, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;&a;</x>',
    b"latitude,longitude,brightness,acq_date,acq_time\n\"" + b"x" * 200_000 + b"\",1,1,2020-01-01,0000\n",
    b"latitude,longitude,bright_ti4,acq_date,acq_time\n1\x00,2,3,2020-01-01,0000\n",
])
def test_pathological_payloads_are_refused(name, payload):
    with pytest.raises(PayloadRefused):
        parse(name, payload)
