"""The Procfile at the repository root runs the real CLI: a web and a worker process type.

Procfile runners (honcho, foreman, a PaaS) run each line through the shell with PORT set, so the
test expands $PORT the way the shell would and hands the rest to the CLI's own argument parser.
"""

from __future__ import annotations

import re
import shlex
import subprocess

from command.cli import _parser
from tests.conftest import ROOT

LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")  # foreman's and honcho's grammar


def process_types() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    types = {match.group(1): match.group(2) for line in lines if (match := LINE.match(line))}
    assert len(types) == len([line for line in lines if line.strip()]), "a Procfile line is not NAME: COMMAND"
    return types


def expanded(command: str, port: str) -> list[str]:
    """The argv the shell runs for ``command`` with PORT=``port``."""
    printed = subprocess.run(["sh", "-c", f"printf '%s\\n' {command}"], env={"PORT": port, "PATH": "/usr/bin:/bin"},
                             capture_output=True, text=True, timeout=10, check=True)
    return printed.stdout.splitlines()


def test_the_procfile_has_a_web_and_a_worker_type():
    assert set(process_types()) == {"web", "worker"}


def test_each_procfile_line_parses_with_the_real_cli():
    for name, command in process_types().items():
        argv = expanded(command, "5123")
        assert argv[:3] == ["python", "-m", "command"], argv
        args = _parser().parse_args(argv[3:])
        assert (args.command, args.role) == ("serve", name)
        if name == "web":
            assert args.port == 5123  # the port the runner gave this process
            assert "$PORT" in shlex.split(command)
