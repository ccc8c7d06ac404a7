"""The operator console's map shell: offline base layer, optional tiles, an empty live incident layer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import MacroElement
from folium import JsCode
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster, Realtime
from folium.template import Template

from feeds.vocabulary import Severity, WarningLevel
from maps.assets import heat_js, use_local_assets

DATA_DIR = Path(__file__).parent / "data"  # served by the web layer at /maps/<file>

# The warning colour each severity stands for (feeds.vocabulary), worst first; unknown is grey.
WARNING_HEX = {WarningLevel.RED: "#d32f2f", WarningLevel.ORANGE: "#f57c00", WarningLevel.YELLOW: "#fbc02d",
               WarningLevel.BLUE: "#1976d2"}
SEVERITY_COLOURS = {severity.value: WARNING_HEX.get(severity.warning_level, "#757575") for severity in Severity}
DRILL_LABEL = "EXERCISE / 演练"

# Layer kinds, in the order of the layers control: kind -> (English label, SVG drawn in the marker).
# The page localizes the labels with window.VIGIL.strings.kinds[kind]. The glyphs are constants
# (white on the severity colour), so the marker needs no icon font.
_STROKE = 'fill="none" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"'
KINDS = {
    "quake": ("Earthquakes", f'<path {_STROKE} d="M1 8h3l2-5 3 10 2-7 1.5 2H15"/>'),
    "fire": ("Fires", '<path stroke="none" d="M8 1c.6 3 4.5 4.6 4.5 8.6a4.5 4.5 0 0 1-9 0c0-2 .9-3.4 2.2-4.4'
                      '-.1 1.7.5 2.9 1.6 3.2C6.8 6.3 6.6 3.6 8 1z"/>'),
    "weather": ("Weather", '<path stroke="none" d="M4.6 13.5a3.6 3.6 0 0 1-.5-7.2 4.6 4.6 0 0 1 8.8 1.1'
                           'A3.1 3.1 0 0 1 12.3 13.5z"/>'),
    "flood": ("Floods & water", f'<path {_STROKE} d="M1 6c2-2 3 2 5 0s3 2 5 0 3 2 4 0M1 11c2-2 3 2 5 0s3 2 5 0 3 2 4 0"/>'),
    "security": ("Security", '<path stroke="none" d="M8 1l6 2.4V8c0 3.4-2.5 6-6 7-3.5-1-6-3.6-6-7V3.4z"/>'),
    "rescue": ("Rescue", '<circle fill="none" stroke-width="3" cx="8" cy="8" r="5"/>'),
    "health": ("Health", '<path stroke="none" d="M6 2h4v4h4v4h-4v4H6v-4H2V6h4z"/>'),
    "other": ("Other", '<path stroke="none" d="M6.8 2h2.4l-.4 8H7.2zM6.8 11.6h2.4V14H6.8z"/>'),
}
DEFAULT_KIND = "other"
# CAP category (lower case, feeds.event.CATEGORIES) -> kind; the rest are "other".
CATEGORY_KINDS = {"geo": "quake", "fire": "fire", "met": "weather", "env": "flood", "infra": "flood",
                  "security": "security", "rescue": "rescue", "health": "health"}
# Water words in the event move an incident of these categories to "flood" (a flash-flood warning
# from a weather service, a river or reservoir alert filed as "other").
FLOOD_CATEGORIES = ("met", "safety", "transport", "other")
FLOOD_WORDS = r"flood|\briver|reservoir|\bdams?\b|levee|inundat|storm surge|水|洪|汛|涝|堤"
OVERLAY_LABELS = {"areas": "Areas", "heat": "Heat"}  # localized by window.VIGIL.strings.map_layers
# Heat weight per severity (worst 1.0 … minor 0.25).
HEAT_WEIGHTS = {"extreme": 1.0, "severe": 0.75, "moderate": 0.5, "minor": 0.25, "unknown": 0.25}
HEAT_INTERVAL_MS = 500  # the heat layer is rebuilt at most this often during live updates
BATCH_SIZE = 50  # a pushed collection this big goes to the cluster in one chunked addLayers()
SEA_COLOUR = "#cfe0ec"
MIN_ZOOM, MAX_ZOOM = 2, 18
LAND_STYLE = {"color": "#b3aa99", "weight": 0.7, "fillColor": "#f6f3ec", "fillOpacity": 1}

_MARKERS_JS = (Path(__file__).parent / "markers.js").read_text(encoding="utf-8")
_LAYERS_JS = (Path(__file__).parent / "layers.js").read_text(encoding="utf-8")


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


class _LayerKit(JSCSSMixin, MacroElement):
    """Defines the global `vigil_layers`: kind overlays, areas and heat in a layers control, and what the page
    asks of the map (which incidents to show, find one, which one was clicked).

    Placed after the live layer; it follows `realtime.update()`/`remove()` through the layer's
    "update" event. Loads the vendored leaflet.heat (never folium's CDN copy)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var vigil_layers = (function () {
                {{ this.js }}
                return vigilLayerKit({{ this.cfg|tojson }}, {{ this._parent.get_name() }},
                                     {{ this.realtime.get_name() }}, {{ this.cluster.get_name() }}, vigil_markers);
            })();
        {% endmacro %}
    """)

    def __init__(self, cfg: dict, realtime: Realtime, cluster: MarkerCluster, static_url: str):
        super().__init__()
        self._name = "LayerKit"
        self._id = "vigil"
        self.js, self.cfg, self.realtime, self.cluster = _LAYERS_JS, cfg, realtime, cluster
        self.default_js = heat_js(static_url)  # per instance: the class list stays empty


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

    kinds = [{"name": name, "label": label, "glyph": _glyph(svg)} for name, (label, svg) in KINDS.items()]
    _MarkerKit({"severities": list(SEVERITY_COLOURS), "drillLabel": DRILL_LABEL, "kinds": kinds,
                "defaultKind": DEFAULT_KIND, "categoryKinds": CATEGORY_KINDS,
                "floodCategories": list(FLOOD_CATEGORIES), "floodWords": FLOOD_WORDS}).add_to(m)
    # 10,000 open incidents: big pushes load in chunks (the page stays responsive) and markers
    # outside the view are not in the DOM.
    cluster = MarkerCluster(icon_create_function="vigil_markers.clusterIcon",
                            chunked_loading=True, remove_outside_visible_bounds=True)
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
    _LayerKit({"kinds": kinds, "labels": OVERLAY_LABELS, "colours": SEVERITY_COLOURS, "heatWeights": HEAT_WEIGHTS,
               "heatInterval": HEAT_INTERVAL_MS, "batchSize": BATCH_SIZE,
               "heat": {"radius": 22, "blur": 18, "maxZoom": 10, "minOpacity": 0.3}},
              realtime, cluster, static_url).add_to(m)

    root = m.get_root()
    root.render()
    return ConsoleMap(
        header=root.header.render(),
        body=root.html.render(),
        script=f"<script>\n{root.script.render()}\n</script>",
        map_name=m.get_name(),
        realtime_name=realtime.get_name(),
    )


def _glyph(svg: str) -> str:
    """The marker's SVG glyph; no xmlns: inline SVG in HTML needs none (and it would be a URL)."""
    return f'<svg class="vigil-glyph" viewBox="0 0 16 16" aria-hidden="true" focusable="false">{svg}</svg>'


def _css(map_name: str) -> str:
    """Return the map's own CSS: sea colour, severity dots, exercise ring, cluster and popup styles."""
    rules = [
        f"#{map_name}.leaflet-container {{ background: {SEA_COLOUR}; }}",
        ".vigil-marker { border-radius: 50%; border: 2px solid #fff; box-sizing: border-box;"
        " box-shadow: 0 0 0 1px rgba(0,0,0,.45), 0 1px 3px rgba(0,0,0,.35); }",
        # Exercises must never pass for real incidents at a glance: a dashed ring around the dot.
        ".vigil-marker.vigil-drill::after { content: ''; position: absolute; inset: -6px;"
        " border: 2px dashed #212121; border-radius: 50%; }",
        ".vigil-marker { display: flex; align-items: center; justify-content: center; color: #fff; }",
        ".vigil-marker.vigil-sev-moderate { color: #212121; }",  # dark glyph on yellow
        ".vigil-glyph { width: 12px; height: 12px; fill: currentColor; stroke: currentColor; pointer-events: none; }",
        ".vigil-layer-label { display: inline-block; width: 16px; height: 16px; vertical-align: -3px;"
        " border-radius: 50%; background: #616161; color: #fff; text-align: center; }",
        ".vigil-layer-label .vigil-glyph { display: block; width: 12px; height: 12px; margin: 2px; }",
        ".vigil-layer-label.vigil-layer-areas { border-radius: 2px; background: rgba(211,47,47,.15);"
        " box-shadow: inset 0 0 0 2px #d32f2f; }",
        ".vigil-layer-label.vigil-layer-heat { background: radial-gradient(circle, #f00, #ff0 45%, #0ff 70%, transparent 72%); }",
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
