"""GeoJSON coordinate walking, in one place for the FeedEvent and the incidents pushed to the consoles."""

from __future__ import annotations

import pytest

from feeds.geometry import bounding_box, box_centre, count_positions, positions

SQUARE = [[118.0, 31.0], [119.0, 31.0], [119.0, 32.0], [118.0, 32.0], [118.0, 31.0]]
POLYGON = {"type": "Polygon", "coordinates": [SQUARE]}
COLLECTION = {"type": "GeometryCollection", "geometries": [
    {"type": "Point", "coordinates": [121.5, 31.2]},
    {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]},
]}


def test_positions_of_a_polygon_and_of_a_collection_in_order():
    assert list(positions(POLYGON)) == SQUARE
    assert list(positions(COLLECTION)) == [[121.5, 31.2], *SQUARE, *SQUARE]
    assert count_positions(POLYGON) == 5
    assert count_positions(COLLECTION) == 11


def test_box_and_centre_are_west_south_east_north_and_lat_lon():
    assert bounding_box(COLLECTION) == (118.0, 31.0, 121.5, 32.0)
    assert box_centre(POLYGON) == (31.5, 118.5)


@pytest.mark.parametrize("broken", [
    None, {}, "Polygon", {"type": "Point"}, {"type": "Polygon", "coordinates": []},
    {"type": "Polygon", "coordinates": [[]]}, {"type": "GeometryCollection"},
    {"type": "GeometryCollection", "geometries": {"type": "Point"}},
])
def test_a_missing_or_malformed_geometry_has_no_positions(broken):
    assert list(positions(broken)) == []
    assert count_positions(broken) == 0
    assert bounding_box(broken) is None and box_centre(broken) is None


def test_the_incident_feature_pushes_an_area_only_up_to_the_limit():
    from command.incidents import AREA_POSITIONS_PUSHED, feature
    from command.models import Incident

    ring = [[118.0 + i / AREA_POSITIONS_PUSHED, 31.0] for i in range(AREA_POSITIONS_PUSHED)] + [[118.0, 32.0]]
    small = Incident(id=1, status="new", area={"type": "LineString", "coordinates": ring[:AREA_POSITIONS_PUSHED]})
    large = Incident(id=2, status="new", area={"type": "LineString", "coordinates": ring})
    assert feature(small)["properties"]["area"] == small.area
    assert feature(large)["properties"]["area"] is None
    assert feature(large)["properties"]["area_too_large"] is True
