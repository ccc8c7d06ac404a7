"""The ``match:`` block of a playbook: which incidents it applies to. Every given criterion must hold.

Lists mean "any of"; a single value counts as a list of one. The checked block is
plain data (lists, strings, numbers) so it can be stored in an escalation's snapshot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from yaml.nodes import Node, ScalarNode, SequenceNode

from playbooks.vocab import CATEGORIES, GRADES, SEVERITIES

if TYPE_CHECKING:
    from playbooks.schema import _Checker

MATCH_KEYS = ("category", "event", "severity", "grade", "region_code", "area", "source", "departments",
              "sensitive", "time_of_day")


def check_match(ck: _Checker, node: Node) -> dict | None:
    """Return the checked match block (criteria in MATCH_KEYS order), or None after recording problems."""
    if isinstance(node, ScalarNode) and not node.value and not node.style:
        ck.error(node, "match must be a mapping; write 'match: {}' to match every incident")
        return None
    nodes = ck.mapping(node, "match", optional=MATCH_KEYS)
    if nodes is None:
        return None
    checks = {
        "category": lambda n, w: ck.each(n, w, lambda i, w2: ck.choice(i, w2, CATEGORIES)),
        "event": lambda n, w: ck.each(n, w, ck.text),
        "severity": lambda n, w: ck.each(n, w, lambda i, w2: ck.choice(i, w2, SEVERITIES)),
        "grade": lambda n, w: ck.each(n, w, lambda i, w2: ck.choice(i, w2, GRADES)),
        "region_code": lambda n, w: ck.each(n, w, ck.text),
        "area": lambda n, w: _areas(ck, n, w),
        "source": lambda n, w: ck.each(n, w, ck.text),
        "departments": lambda n, w: ck.each(n, w, ck.department),
        "sensitive": ck.boolean,
        "time_of_day": lambda n, w: _time_of_day(ck, n, w),
    }
    return {key: checks[key](nodes[key], f"match.{key}") for key in MATCH_KEYS if key in nodes}


def _areas(ck: _Checker, node: Node, what: str) -> list | None:
    """Bounding boxes [west, south, east, north] in degrees; one box may be written without the outer list."""
    if isinstance(node, SequenceNode) and node.value and isinstance(node.value[0], ScalarNode):
        node = SequenceNode(node.tag, [node], node.start_mark, node.end_mark)
    items = ck.items(node, what, scalar_ok=False)
    if items is None:
        return None
    boxes = [_box(ck, item, what) for item in items]
    return boxes if all(box is not None for box in boxes) else None


def _box(ck: _Checker, node: Node, what: str) -> list | None:
    if not (isinstance(node, SequenceNode) and len(node.value) == 4):
        ck.error(node, f"{what}: a box is [west, south, east, north] in degrees")
        return None
    west, south, east, north = node.value
    edges = [ck.number(west, f"{what}: west", -180, 180), ck.number(south, f"{what}: south", -90, 90),
             ck.number(east, f"{what}: east", -180, 180), ck.number(north, f"{what}: north", -90, 90)]
    if None in edges:
        return None
    if edges[1] > edges[3]:
        ck.error(node, f"{what}: south {edges[1]:g} is north of north {edges[3]:g}")
        return None
    return edges  # west > east is a box across the antimeridian (180°), handled by the matcher


def _time_of_day(ck: _Checker, node: Node, what: str) -> dict[str, Any] | None:
    """{from: "HH:MM", to: "HH:MM"} in the duty room's local time; from is included, to is not; may wrap midnight."""
    nodes = ck.mapping(node, what, required=("from", "to"))
    if nodes is None or len(nodes) < 2:
        return None
    start, end = ck.clock(nodes["from"], f"{what}.from"), ck.clock(nodes["to"], f"{what}.to")
    if start is None or end is None:
        return None
    if start == end:
        ck.error(node, f"{what}: from and to are both {start}; leave time_of_day out to match at any time")
        return None
    return {"from": start, "to": end}
