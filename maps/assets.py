"""Point folium's asset links at the copies vendored under web/static/vendor, so no page uses a CDN."""

from __future__ import annotations

import folium
from folium.plugins import HeatMap, MarkerCluster, Realtime

# Paths below the static URL; scripts/vendor_assets.sh writes these files.
LEAFLET_JS = "vendor/leaflet/leaflet.js"
LEAFLET_CSS = "vendor/leaflet/leaflet.css"
MARKERCLUSTER_JS = "vendor/leaflet.markercluster/leaflet.markercluster.js"
MARKERCLUSTER_CSS = "vendor/leaflet.markercluster/MarkerCluster.css"
MARKERCLUSTER_DEFAULT_CSS = "vendor/leaflet.markercluster/MarkerCluster.Default.css"
REALTIME_JS = "vendor/leaflet-realtime/leaflet-realtime.js"
LEAFLET_HEAT_JS = "vendor/leaflet.heat/leaflet-heat.js"  # leaflet.heat 0.2.0, simpleheat bundled
SOCKETIO_JS = "vendor/socket.io/socket.io.min.js"  # loaded by the page itself, not by folium


def use_local_assets(static_url: str = "/static") -> None:
    """Replace folium's CDN links for Map, MarkerCluster, Realtime and HeatMap with local /static/vendor paths."""
    base = static_url.rstrip("/")
    # The lists are class attributes, so this holds for every map built in this process. Assigning
    # fresh lists (rather than editing folium's) keeps repeated calls idempotent.
    # jQuery, Bootstrap, awesome-markers, Font Awesome and glyphicons are dropped: the console map
    # uses none of folium.Icon, folium.Popup or the awesome-marker plugins that need them.
    folium.Map.default_js = [("leaflet", f"{base}/{LEAFLET_JS}")]
    folium.Map.default_css = [("leaflet_css", f"{base}/{LEAFLET_CSS}")]
    MarkerCluster.default_js = [("markerclusterjs", f"{base}/{MARKERCLUSTER_JS}")]
    MarkerCluster.default_css = [
        ("markerclustercss", f"{base}/{MARKERCLUSTER_CSS}"),
        ("markerclusterdefaultcss", f"{base}/{MARKERCLUSTER_DEFAULT_CSS}"),
    ]
    Realtime.default_js = [("Leaflet_Realtime_js", f"{base}/{REALTIME_JS}")]
    # The console's layer kit loads leaflet.heat itself (maps.console_map._LayerKit); HeatMap is
    # pointed at the same file so no folium heat map in this process can reach the CDN either.
    HeatMap.default_js = [("leaflet-heat.js", f"{base}/{LEAFLET_HEAT_JS}")]


def heat_js(static_url: str = "/static") -> list[tuple[str, str]]:
    """The (name, url) script list for the vendored leaflet.heat; the name matches folium's HeatMap."""
    return [("leaflet-heat.js", f"{static_url.rstrip('/')}/{LEAFLET_HEAT_JS}")]
