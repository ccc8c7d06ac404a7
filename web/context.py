"""The Runtime behind the app: the one place web code reaches settings, sessions and units of work from."""

from __future__ import annotations

from flask import Flask, current_app

from command.runtime import Runtime

KEY = "vigil"


def runtime_of(app: Flask) -> Runtime:
    """Return the Runtime ``app`` was built with."""
    return app.extensions[KEY]


def runtime() -> Runtime:
    """Return the Runtime of the app handling this request."""
    return current_app.extensions[KEY]
