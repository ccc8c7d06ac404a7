"""The console map renders with local assets only, stable JS names and the offline base layer."""

import json
import re
import subprocess
import sys
from pathlib import Path

import folium
import pytest
from jinja2.utils import htmlsafe_json_dumps

from folium.plugins import HeatMap

from feeds.event import CATEGORIES
from maps.assets import LEAFLET_HEAT_JS, use_local_assets
from maps.console_map import (CATEGORY_KINDS, DATA_DIR, DEFAULT_KIND, FLOOD_CATEGORIES, KINDS, SEVERITY_COLOURS,
                              build_console_map)

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "web" / "static"
TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"


def _page(console_map) -> str:
    return console_map.header + console_map.body + console_map.script


def _static_paths(text: str, static_url: str) -> set[str]:
    """Every src/href under static_url, relative to it."""
    prefix = re.escape(static_url.rstrip("/") + "/")
    return set(re.findall(rf'(?:src|href)="{prefix}([^"]+)"', text))


def test_no_external_url_without_tiles():
    page = _page(build_console_map())
    assert re.findall(r"https?://", page) == []


def test_every_static_path_exists():
    page = _page(build_console_map())
    paths = _static_paths(page, "/static")
    assert {"vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css",
            "vendor/leaflet.markercluster/leaflet.markercluster.js",
            "vendor/leaflet-realtime/leaflet-realtime.js", LEAFLET_HEAT_JS} <= paths
    assert set(re.findall(r'"(/static/[^"]+)"', page)) == {f"/static/{p}" for p in paths}
    for path in paths:
        assert (STATIC_DIR / path).is_file(), path


def test_custom_static_url():
    page = _page(build_console_map(static_url="/vigil/static/"))
    paths = _static_paths(page, "/vigil/static")
    assert paths
    assert not re.search(r'(?:src|href)="/static/', page)
    for path in paths:
        assert (STATIC_DIR / path).is_file(), path


def test_unused_folium_assets_are_dropped():
    page = _page(build_console_map()).lower()
    for name in ("jquery", "bootstrap", "awesome", "fontawesome", "glyphicons"):
        assert name not in page


def test_use_local_assets_is_idempotent():
    use_local_assets("/static")
    first = (list(folium.Map.default_js), list(folium.Map.default_css))
    use_local_assets("/static")
    assert (folium.Map.default_js, folium.Map.default_css) == first


def test_tile_layer_only_when_configured():
    assert "L.tileLayer" not in build_console_map().script
    tiled = build_console_map(tile_url=TILE_URL, tile_attribution="Example tiles")
    assert "L.tileLayer" in tiled.script
    assert TILE_URL in tiled.script
    assert "Example tiles" in tiled.script


def test_tile_url_needs_attribution():
    with pytest.raises(ValueError, match="attribution"):
        build_console_map(tile_url=TILE_URL)


def test_stable_js_globals():
    console_map = build_console_map()
    assert (console_map.map_name, console_map.realtime_name) == ("map_vigil", "realtime_vigil")
    assert f"var {console_map.map_name} = L.map(" in console_map.script
    assert f"var {console_map.realtime_name} = L.realtime(" in console_map.script
    assert f'id="{console_map.map_name}"' in console_map.body
    # A complete tag, so a template can place it after the div and its own scripts after it.
    assert console_map.script.lstrip().startswith("<script>")
    assert console_map.script.rstrip().endswith("</script>")


def test_base_layer_fetched_by_url():
    console_map = build_console_map(base_layer_url="/maps/world_110m.geojson")
    assert 'fetch("/maps/world_110m.geojson")' in console_map.script
    assert "Natural Earth" in console_map.script
    assert len(_page(console_map)) < 50_000  # the outlines are fetched, not embedded


def test_severity_styles_in_header():
    header = build_console_map().header
    for name, colour in SEVERITY_COLOURS.items():
        assert f".vigil-sev-{name} {{ background: {colour}; }}" in header
    assert ".vigil-drill" in header


def test_popup_text_never_becomes_html():
    script = build_console_map().script
    assert "textContent" in script
    assert "innerHTML" not in script


def test_world_base_layer_data():
    path = DATA_DIR / "world_110m.geojson"
    assert path.stat().st_size < 1_000_000
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) > 150
    assert {f["geometry"]["type"] for f in data["features"]} <= {"Polygon", "MultiPolygon"}
    assert (DATA_DIR / "README.md").is_file()


@pytest.mark.parametrize("package", ["leaflet", "leaflet.markercluster", "leaflet-realtime", "leaflet.heat",
                                     "socket.io"])
def test_vendored_packages_carry_licence(package):
    assert (STATIC_DIR / "vendor" / package / "LICENSE").is_file()


def test_maps_does_not_import_flask():
    code = "import sys, maps.console_map; assert not any(m.split('.')[0] == 'flask' for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_no_external_url_with_the_overlays():
    console_map = build_console_map()
    page = _page(console_map)
    assert "vigilLayerKit" in console_map.script  # the overlays are part of this page
    assert re.findall(r"https?://|//cdn|jsdelivr|cdnjs", page) == []
    assert "xmlns" not in page  # inline SVG glyphs carry no namespace URL


def test_heat_asset_is_local():
    page = _page(build_console_map(static_url="/vigil/static"))
    assert f'<script src="/vigil/static/{LEAFLET_HEAT_JS}"></script>' in page
    assert (STATIC_DIR / LEAFLET_HEAT_JS).is_file()
    assert page.count("leaflet-heat.js") == 1
    # folium's own HeatMap, should anyone use it, is pointed at the same vendored file.
    assert HeatMap.default_js == [("leaflet-heat.js", f"/vigil/static/{LEAFLET_HEAT_JS}")]


def test_cluster_loads_in_chunks():
    script = build_console_map().script
    assert '"chunkedLoading": true' in script
    assert '"removeOutsideVisibleBounds": true' in script


def test_every_category_has_a_kind_with_a_glyph():
    assert set(CATEGORY_KINDS) <= set(CATEGORIES)
    assert set(CATEGORY_KINDS.values()) | {DEFAULT_KIND, "flood"} <= set(KINDS)
    assert set(FLOOD_CATEGORIES) <= set(CATEGORIES)
    script = build_console_map().script
    for name, (label, svg) in KINDS.items():
        assert htmlsafe_json_dumps(label) in script
        assert htmlsafe_json_dumps(svg)[1:-1] in script, name  # as the template's |tojson writes it


def test_layer_script_never_writes_html_from_feeds():
    script = build_console_map().script
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script
