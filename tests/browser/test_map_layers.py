"""The console map's overlays in Chromium: kinds, areas and heat follow realtime.update()/remove()."""

from __future__ import annotations

import json

import pytest

from bench.map_render import map_page
from maps.console_map import SEVERITY_COLOURS

pytestmark = pytest.mark.browser

# Partial translations: the rest of the labels fall back to English.
STRINGS = {"strings": {"kinds": {"quake": "地震", "fire": "火灾"}, "map_layers": {"heat": "热力"}}}
HOSTILE = '<img src=x onerror="window.__owned=1">Levee breach'


@pytest.fixture(scope="module")
def map_url():
    with map_page(json.dumps(STRINGS)) as url:
        yield url


def incident(fid, lon, lat, category, severity="severe", event="Incident", headline=None, area=None, drill=False):
    return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": fid, "headline": headline or f"Incident {fid}", "event": event,
                           "category": category, "severity": severity, "status": "new", "source": "test",
                           "drill": drill, "area": area, "area_too_large": False, "merged_into": None}}


def square(lon, lat, half):
    return {"type": "Polygon", "coordinates": [[[lon - half, lat - half], [lon + half, lat - half],
                                                [lon + half, lat + half], [lon - half, lat + half],
                                                [lon - half, lat - half]]]}


# Ten degrees apart: over 100 px at zoom 4, so none of them cluster.
FEATURES = [
    incident(1, 80, 30, "geo", "extreme", "Earthquake"),
    incident(2, 90, 30, "geo", "minor", "Aftershock"),
    incident(3, 100, 30, "geo", "moderate", "Earthquake"),
    incident(4, 110, 30, "fire", "severe", "Forest fire"),
    incident(5, 120, 30, "fire", "minor", "Grass fire"),
    incident(6, 80, 40, "other", "severe", "River flood warning"),
    incident(7, 90, 40, "met", "moderate", "Gale"),
    incident(8, 100, 40, "security", "minor", "Crowd"),
]


def push(page, geojson):
    page.evaluate("g => { realtime_vigil.update(g); }", geojson)


def count(page, selector):
    return page.locator(f".leaflet-marker-pane {selector}").count()


def toggle(page, label):
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-overlays label", has_text=label).locator("input").click()
    page.mouse.move(5, 700)


@pytest.fixture
def map_page_(map_url, open_page):
    page = open_page(map_url, user=None)  # a static page: no server, no login
    page.wait_for_function("window.vigil_layers !== undefined")
    return page


def test_markers_carry_their_kind_and_a_glyph(map_page_, page_errors):
    page = map_page_
    push(page, {"type": "FeatureCollection", "features": FEATURES})
    assert count(page, ".vigil-marker") == 8
    assert count(page, ".vigil-kind-quake") == 3
    assert count(page, ".vigil-kind-fire") == 2
    assert count(page, ".vigil-kind-flood") == 1  # "other" with a river flood event
    assert count(page, ".vigil-kind-weather") == 1
    assert count(page, ".vigil-kind-security") == 1
    assert count(page, ".vigil-marker svg.vigil-glyph") == 8
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [text.strip() for text in labels] == ["地震", "火灾", "Weather", "Floods & water", "Security", "Rescue",
                                                 "Health", "Other", "Areas", "热力"]
    assert page_errors == []


def test_hiding_a_kind_hides_only_its_markers_and_survives_updates(map_page_, page_errors):
    page = map_page_
    push(page, {"type": "FeatureCollection", "features": FEATURES})
    toggle(page, "地震")
    assert count(page, ".vigil-kind-quake") == 0
    assert count(page, ".vigil-marker") == 5
    assert page.evaluate("vigil_layers.hiddenKinds()") == ["quake"]

    # Live updates while hidden: a new quake, a quake with a new severity (a fresh marker), a
    # fire that turns out to be a quake, and a quake that becomes a fire (it must show up).
    push(page, incident(9, 110, 40, "geo", "severe", "Earthquake"))
    push(page, incident(2, 90, 30, "geo", "extreme", "Aftershock"))
    push(page, {"type": "FeatureCollection", "features": [incident(5, 120, 30, "geo", "minor", "Landslide"),
                                                          incident(3, 100, 30, "fire", "moderate", "Fire after quake")]})
    assert count(page, ".vigil-kind-quake") == 0
    assert count(page, ".vigil-kind-fire") == 2  # 4 and 3
    assert count(page, ".vigil-marker") == 5  # 4, 3, 6, 7, 8

    toggle(page, "地震")
    assert count(page, ".vigil-kind-quake") == 4  # 1, 2, 5, 9
    assert count(page, ".vigil-marker") == 9
    assert page.evaluate("vigil_layers.hiddenKinds()") == []
    assert page_errors == []


def test_a_big_push_while_a_kind_is_hidden(map_page_, page_errors):
    page = map_page_
    toggle(page, "火灾")
    many = [incident(100 + i, 75 + (i % 50), 22 + (i // 50) % 25, "fire" if i % 2 else "geo") for i in range(400)]
    push(page, {"type": "FeatureCollection", "features": many})  # goes through the batched path
    page.wait_for_function("marker_cluster_vigil.getLayers().length === 200")
    assert page.evaluate("marker_cluster_vigil.getLayers().every(m => m.feature.properties.category === 'geo')")
    toggle(page, "火灾")
    page.wait_for_function("marker_cluster_vigil.getLayers().length === 400")
    assert page_errors == []


def test_areas_are_drawn_under_the_markers_and_removed_on_exit(map_page_, page_errors):
    page = map_page_
    features = [
        incident(1, 100, 35, "met", "extreme", "Typhoon", area=square(100, 35, 4)),
        incident(2, 115, 30, "env", "moderate", "Reservoir", drill=True,
                 area={"type": "MultiPolygon", "coordinates": [square(115, 30, 1)["coordinates"],
                                                               square(118, 30, 1)["coordinates"]]}),
        incident(3, 85, 40, "geo", "minor", "Earthquake",
                 area={"type": "GeometryCollection", "geometries": [square(85, 40, 2),
                                                                    {"type": "Point", "coordinates": [87, 42]}]}),
        incident(4, 90, 25, "fire", "severe", "Fire"),  # no area
    ]
    push(page, {"type": "FeatureCollection", "features": features})
    paths = page.locator(".leaflet-overlay-pane path")
    assert paths.count() == 4  # polygon, multipolygon (one path), collection (polygon + point ring)
    strokes = page.evaluate("[...document.querySelectorAll('.leaflet-overlay-pane path')]"
                            ".map(p => [p.getAttribute('stroke'), p.getAttribute('stroke-dasharray')])")
    assert [SEVERITY_COLOURS["extreme"], None] in strokes
    assert [SEVERITY_COLOURS["moderate"], "6 5"] in strokes  # the drill's area is dashed
    assert page.evaluate("vigil_layers.areaCount()") == 3

    # Hiding a kind hides its areas too; hiding "Areas" hides them all.
    toggle(page, "地震")
    assert paths.count() == 2
    toggle(page, "地震")
    toggle(page, "Areas")
    assert paths.count() == 0
    toggle(page, "Areas")
    assert paths.count() == 4

    push(page, incident(1, 100, 35, "met", "minor", "Typhoon", area=square(100, 35, 2)))  # new colour and shape
    assert strokes_of(page).count(SEVERITY_COLOURS["minor"]) == 3
    page.evaluate("f => { realtime_vigil.remove(f); }", features[1])
    assert paths.count() == 3
    assert count(page, ".vigil-marker") == 3
    push(page, incident(3, 85, 40, "geo", "minor", "Earthquake"))  # area withdrawn
    assert paths.count() == 1
    assert page.evaluate("vigil_layers.areaCount()") == 1
    assert page_errors == []


def strokes_of(page):
    return page.evaluate("[...document.querySelectorAll('.leaflet-overlay-pane path')].map(p => p.getAttribute('stroke'))")


def test_an_area_popup_shows_a_hostile_headline_as_text(map_page_, page_errors):
    page = map_page_
    push(page, incident(1, 100, 35, "infra", "extreme", "Dam", headline=HOSTILE, area=square(100, 35, 5)))
    # Click inside the area, away from the marker at its centre.
    point = page.evaluate("(() => { const p = map_vigil.latLngToContainerPoint([38, 97]);"
                          " const r = map_vigil.getContainer().getBoundingClientRect();"
                          " return [r.left + p.x, r.top + p.y]; })()")
    page.mouse.click(*point)
    popup = page.wait_for_selector(".leaflet-popup-content")
    assert HOSTILE in popup.inner_text()
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert page.evaluate("window.__owned") is None
    assert page_errors == []


def test_the_heat_overlay_adds_a_canvas(map_page_, page_errors):
    page = map_page_
    push(page, {"type": "FeatureCollection", "features": FEATURES})
    assert page.locator("canvas.leaflet-heatmap-layer").count() == 0  # off by default
    toggle(page, "热力")
    page.wait_for_selector("canvas.leaflet-heatmap-layer")
    points = page.evaluate("vigil_layers.heat._latlngs")
    assert len(points) == 8
    assert sorted({p[2] for p in points}) == [0.25, 0.5, 0.75, 1.0]
    push(page, {"type": "FeatureCollection", "features": [
        incident(20, 105, 45, "health", "extreme", area=square(105, 45, 3)),
        incident(21, 112, 23, "infra", "moderate", "Reservoir", area=square(112, 23, 2), drill=True)]})
    page.wait_for_function("vigil_layers.heat._latlngs.length === 10")  # throttled rebuild
    toggle(page, "地震")
    page.wait_for_function("vigil_layers.heat._latlngs.length === 7")
    page.locator(".leaflet-control-layers").hover()
    page.screenshot(path="/tmp/map_layers.png")
    toggle(page, "热力")
    assert page.locator("canvas.leaflet-heatmap-layer").count() == 0
    assert page_errors == []
