"""The systemd unit set in docs/deploy/systemd/ starts what it says, with settings Vigil knows.

An operator copies these files as they are: a unit whose ExecStart names a command or role the CLI
does not have, or an env file with a misspelt VIGIL_ name (silently ignored by Vigil), would only
show up on the production host.
"""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest

from command.cli import _parser
from command.settings import DEFAULTS, PREFIX, SettingsError, load_settings
from tests.conftest import ROOT

SYSTEMD = ROOT / "docs" / "deploy" / "systemd"
ENV_EXAMPLE = SYSTEMD / "vigil.env.example"
ASSIGNMENT = re.compile(r"^#?\s*(VIGIL_[A-Z0-9_]+)=(.*)$")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)  # systemd repeats keys (After=)
    parser.optionxform = str
    parser.read_string((SYSTEMD / name).read_text())
    return parser


def cli_args(service: configparser.ConfigParser, instance: str):
    """ExecStart with %i filled in: the program, and what the real CLI parser makes of the rest."""
    argv = shlex.split(service["Service"]["ExecStart"].replace("%i", instance))
    assert argv[1:3] == ["-m", "command"], argv
    return Path(argv[0]), _parser().parse_args(argv[3:])


@pytest.mark.parametrize("name, instance, role", [("vigil-web@.service", "8001", "web"),
                                                  ("vigil-worker@.service", "2", "worker")])
def test_web_and_worker_units_start_serve_with_their_role(name, instance, role):
    service = unit(name)
    program, args = cli_args(service, instance)
    assert (args.command, args.role) == ("serve", role)
    if role == "web":
        assert args.port == int(instance) and args.host == "127.0.0.1"  # the instance is the port; nginx is the way in
    # `python -m command` finds the code only when run from the checkout whose venv it is.
    assert program.parent.parent.parent == Path(service["Service"]["WorkingDirectory"])
    assert service["Service"]["EnvironmentFile"] == "/etc/vigil/vigil.env"
    for dependency in ("Requires", "After"):  # migrations run first, and a failed one keeps it down
        assert "vigil-migrate.service" in service["Unit"][dependency].split()
    assert service["Unit"]["PartOf"] == service["Install"]["WantedBy"] == "vigil.target"
    assert service["Service"]["Restart"] == "on-failure"


def test_the_migrate_unit_runs_migrate_once_per_start():
    service = unit("vigil-migrate.service")
    program, args = cli_args(service, "")
    assert args.command == "migrate"
    assert service["Service"]["Type"] == "oneshot"
    assert "RemainAfterExit" not in service["Service"]  # so every start of vigil.target migrates again
    web = unit("vigil-web@.service")["Service"]
    assert (str(program), service["Service"]["WorkingDirectory"], service["Service"]["User"]) == \
        (shlex.split(web["ExecStart"])[0], web["WorkingDirectory"], web["User"])
    assert unit("vigil.target")["Install"]["WantedBy"] == "multi-user.target"


def test_every_variable_in_the_env_example_is_a_real_setting():
    names = [match.group(1) for line in ENV_EXAMPLE.read_text().splitlines() if (match := ASSIGNMENT.match(line))]
    assert len(names) == len(set(names)), "a setting is listed twice"
    unknown = sorted(name for name in names if name.removeprefix(PREFIX) not in DEFAULTS)
    assert not unknown, f"not Vigil settings (Vigil would ignore them): {unknown}"
    # The ones a scaled-out deployment cannot do without are set, not left commented out.
    active = dict(line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
                  if line.startswith(PREFIX))
    for needed in ("DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE", "SECRET_KEY", "PUBLIC_URL", "ASYNC_MODE"):
        assert PREFIX + needed in active, f"{PREFIX}{needed} must be set in the example"
    assert active["VIGIL_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert active["VIGIL_SOCKETIO_MESSAGE_QUEUE"].startswith("redis://")
    # Port and host come from the units; the env file must not fight them.
    assert "VIGIL_PORT" not in active and "VIGIL_HOST" not in active


def test_the_env_example_loads_as_it_stands():
    environ = dict(line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if line.startswith(PREFIX))
    try:
        settings = load_settings(environ=environ)
    except SettingsError as exc:
        pytest.fail(f"vigil.env.example is refused: {exc}")
    assert settings["PUBLIC_URL"].startswith("https://")  # Secure session cookies behind TLS
    assert settings["ASYNC_MODE"] == "threading"
