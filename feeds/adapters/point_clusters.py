"""Single-linkage clustering of timed points on the sphere, plus the centroid and hull of a cluster.

Two points link when they are at most ``window_s`` seconds apart and at most
``max(link_km, radius_a + radius_b)`` km apart (great-circle, spherical Earth):
a point's radius lets large footprints that touch link beyond ``link_km``.
Chains of links make one cluster. Used by ``feeds.adapters.firms`` for satellite fire
pixels; nothing here knows about fires.

A grid index keeps it near linear: points sit on x, y, z of the sphere in
cells ``link_km``'s chord / sqrt(3) wide, so any two points of one cell are
linked by time alone (runs of a cell with gaps under the window are one
cluster at once, which makes piles of identical points cheap). Cells are
grouped in blocks at least one longest link wide, so a link only ever
reaches the 26 neighbouring blocks. Work is counted and a payload that
would cost more than ``max_work`` distance tests raises ``TooDense``.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from typing import Iterable, NamedTuple

EARTH_RADIUS_KM = 6371.0088  # mean radius; distances are great-circle on this sphere

_HALF_OFFSETS = tuple((dx, dy, dz) for dx in (-1, 0, 1) for dy in (-1, 0, 1) for dz in (-1, 0, 1)
                      if (dx, dy, dz) > (0, 0, 0))  # 13 neighbour blocks: each unordered pair of blocks once


class TimedPoint(NamedTuple):
    """A point to cluster: where, when (seconds), and the radius of its footprint in km."""

    lat: float
    lon: float
    stamp: float
    radius_km: float


class TooDense(ValueError):
    """Clustering would take more distance tests than allowed (only a crafted input comes near)."""


class _Run(NamedTuple):
    """Points of one grid cell in time order with no gap over the window: already one cluster."""

    members: list[int]
    stamps: list[float]


def single_linkage(points: list[TimedPoint], link_km: float, window_s: float, max_work: int) -> list[list[int]]:
    """Return clusters as lists of point indexes (each in input order), clusters by their first index."""
    return _Clusterer(points, link_km, window_s, max_work).clusters()


def link_distance_km(link_km: float, radius_a: float, radius_b: float) -> float:
    """Return how far apart two points may be and still link: link_km, or more when their footprints touch."""
    return max(link_km, radius_a + radius_b)


def centroid(positions: Iterable[tuple[float, float]]) -> tuple[float, float]:
    """Return the (lat, lon) centroid of (lat, lon) positions on the sphere (right across the 180th meridian)."""
    x = y = z = 0.0
    for lat, lon in positions:
        vx, vy, vz = _vector(lat, lon)
        x, y, z = x + vx, y + vy, z + vz
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def convex_hull(points: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Return the convex hull of planar points, counter-clockwise, not closed (Andrew's monotone chain)."""
    points = sorted(set(points))
    if len(points) < 3:
        return points
    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for chain, sequence in ((lower, points), (upper, reversed(points))):
        for p in sequence:
            while len(chain) >= 2 and _cross(chain[-2], chain[-1], p) <= 0:
                chain.pop()
            chain.append(p)
    return lower[:-1] + upper[:-1]


def _cross(o, a, b) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _vector(lat: float, lon: float) -> tuple[float, float, float]:
    """Position on the sphere in km (chord length grows with great-circle distance, so it can stand in)."""
    phi, lam = math.radians(lat), math.radians(lon)
    return (EARTH_RADIUS_KM * math.cos(phi) * math.cos(lam), EARTH_RADIUS_KM * math.cos(phi) * math.sin(lam),
            EARTH_RADIUS_KM * math.sin(phi))


def _chord(km: float) -> float:
    return 2 * EARTH_RADIUS_KM * math.sin(min(km, math.pi * EARTH_RADIUS_KM) / (2 * EARTH_RADIUS_KM))


class _Clusterer:
    """Union-find over the points, fed by the grid of cells and blocks."""

    def __init__(self, points: list[TimedPoint], link_km: float, window_s: float, max_work: int):
        self.points = [(*_vector(p.lat, p.lon), p.stamp, p.radius_km) for p in points]
        self.parent = list(range(len(points)))
        self.link_km, self.window, self.max_work = link_km, window_s, max_work
        self.cell_km = _chord(link_km) / math.sqrt(3)

    def clusters(self) -> list[list[int]]:
        """Link every pair that links, then return the groups."""
        reach = max((link_distance_km(self.link_km, r, r) for *_, r in self.points), default=self.link_km)
        blocks = self._blocks(self._cells(), math.ceil(_chord(reach) / self.cell_km))
        work = 0
        for (bx, by, bz), runs in blocks.items():
            for first, run in enumerate(runs):  # runs of one block, each pair once
                for other in runs[first + 1:]:
                    work += self._link_runs(run, other)
            for dx, dy, dz in _HALF_OFFSETS:
                for other in blocks.get((bx + dx, by + dy, bz + dz), ()):
                    for run in runs:
                        work += self._link_runs(run, other)
            if work > self.max_work:
                raise TooDense(f"more than {self.max_work} distance tests")
        groups: dict[int, list[int]] = defaultdict(list)
        for index in range(len(self.points)):
            groups[self._find(index)].append(index)
        return sorted(groups.values())

    def _cells(self) -> dict[tuple[int, int, int], list[_Run]]:
        """Return grid cell -> its time runs, each run already united."""
        members: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        size = self.cell_km
        for index, (x, y, z, _, _) in enumerate(self.points):
            members[(math.floor(x / size), math.floor(y / size), math.floor(z / size))].append(index)
        cells = {}
        for cell, indexes in members.items():
            indexes.sort(key=lambda i: self.points[i][3])
            runs = [_Run([indexes[0]], [self.points[indexes[0]][3]])]
            for index in indexes[1:]:
                stamp = self.points[index][3]
                if stamp - runs[-1].stamps[-1] <= self.window:
                    self._union(runs[-1].members[-1], index)
                    runs[-1].members.append(index)
                    runs[-1].stamps.append(stamp)
                else:
                    runs.append(_Run([index], [stamp]))
            cells[cell] = runs
        return cells

    @staticmethod
    def _blocks(cells: dict[tuple[int, int, int], list[_Run]], size: int) -> dict[tuple[int, int, int], list[_Run]]:
        """Return blocks of size^3 cells -> their runs."""
        blocks: dict[tuple[int, int, int], list[_Run]] = defaultdict(list)
        for (cx, cy, cz), runs in cells.items():
            blocks[(cx // size, cy // size, cz // size)].extend(runs)
        return blocks

    def _link_runs(self, run: _Run, other: _Run) -> int:
        """Unite two runs if any pair of their points links; return the work done (1 + distance tests)."""
        if self._find(run.members[0]) == self._find(other.members[0]):
            return 1
        if other.stamps[0] - run.stamps[-1] > self.window or run.stamps[0] - other.stamps[-1] > self.window:
            return 1
        work = 1
        for i in run.members:
            xi, yi, zi, ti, ri = self.points[i]
            low = bisect.bisect_left(other.stamps, ti - self.window)
            for j in other.members[low:bisect.bisect_right(other.stamps, ti + self.window)]:
                work += 1
                xj, yj, zj, _, rj = self.points[j]
                limit = _chord(link_distance_km(self.link_km, ri, rj))
                if (xi - xj) ** 2 + (yi - yj) ** 2 + (zi - zj) ** 2 <= limit * limit:
                    self._union(i, j)  # the runs are now one cluster: no need to look further
                    return work
        return work

    def _find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving keeps the trees flat
            i = parent[i]
        return i

    def _union(self, a: int, b: int) -> None:
        root_a, root_b = self._find(a), self._find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)
