"""NASA FIRMS active-fire CSV -> one FeedEvent per fire, on the MODIS USA 24 h file of 30 Sep - 1 Oct 2020."""

from __future__ import annotations

import csv
import io
import math
import random
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from feed_samples import SAMPLES_DIR, sample
from geopy.distance import great_circle

from feeds.adapters import firms
from feeds.adapters.errors import PayloadRefused

SAMPLE = "nasa_firms_modis_usa_24h_2020-09-30.csv"
UTC = timezone.utc
HOTSPOTS = 2575
FIRES = 485
MULLEN = "firms:modis:2020-09-30T0410Z:41.03,-106.27"  # Mullen fire, Medicine Bow NF, Wyoming
GLASS = "firms:modis:2020-09-30T0545Z:38.60,-122.58"  # Glass fire, Napa / Sonoma
# The VIIRS 375 m header as FIRMS documents it for its area API (with the instrument column). The rows under
# it in these tests are CONSTRUCTED for the tests, not real detections: the corpus has no VIIRS file.
VIIRS_HEADER = ("latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,"
                "version,bright_ti5,frp,daynight")
MODIS_HEADER = sample(SAMPLE).decode().splitlines()[0]


def _csv(header: str, *rows: str) -> bytes:
    return "\n".join((header, *rows)).encode() + b"\n"


def _modis(lat, lon, when="2020-09-30,1925", scan="1.0", track="1.0", frp="20.0", confidence="80"):
    """One MODIS row in the sample's own format (constructed, for edge cases the sample lacks)."""
    return f"{lat},{lon},330.0,{scan},{track},{when},A,{confidence},6.0NRT,290.0,{frp},D"


@pytest.fixture(scope="module")
def raw_rows():
    return list(csv.DictReader(io.StringIO(sample(SAMPLE).decode())))


@pytest.fixture(scope="module")
def fires():
    _, hotspots, skipped = firms.read_hotspots(sample(SAMPLE))
    assert skipped == []
    return firms.clusters(hotspots)


@pytest.fixture(scope="module")
def events():
    events, skipped = firms.parse_report(sample(SAMPLE))
    assert skipped == []
    return {e.external_id: e for e in events}


def test_2575_hotspots_are_485_fires(events, fires):
    assert len(events) == len(fires) == FIRES
    assert 50 < FIRES < HOTSPOTS
    counts = [int(e.version.split("@")[0]) for e in events.values()]
    assert counts == [len(fire) for fire in fires] and sum(counts) == HOTSPOTS


def test_every_hotspot_is_in_exactly_one_fire(fires):
    rows = [h.row for fire in fires for h in fire]
    assert sorted(rows) == list(range(HOTSPOTS))


def _link_km(a: dict, b: dict) -> float:
    """The adapter's rule, restated from the raw CSV: LINK_KM, or more when the pixel footprints touch."""
    half = [math.hypot(float(r["scan"]), float(r["track"])) / 2 for r in (a, b)]
    return max(firms.LINK_KM, half[0] + half[1])


def _time(row: dict) -> datetime:
    return datetime.strptime(f"{row['acq_date']} {row['acq_time']}", "%Y-%m-%d %H%M").replace(tzinfo=UTC)


def _close_pairs(rows: list[dict]):
    """Yield (i, j, km) for every pair of rows within any possible link distance (lat-sorted sweep, geopy)."""
    order = sorted(range(len(rows)), key=lambda i: float(rows[i]["latitude"]))
    reach_deg = 8 / 110.0  # above the largest possible link (MAX_PIXEL_KM pixels touching)
    for a, i in enumerate(order):
        lat_i, lon_i = float(rows[i]["latitude"]), float(rows[i]["longitude"])
        for j in order[a + 1:]:
            lat_j, lon_j = float(rows[j]["latitude"]), float(rows[j]["longitude"])
            if lat_j - lat_i > reach_deg:
                break
            if abs(lon_j - lon_i) * math.cos(math.radians(lat_i)) <= reach_deg:
                yield i, j, great_circle((lat_i, lon_i), (lat_j, lon_j)).km


def test_no_two_fires_are_within_the_link_distance(raw_rows, fires):
    fire_of = {h.row: n for n, fire in enumerate(fires) for h in fire}
    window = timedelta(hours=firms.LINK_HOURS)
    too_close = [(i, j, km) for i, j, km in _close_pairs(raw_rows)
                 if fire_of[i] != fire_of[j] and abs(_time(raw_rows[i]) - _time(raw_rows[j])) <= window
                 and km <= _link_km(raw_rows[i], raw_rows[j]) - 1e-6]
    assert too_close == []
    # and so, a fortiori, none within the plain 2 km threshold


def test_every_fire_is_one_chain_of_links(raw_rows, fires):
    """Single linkage must not over-merge: inside each fire, every hotspot is reachable by links."""
    window = timedelta(hours=firms.LINK_HOURS)
    neighbours = {i: set() for i in range(len(raw_rows))}
    for i, j, km in _close_pairs(raw_rows):
        if km <= _link_km(raw_rows[i], raw_rows[j]) + 1e-6 and abs(_time(raw_rows[i]) - _time(raw_rows[j])) <= window:
            neighbours[i].add(j)
            neighbours[j].add(i)
    for fire in fires:
        members = {h.row for h in fire}
        reached, todo = {fire[0].row}, [fire[0].row]
        while todo:
            for j in neighbours[todo.pop()] - reached:
                reached.add(j)
                todo.append(j)
        assert reached == members


def test_clustering_2575_hotspots_takes_well_under_a_second():
    _, hotspots, _ = firms.read_hotspots(sample(SAMPLE))
    started = time.perf_counter()
    firms.clusters(hotspots)
    assert time.perf_counter() - started < 1.0  # measured about 0.03 s


def _inside(point, ring) -> bool:
    x, y = point
    crossings = 0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            crossings += 1
    return crossings % 2 == 1


def test_mullen_fire(events, fires):
    fire = events[MULLEN]
    assert fire.headline == "Active fire: 437 hotspots, max FRP 15155 MW, near 41.07,-106.34"
    assert (fire.severity, fire.certainty, fire.raw_level) == ("extreme", "observed", "confidence 100")
    assert fire.occurred_at == datetime(2020, 9, 30, 4, 10, tzinfo=UTC)  # earliest overpass
    assert fire.sent_at == datetime(2020, 10, 1, 20, 10, tzinfo=UTC)  # latest overpass
    assert fire.version == "437@2020-10-01T2010Z"
    assert (fire.lat, fire.lon) == (41.0683, -106.33547)  # centroid of the 437 hotspots
    assert (fire.category, fire.msg_type, fire.sender, fire.event) == (
        "fire", "alert", "NASA FIRMS", "Active fire (satellite hotspots)")
    assert fire.description.splitlines()[:3] == [
        "437 hotspots seen by MODIS (Aqua, Terra) from 2020-09-30 04:10 to 2020-10-01 20:10 UTC",
        "Strongest overpass 98874.6 MW; largest overpass 75 pixels",
        "Max pixel fire radiative power 15154.8 MW"]
    assert fire.area["type"] == "Polygon"
    ring = fire.area["coordinates"][0]
    assert ring[0] == ring[-1] and [-106.46439, 41.01796] in ring  # a pixel corner, [lon, lat]
    (members,) = [f for f in fires if len(f) == 437]
    assert all(_inside((h.lon, h.lat), ring) for h in members)


def test_a_single_hotspot_is_a_small_square(events):
    fire = events["firms:modis:2020-09-30T0405Z:30.94,-88.02"]  # the file's first row: 30.943,-88.017 Terra
    assert fire.headline == "Active fire: 1 hotspot, max FRP 8 MW, near 30.94,-88.02"
    assert (fire.lat, fire.lon) == (30.943, -88.017)
    assert (fire.severity, fire.certainty, fire.raw_level) == ("minor", "likely", "confidence 54")
    assert fire.occurred_at == fire.sent_at == datetime(2020, 9, 30, 4, 5, tzinfo=UTC)
    ring = fire.area["coordinates"][0]
    assert len(ring) == 5 and _inside((-88.017, 30.943), ring)  # the 1 x 1 km pixel footprint


def test_severity_bands(events):
    assert Counter(e.severity for e in events.values()) == {"minor": 385, "moderate": 82, "severe": 16, "extreme": 2}
    glass = events[GLASS]
    assert glass.headline == "Active fire: 112 hotspots, max FRP 1042 MW, near 38.63,-122.54"
    assert glass.severity == "severe"


def _without(predicate) -> bytes:
    lines = sample(SAMPLE).decode().splitlines()
    return "\n".join([lines[0]] + [line for line in lines[1:] if not predicate(line)]).encode()


def test_ids_are_stable_across_polls(events):
    lines = sample(SAMPLE).decode().splitlines()
    body = lines[1:]
    random.Random(7).shuffle(body)
    shuffled = {(e.external_id, e.version) for e in firms.parse("\n".join([lines[0], *body]).encode())}
    assert shuffled == {(e.external_id, e.version) for e in events.values()}

    # The poll before the last overpasses: the same fires keep their ids, only versions move.
    earlier = {e.external_id: e for e in firms.parse(_without(lambda line: ",2020-10-01,21" in line))}
    assert earlier[MULLEN].version == "437@2020-10-01T2010Z"
    assert earlier[GLASS].version == "103@2020-10-01T1830Z"  # 9 fewer hotspots, an earlier latest overpass

    # When the earliest overpass ages out of the 24 h window, the fire's id moves to its next earliest hotspot.
    later = {e.external_id for e in firms.parse(_without(lambda line: ",2020-09-30,04" in line))}
    assert MULLEN not in later and GLASS in later


def test_viirs_constructed_rows():
    payload = _csv(VIIRS_HEADER,
                   "-17.201,126.401,340.1,0.39,0.36,2024-01-15,0412,N,VIIRS,h,2.0NRT,295.2,45.6,D",
                   "-17.205,126.412,352.8,0.39,0.36,2024-01-15,0412,N,VIIRS,n,2.0NRT,298.1,88.2,D",
                   "-17.198,126.398,331.4,0.40,0.37,2024-01-15,1630,1,VIIRS,l,2.0NRT,292.7,31.9,N",
                   "-16.500,126.900,310.0,0.45,0.39,2024-01-15,1630,1,VIIRS,l,2.0NRT,290.0,2.1,N",
                   "-16.400,abc,310.0,0.45,0.39,2024-01-15,1630,1,VIIRS,l,2.0NRT,290.0,2.1,N")
    events, skipped = firms.parse_report(payload)
    assert skipped == [(4, "line 6: longitude: 'abc' is not a number")]
    fire, spark = events
    assert fire.external_id == "firms:viirs:2024-01-15T0412Z:-17.20,126.41"
    assert fire.headline == "Active fire: 3 hotspots, max FRP 88 MW, near -17.20,126.40"
    assert (fire.certainty, fire.raw_level, fire.severity) == ("observed", "confidence h", "moderate")  # 134 MW
    assert fire.description.splitlines()[0] == (
        "3 hotspots seen by VIIRS (NOAA-20, Suomi NPP) from 2024-01-15 04:12 to 2024-01-15 16:30 UTC")
    assert -17.21 < fire.lat < -17.19 and 126.39 < fire.lon < 126.42  # southern hemisphere, east: signs kept
    assert (spark.certainty, spark.raw_level, spark.severity) == ("possible", "confidence l", "minor")
    assert spark.occurred_at == datetime(2024, 1, 15, 16, 30, tzinfo=UTC)


def test_the_time_window_splits_a_fire_seen_again_days_later():
    day_one, next_day, days_later = "2020-09-30,1925", "2020-10-01,1800", "2020-10-03,1925"
    assert len(firms.parse(_csv(MODIS_HEADER, _modis(40.0, -120.0, day_one), _modis(40.0, -120.0, next_day)))) == 1
    assert len(firms.parse(_csv(MODIS_HEADER, _modis(40.0, -120.0, day_one), _modis(40.0, -120.0, days_later)))) == 2


def test_off_nadir_pixels_that_touch_are_one_fire():
    four_km_east = -120.0 + 4.0 / (111.32 * math.cos(math.radians(40.0)))
    nadir = _csv(MODIS_HEADER, _modis(40.0, -120.0), _modis(40.0, round(four_km_east, 4)))
    edge = _csv(MODIS_HEADER, _modis(40.0, -120.0, scan="4.5", track="2.0"),
                _modis(40.0, round(four_km_east, 4), scan="4.5", track="2.0"))
    assert len(firms.parse(nadir)) == 2  # 1 km pixels 4 km apart: two fires
    assert len(firms.parse(edge)) == 1  # 4.5 km pixels 4 km apart overlap: one fire


def test_a_fire_across_the_180th_meridian():
    (fire,) = firms.parse(_csv(MODIS_HEADER, _modis(65.0, 179.999), _modis(65.0, -179.999)))
    assert abs(fire.lon) > 179.99 and fire.lat == pytest.approx(65.0)
    assert fire.area["type"] == "MultiPoint"
    assert fire.guessed == ("the fire straddles the 180th meridian; area is its hotspots, not a hull",)


def test_unpadded_acq_time_is_hhmm():
    (fire,) = firms.parse(_csv(MODIS_HEADER, _modis(40.0, -120.0, "2020-09-30,5")))
    assert fire.occurred_at == datetime(2020, 9, 30, 0, 5, tzinfo=UTC)


def test_bad_rows_are_skipped_with_the_reason():
    payload = _csv(MODIS_HEADER, _modis(40.0, -120.0), _modis(95.0, -120.0), _modis(40.0, -120.0, "2020-09-30,2460"),
                   _modis(40.0, -120.0, frp="lots"), _modis(40.0, -120.0, "30/09/2020,1925"), "40.0")
    events, skipped = firms.parse_report(payload)
    assert len(events) == 1
    assert skipped == [
        (1, "line 3: latitude/longitude 95,-120 is off the globe"),
        (2, "line 4: acq_date/acq_time: '2020-09-30' '2460' is not a UTC date and HHMM"),
        (3, "line 5: frp: 'lots' is not a number"),
        (4, "line 6: acq_date/acq_time: '30/09/2020' '1925' is not a UTC date and HHMM"),
        (5, "line 7: longitude: missing"),
    ]


def test_a_header_alone_is_no_fires():
    assert firms.parse(_csv(VIIRS_HEADER)) == []


def test_a_crafted_dense_file_is_refused(monkeypatch):
    monkeypatch.setattr(firms, "MAX_LINK_WORK", 1000)
    rows = [_modis(40.0 + i * 0.0002, -120.0) for i in range(400)]  # a 9 km line of points 22 m apart
    with pytest.raises(PayloadRefused, match="too dense to cluster"):
        firms.parse(_csv(MODIS_HEADER, *rows))


@pytest.mark.parametrize(("payload", "reason"), [
    (b"", "payload is empty"),
    (b"\xff\xfe\x00\x01", "not UTF-8"),
    (b"Invalid MAP_KEY.", "not a FIRMS active-fire CSV \\(first line 'Invalid MAP_KEY.'\\)"),
    (b"latitude,longitude,acq_date,acq_time\n1,2,2020-01-01,0000\n", "not a FIRMS active-fire CSV"),
    (sample("usgs_all_day_2018-09-16.geojson"), "not a FIRMS active-fire CSV"),
    (_csv(MODIS_HEADER, "x,y", "1,2,3"), "none of the 2 rows is a readable hotspot; row 0: line 2: latitude"),
])
def test_refused_payloads(payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        firms.parse(payload)


def test_detect_only_firms():
    assert firms.detect(sample(SAMPLE)) and firms.detect(_csv(VIIRS_HEADER))
    others = [p.name for p in Path(SAMPLES_DIR).iterdir() if p.name != SAMPLE and firms.detect(p.read_bytes())]
    assert others == []
