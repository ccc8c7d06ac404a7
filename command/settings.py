"""Every setting Vigil reads, with its default and allowed values.

Do not edit defaults for a deployment: set environment variables with the
prefix VIGIL_ (VIGIL_DATABASE_URL=...) or pass an override mapping
(tests, benchmarks) to ``load_settings``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Mapping

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "VIGIL_"

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": f"sqlite:///{ROOT / 'instance' / 'vigil.db'}",  # sqlite:///PATH | postgresql+psycopg://user@host/db
    "SOCKETIO_MESSAGE_QUEUE": "",  # "" (in-process) | redis://host:6379/0
    "ASYNC_MODE": "threading",  # threading | eventlet  (never auto-detected; see README)
    "HOST": "127.0.0.1",  # address `serve` binds to
    "PORT": 5000,  # port `serve` listens on
    "SECRET_KEY": "",  # signs sessions; "" = a random key kept in instance/secret_key
    "TILE_URL": "",  # "" = bundled offline base layer only | https://tiles.example/{z}/{x}/{y}.png
    "TILE_ATTRIBUTION": "",  # required with TILE_URL, shown on the map
    "MAP_CENTER": [35.0, 105.0],  # [lat, lon] of the initial view
    "MAP_ZOOM": 4,  # initial zoom
    "SMS_BACKEND": "console",  # console | twilio | http
    "SMS_TIMEOUT_SECONDS": 10.0,  # one provider request; the twilio client has no timeout of its own
    "SMS_MAX_ATTEMPTS": 6,  # retries on 429/5xx with backoff, then the next contact channel
    "TWILIO_ACCOUNT_SID": "",  # AC…
    "TWILIO_AUTH_TOKEN": "",  # also validates the signature of every inbound webhook
    "TWILIO_FROM": "",  # +E.164 sender number, or MG… messaging service sid
    "TWILIO_API_BASE": "",  # "" = https://api.twilio.com | a compatible endpoint (tests: a fake on 127.0.0.1)
    "SMS_HTTP_URL": "",  # http gateway backend: POST {to, body, callback} as JSON, answers {id}
    "SMS_HTTP_TOKEN": "",  # bearer token for the http gateway
    "SOCKETIO_CHANNEL": "flask-socketio",  # one per deployment sharing a Redis: pub/sub ignores the db number
    "TRUSTED_PROXIES": 0,  # reverse proxies in front of the web process (nginx: 1); 0 = X-Forwarded-* ignored
    "PUBLIC_URL": "",  # the URL the SMS provider calls us at (webhook signatures are checked against it)
    "PLAYBOOKS_DIR": str(ROOT / "playbooks" / "shipped"),  # the playbook YAML files
    "REPORTING_PROFILE": "default",  # which reporting profile (信息报送 deadlines) grade changes follow
    "REPORTING_PROFILES_FILE": "",  # "" = the shipped command/data/reporting_profiles.yaml
    "DIRECTORY_FILE": "",  # "" = none | YAML of departments, people, contacts and shifts loaded at start
    "ESCALATION_POLL_SECONDS": 1.0,  # how often a worker looks for due steps and pending SMS
    "ESCALATION_LEASE_SECONDS": 60,  # a claimed step a dead worker held is taken over after this
    "ESCALATION_OVERDUE_SECONDS": 120,  # the auditor raises a step this late in the duty room
    "MAX_BODY_BYTES": 5 * 1024 * 1024,  # larger ingest bodies are refused with 413
    "MAX_EVENTS_PER_POST": 5000,  # a longer list is refused with 413
    "INGEST_RATE_PER_SOURCE": 50.0,  # events/s one feed may push on average (per web process); 0 = no limit
    "INGEST_BURST": 500,  # events one feed may push at once before the rate applies (429 + Retry-After)
    "FEEDS_FILE": "",  # "" = no configured feeds | path to a feeds YAML (formats, poll URLs, heartbeats)
    "DEMO": False,  # true = replay the bundled demo feeds while serving
    "DEMO_INTERVAL_SECONDS": 2.0,  # pause between replayed demo events
    "TIME_ZONE": "Asia/Shanghai",  # the duty room's time zone for display
}

_CHOICES = {
    "ASYNC_MODE": ("threading", "eventlet"),
    "SMS_BACKEND": ("console", "twilio", "http"),
}


class SettingsError(ValueError):
    """A setting has a value Vigil cannot use."""


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the settings: defaults, then VIGIL_* environment variables, then overrides."""
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for name, default in DEFAULTS.items():
        raw = environ.get(PREFIX + name)
        if raw is not None:
            settings[name] = _parse(name, raw, default)
    unknown = sorted(set(overrides or {}) - set(DEFAULTS))
    if unknown:
        raise SettingsError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
    settings.update(overrides or {})
    _check(settings)
    return settings


def _parse(name: str, raw: str, default: Any) -> Any:
    """Parse an environment string into the type of the setting's default."""
    try:
        if isinstance(default, bool):
            if raw.strip().lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
                raise ValueError(raw)
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, list):
            return [float(part) for part in raw.split(",")]
    except ValueError:
        raise SettingsError(f"{PREFIX}{name}={raw!r} is not a valid {type(default).__name__}") from None
    return raw


def _check(settings: Mapping[str, Any]) -> None:
    for name, allowed in _CHOICES.items():
        if settings[name] not in allowed:
            raise SettingsError(f"{PREFIX}{name}={settings[name]!r}; allowed: {' | '.join(allowed)}")
    if settings["ASYNC_MODE"] == "eventlet" and settings["DATABASE_URL"].startswith("postgresql+psycopg:"):
        # eventlet cannot green psycopg 3: one query would freeze every client (STACK.md 1).
        raise SettingsError(f"{PREFIX}ASYNC_MODE=eventlet cannot be used with psycopg 3 "
                            f"({PREFIX}DATABASE_URL=postgresql+psycopg://…); use threading")
    if settings["TILE_URL"] and not settings["TILE_ATTRIBUTION"]:
        raise SettingsError(f"{PREFIX}TILE_ATTRIBUTION is required when {PREFIX}TILE_URL is set")
    if settings["SMS_BACKEND"] == "twilio":
        missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM") if not settings[name]]
        if missing:
            raise SettingsError(f"{PREFIX}SMS_BACKEND=twilio needs {', '.join(PREFIX + name for name in missing)}")
    if settings["SMS_BACKEND"] == "http" and not settings["SMS_HTTP_URL"]:
        raise SettingsError(f"{PREFIX}SMS_BACKEND=http needs {PREFIX}SMS_HTTP_URL")
    if settings["INGEST_RATE_PER_SOURCE"] < 0 or settings["INGEST_BURST"] < 1:
        raise SettingsError(f"{PREFIX}INGEST_RATE_PER_SOURCE must be 0 (no limit) or more, "
                            f"and {PREFIX}INGEST_BURST at least 1")
    if settings["TRUSTED_PROXIES"] < 0:
        raise SettingsError(f"{PREFIX}TRUSTED_PROXIES must be 0 or more")
    if settings["MAX_BODY_BYTES"] < 1024:
        raise SettingsError(f"{PREFIX}MAX_BODY_BYTES must be at least 1024")


def secret_key(settings: Mapping[str, Any]) -> str:
    """Return the configured secret key, or one kept in instance/ across restarts."""
    if settings["SECRET_KEY"]:
        return settings["SECRET_KEY"]
    path = ROOT / "instance" / "secret_key"
    path.parent.mkdir(exist_ok=True)
    try:  # created exclusively: processes starting together on one host agree on one key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as file:
            file.write(os.urandom(32).hex())
    for _ in range(200):  # empty: another process created it a moment ago and is still writing
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise SettingsError(f"{path} is empty: delete it, or set {PREFIX}SECRET_KEY")
