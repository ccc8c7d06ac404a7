"""Settings: defaults, VIGIL_ environment overrides with types, and clear refusals."""

import pytest

from command.settings import DEFAULTS, SettingsError, load_settings


def test_defaults_are_the_embedded_system():
    settings = load_settings(environ={})
    assert settings["DATABASE_URL"].startswith("sqlite:///") and settings["DATABASE_URL"].endswith("instance/vigil.db")
    assert (settings["ASYNC_MODE"], settings["SMS_BACKEND"], settings["SOCKETIO_MESSAGE_QUEUE"]) == (
        "threading", "console", "")


def test_environment_variables_override_with_the_right_types():
    settings = load_settings(environ={"VIGIL_PORT": "8080", "VIGIL_DEMO": "yes", "VIGIL_ASYNC_MODE": "eventlet",
                                      "VIGIL_MAP_CENTER": "31.2,121.5", "VIGIL_DEMO_INTERVAL_SECONDS": "0.5"})
    assert settings["PORT"] == 8080 and settings["DEMO"] is True and settings["ASYNC_MODE"] == "eventlet"
    assert settings["MAP_CENTER"] == [31.2, 121.5] and settings["DEMO_INTERVAL_SECONDS"] == 0.5


@pytest.mark.parametrize("environ, message", [
    ({"VIGIL_PORT": "http"}, "VIGIL_PORT='http' is not a valid int"),
    ({"VIGIL_ASYNC_MODE": "gevent"}, "allowed: threading | eventlet"),
    ({"VIGIL_DEMO": "maybe"}, "VIGIL_DEMO"),
    ({"VIGIL_TILE_URL": "http://tiles.local/{z}/{x}/{y}.png"}, "TILE_ATTRIBUTION is required"),
    ({"VIGIL_ASYNC_MODE": "eventlet", "VIGIL_DATABASE_URL": "postgresql+psycopg://db/vigil"}, "psycopg 3"),
])
def test_bad_values_are_refused_with_the_variable_named(environ, message):
    with pytest.raises(SettingsError, match=message.replace("|", r"\|").replace("(", r"\(")):
        load_settings(environ=environ)


def test_an_unknown_override_lists_the_known_settings():
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings({"DATABASE": "x"}, environ={})


def test_every_default_is_documented_in_the_readme():
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [name for name in DEFAULTS if f"VIGIL_{name}" not in readme]
    assert missing == []
