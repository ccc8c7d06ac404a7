"""The console page: served whole from the app (no CDN), in English and Chinese."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlparse

import pytest

EXTERNAL_URL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")


def _assets(html: str) -> list[str]:
    return re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["']([^"']+)["']""", html)


def test_the_console_page_has_the_map_the_list_and_the_live_client(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="incident-list"' in html and 'id="live-status"' in html
    assert "map_vigil" in html and "realtime_vigil" in html
    assert "/static/vendor/socket.io/socket.io.min.js" in html
    assert "/maps/world_110m.geojson" in html


def test_the_page_names_no_other_host(client):
    html = client.get("/").get_data(as_text=True)
    found = [url for url in EXTERNAL_URL.findall(html) if urlparse(url if url.startswith("http") else "http:" + url).hostname not in ("localhost",)]
    assert found == []


def _get(client, path):
    response = client.get(path)
    body = response.get_data(as_text=path.endswith(".css"))
    response.close()
    return response.status_code, body


def test_every_asset_the_page_needs_is_served_locally(client):
    html = client.get("/").get_data(as_text=True)
    needed = set(_assets(html)) | {"/maps/world_110m.geojson"}
    for path in sorted(needed):
        assert not urlparse(path).netloc, path
        status, body = _get(client, path)
        assert status == 200, path
        if path.endswith(".css"):  # images and fonts the stylesheets pull in
            for ref in re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", body):
                if ref.startswith("data:"):
                    continue
                assert not urlparse(ref).netloc, f"{path} loads {ref}"
                assert _get(client, urljoin(path, ref))[0] == 200, f"{path} -> {ref}"


def test_a_configured_tile_server_is_used(tmp_path):
    from command.migrate import upgrade
    from command.runtime import build_runtime
    from web import create_app
    rt = build_runtime({"DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}", "SECRET_KEY": "t",
                        "TILE_URL": "http://tiles.duty.local/{z}/{x}/{y}.png", "TILE_ATTRIBUTION": "省测绘院"})
    upgrade(rt.engine)
    html = create_app(runtime=rt).test_client().get("/").get_data(as_text=True)
    assert "http://tiles.duty.local/{z}/{x}/{y}.png" in html
    assert "省测绘院" in html or json.dumps("省测绘院")[1:-1] in html  # folium writes JSON escapes


@pytest.mark.parametrize("how", [{"query_string": {"lang": "zh"}},
                                 {"headers": {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}}])
def test_the_console_speaks_chinese(client, how):
    html = client.get("/", **how).get_data(as_text=True)
    assert "<title>Vigil 值班台</title>" in html
    assert "暂无未结事件" in html and "连接中断，正在重连…" in html
    assert 'lang="zh-CN"' in html


def test_a_language_choice_is_remembered(client):
    client.get("/?lang=zh")
    assert "值班台" in client.get("/").get_data(as_text=True)
    client.get("/?lang=en")
    assert "Duty console" in client.get("/").get_data(as_text=True)


def test_the_incidents_api_lists_open_incidents_as_geojson(client, feed_token):
    from tests.conftest import FEED, event_body
    auth = {"Authorization": f"Bearer {feed_token}"}
    client.post(f"/api/v1/feeds/{FEED}/events", json=event_body("a"), headers=auth)
    client.post(f"/api/v1/feeds/{FEED}/events", json=event_body("b", lat=None, lon=None), headers=auth)
    client.post(f"/api/v1/feeds/{FEED}/events", json=event_body("c", version="2", msg_type="cancel"), headers=auth)
    body = client.get("/api/v1/incidents").get_json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["headline"] for f in body["features"]] == ["River Qinhuai over warning level"] * 2
    geometries = [f["geometry"] for f in body["features"]]
    assert None in geometries and {"type": "Point", "coordinates": [118.78, 32.04]} in geometries
    assert client.get("/api/v1/incidents?limit=0").status_code == 400


@pytest.mark.parametrize("lang, text", [("en", "Last success"), ("zh", "最近成功")])
def test_the_feeds_page_renders_in_both_languages(client, lang, text):
    response = client.get(f"/feeds?lang={lang}")
    assert response.status_code == 200
    assert text in response.get_data(as_text=True)
