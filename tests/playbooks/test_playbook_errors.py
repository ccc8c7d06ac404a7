"""A wrong playbook is refused with every problem, each at its file, line and column, saying what is wrong."""

from __future__ import annotations

import pytest
from playbook_text import DEPARTMENTS, minimal

from playbooks import PlaybookError, load_dir

HEAD = 'name: p\ntitle: {en: "P", zh: "P"}\nmatch: {}\n'  # lines 1-3; steps start on line 4


def problems(directory, **kwargs) -> list[str]:
    with pytest.raises(PlaybookError) as caught:
        load_dir(directory, **{"departments": DEPARTMENTS, **kwargs})
    return [str(p) for p in caught.value.problems]


CASES = [
    ("unknown top-level key", 'name: p\ntitle: {en: "P", zh: "P"}\ncolour: red\nmatch: {}\nsteps: [{type: resolve}]\n',
     "3:1: playbook: unknown key 'colour'"),
    ("unknown match key", HEAD.replace("match: {}", "match:\n  colour: red") + "steps: [{type: resolve}]\n",
     "4:3: match: unknown key 'colour'"),
    ("unknown step type", HEAD + "steps:\n  - type: resolve\n  - type: jump\n",
     "6:11: step 2: type: unknown value 'jump'; expected one of: notify_liaisons,"),
    ("parameter of another step type", HEAD + "steps:\n  - type: wait\n    minutes: 5\n    channels: [sms]\n",
     "7:5: step 1 (wait): unknown key 'channels'; expected one of: type, minutes, label"),
    ("missing required parameter", HEAD + "steps:\n  - type: notify_person\n",
     "5:5: step 1 (notify_person): missing key 'person'"),
    ("wrong type of priority",
     'name: p\ntitle: {en: "P", zh: "P"}\npriority: high\nmatch: {}\nsteps: [{type: resolve}]\n',
     "3:11: priority must be a whole number, not 'high'"),
    ("wrong type of minutes", HEAD + "steps:\n  - type: wait\n    minutes: [5]\n",
     "6:14: step 1 (wait): minutes must be a number, not a list"),
    ("quoted number is text", HEAD + "steps:\n  - type: wait\n    minutes: '5'\n",
     "6:14: step 1 (wait): minutes must be a number, not '5'"),
    ("unknown department", HEAD + "steps:\n  - type: notify_liaisons\n    departments: [water, army]\n",
     "6:26: step 1 (notify_liaisons): departments: unknown department 'army'; known: emergency, fire,"),
    ("repeat from an unknown label", HEAD + "steps:\n  - type: wait\n    label: a\n    minutes: 5\n"
                                            "  - type: repeat\n    from: b\n    times: 2\n",
     "9:11: step 2 (repeat): from 'b' is not the label of any step (labels: a)"),
    ("repeat from a later label", HEAD + "steps:\n  - type: repeat\n    from: later\n    times: 2\n"
                                         "  - type: wait\n    label: later\n    minutes: 5\n",
     "6:11: step 1 (repeat): from 'later' is step 2; repeat can only go back to an earlier step"),
    ("repeat without a wait", HEAD + "steps:\n  - type: notify_person\n    label: a\n    person: x\n"
                                     "  - type: repeat\n    from: a\n    times: 2\n",
     "9:11: step 2 (repeat): the steps from 'a' have no wait"),
    ("minutes zero", HEAD + "steps:\n  - type: wait\n    minutes: 0\n",
     "6:14: step 1 (wait): minutes must be greater than 0, not 0"),
    ("minutes negative", HEAD + "steps:\n  - type: wait\n    minutes: -5\n",
     "6:14: step 1 (wait): minutes must be greater than 0, not -5"),
    ("require more than the group", HEAD + "steps:\n  - type: notify_group\n    people: [a, b, c]\n    require: 4\n",
     "7:14: step 1 (notify_group): require 4 is more than the 3 people in the group"),
    ("require neither all nor a number", HEAD + "steps:\n  - type: notify_group\n    people: [a]\n    require: most\n",
     "7:14: step 1 (notify_group): require must be 'all' or a number of people"),
    ("group with people and department", HEAD + "steps:\n  - type: notify_group\n    people: [a]\n"
                                                "    department: water\n",
     "5:5: step 1 (notify_group): give either people or department"),
    ("head without department", HEAD + "steps:\n  - type: notify_role\n    role: head\n",
     "6:11: step 1 (notify_role): role 'head' needs a department"),
    ("bad on-duty post", HEAD + "steps:\n  - type: notify_on_duty\n    post: mayor\n",
     "6:11: step 1 (notify_on_duty): post: unknown value 'mayor'; expected one of: leader, duty_officer"),
    ("bad hour", HEAD.replace("match: {}", 'match:\n  time_of_day: {from: "25:00", to: "06:00"}')
     + "steps: [{type: resolve}]\n",
     "4:23: match.time_of_day.from: '25:00' is not a time of day (HH:MM from 00:00 to 23:59)"),
    ("bad minute", HEAD.replace("match: {}", "match:\n  time_of_day: {from: '22:00', to: '06:75'}")
     + "steps: [{type: resolve}]\n",
     "4:36: match.time_of_day.to: '06:75' is not a time of day"),
    ("empty time window", HEAD.replace("match: {}", "match:\n  time_of_day: {from: '08:00', to: '08:00'}")
     + "steps: [{type: resolve}]\n",
     "4:16: match.time_of_day: from and to are both 08:00"),
    ("empty steps", HEAD + "steps: []\n", "4:8: steps must be a list of at least one step"),
    ("missing steps", HEAD, "1:1: playbook: missing key 'steps'"),
    ("empty match", 'name: p\ntitle: {en: "P", zh: "P"}\nmatch:\nsteps: [{type: resolve}]\n',
     "3:7: match must be a mapping; write 'match: {}' to match every incident"),
    ("title without Chinese", 'name: p\ntitle: {en: "P"}\nmatch: {}\nsteps: [{type: resolve}]\n',
     "2:8: title: missing key 'zh'"),
    ("box with south north of north", HEAD.replace("match: {}", "match:\n  area: [[119, 31, 121, 30]]")
     + "steps: [{type: resolve}]\n",
     "4:10: match.area: south 31 is north of north 30"),
    ("box latitude out of range", HEAD.replace("match: {}", "match:\n  area: [[119, -95, 121, 30]]")
     + "steps: [{type: resolve}]\n",
     "4:16: match.area: south must be at least -90, not -95"),
    ("box of three numbers", HEAD.replace("match: {}", "match:\n  area: [[119, 30, 121]]")
     + "steps: [{type: resolve}]\n",
     "4:10: match.area: a box is [west, south, east, north] in degrees"),
    ("unknown category", HEAD.replace("match: {}", "match:\n  category: [env, weather]")
     + "steps: [{type: resolve}]\n",
     "4:19: match.category: unknown value 'weather'"),
    ("unknown grade", HEAD.replace("match: {}", "match:\n  grade: [II, V]") + "steps: [{type: resolve}]\n",
     "4:15: match.grade: unknown value 'V'; expected one of: I, II, III, IV"),
    ("sensitive not a boolean", HEAD.replace("match: {}", "match:\n  sensitive: maybe")
     + "steps: [{type: resolve}]\n",
     "4:14: match.sensitive must be true or false, not 'maybe'"),
    ("duplicate label",
     HEAD + "steps:\n  - {type: wait, minutes: 5, label: a}\n  - {type: wait, minutes: 5, label: a}\n",
     "6:37: step 2 (wait): label 'a' is already used by step 1"),
    ("duplicate key", HEAD + "steps:\n  - type: wait\n    minutes: 5\n    minutes: 6\n",
     "7:5: step 1 (wait): duplicate key 'minutes' (first on line 6)"),
    ("step after resolve", HEAD + "steps:\n  - type: resolve\n  - type: if_not_resolved\n",
     "6:5: step 2 is never reached: it follows a resolve step"),
    ("step is not a mapping", HEAD + "steps:\n  - resolve\n", "5:5: step 1 must be a mapping"),
    ("bad name", HEAD.replace("name: p", "name: flood grade II") + "steps: [{type: resolve}]\n",
     "1:7: name 'flood grade II' must be letters, digits"),
    ("repeat too often",
     HEAD + "steps:\n  - {type: wait, minutes: 5, label: a}\n  - {type: repeat, from: a, times: 11}\n",
     "6:36: step 2 (repeat): times must be at most 10, not 11"),
    ("alias", HEAD + "steps:\n  - &w {type: wait, minutes: 5}\n  - *w\n",
     "6:5: YAML syntax: aliases (*name) are not allowed"),
    ("YAML syntax", HEAD + "steps: [{type: resolve}\n", "5:1: YAML syntax: while parsing a flow sequence"),
    ("several documents", HEAD + "steps: [{type: resolve}]\n---\n" + HEAD,
     "5:1: YAML syntax: expected a single document in the stream"),
    ("step without a type", HEAD + "steps:\n  - minutes: 5\n",
     "5:5: step 1: missing key 'type'; one of: notify_liaisons,"),
    ("empty file", "", "1:1: the file is empty"),
]


@pytest.mark.parametrize("text, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_problem_names_its_line_column_and_what_is_wrong(write, tmp_path, text, expected):
    path = write("p.yaml", text)
    found = problems(tmp_path)
    assert any(line.startswith(f"{path}:{expected}") for line in found), found


def test_every_problem_in_every_file_is_reported_in_line_order(write, tmp_path):
    first = write("a.yaml", HEAD.replace("match: {}", "match:\n  grade: [V]")
                  + "steps:\n  - type: wait\n    minutes: 0\n  - type: jump\n")
    second = write("b.yaml", HEAD + "steps:\n  - type: notify_liaisons\n    departments: [army]\n")
    found = problems(tmp_path)
    assert [line.split(": ")[0] for line in found] == [f"{first}:4:11", f"{first}:7:14", f"{first}:8:11",
                                                      f"{second}:6:19"]


def test_a_name_used_twice_across_files_is_refused_at_the_second(write, tmp_path):
    first = write("a.yaml", minimal("flood"))
    second = write("b.yaml", minimal("flood"))
    assert problems(tmp_path) == [f"{second}:1:7: name 'flood' is already used by {first}; names must be unique"]


def test_department_codes_can_be_given_by_the_caller(write, tmp_path):
    path = write("p.yaml", minimal("p"))  # notifies the water liaisons
    found = problems(tmp_path, departments=["police", "fire"])
    assert found == [f"{path}:8:19: step 1 (notify_liaisons): departments: unknown department 'water'; "
                     "known: fire, police"]


def test_a_directory_without_playbooks_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not a playbook")
    assert problems(tmp_path) == [f"{tmp_path}: no playbook files (*.yaml) in this directory"]
    assert problems(tmp_path / "missing") == [f"{tmp_path / 'missing'}: not a directory"]


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    (tmp_path / "p.yaml").write_bytes(b"name: \xff\n")
    assert problems(tmp_path) == [f"{tmp_path / 'p.yaml'}: not UTF-8 text (byte 6)"]
