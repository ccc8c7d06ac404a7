"""Each sender against its fake: the real twilio client to FakeTwilio, urllib to FakeGateway, the console log."""

from __future__ import annotations

import base64
import logging
from datetime import datetime, timedelta, timezone

import pytest

from command.sms.senders import ConsoleSender, HttpGatewaySender, SendError, TwilioSender, build_sender
from command.settings import load_settings
from tests.conftest import free_port
from tests.fakes.sms_gateway import GatewayFault
from tests.fakes.twilio_server import SERVER_ERROR, TOO_MANY_REQUESTS, Fault, permanent
from tests.sms.sms_rows import FROM_NUMBER, PUBLIC_URL

TO = "+8613800000001"
CALLBACK = f"{PUBLIC_URL}/twilio/status?n=1"
LONG_AGO = datetime(2020, 1, 1, tzinfo=timezone.utc)


def twilio(fake, sender: str = FROM_NUMBER, timeout: float = 5.0, token: str | None = None) -> TwilioSender:
    return TwilioSender(fake.account_sid, token or fake.auth_token, sender, timeout, fake.url)


def test_twilio_sender_sends_through_the_real_client(fake_twilio):
    result = twilio(fake_twilio).send(TO, "【II级】洪水 回复A7 1确认", CALLBACK)
    [message] = fake_twilio.messages
    assert result.provider_id == message["sid"] and result.provider_id.startswith("SM")
    assert result.status == "queued"
    assert (message["to"], message["from"], message["body"]) == (TO, FROM_NUMBER, "【II级】洪水 回复A7 1确认")
    assert message["status_callback"] == CALLBACK


def test_a_messaging_service_sender_is_sent_as_messaging_service_sid(fake_twilio):
    result = twilio(fake_twilio, sender="MG" + "2" * 32).send(TO, "hello", None)
    [message] = fake_twilio.messages
    assert message["messaging_service_sid"] == "MG" + "2" * 32 and message["from"] is None
    assert message["status_callback"] is None
    assert result.status == "queued"  # Twilio's "accepted" for a Messaging Service


def test_twilio_environment_variables_cannot_move_the_host(fake_twilio, monkeypatch):
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    monkeypatch.setenv("TWILIO_REGION", "au1")
    twilio(fake_twilio).send(TO, "still the fake", None)
    assert fake_twilio.bodies() == ["still the fake"]


def test_a_wrong_auth_token_is_refused_by_basic_auth(fake_twilio):
    with pytest.raises(SendError) as refused:
        twilio(fake_twilio, token="not-the-token").send(TO, "x", None)
    assert refused.value.code == 20003 and not refused.value.retryable
    assert fake_twilio.messages == []


def test_429_is_retryable_and_known_not_sent(fake_twilio):
    fake_twilio.fail_next(1, TOO_MANY_REQUESTS)
    with pytest.raises(SendError) as refused:
        twilio(fake_twilio).send(TO, "x", None)
    assert (refused.value.retryable, refused.value.unknown, refused.value.code) == (True, False, 20429)


def test_5xx_is_retryable_with_an_unknown_outcome(fake_twilio):
    fake_twilio.fail_next(1, SERVER_ERROR)
    with pytest.raises(SendError) as refused:
        twilio(fake_twilio).send(TO, "x", None)
    assert (refused.value.retryable, refused.value.unknown) == (True, True)


@pytest.mark.parametrize("code", [21211, 21608, 21610, 21612, 21614])
def test_permanent_twilio_errors_are_not_retried(fake_twilio, code):
    fake_twilio.fail_next(1, permanent(code))
    with pytest.raises(SendError) as refused:
        twilio(fake_twilio).send(TO, "x", None)
    assert (refused.value.retryable, refused.value.code) == (False, code)


def test_a_read_timeout_is_unknown_and_lookup_finds_what_the_provider_kept(fake_twilio):
    fake_twilio.fail_next(1, Fault(201, delay=3))  # the provider takes it and answers too late
    sender = twilio(fake_twilio, timeout=0.3)
    with pytest.raises(SendError) as refused:
        sender.send(TO, "slow one", CALLBACK)
    assert (refused.value.retryable, refused.value.unknown) == (True, True)
    [kept] = fake_twilio.messages
    found = sender.lookup(TO, "slow one", LONG_AGO, exclude=set())
    assert found is not None and found.provider_id == kept["sid"]
    assert sender.lookup(TO, "slow one", LONG_AGO, exclude={kept["sid"]}) is None
    assert sender.lookup(TO, "another body", LONG_AGO, exclude=set()) is None
    assert sender.lookup("+8613999999999", "slow one", LONG_AGO, exclude=set()) is None
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    assert sender.lookup(TO, "slow one", later, exclude=set()) is None  # older than the notification


def test_a_refused_connection_is_retryable_and_known_not_sent():
    sender = TwilioSender("AC" + "1" * 32, "token", FROM_NUMBER, 2.0, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(SendError) as refused:
        sender.send(TO, "x", None)
    assert (refused.value.retryable, refused.value.unknown, refused.value.code) == (True, False, "connect")


# ---- the HTTP gateway -------------------------------------------------------------------------

def gateway(fake, timeout: float = 5.0, token: str | None = None) -> HttpGatewaySender:
    return HttpGatewaySender(fake.url, token or fake.token, timeout)


def test_gateway_sender_posts_json_with_the_bearer_token(fake_gateway):
    result = gateway(fake_gateway).send(TO, "短信 test", f"{PUBLIC_URL}/sms/status?n=4")
    [request] = fake_gateway.requests
    assert request["headers"]["Authorization"] == f"Bearer {fake_gateway.token}"
    assert request["json"] == {"to": TO, "body": "短信 test", "callback": f"{PUBLIC_URL}/sms/status?n=4"}
    assert (result.provider_id, result.status) == ("gw-1", "queued")


@pytest.mark.parametrize("fault, retryable, unknown", [
    (GatewayFault(429), True, False),
    (GatewayFault(503), True, True),
    (GatewayFault(400), False, False),
])
def test_gateway_errors_are_classified(fake_gateway, fault, retryable, unknown):
    fake_gateway.fail_next(1, fault)
    with pytest.raises(SendError) as refused:
        gateway(fake_gateway).send(TO, "x", None)
    assert (refused.value.retryable, refused.value.unknown, refused.value.code) == (retryable, unknown, fault.status)


def test_gateway_wrong_token_is_permanent(fake_gateway):
    with pytest.raises(SendError) as refused:
        gateway(fake_gateway, token="wrong").send(TO, "x", None)
    assert (refused.value.retryable, refused.value.code) == (False, 401)


def test_gateway_timeout_is_unknown(fake_gateway):
    fake_gateway.fail_next(1, GatewayFault(200, delay=3, keep=True))
    with pytest.raises(SendError) as refused:
        gateway(fake_gateway, timeout=0.3).send(TO, "x", None)
    assert (refused.value.retryable, refused.value.unknown) == (True, True)


def test_gateway_unreachable_is_retryable_and_known_not_sent():
    sender = HttpGatewaySender(f"http://127.0.0.1:{free_port()}/send", "t", 2.0)
    with pytest.raises(SendError) as refused:
        sender.send(TO, "x", None)
    assert (refused.value.retryable, refused.value.unknown) == (True, False)


# ---- console and the factory ------------------------------------------------------------------

def test_console_sender_logs_each_message_with_a_fake_id(caplog):
    sender = ConsoleSender()
    with caplog.at_level(logging.INFO, logger="command.sms.senders"):
        first = sender.send(TO, "【I级】测试 回复A7 1确认", None)
        second = sender.send(TO, "again", None)
    assert first.status == "sent" and first.provider_id.startswith("console-")
    assert ConsoleSender().send(TO, "a new process", None).provider_id not in (first.provider_id, second.provider_id)
    assert "【I级】测试 回复A7 1确认" in caplog.text and TO in caplog.text


def test_build_sender_picks_the_configured_backend(fake_twilio, fake_gateway):
    assert isinstance(build_sender(load_settings({}, environ={})), ConsoleSender)
    settings = load_settings({"SMS_BACKEND": "http", "SMS_HTTP_URL": fake_gateway.url, "SMS_HTTP_TOKEN": "t"},
                             environ={})
    assert isinstance(build_sender(settings), HttpGatewaySender)
    settings = load_settings({"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": fake_twilio.account_sid,
                              "TWILIO_AUTH_TOKEN": fake_twilio.auth_token, "TWILIO_FROM": FROM_NUMBER,
                              "TWILIO_API_BASE": fake_twilio.url, "SMS_TIMEOUT_SECONDS": 1.5}, environ={})
    sender = build_sender(settings)
    assert isinstance(sender, TwilioSender)
    assert sender.client.http_client.timeout == 1.5  # the client's own default is no timeout at all
    sender.send(TO, "configured", None)
    assert fake_twilio.bodies() == ["configured"]


def test_fake_twilio_checks_basic_auth_the_way_twilio_does(fake_twilio):
    # The fake itself must refuse a wrong account, so the tests above prove the client authenticated.
    expected = base64.b64encode(f"{fake_twilio.account_sid}:{fake_twilio.auth_token}".encode()).decode()
    assert fake_twilio._authorized(f"Basic {expected}") and not fake_twilio._authorized("Basic eDp5")
