"""The console's layout on the duty room's screens: a 1366×768 desk screen and wall displays at device scale 1."""

from __future__ import annotations

import pytest

from tests.browser.console_page import open_console
from tests.conftest import event_body

pytestmark = pytest.mark.browser

# viewport -> the smallest font size (px) any text in the bar and the list may have there
SCREENS = {(1366, 768): 11, (1920, 1080): 12.5, (3840, 2160): 20}

LAYOUT = """() => {
  const box = sel => { const r = document.querySelector(sel).getBoundingClientRect();
                       return {x: r.x, y: r.y, right: r.right, bottom: r.bottom, width: r.width, height: r.height}; };
  const texts = [];
  for (const root of document.querySelectorAll('.bar, .list-pane')) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const parent = walker.currentNode.parentElement;
      if (!walker.currentNode.textContent.trim() || !parent.getClientRects().length) continue;
      texts.push([parent.className || parent.tagName, parseFloat(getComputedStyle(parent).fontSize)]);
    }
  }
  return {bar: box('.bar'), map: box('.map-pane'), list: box('.list-pane'),
          marker: box('.leaflet-marker-pane .leaflet-marker-icon'),
          scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
          mapSize: window[VIGIL.mapName].getSize(), texts: texts};
}"""


def _overlap(a, b):
    return a["x"] < b["right"] and b["x"] < a["right"] and a["y"] < b["bottom"] and b["y"] < a["bottom"]


@pytest.mark.parametrize("width, height", list(SCREENS))
def test_map_and_list_side_by_side_without_overlap_or_sideways_scroll(live, open_page, page_errors, width, height):
    server, post = live
    post(event_body("wall-1", headline="Typhoon In-fa red warning for the whole coast of Zhejiang province",
                    severity="extreme", lat=30.0, lon=122.0))
    post(event_body("wall-2", headline="上海中心气象台发布暴雨橙色预警", severity="severe", lat=31.2, lon=121.5,
                    status="exercise"))
    page = open_console(open_page, server.url + "/", viewport={"width": width, "height": height})
    page.wait_for_selector("#incident-list li:has-text(\"上海中心气象台\")")
    page.wait_for_selector(".leaflet-marker-pane .leaflet-marker-icon")
    layout = page.evaluate(LAYOUT)

    assert layout["scrollWidth"] <= layout["clientWidth"] == width  # no horizontal scroll
    bar, map_, list_ = layout["bar"], layout["map"], layout["list"]
    assert not _overlap(map_, list_) and not _overlap(bar, map_) and not _overlap(bar, list_)
    assert map_["x"] >= 0 and list_["right"] <= width and map_["right"] <= list_["x"] + 1  # side by side
    assert map_["bottom"] <= height + 1 and list_["bottom"] <= height + 1
    assert map_["width"] >= width * 0.55 and map_["height"] >= (height - bar["height"]) * 0.9
    assert layout["mapSize"] == {"x": pytest.approx(map_["width"], abs=1), "y": pytest.approx(map_["height"], abs=1)}
    marker = layout["marker"]  # the map really drew into its pane
    assert map_["x"] <= marker["x"] and marker["right"] <= map_["right"]

    smallest = min(size for _name, size in layout["texts"])
    assert smallest >= SCREENS[(width, height)], sorted(layout["texts"], key=lambda t: t[1])[:5]
    headline = page.locator("#incident-list .headline").first
    assert headline.evaluate("e => e.scrollWidth <= e.clientWidth")  # long headlines wrap
    assert page_errors == []


@pytest.mark.parametrize("width, height", [(1366, 768), (3840, 2160)])
def test_the_panel_fits_the_screen_and_keeps_the_map_visible(live, open_page, page_errors, width, height):
    server, post = live
    post(event_body("wall-panel", headline="Reservoir seepage at Danjiangkou", severity="severe"))
    page = open_console(open_page, server.url + "/", viewport={"width": width, "height": height})
    page.locator("#incident-list li button.details").first.click()
    page.wait_for_selector("#incident-panel .panel-headline")
    panel = page.locator("#incident-panel").bounding_box()
    assert panel["x"] + panel["width"] <= width + 1 and panel["y"] + panel["height"] <= height + 1
    assert panel["x"] >= width * 0.5  # a drawer at the side: the map stays in view
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page_errors == []
