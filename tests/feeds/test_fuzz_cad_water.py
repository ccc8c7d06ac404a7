"""Hostile and broken payloads for the CAD and water adapters: valid events or PayloadRefused, nothing else.

The cases every adapter shares (random bytes and JSON, mutated samples) are in test_fuzz.py.
"""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from feed_samples import sample, sample_json
from fuzz_util import FUZZ, assert_clean_refusal, parse, paths, replaced, value_at
from hypothesis import given
from hypothesis import strategies as st
from test_cad import CONSTRUCTED_110

from feeds.adapters.errors import PayloadRefused

JSON_CASES = [
    ("polisen", "polisen_se_events_2025-06-07.json"),
    ("nwis", "usgs_nwis_iv_choptank_seneca_2019-02-14.json"),
    ("waterdata_ogc", "usgs_waterdata_ogcapi_bundle_2026-08-07.json"),
]
CSV_CASES = {"seattle_cad": sample("seattle_spd_call_data_sector_c3_2018-2023.csv"), "cad": CONSTRUCTED_110}
CELLS = st.text(max_size=30) | st.sampled_from(["", "0", "0,0", "nan", "1e400", "-999", "02/30/2023 1:00:00 AM",
                                                 "11/03/2019 1:30:00 AM", "03/10/2019 2:30:00 AM",
                                                 "2024-07-15 25:00:00", "0001-01-01 00:00:00", "9999-12-31 23:59:59",
                                                 "已结案", "一级", "181", "-122.3", "\x00", "\ufeff"])
_ROWS = {name: list(csv.reader(io.StringIO(payload.decode("utf-8-sig"), newline=""))) for name, payload in
         CSV_CASES.items()}


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
    assert_clean_refusal(name, out.getvalue().encode("utf-8", errors="surrogatepass"))


@pytest.mark.parametrize(("name", "file"), JSON_CASES)
def test_huge_integers_in_positions_and_values(name, file):
    """A 400-digit JSON integer overflows float(); it must end as a skipped item or a dropped position."""
    document = sample_json(file)
    for path in list(paths(document)):
        if path and path[-1] in ("latitude", "gps", "noDataValue", "value", 0) and _is_leaf(document, path):
            document = replaced(document, path, 10 ** 400)
    assert_clean_refusal(name, json.dumps(document).encode())


def _is_leaf(document, path) -> bool:
    return not isinstance(value_at(document, path), (dict, list))


@pytest.mark.parametrize("name", ["cad", "nwis", "polisen", "seattle_cad", "waterdata_ogc"])
def test_huge_json_string_is_refused(name):
    with pytest.raises(PayloadRefused):
        parse(name, b'"' + b"x" * 200_000 + b'"')
