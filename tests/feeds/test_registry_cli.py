"""The adapter registry, format detection, and ``python -m feeds parse``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from feed_samples import SAMPLES_DIR, sample

from feeds.adapters import registry
from feeds.event import FeedEvent

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_FORMATS = {  # every corpus payload that holds events: (adapter, events)
    "bom_au_severe_thunderstorm_warning_2019-01-16.cap": ("cap", 1),
    "gdacs_multi_hazard_rss_2019-12-30.xml": ("georss", 4),
    "geonet_nz_quake_deleted_2019.geojson": ("geonet", 1),
    "geonet_nz_quakes_mmi4_2019.geojson": ("geonet", 88),
    "ign_spain_sismologia_2019-03.xml": ("georss", 25),
    "imo_iceland_wind_warning_is_en_2021-09-10.cap": ("cap", 2),
    "ingv_italy_quakeml_2022-03-01.xml": ("quakeml", 1),
    "ipaws_athoc_cancel_no_info_2016-02-25.cap": ("cap", 1),
    "krisinformation_se_cap_atom_swapped_circle_2018-11-21.xml": ("georss", 4),
    "krisinformation_se_vma_nonstandard_area_2018-11-21.cap": ("cap", 1),
    "naad_pelmorex_cap_atom_invalid_utf8_2014-05-10.xml": ("georss", 1),
    "nasa_firms_modis_usa_24h_2020-09-30.csv": ("firms", 485),
    "nina_bbk_mapdata_warnings_corona.json": ("nina", 2),
    "nina_bbk_warning_details_corona_avian_flu.json": ("nina", 3),
    "nrcan_canada_earthquakes_fr_2018-10.xml": ("georss", 5),
    "nsw_rfs_edxlde_incidents_2011-10.xml": ("edxl_de", 7),
    "nsw_rfs_major_incidents_2018-09.geojson": ("nsw_rfs", 49),
    "nws_api_flood_watch_update_no_geometry_2019-12-20.json": ("nws_api", 1),
    "nws_flash_flood_watch_montana_2010-08-30.cap": ("cap", 1),
    "nws_hurricane_laura_warning_update_multipolygon_2020-08-26.cap": ("cap", 1),
    "nws_oregon_cap_atom_index_2014-05-09.xml": ("georss", 1),
    "nws_wcatwc_tsunami_warning_update_2011-09-02.cap": ("cap", 1),
    "pagasa_ph_tropical_cyclone_TEST_2014-11-03.cap": ("cap", 1),
    "polisen_se_events_2025-06-07.json": ("polisen", 500),
    "qld_qfes_bushfire_alerts_2018-09.xml": ("georss", 27),
    "qweather_cn_alert_v1_huidong_rainstorm_downgrade_2025-09-17.json": ("qweather", 2),
    "qweather_cn_warning_now_shanghai_gale_blue_2023-04-03.json": ("qweather", 1),
    "seattle_spd_call_data_sector_c3_2018-2023.csv": ("seattle_cad", 222),
    "usgs_all_day_2018-09-16.geojson": ("usgs_quake", 188),
    "usgs_earthquake_iso-8859-1_2012-10-14.cap": ("cap", 1),
    "usgs_m45_week_atom_2014-05-10.xml": ("georss", 1),
    "usgs_nwis_iv_choptank_seneca_2019-02-14.json": ("nwis", 3),
    "usgs_waterdata_ogcapi_bundle_2026-08-07.json": ("waterdata_ogc", 2),
    "wa_dfes_incidents_2018-08.xml": ("georss", 50),
    "wa_dfes_warnings_2018-09.xml": ("georss", 3),
    "wra_taiwan_reservoir_discharge_2014-05-14.cap": ("cap", 1),
}
REFUSED = {  # hostile or not a feed of events: the one-line reason the CLI gives
    "SECURITY_xxe_attack_on_nws_thunderstorm.cap": "refused a document with a DTD or entities",
    "usgs_nwis_site_maryland_2020-02-14.rdb": "cannot detect the format",  # station metadata: feeds/adapters/usgs_rdb.py
}
CORPUS = next((p for p in (ROOT.parent / "shared" / "corpus", Path("/work/shared/corpus")) if p.is_dir()), None)


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feeds", *args], cwd=ROOT, input=stdin,
                          capture_output=True, timeout=60)


def test_registry_table_and_module_constants():
    assert len(registry.ADAPTERS) == 16
    for name, adapter in registry.ADAPTERS.items():
        if name == "cad":  # reads only through a mapping: see test_cad.py
            continue
        assert adapter.SOURCE == name
        assert adapter.TITLE and adapter.FORMAT
        assert isinstance(adapter.DEFAULT_POLL_SECONDS, int) and adapter.DEFAULT_POLL_SECONDS >= 30
        assert (SAMPLES_DIR / adapter.EXAMPLE).is_file()
        assert adapter.detect(sample(adapter.EXAMPLE))
        events = adapter.parse(sample(adapter.EXAMPLE))
        assert events and all(isinstance(e, FeedEvent) and e.source == name for e in events)


def test_every_corpus_payload_is_a_sample_and_accounted_for():
    if CORPUS is None:
        pytest.skip("the shared corpus is not beside the project here")
    originals = {p.name: p for p in CORPUS.glob("*/*") if p.name != "SOURCES.md"}
    assert len(originals) == 38
    assert set(originals) == set(SAMPLE_FORMATS) | set(REFUSED)
    for name, original in originals.items():
        assert original.read_bytes() == sample(name), name


@pytest.mark.parametrize(("name", "reason"), REFUSED.items())
def test_the_cli_refuses_hostile_and_non_feed_files_with_a_reason(name, reason):
    result = _run("parse", str(SAMPLES_DIR / name))
    assert result.returncode == 1 and result.stdout == b""
    assert reason in result.stderr.decode() and result.stderr.decode().count("\n") == 1


def test_get_adapter():
    assert registry.get_adapter("nsw_rfs") is registry.ADAPTERS["nsw_rfs"]
    with pytest.raises(registry.UnknownFormat) as unknown:
        registry.get_adapter("telex")
    assert isinstance(unknown.value, ValueError)
    assert str(unknown.value).startswith("unknown feed format 'telex'; valid formats: cad, cap, edxl_de, firms,")


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
    skipped = result.stderr.decode().splitlines()
    assert skipped == ([] if name != "nrcan_canada_earthquakes_fr_2018-10.xml" else
                       [line for line in skipped if line.startswith("skipped item") and "news item" in line])
    assert len(skipped) == (1 if name.startswith("nrcan") else 0)


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
    assert "give --format (cad, cap, edxl_de, firms, geonet, georss, nina," in result.stderr.decode()


@pytest.mark.parametrize("args", [
    (), ("parse",), ("parse", "no-such-file.json"), ("frobnicate", "x"),
    ("parse", str(SAMPLES_DIR / "geonet_nz_quake_deleted_2019.geojson"), "--format", "telex"),
    ("parse", str(SAMPLES_DIR / "geonet_nz_quake_deleted_2019.geojson"), "--source", "Bad Name"),
])
def test_cli_bad_usage_exits_2(args):
    result = _run(*args)
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.startswith(b"usage:")
