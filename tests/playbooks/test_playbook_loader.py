"""Loading a directory, the version of a playbook, and the snapshot an escalation keeps."""

from __future__ import annotations

import hashlib
import json

import pytest
from playbook_text import DEPARTMENTS, minimal

from playbooks import NOTIFY_TYPES, STEP_TYPE_NAMES, STEP_TYPES, load_dir

GROUP = """\
name: group
title: {en: "Group", zh: "小组"}
match:
  category: env
steps:
  - type: notify_group
    label: call
    people: [a, b, c]
    require: 2
  - type: wait
    minutes: 2.5
  - type: if_not_acknowledged
  - type: repeat
    from: call
    times: 1
"""


def test_load_dir_reads_every_yaml_file_in_name_order_and_ignores_others(write, tmp_path):
    write("b.yml", minimal("second"))
    write("a.yaml", minimal("first"))
    write("notes.txt", "not a playbook")
    assert [p.name for p in load_dir(tmp_path, DEPARTMENTS)] == ["first", "second"]


def test_the_version_is_a_hash_of_the_file_bytes(write, tmp_path):
    path = write("p.yaml", minimal("p"))
    [playbook] = load_dir(tmp_path, DEPARTMENTS)
    assert playbook.version == hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    assert playbook.file == path


def test_defaults_are_filled_in_and_a_lone_value_is_a_list(write, tmp_path):
    write("p.yaml", GROUP)
    [playbook] = load_dir(tmp_path, DEPARTMENTS)
    assert playbook.match == {"category": ["env"]}
    assert playbook.steps[0] == {"type": "notify_group", "label": "call", "people": ["a", "b", "c"], "require": 2,
                                 "channels": ["web", "sms"]}
    assert playbook.steps[1] == {"type": "wait", "minutes": 2.5}
    assert playbook.title == {"en": "Group", "zh": "小组"} and playbook.priority == 0


def test_the_snapshot_is_json_and_does_not_follow_later_edits(write, tmp_path):
    path = write("p.yaml", GROUP)
    [playbook] = load_dir(tmp_path, DEPARTMENTS)
    snapshot = playbook.snapshot()
    stored = json.loads(json.dumps(snapshot))  # what the escalation row keeps
    assert stored == snapshot
    assert set(stored) >= {"name", "version", "title", "match", "steps"}
    assert stored["version"] == playbook.version and stored["steps"][2] == {"type": "if_not_acknowledged"}

    path.write_text(GROUP.replace("minutes: 2.5", "minutes: 30"), encoding="utf-8")
    [edited] = load_dir(tmp_path, DEPARTMENTS)
    assert edited.steps[1]["minutes"] == 30 and edited.version != playbook.version
    assert stored["steps"][1]["minutes"] == 2.5 and snapshot["steps"][1]["minutes"] == 2.5
    assert playbook.snapshot() == snapshot


def test_changing_a_snapshot_does_not_change_the_playbook(write, tmp_path):
    write("p.yaml", GROUP)
    [playbook] = load_dir(tmp_path, DEPARTMENTS)
    snapshot = playbook.snapshot()
    snapshot["steps"][0]["people"].append("intruder")
    snapshot["match"]["category"].append("fire")
    assert playbook.steps[0]["people"] == ["a", "b", "c"] and playbook.match == {"category": ["env"]}


def test_text_stays_text_as_written(write, tmp_path):
    write("p.yaml", minimal("p", "region_code: [0101, 3301]\nevent: [no, on]"))
    [playbook] = load_dir(tmp_path, DEPARTMENTS)
    assert playbook.match == {"region_code": ["0101", "3301"], "event": ["no", "on"]}  # not octal, not booleans


def test_the_step_table_names_every_type_the_engine_dispatches_on():
    assert set(STEP_TYPE_NAMES) == set(STEP_TYPES) == {
        "notify_liaisons", "notify_role", "notify_on_duty", "notify_person", "notify_group", "wait",
        "if_not_acknowledged", "if_not_resolved", "repeat", "resolve"}
    assert set(NOTIFY_TYPES) == {name for name in STEP_TYPE_NAMES if name.startswith("notify_")}
    assert STEP_TYPES["wait"].params["minutes"].required


def test_the_caller_gives_the_department_codes_there_is_no_default_to_fall_back_on(write, tmp_path):
    write("dam.yaml", minimal("dam").replace("departments: [water]", "departments: [dam]"))
    with pytest.raises(TypeError):
        load_dir(tmp_path)  # a caller that forgets the codes fails loudly, never with a guessed list
    assert [p.name for p in load_dir(tmp_path, {"water", "dam"})] == ["dam"]
