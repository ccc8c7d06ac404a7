"""``python -m playbooks``: what an administrator sees and the exit codes scripts rely on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playbook_text import minimal

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "playbooks" / "shipped"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "playbooks", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_validate_the_shipped_directory():
    result = run("validate", SHIPPED)
    count = len(list(SHIPPED.glob("*.yaml")))
    assert (result.returncode, result.stdout) == (0, f"OK: {count} playbooks\n")


def test_validate_prints_each_problem_with_file_line_and_column_and_exits_1(write, tmp_path):
    good = write("good.yaml", minimal("good"))
    bad = write("bad.yaml", minimal("bad").replace("priority: 0", "priority: high")
                + "  - type: wait\n    minutes: 0\n")
    result = run("validate", tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{bad}:3:11: priority must be a whole number, not 'high'",
        f"{bad}:10:14: step 2 (wait): minutes must be greater than 0, not 0",
    ]
    assert "2 problem(s)" in result.stderr
    bad.unlink()
    assert run("validate", tmp_path).stdout == "OK: 1 playbooks\n" and good.exists()


def test_validate_a_missing_directory():
    result = run("validate", ROOT / "no-such-dir")
    assert result.returncode == 1 and result.stdout == f"{ROOT / 'no-such-dir'}: not a directory\n"


def test_match_lists_the_matching_playbooks_best_first():
    result = run("match", SHIPPED, "--category", "met", "--event", "River flood", "--grade-proposed", "II",
                 "--at", "2024-07-01T03:00")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("* flood-grade-I-II (priority 80") and "洪涝" in lines[0]
    assert [line.split()[0] for line in lines[1:]] == ["weather-grade-I-II", "any-grade-I-II"]


def test_match_without_a_match_exits_1_and_bad_arguments_exit_2():
    none = run("match", SHIPPED, "--category", "transport", "--severity", "minor", "--at", "2024-07-01T03:00")
    assert none.returncode == 1 and none.stdout == "no playbook matches at 2024-07-01 03:00 CST\n"
    assert run("match", SHIPPED, "--grade", "V").returncode == 2
    assert run("match", SHIPPED, "--at", "yesterday").returncode == 2
    assert run("frobnicate").returncode == 2


def test_validate_knows_the_departments_command_reads_and_passes_them_in(write, tmp_path, monkeypatch, capsys):
    import playbooks.__main__ as cli
    write("p.yaml", minimal("p"))  # notifies the water liaisons
    monkeypatch.setattr(cli, "department_codes", lambda: frozenset({"police"}))
    assert cli.main(["validate", str(tmp_path)]) == 1
    assert "unknown department 'water'; known: police" in capsys.readouterr().out
