"""The SMS webhooks, served on 127.0.0.1 and called by the fake providers the way the real ones call.

The app believes it is reached at PUBLIC_URL (a proxy in front); the fakes sign
for that URL and deliver to the local server, so a check against request.url
would fail every genuine request.
"""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ElementTree

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from command.migrate import upgrade
from command.models import Acknowledgement, InboundMessage, utcnow
from command.runtime import build_runtime
from command.sms import outbox
from command.sms.senders import HttpGatewaySender
from tests.fakes.sms_gateway import FakeGateway
from tests.fakes.twilio_server import FakeTwilio
from tests.sms.sms_rows import (PUBLIC_URL, add_escalation, add_incident, add_notification, add_person, log_entries,
                                notification, twilio_settings)

LIU = "+8613800000001"
GATEWAY_TOKEN = "gateway-token"


@pytest.fixture
def fake_twilio():
    fake = FakeTwilio()
    yield fake
    fake.close()


@pytest.fixture
def fake_gateway():
    fake = FakeGateway(token=GATEWAY_TOKEN)
    yield fake
    fake.close()


def serve(sqlite_url, fake, **settings):
    from web import create_app
    runtime = build_runtime({"DATABASE_URL": sqlite_url, "SECRET_KEY": "test", "SMS_HTTP_TOKEN": GATEWAY_TOKEN,
                             **twilio_settings(fake), **settings})
    upgrade(runtime.engine)
    server = make_server("127.0.0.1", 0, create_app(runtime=runtime), threaded=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return runtime, server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def live(sqlite_url, fake_twilio, fake_gateway):
    """(runtime, local base URL) of the app served behind the pretend proxy at PUBLIC_URL."""
    runtime, server, local = serve(sqlite_url, fake_twilio)
    fake_twilio.route(PUBLIC_URL, local)
    fake_gateway.route(PUBLIC_URL, local)
    with runtime.unit_of_work() as session:
        person = add_person(session, "liu", sms=(LIU,))
        escalation = add_escalation(session, add_incident(session), reply_code="A7")
        add_notification(session, person, escalation=escalation)
    yield runtime, local
    server.shutdown()
    runtime.engine.dispose()


def twiml_message(twiml: str) -> str:
    return ElementTree.fromstring(twiml).find("Message").text


def acknowledgements(runtime) -> list[tuple[str, str]]:
    with runtime.sessions() as session:
        return [(a.actor, a.answer) for a in session.scalars(select(Acknowledgement))]


def inbound_count(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(InboundMessage))


def test_a_signed_reply_acknowledges_and_is_answered_with_twiml(live, fake_twilio):
    runtime, _ = live
    status, twiml = fake_twilio.send_inbound(f"{PUBLIC_URL}/twilio/sms", LIU, "a7 1", sid="SMreply1")
    assert status == 200
    assert twiml_message(twiml) == "已确认 A7，谢谢 / A7 acknowledged, thank you"
    assert acknowledgements(runtime) == [("liu", "acknowledge")]
    status, again = fake_twilio.send_inbound(f"{PUBLIC_URL}/twilio/sms", LIU, "a7 1", sid="SMreply1")
    assert (status, again) == (200, twiml) and len(acknowledgements(runtime)) == 1


def test_an_unknown_code_is_answered_helpfully(live, fake_twilio):
    status, twiml = fake_twilio.send_inbound(f"{PUBLIC_URL}/twilio/sms", LIU, "A9 1")
    assert status == 200 and twiml_message(twiml).startswith("未找到代码 A9。")


def test_a_missing_signature_is_refused_and_logged(live, fake_twilio):
    runtime, _ = live
    params = {"MessageSid": "SMforged", "From": LIU, "Body": "A7 1"}
    assert fake_twilio.post_signed(f"{PUBLIC_URL}/twilio/sms", params, signature="")[0] == 403
    assert acknowledgements(runtime) == [] and inbound_count(runtime) == 0
    [entry] = log_entries(runtime, "audit")
    assert entry.data["reason"] == "no X-Twilio-Signature" and entry.data["path"] == "/twilio/sms"


def test_a_tampered_body_is_refused(live, fake_twilio):
    runtime, _ = live
    signed = {"MessageSid": "SMt", "From": LIU, "Body": "A7 1"}
    sent = dict(signed, Body="A7 3")
    assert fake_twilio.post_signed(f"{PUBLIC_URL}/twilio/sms", sent, signed_params=signed)[0] == 403
    assert acknowledgements(runtime) == []
    assert log_entries(runtime, "audit")[0].data["reason"] == "invalid X-Twilio-Signature"


def test_the_signature_is_checked_against_public_url_not_the_url_the_app_sees(live, fake_twilio):
    runtime, local = live
    params = {"MessageSid": "SMlocal", "From": LIU, "Body": "A7 1"}
    # Signed for the address the request really arrived at (request.url): not what Twilio called.
    signature = fake_twilio.sign(f"{local}/twilio/sms", params)
    assert fake_twilio.post_signed(f"{local}/twilio/sms", params, signature=signature)[0] == 403
    assert acknowledgements(runtime) == []


def test_without_public_url_nothing_can_be_checked_so_everything_is_refused(sqlite_url, fake_twilio):
    runtime, server, local = serve(sqlite_url, fake_twilio, PUBLIC_URL="")
    try:
        params = {"MessageSid": "SMx", "From": LIU, "Body": "A7 1"}
        signature = fake_twilio.sign(f"{local}/twilio/sms", params)
        assert fake_twilio.post_signed(f"{local}/twilio/sms", params, signature=signature)[0] == 403
    finally:
        server.shutdown()
        runtime.engine.dispose()


def test_a_flood_of_forgeries_writes_one_log_entry(live, fake_twilio):
    runtime, _ = live
    for number in range(5):
        params = {"MessageSid": f"SMf{number}", "From": LIU, "Body": "A7 1"}
        assert fake_twilio.post_signed(f"{PUBLIC_URL}/twilio/status", params, signature="bogus")[0] == 403
    assert len(log_entries(runtime, "audit")) == 1


def test_delivery_reports_reach_the_notification_through_the_signed_callback_url(live, fake_twilio):
    runtime, _ = live
    assert outbox.run_once(runtime, "w1", utcnow()) == 1
    [message] = fake_twilio.messages
    assert message["status_callback"].startswith(f"{PUBLIC_URL}/twilio/status?n=")
    assert fake_twilio.send_status(message["sid"], "sent") == 204
    assert fake_twilio.send_status(message["sid"], "delivered") == 204
    assert fake_twilio.send_status(message["sid"], "sent") == 204  # late, and ignored
    row = notification(runtime, 1)
    assert (row.provider_id, row.status) == (message["sid"], "delivered")
    assert len(log_entries(runtime, "sms_delivered")) == 1


def test_a_callback_whose_query_string_was_changed_is_refused(live, fake_twilio):
    runtime, _ = live
    outbox.run_once(runtime, "w1", utcnow())
    [message] = fake_twilio.messages
    params = {"MessageSid": message["sid"], "MessageStatus": "delivered"}
    signature = fake_twilio.sign(message["status_callback"], params)
    forged_url = message["status_callback"].replace("?n=1", "?n=2")
    assert fake_twilio.post_signed(forged_url, params, signature=signature)[0] == 403
    assert notification(runtime, 1).status == "queued"


def test_gateway_delivery_reports_need_the_gateway_token(live, fake_gateway):
    runtime, _ = live
    sender = HttpGatewaySender(fake_gateway.url, GATEWAY_TOKEN, 5.0)
    assert outbox.run_once(runtime, "w1", utcnow(), sender=sender) == 1
    [message] = fake_gateway.messages
    assert message["callback"] == f"{PUBLIC_URL}/sms/status?n=1"
    assert fake_gateway.send_status(message["id"], "delivered", token="wrong") == 403
    assert notification(runtime, 1).status == "queued"
    assert fake_gateway.send_status(message["id"], "delivered") == 204
    assert notification(runtime, 1).status == "delivered"
