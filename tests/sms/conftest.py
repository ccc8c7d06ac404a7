"""Fixtures for SMS tests: the fake Twilio and gateway servers, a runtime that sends through the fake."""

from __future__ import annotations

import pytest

from command.migrate import upgrade
from command.runtime import build_runtime
from tests.fakes.sms_gateway import FakeGateway
from tests.fakes.twilio_server import FakeTwilio
from tests.sms.sms_rows import twilio_settings


@pytest.fixture
def fake_twilio():
    """A Twilio-shaped server on 127.0.0.1."""
    fake = FakeTwilio()
    yield fake
    fake.close()


@pytest.fixture
def fake_gateway():
    """An HTTP SMS gateway on 127.0.0.1."""
    fake = FakeGateway()
    yield fake
    fake.close()


@pytest.fixture
def sms_runtime(sqlite_url, fake_twilio):
    """A migrated SQLite runtime whose SMS go through the real twilio client to ``fake_twilio``."""
    rt = build_runtime({"DATABASE_URL": sqlite_url, "SECRET_KEY": "test", **twilio_settings(fake_twilio)})
    upgrade(rt.engine)
    yield rt
    rt.engine.dispose()
