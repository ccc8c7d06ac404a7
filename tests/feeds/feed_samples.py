"""Read the real payloads in feeds/samples/ for the adapter tests."""

from __future__ import annotations

import json
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "feeds" / "samples"


def sample(name: str) -> bytes:
    """Return the bytes of feeds/samples/<name>."""
    return (SAMPLES_DIR / name).read_bytes()


def sample_json(name: str):
    """Return feeds/samples/<name> decoded as JSON (a fresh copy each call, free to edit)."""
    return json.loads(sample(name))


def dumps(document) -> bytes:
    """Return a JSON document as payload bytes."""
    return json.dumps(document, ensure_ascii=False).encode("utf-8")
