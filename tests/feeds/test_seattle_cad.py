"""Seattle Police Department Call Data CSV -> FeedEvents, through the CAD adapter and mapping seattle_spd."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest
from feed_samples import sample

from feeds.adapters import seattle_cad
from feeds.adapters.errors import PayloadRefused

SPD = "seattle_spd_call_data_sector_c3_2018-2023.csv"
UTC = timezone.utc


def _rows() -> list[str]:
    return sample(SPD).decode().splitlines()


def _one(row: str) -> seattle_cad.FeedEvent:
    (event,) = seattle_cad.parse(f"{_rows()[0]}\n{row}\n".encode())
    return event


def test_every_call_is_an_event():
    events, skipped = seattle_cad.parse_report(sample(SPD))
    assert len(events) == 222 and skipped == []
    assert len({e.external_id for e in events}) == 222
    assert Counter(e.severity for e in events) == {"minor": 124, "moderate": 64, "severe": 34}
    assert Counter(e.raw_level for e in events) == {"3": 90, "2": 64, "1": 34, "5": 16, "4": 10, "7": 8}
    assert {(e.msg_type, e.status, e.language) for e in events} == {("alert", "actual", "en-US")}
    assert sum("Arrived Time:" not in e.description for e in events) == 36  # nobody arrived at 36 calls
    assert all(e.guessed == () for e in events)
    assert all(47.61 < e.lat < 47.62 and -122.29 < e.lon < -122.28 for e in events)


def test_first_call_reads_as_a_duty_officer_needs_it():
    call = seattle_cad.parse(sample(SPD))[0]
    assert call.external_id == "2023000319821"
    assert call.headline == "SUSPICIOUS CIRCUM. - SUSPICIOUS PERSON"  # "--" trimmed off the final call type
    assert call.severity == "moderate" and call.raw_level == "2"
    assert call.category == "security"
    assert call.sent_at == call.occurred_at == datetime(2023, 11, 5, 1, 8, 26, tzinfo=UTC)  # 6:08:26 PM PDT
    assert call.version == "2023-11-05T01:08:26.000+00:00"
    assert (call.lat, call.lon) == (47.6176603, -122.28112)
    assert call.sender == "Seattle Police Department"
    assert call.description == ("Initial Call Type: BURN - RECKLESS BURNING\nCall Type: 911\n"
                                "Event Clearance Description: UNABLE TO LOCATE INCIDENT OR COMPLAINANT\n"
                                "Arrived Time: 11/04/2023 6:51:06 PM\nPrecinct: EAST\nSector: CHARLIE\nBeat: C3")


def test_priority_one_and_winter_time():
    events = {e.external_id: e for e in seattle_cad.parse(sample(SPD))}
    shots = events["2021000308242"]
    assert shots.headline == "HAZARDS - HAZARDS" and shots.category == "safety"
    assert shots.severity == "severe" and shots.raw_level == "1"
    assert "Initial Call Type: SHOTS HEARD - IN PROGRESS" in shots.description
    assert shots.sent_at == datetime(2021, 11, 21, 4, 3, 21, tzinfo=UTC)  # 8:03:21 PM PST (UTC-8)
    # 10 March 2020 is two days after the spring change: PDT, UTC-7
    assert events["2020000088332"].sent_at == datetime(2020, 3, 11, 2, 13, 59, tzinfo=UTC)
    assert events["2022000208159"].category == "transport"  # --TRAFFIC - MV COLLISION INVESTIGATION


@pytest.mark.parametrize(("queued", "utc", "note"), [
    ("11/03/2019 1:30:00 AM", datetime(2019, 11, 3, 8, 30, tzinfo=UTC), "read as UTC-0700"),  # happens twice
    ("03/10/2019 2:30:00 AM", datetime(2019, 3, 10, 10, 30, tzinfo=UTC), "read as UTC-0800"),  # never happens
])
def test_clock_change_times_are_read_and_said(queued, utc, note):
    row = _rows()[1].replace("11/04/2023 6:08:26 PM", queued, 1)
    event = _one(row)
    assert event.sent_at == utc
    assert event.guessed == (f"local time {queued!r} falls in a daylight-saving change in America/Los_Angeles; "
                             f"{note}",)


def test_unknown_priority_and_missing_final_type():
    fields = _rows()[1].split(",")
    fields[3], fields[5] = "9", ""
    event = _one(",".join(fields))
    assert event.severity == "unknown" and event.raw_level == "9"
    assert event.headline == "BURN - RECKLESS BURNING"  # the initial call type when there is no final one


def test_a_call_without_a_time_is_skipped():
    rows = _rows()
    broken = rows[1].replace("11/04/2023 6:08:26 PM", "", 1)
    events, skipped = seattle_cad.parse_report("\n".join([rows[0], broken, rows[2]]).encode())
    assert [e.external_id for e in events] == ["2023000154966"]
    assert skipped == [(0, "Original Time Queued: a call needs its time")]


@pytest.mark.parametrize(("payload", "reason"), [
    (b"", "no CSV header row"),
    (sample("polisen_se_events_2025-06-07.json"), "the CSV header has no column 'CAD Event Number'"),
    (b"CAD Event Number,Priority\n1,2\n", "no column 'Original Time Queued'"),
])
def test_refused_payloads(payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        seattle_cad.parse(payload)


def test_detect():
    assert seattle_cad.detect(sample(SPD))
    assert seattle_cad.detect(b"\xef\xbb\xbf" + sample(SPD))
    assert not seattle_cad.detect(sample("polisen_se_events_2025-06-07.json"))
    assert not seattle_cad.detect(b"CAD Event Number,Priority\n")
