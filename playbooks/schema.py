"""The playbook format: the step table STEP_TYPES and the validation of one playbook document.

STEP_TYPES is the one table of step types (type -> its parameters); the escalation
engine in command/ dispatches on the same strings. ``check_document`` turns a
composed YAML node tree into a plain playbook dict (defaults filled in, JSON-able)
and collects every problem with its line and column instead of stopping at the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from playbooks.match_schema import check_match
from playbooks.vocab import CHANNELS, DEPARTMENT_POSTS, MAX_REPEAT_TIMES, MAX_WAIT_MINUTES, NAME, POSTS, VIGIL_ROLES
from playbooks.yamlnodes import INT, Checker, Problem, describe


@dataclass(frozen=True)
class Param:
    """One parameter of a step type: its kind (a key of _KINDS), whether required, its default."""

    kind: str
    required: bool = False
    default: Any = None


@dataclass(frozen=True)
class StepType:
    """What a step type does, its parameters, and whether it sends notifications."""

    doc: str
    params: dict[str, Param] = field(default_factory=dict)
    notifies: bool = False
    check: Callable | None = None  # cross-parameter rules: (checker, nodes, step) -> None


def _check_role(ck: "_Checker", nodes: dict, step: dict) -> None:
    role = step.get("role")
    if role in DEPARTMENT_POSTS and "department" not in nodes:
        ck.error(nodes["role"], f"{ck.where}: role {role!r} needs a department (whose {role} to notify)")
    elif role in VIGIL_ROLES and "department" in nodes:
        ck.error(nodes["department"], f"{ck.where}: department applies only to roles {' and '.join(DEPARTMENT_POSTS)}")


def _check_group(ck: "_Checker", nodes: dict, step: dict) -> None:
    if ("people" in nodes) == ("department" in nodes):
        ck.error(ck.step_node, f"{ck.where}: give either people or department (its liaisons), not both or neither")
    require, people = step.get("require"), step.get("people")
    if isinstance(require, int) and people is not None and require > len(people):
        ck.error(nodes["require"], f"{ck.where}: require {require} is more than the {len(people)} people in the group")


CHANNELS_PARAM = Param("channels", default=list(CHANNELS))
STEP_TYPES: dict[str, StepType] = {
    "notify_liaisons": StepType("notify the liaisons of departments (default: the incident's departments)",
                                {"departments": Param("departments"), "channels": CHANNELS_PARAM}, notifies=True),
    "notify_role": StepType("notify a department's heads or liaisons, or everyone with a Vigil role",
                            {"role": Param("role", required=True), "department": Param("department"),
                             "channels": CHANNELS_PARAM}, notifies=True, check=_check_role),
    "notify_on_duty": StepType("notify whoever holds a post on the roster's current shift",
                               {"post": Param("post", required=True), "channels": CHANNELS_PARAM}, notifies=True),
    "notify_person": StepType("notify one person by username",
                              {"person": Param("username", required=True), "channels": CHANNELS_PARAM}, notifies=True),
    "notify_group": StepType("notify a group; acknowledged once all (or N) of them acknowledge",
                             {"people": Param("usernames"), "department": Param("department"),
                              "require": Param("require", default="all"), "channels": CHANNELS_PARAM},
                             notifies=True, check=_check_group),
    "wait": StepType("wait before the next step", {"minutes": Param("minutes", required=True)}),
    "if_not_acknowledged": StepType("end the escalation here when it has been acknowledged"),
    "if_not_resolved": StepType("end the escalation here when the incident is resolved or closed"),
    "repeat": StepType("go back to an earlier labelled step, at most `times` times",
                       {"from": Param("label_ref", required=True), "times": Param("times", required=True)}),
    "resolve": StepType("end the escalation"),
}
STEP_TYPE_NAMES: tuple[str, ...] = tuple(STEP_TYPES)
NOTIFY_TYPES: tuple[str, ...] = tuple(name for name, spec in STEP_TYPES.items() if spec.notifies)


class _Checker(Checker):
    """A Checker that knows the department codes and which step it is in (for messages)."""

    def __init__(self, file: str, departments: frozenset[str]):
        super().__init__(file)
        self.departments = departments
        self.where = ""
        self.step_node: Node | None = None

    def department(self, node: Node, what: str) -> str | None:
        code = self.text(node, what)
        if code is not None and code not in self.departments:
            self.error(node, f"{what}: unknown department {code!r}; known: {', '.join(sorted(self.departments))}")
            return None
        return code


def _label(ck: _Checker, node: Node, what: str) -> str | None:
    label = ck.text(node, what)
    if label is not None and not NAME.match(label):
        ck.error(node, f"{what}: {label!r} must be letters, digits, '.', '_' or '-'")
        return None
    return label


def _require(ck: _Checker, node: Node, what: str) -> str | int | None:
    if isinstance(node, ScalarNode) and node.value == "all":
        return "all"
    if isinstance(node, ScalarNode) and node.tag == INT:
        return ck.integer(node, what, minimum=1)
    ck.error(node, f"{what} must be 'all' or a number of people")
    return None


_KINDS: dict[str, Callable[[_Checker, Node, str], Any]] = {
    "departments": lambda ck, n, w: ck.each(n, w, ck.department),
    "department": lambda ck, n, w: ck.department(n, w),
    "channels": lambda ck, n, w: ck.each(n, w, lambda i, w2: ck.choice(i, w2, CHANNELS)),
    "minutes": lambda ck, n, w: ck.number(n, w, above=0, maximum=MAX_WAIT_MINUTES),
    "post": lambda ck, n, w: ck.choice(n, w, POSTS),
    "role": lambda ck, n, w: ck.choice(n, w, tuple(dict.fromkeys(DEPARTMENT_POSTS + VIGIL_ROLES))),
    "username": lambda ck, n, w: ck.text(n, w),
    "usernames": lambda ck, n, w: ck.each(n, w, ck.text),
    "label_ref": _label,
    "times": lambda ck, n, w: ck.integer(n, w, minimum=1, maximum=MAX_REPEAT_TIMES),
    "require": _require,
}


@dataclass
class Checked:
    """The outcome of checking one document: the playbook dict when valid, the problems, the name's node."""

    playbook: dict | None
    problems: list[Problem]
    name_node: Node | None = None


def check_document(root: Node | None, file: str, departments: frozenset[str]) -> Checked:
    """Check one composed playbook document; returns the plain playbook only when there is no problem."""
    ck = _Checker(file, departments)
    if root is None:
        ck.problems.append(Problem(file, 1, 1, "the file is empty; a playbook needs name, title, match and steps"))
        return Checked(None, ck.problems)
    top = ck.mapping(root, "playbook", required=("name", "title", "match", "steps"),
                     optional=("priority", "description"))
    if top is None:
        return Checked(None, ck.problems)
    result: dict[str, Any] = {}
    name = ck.text(top["name"], "name") if "name" in top else None
    if name is not None and not NAME.match(name):
        ck.error(top["name"], f"name {name!r} must be letters, digits, '.', '_' or '-' (at most 128)")
    result["name"] = name
    result["title"] = _title(ck, top["title"]) if "title" in top else None
    result["priority"] = ck.integer(top["priority"], "priority") if "priority" in top else 0
    if "description" in top:
        result["description"] = ck.text(top["description"], "description")
    result["match"] = check_match(ck, top["match"]) if "match" in top else None
    result["steps"] = _steps(ck, top["steps"]) if "steps" in top else None
    valid = not ck.problems
    return Checked(result if valid else None, ck.problems, top.get("name"))


def _title(ck: _Checker, node: Node) -> dict | None:
    nodes = ck.mapping(node, "title", required=("en", "zh"))
    if nodes is None:
        return None
    return {lang: ck.text(value, f"title.{lang}") for lang, value in nodes.items()}


def _steps(ck: _Checker, node: Node) -> list | None:
    if not isinstance(node, SequenceNode) or not node.value:
        ck.error(node, "steps must be a list of at least one step")
        return None
    steps, label_nodes = [], {}
    for index, step_node in enumerate(node.value):
        steps.append(_step(ck, index, step_node, label_nodes))
    _check_flow(ck, node.value, steps, label_nodes)
    return steps


def _step(ck: _Checker, index: int, node: Node, label_nodes: dict) -> dict | None:
    ck.where, ck.step_node = f"step {index + 1}", node
    if not isinstance(node, MappingNode):
        ck.error(node, f"{ck.where} must be a mapping with a type, not {describe(node)}")
        return None
    type_node = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == "type"), None)
    if type_node is None:  # without a type the other keys cannot be judged
        ck.error(node, f"{ck.where}: missing key 'type'; one of: {', '.join(STEP_TYPE_NAMES)}")
        return None
    step_type = ck.choice(type_node, f"{ck.where}: type", STEP_TYPE_NAMES, fold=False)
    if step_type is None:
        return None
    spec = STEP_TYPES[step_type]
    ck.where = f"step {index + 1} ({step_type})"
    required = tuple(name for name, param in spec.params.items() if param.required)
    nodes = ck.mapping(node, ck.where, required=("type", *required), optional=("label", *spec.params))
    if nodes is None:
        return None
    step: dict[str, Any] = {"type": step_type}
    if "label" in nodes:
        label = _label(ck, nodes["label"], f"{ck.where}: label")
        if label in label_nodes:
            ck.error(nodes["label"], f"{ck.where}: label {label!r} is already used by step {label_nodes[label][0] + 1}")
        elif label is not None:
            label_nodes[label] = (index, nodes["label"])
            step["label"] = label
    for name, param in spec.params.items():
        if name in nodes:
            step[name] = _KINDS[param.kind](ck, nodes[name], f"{ck.where}: {name}")
        elif param.default is not None:
            step[name] = list(param.default) if isinstance(param.default, list) else param.default
    if spec.check:
        spec.check(ck, nodes, step)
    return step


def _check_flow(ck: _Checker, nodes: list, steps: list, labels: dict) -> None:
    """Rules across steps: repeat goes back to a known label over a wait; nothing follows resolve unreached."""
    for index, step in enumerate(steps):
        if step is None:
            continue
        where = f"step {index + 1} ({step['type']})"
        if step["type"] == "repeat" and step.get("from") is not None:
            target = step["from"]
            at = next(v for k, v in nodes[index].value if k.value == "from")
            if target not in labels:
                known = ", ".join(labels) or "none"
                ck.error(at, f"{where}: from {target!r} is not the label of any step (labels: {known})")
            elif labels[target][0] >= index:
                ck.error(at, f"{where}: from {target!r} is step {labels[target][0] + 1}; "
                             "repeat can only go back to an earlier step")
            elif not any(s and s["type"] == "wait" for s in steps[labels[target][0]:index]):
                ck.error(at, f"{where}: the steps from {target!r} have no wait; "
                             "repeating them would send everything again at once")
        if step["type"] == "resolve" and index + 1 < len(steps):
            ck.error(nodes[index + 1], f"step {index + 2} is never reached: it follows a resolve step")
