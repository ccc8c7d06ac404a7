"""Fixtures for playbook tests: write playbook files into a temporary directory."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


@pytest.fixture
def write(tmp_path):
    """write(filename, text) puts a dedented file into tmp_path and returns its path."""
    def _write(filename: str, text: str) -> Path:
        path = tmp_path / filename
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path
    return _write
