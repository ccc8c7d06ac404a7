"""The operator console's map shell: offline base layer, optional tiles, an empty live incident layer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import MacroElement
from folium import JsCode
from folium.plugins import MarkerCluster, Realtime
from folium.template import Template

from maps.assets import use_local_assets

DATA_DIR = Path(__file__).parent / "data"  # served by the web layer at /maps/<file>

SEVERITY_COLOURS = {  # red / orange / yellow / blue / grey, worst first
    "extreme": "#d32f2f",
    "severe": "#f57c00",
    "moderate": "#fbc02d",
    "minor": "#1976d2",
    "unknown": "#757575",
}
DRILL_LABEL = "EXERCISE / 演练"
SEA_COLOUR = "#cfe0ec"
MIN_ZOOM, MAX_ZOOM = 2, 18
LAND_STYLE = {"color": "#b3aa99", "weight": 0.7, "fillColor": "#f6f3ec", "fillOpacity": 1}

_MARKERS_JS = (Path(__file__).parent / "markers.js").read_text(encoding="utf-8")


@dataclass(frozen=True)
class ConsoleMap:
    """Rendered pieces of the console map, for a template to place."""

    header: str  # <script>/<link>/<style> tags for <head>
    body: str  # the map <div>
    script: str  # a <script> that builds the map; place it after the div, before app JS
    map_name: str  # global JS variable of the L.map
    realtime_name: str  # global JS variable of the leaflet-realtime layer


class _OfflineBaseLayer(MacroElement):
    """World outlines fetched at page time, drawn in a pane below any tile layer."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function (map) {
                // Tiles live in tilePane (z-index 200); the outlines sit under them so a
                // configured tile server covers them and a missing tile shows them through.
                map.createPane("vigilBase").style.zIndex = 150;
                fetch({{ this.url|tojson }})
                    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
                    .then(function (data) {
                        L.geoJSON(data, {pane: "vigilBase", interactive: false, attribution: "Natural Earth",
                                         style: {{ this.style|tojson }}}).addTo(map);
                    })
                    .catch(function (e) { console.warn("Vigil base layer not loaded:", e); });
            })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, url: str, style: dict, css: str):
        super().__init__()
        self._name = "OfflineBaseLayer"
        self._id = "vigil"
        self.url, self.style, self.css = url, style, css


class _MarkerKit(MacroElement):
    """Defines the global `vigil_markers` (icons, popups, cluster icons) used by the live layer."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var vigil_markers = (function () {
                {{ this.js }}
                return vigilMarkerKit({{ this.cfg|tojson }});
            })();
        {% endmacro %}
    """)

    def __init__(self, cfg: dict):
        super().__init__()
        self._name = "MarkerKit"
        self._id = "vigil"
        self.js, self.cfg = _MARKERS_JS, cfg


def build_console_map(
    static_url: str = "/static",
    base_layer_url: str = "/maps/world_110m.geojson",
    tile_url: str = "",
    tile_attribution: str = "",
    center: tuple[float, float] = (35.0, 105.0),
    zoom: int = 4,
) -> ConsoleMap:
    """Build the console map shell; incidents are pushed later with `<realtime_name>.update(geojson)`."""
    use_local_assets(static_url)
    m = folium.Map(location=list(center), zoom_start=zoom, tiles=None, width="100%", height="100%")
    m._id = "vigil"  # stable global name `map_vigil`, instead of a fresh uuid per build
    # With no tile layer Leaflet has no zoom range, and markercluster throws without a maxZoom.
    m.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)

    _OfflineBaseLayer(base_layer_url, LAND_STYLE, _css(m.get_name())).add_to(m)
    if tile_url:
        if not tile_attribution:
            raise ValueError("a tile URL needs its attribution (TILE_ATTRIBUTION): tile licences require it")
        tiles = folium.TileLayer(tile_url, attr=tile_attribution)
        tiles._id = "vigil"
        tiles.add_to(m)

    _MarkerKit({"severities": list(SEVERITY_COLOURS), "drillLabel": DRILL_LABEL}).add_to(m)
    cluster = MarkerCluster(icon_create_function="vigil_markers.clusterIcon")
    cluster._id = "vigil"
    cluster.add_to(m)
    # Push mode: no source, no timer; the page calls update()/remove() with features.
    realtime = Realtime(
        JsCode("function(success, error){}"),
        start=False,
        container=cluster,
        get_feature_id=JsCode("function(f){return f.id;}"),
        update_feature=JsCode("vigil_markers.updateFeature"),
        point_to_layer=JsCode("vigil_markers.pointToLayer"),
    )
    realtime._id = "vigil"
    realtime.add_to(m)

    root = m.get_root()
    root.render()
    return ConsoleMap(
        header=root.header.render(),
        body=root.html.render(),
        script=f"<script>\n{root.script.render()}\n</script>",
        map_name=m.get_name(),
        realtime_name=realtime.get_name(),
    )


def _css(map_name: str) -> str:
    """Return the map's own CSS: sea colour, severity dots, exercise ring, cluster and popup styles."""
    rules = [
        f"#{map_name}.leaflet-container {{ background: {SEA_COLOUR}; }}",
        ".vigil-marker { border-radius: 50%; border: 2px solid #fff; box-sizing: border-box;"
        " box-shadow: 0 0 0 1px rgba(0,0,0,.45), 0 1px 3px rgba(0,0,0,.35); }",
        # Exercises must never pass for real incidents at a glance: a dashed ring around the dot.
        ".vigil-marker.vigil-drill::after { content: ''; position: absolute; inset: -6px;"
        " border: 2px dashed #212121; border-radius: 50%; }",
        ".vigil-cluster { border-radius: 50%; border: 3px solid rgba(255,255,255,.85); box-sizing: border-box;"
        " box-shadow: 0 1px 4px rgba(0,0,0,.4); color: #fff; font: bold 12px/26px sans-serif; text-align: center; }",
        ".vigil-cluster.vigil-sev-moderate { color: #212121; }",  # white text is unreadable on yellow
        ".vigil-popup { min-width: 180px; }",
        ".vigil-popup-headline { font-weight: 600; margin-bottom: 4px; }",
        ".vigil-popup-drill { color: #b71c1c; font-weight: 700; letter-spacing: .05em; margin-bottom: 4px; }",
        ".vigil-popup-severity { display: inline-block; padding: 0 6px; border-radius: 3px; color: #fff; }",
        ".vigil-popup-severity.vigil-sev-moderate { color: #212121; }",
        ".vigil-popup-meta { color: #616161; margin-top: 4px; }",
    ]
    rules += [f".vigil-sev-{name} {{ background: {colour}; }}" for name, colour in SEVERITY_COLOURS.items()]
    return "\n".join(rules)
