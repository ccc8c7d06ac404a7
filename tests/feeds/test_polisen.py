"""Swedish Police events API -> FeedEvents, through the CAD adapter and mapping polisen."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest
from feed_samples import dumps, sample, sample_json

from feeds.adapters import polisen
from feeds.adapters.cad_hooks import polisen_name
from feeds.adapters.errors import PayloadRefused

EVENTS = "polisen_se_events_2025-06-07.json"
UTC = timezone.utc


def _by_id() -> dict:
    return {e.external_id: e for e in polisen.parse(sample(EVENTS))}


def test_every_event_is_read():
    events, skipped = polisen.parse_report(sample(EVENTS))
    assert len(events) == 500 and skipped == []
    assert {(e.severity, e.raw_level, e.msg_type, e.language) for e in events} == {("unknown", None, "alert", "sv")}
    assert Counter(e.category for e in events) == {"security": 249, "transport": 107, "other": 94, "fire": 28,
                                                   "rescue": 15, "safety": 7}
    county = [e for e in events if e.address.endswith(" län")]
    assert len(county) == 131
    assert all(e.guessed == (f"the position is the centre of {e.address} (a county), not the place of the event",)
               for e in county)
    assert all(e.guessed == () for e in events if not e.address.endswith(" län"))
    # two county notices were published at 21:54 for "22.00": the name's time may be a few minutes ahead
    assert sum(e.occurred_at > e.sent_at for e in events) == 2


def test_first_event():
    event = polisen.parse(sample(EVENTS))[0]
    assert event.external_id == "588172"
    assert event.headline == "06 juni 18.50, Trafikbrott, Kungsör" and event.event == "Trafikbrott"
    assert event.sent_at == datetime(2025, 6, 7, 5, 32, 6, tzinfo=UTC)  # '2025-06-07 7:32:06 +02:00'
    assert event.version == "2025-06-07T05:32:06.000+00:00"
    assert event.occurred_at == datetime(2025, 6, 6, 16, 50, tzinfo=UTC)  # "06 juni 18.50" Swedish summer time
    assert (event.lat, event.lon) == (59.422397, 16.097786)
    assert event.address == "Kungsör" and event.sender == "Polismyndigheten"
    assert event.category == "security" and event.guessed == ()
    assert event.description == ("Bilist misstänks för brott.\n"
                                 "https://polisen.se/aktuellt/handelser/2025/juni/6/06-juni-18.50-trafikbrott-kungsor/")


def test_county_summary_and_other_categories():
    events = _by_id()
    summary = events["588171"]
    assert summary.headline == "07 juni 07.25, Sammanfattning natt, Örebro län"
    assert summary.category == "other" and (summary.lat, summary.lon) == (59.535036, 15.006573)
    assert summary.guessed == ("the position is the centre of Örebro län (a county), not the place of the event",)
    assert {e.category for e in events.values() if e.event == "Brand"} == {"fire"}
    assert {e.category for e in events.values() if e.event.startswith("Trafikolycka")} == {"transport"}


def test_occurred_time_comes_from_the_name_not_the_mangled_url():
    events = _by_id()
    burglary = events["587614"]  # url slug says "032.59", the name "02 juni 03.59"
    assert burglary.occurred_at == datetime(2025, 6, 2, 1, 59, tzinfo=UTC)
    assert burglary.sent_at == datetime(2025, 6, 2, 5, 10, 29, tzinfo=UTC)  # unpadded '7:10:29 +02:00'
    fire = events["587599"]
    assert fire.headline == "01 juni 22.39, Brand, Stockholm"
    assert fire.occurred_at == datetime(2025, 6, 1, 20, 39, tzinfo=UTC)  # published after midnight, 2 June
    assert fire.sent_at == datetime(2025, 6, 1, 22, 19, 45, tzinfo=UTC)


def test_name_time_across_new_year_and_unreadable_names():
    published = datetime(2026, 1, 1, 0, 20)
    assert polisen_name("31 december 23.50, Brand, Malmö", published) == datetime(2025, 12, 31, 23, 50)
    assert polisen_name("01 januari 00.05, Brand, Malmö", published) == datetime(2026, 1, 1, 0, 5)
    for name in ("Brand, Malmö", "31 juni 10.00, x", "01 smarch 10.00, x"):
        with pytest.raises(ValueError):
            polisen_name(name, published)


def test_an_event_whose_name_has_no_time_keeps_the_publication_time():
    doc = sample_json(EVENTS)[:1]
    doc[0]["name"] = "Trafikbrott, Kungsör"
    (event,) = polisen.parse(dumps(doc))
    assert event.occurred_at == event.sent_at == datetime(2025, 6, 7, 5, 32, 6, tzinfo=UTC)
    assert event.guessed == ("occurred time 'name' 'Trafikbrott, Kungsör' is not a time in parser polisen_name; "
                             "the call time is used instead",)


def test_broken_items_are_skipped_one_by_one():
    doc = sample_json(EVENTS)[:4]
    doc[1]["datetime"] = "2025-06-07 7:27:20"  # no offset
    doc[2]["location"]["gps"] = "59.5,"
    del doc[3]["id"]
    events, skipped = polisen.parse_report(dumps(doc))
    assert [e.external_id for e in events] == ["588172", "588170"]
    assert events[1].lat is None and "position '59.5,' is not two numbers; left out" in events[1].guessed
    assert skipped == [(1, "datetime: '2025-06-07 7:27:20' is not a time in format '%Y-%m-%d %H:%M:%S %z'"),
                       (3, "id: a call needs its number")]


@pytest.mark.parametrize(("payload", "reason"), [
    (b"{}", "the top level is not a JSON array"),
    (b"not json", "not valid JSON"),
    (b'[{"id": 1}]', "none of the 1 items"),
    (sample("seattle_spd_call_data_sector_c3_2018-2023.csv"), "not valid JSON"),
])
def test_refused_payloads(payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        polisen.parse(payload)


def test_empty_array_is_no_events():
    assert polisen.parse(b"[]") == []


def test_detect():
    assert polisen.detect(sample(EVENTS))
    assert not polisen.detect(sample("seattle_spd_call_data_sector_c3_2018-2023.csv"))
    assert not polisen.detect(b'[{"id": 1, "datetime": "x"}]')
