"""Shared pieces of the fuzz tests: settings, the real payloads they start from, mutations, and the one check.

Every fuzz case ends in ``assert_clean_refusal``: whatever the bytes, an adapter
returns valid events or raises PayloadRefused with a reason, nothing else.
"""

from __future__ import annotations

import copy
from datetime import timedelta

from feed_samples import sample
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from feeds.adapters import cad
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.registry import ADAPTERS
from feeds.event import TIME_FIELDS, FeedEvent

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The generic CAD adapter needs a mapping. It is fuzzed through example_110; its other shipped mappings
# are fuzzed through their own adapters (seattle_spd as seattle_cad, polisen as polisen).
OPTIONS = {"cad": {"mapping": cad.load_mapping("example_110")}}
# Real payloads (files in feeds/samples/) the mutation cases start from, by adapter.
SAMPLES = [
    ("usgs_quake", "usgs_all_day_2018-09-16.geojson"),
    ("geonet", "geonet_nz_quakes_mmi4_2019.geojson"),
    ("geonet", "geonet_nz_quake_deleted_2019.geojson"),
    ("qweather", "qweather_cn_warning_now_shanghai_gale_blue_2023-04-03.json"),
    ("qweather", "qweather_cn_alert_v1_huidong_rainstorm_downgrade_2025-09-17.json"),
    ("nsw_rfs", "nsw_rfs_major_incidents_2018-09.geojson"),
    ("polisen", "polisen_se_events_2025-06-07.json"),
    ("nwis", "usgs_nwis_iv_choptank_seneca_2019-02-14.json"),
    ("waterdata_ogc", "usgs_waterdata_ogcapi_bundle_2026-08-07.json"),
    ("seattle_cad", "seattle_spd_call_data_sector_c3_2018-2023.csv"),
    ("quakeml", "ingv_italy_quakeml_2022-03-01.xml"),
    ("nws_api", "nws_api_flood_watch_update_no_geometry_2019-12-20.json"),
    ("nina", "nina_bbk_mapdata_warnings_corona.json"),
    ("nina", "nina_bbk_warning_details_corona_avian_flu.json"),
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
    ("georss", "gdacs_multi_hazard_rss_2019-12-30.xml"),
    ("georss", "krisinformation_se_cap_atom_swapped_circle_2018-11-21.xml"),
    ("georss", "naad_pelmorex_cap_atom_invalid_utf8_2014-05-10.xml"),
    ("georss", "nws_oregon_cap_atom_index_2014-05-09.xml"),
    ("georss", "usgs_m45_week_atom_2014-05-10.xml"),
    ("georss", "qld_qfes_bushfire_alerts_2018-09.xml"),
    ("georss", "wa_dfes_incidents_2018-08.xml"),
    ("georss", "wa_dfes_warnings_2018-09.xml"),
    ("georss", "ign_spain_sismologia_2019-03.xml"),
    ("georss", "nrcan_canada_earthquakes_fr_2018-10.xml"),
]
# The FIRMS file is 2575 rows; its first 300 (real rows, an excerpt) keep a hundred examples quick.
FIRMS_EXCERPT = b"\n".join(sample("nasa_firms_modis_usa_24h_2020-09-30.csv").split(b"\n")[:301]) + b"\n"
DELETE = object()


def parse(name: str, payload: bytes) -> list[FeedEvent]:
    """Return the events of the adapter registered as ``name``, with the options it is fuzzed with."""
    return ADAPTERS[name].parse(payload, **OPTIONS.get(name, {}))


def assert_clean_refusal(name: str, payload: bytes) -> None:
    """Assert the adapter returns only valid events (UTC times, on the globe) or refuses with a reason."""
    try:
        events = parse(name, payload)
    except PayloadRefused as refused:
        assert refused.reason
        return
    for event in events:
        assert isinstance(event, FeedEvent) and event.source == ADAPTERS[name].SOURCE
        for field in TIME_FIELDS:
            moment = getattr(event, field)
            assert moment is None or moment.utcoffset() == timedelta(0)
        assert event.lat is None or (-90 <= event.lat <= 90 and -180 <= event.lon <= 180)


def json_values(keys: list[str], words: list[str]) -> st.SearchStrategy:
    """Return a strategy for small JSON documents built of feed keys, feed words and any scalars."""
    leaves = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
              | st.text(max_size=30) | st.sampled_from(words))
    return st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), inner, max_size=5),
                        max_leaves=12)


def mutated_bytes(data: st.DataObject, payload: bytes) -> bytes:
    """Return the payload with 1 to 8 bytes replaced, deleted or inserted."""
    payload = bytearray(payload)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(payload) - 1))
        edit = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        if edit == "replace":
            payload[at] = data.draw(st.integers(0, 255))
        elif edit == "delete":
            del payload[at]
        else:
            payload[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    return bytes(payload)


def paths(node, prefix=()):
    """Yield the path (a tuple of keys and indices) of every node of a JSON document, the root first."""
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from paths(child, (*prefix, key))


def value_at(document, path):
    """Return the node of a JSON document at ``path``."""
    for key in path:
        document = document[key]
    return document


def replaced(document, path, value):
    """Return a copy of the document with the node at ``path`` set to ``value`` (or removed, for DELETE)."""
    if not path:
        return value
    document = copy.deepcopy(document)
    parent = value_at(document, path[:-1])
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document


def mutated_document(data: st.DataObject, document, document_paths: list, values: st.SearchStrategy):
    """Return a copy of the document with 1 to 4 of its nodes replaced by drawn ``values`` or removed."""
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(document_paths))
        value = data.draw(values | st.just(DELETE) if path else values)
        try:
            document = replaced(document, path, value)
        except (KeyError, IndexError, TypeError):  # an earlier edit removed this path
            continue
    return document
