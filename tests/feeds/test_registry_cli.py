"""The adapter registry, format detection, and ``python -m feeds parse``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from feed_samples import SAMPLES_DIR, sample

from feeds import registry
from feeds.event import FeedEvent

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_FORMATS = {
    "usgs_all_day_2018-09-16.geojson": ("usgs_quake", 188),
    "geonet_nz_quakes_mmi4_2019.geojson": ("geonet", 88),
    "geonet_nz_quake_deleted_2019.geojson": ("geonet", 1),
    "qweather_cn_warning_now_shanghai_gale_blue_2023-04-03.json": ("qweather", 1),
    "qweather_cn_alert_v1_huidong_rainstorm_downgrade_2025-09-17.json": ("qweather", 2),
    "nsw_rfs_major_incidents_2018-09.geojson": ("nsw_rfs", 49),
}


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feeds", *args], cwd=ROOT, input=stdin,
                          capture_output=True, timeout=60)


def test_registry_table_and_module_constants():
    assert sorted(registry.ADAPTERS) == ["geonet", "nsw_rfs", "qweather", "usgs_quake"]
    for name, adapter in registry.ADAPTERS.items():
        assert adapter.SOURCE == name
        assert adapter.TITLE and adapter.FORMAT
        assert isinstance(adapter.DEFAULT_POLL_SECONDS, int) and adapter.DEFAULT_POLL_SECONDS >= 30
        assert (SAMPLES_DIR / adapter.EXAMPLE).is_file()
        assert adapter.detect(sample(adapter.EXAMPLE))
        events = adapter.parse(sample(adapter.EXAMPLE))
        assert events and all(isinstance(e, FeedEvent) and e.source == name for e in events)


def test_samples_are_byte_copies_of_the_corpus():
    corpus = Path("/work/shared/corpus")
    if not corpus.is_dir():
        pytest.skip("the shared corpus is not mounted here")
    for name in SAMPLE_FORMATS:
        (original,) = corpus.glob(f"*/{name}")
        assert original.read_bytes() == sample(name), name


def test_get_adapter():
    assert registry.get_adapter("nsw_rfs") is registry.ADAPTERS["nsw_rfs"]
    with pytest.raises(registry.UnknownFormat) as unknown:
        registry.get_adapter("cap")
    assert isinstance(unknown.value, ValueError)
    assert str(unknown.value) == "unknown feed format 'cap'; valid formats: geonet, nsw_rfs, qweather, usgs_quake"


@pytest.mark.parametrize(("name", "expected"), SAMPLE_FORMATS.items())
def test_detect_format_on_every_sample(name, expected):
    assert registry.detect_format(sample(name)) == expected[0]
    assert registry.detect_formats(sample(name)) == [expected[0]]


def test_detect_format_none():
    assert registry.detect_format(b"") is None
    assert registry.detect_format(b'{"type": "FeatureCollection", "features": []}') is None
    both = b'{"type": "FeatureCollection", "x": "earthquake.usgs.gov", "y": "rfs.nsw.gov.au"}'
    assert registry.detect_formats(both) == ["usgs_quake", "nsw_rfs"]
    assert registry.detect_format(both) is None  # ambiguous: never guess


@pytest.mark.parametrize(("name", "expected"), SAMPLE_FORMATS.items())
def test_cli_parses_every_sample_with_detection(name, expected):
    result = _run("parse", str(SAMPLES_DIR / name))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()
    assert len(lines) == expected[1]
    events = [FeedEvent.from_dict(json.loads(line), expected[0]) for line in lines]  # round-trips
    assert all(e.source == expected[0] for e in events)
    assert result.stderr == b""


def test_cli_output_fields():
    result = _run("parse", str(SAMPLES_DIR / "geonet_nz_quake_deleted_2019.geojson"), "--format", "geonet",
                  "--source", "nz-quakes")
    assert result.returncode == 0
    (event,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert event["source"] == "nz-quakes" and event["external_id"] == "2019p159004"
    assert event["msg_type"] == "cancel"
    assert event["occurred_at"] == "2019-02-28T19:55:40.786000+00:00"
    assert (event["lat"], event["lon"]) == (-38.07928467, 178.2567291)


def test_cli_prints_chinese_as_utf8():
    result = _run("parse", str(SAMPLES_DIR / "qweather_cn_warning_now_shanghai_gale_blue_2023-04-03.json"))
    assert json.loads(result.stdout)["headline"] == "上海中心气象台发布大风蓝色预警[Ⅳ级/一般]"
    assert "上海中心气象台".encode() in result.stdout


def test_cli_reads_stdin_and_reports_skipped_items():
    doc = json.loads(sample("geonet_nz_quake_deleted_2019.geojson"))
    doc["features"].insert(0, {"type": "Feature", "properties": {}, "geometry": None})
    result = _run("parse", "-", "--format", "geonet", stdin=json.dumps(doc).encode())
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr.decode() == "skipped item 0: geometry: a quake needs Point coordinates [lon, lat]\n"


def test_cli_refused_payload_exits_1(tmp_path):
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b'{"type": "FeatureCollection", "features": [{"type": "Feature"}')
    result = _run("parse", str(garbage), "--format", "usgs_quake")
    assert result.returncode == 1 and result.stdout == b""
    message = result.stderr.decode()
    assert message.startswith(f"refused {garbage}: not valid JSON") and message.count("\n") == 1


def test_cli_wrong_format_exits_1():
    result = _run("parse", str(SAMPLES_DIR / "qweather_cn_alert_v1_huidong_rainstorm_downgrade_2025-09-17.json"),
                  "--format", "nsw_rfs")
    assert result.returncode == 1
    assert b"not a GeoJSON FeatureCollection" in result.stderr


def test_cli_undetectable_exits_1(tmp_path):
    unknown = tmp_path / "unknown.json"
    unknown.write_bytes(b'{"hello": "world"}')
    result = _run("parse", str(unknown))
    assert result.returncode == 1
    assert result.stderr.decode().strip().endswith("give --format (geonet, nsw_rfs, qweather, usgs_quake)")


@pytest.mark.parametrize("args", [
    (), ("parse",), ("parse", "no-such-file.json"), ("frobnicate", "x"),
    ("parse", str(SAMPLES_DIR / "geonet_nz_quake_deleted_2019.geojson"), "--format", "cap"),
    ("parse", str(SAMPLES_DIR / "geonet_nz_quake_deleted_2019.geojson"), "--source", "Bad Name"),
])
def test_cli_bad_usage_exits_2(args):
    result = _run(*args)
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.startswith(b"usage:")
