"""Delivery reports: statuses only move forward; repeats and late arrivals change nothing; failures fall back."""

from __future__ import annotations

from datetime import timedelta

from command.events import NotificationChanged
from command.models import utcnow
from command.sms import outbox
from command.sms.outbox import apply_status
from tests.conftest import pushed_by
from tests.sms.sms_rows import (add_escalation, add_incident, add_notification, add_person, log_entries,
                                notification, notifications)

LIU, LIU_2 = "+8613800000001", "+8613800000011"


def sent(runtime, now, sms=(LIU,)) -> tuple[int, str]:
    """A notification the outbox has handed to the (fake) provider: (id, provider sid)."""
    with runtime.unit_of_work() as session:
        person = add_person(session, "liu", sms=sms)
        escalation = add_escalation(session, add_incident(session, now=now), now=now)
        notification_id = add_notification(session, person, escalation=escalation, now=now).id
    assert outbox.run_once(runtime, "w1", now) == 1
    return notification_id, notification(runtime, notification_id).provider_id


def report(runtime, sid, status, error_code=None, at=None, notification_id=None) -> list:
    """Apply a delivery report; return what it pushed to the consoles."""
    def apply():
        with runtime.unit_of_work() as session:
            apply_status(session, sid, status, error_code, at or utcnow(), notification_id=notification_id)
    return pushed_by(runtime, apply, NotificationChanged)


def test_statuses_move_forward_and_delivery_is_logged_once(sms_runtime, fake_twilio):
    now = utcnow()
    notification_id, sid = sent(sms_runtime, now)
    [changed] = report(sms_runtime, sid, "sending")
    assert isinstance(changed, NotificationChanged) and changed.notification["status"] == "sending"
    assert report(sms_runtime, sid, "queued") == []  # older news
    assert [e.notification["status"] for e in report(sms_runtime, sid, "sent")] == ["sent"]
    assert len(report(sms_runtime, sid, "delivered")) == 1
    assert report(sms_runtime, sid, "delivered") == []  # Twilio repeats itself
    assert report(sms_runtime, sid, "sent") == []
    assert report(sms_runtime, sid, "failed", 30003) == []  # delivered is final
    assert notification(sms_runtime, notification_id).status == "delivered"
    [delivered] = log_entries(sms_runtime, "sms_delivered")
    assert "Liu (+8613800000001)" in delivered.summary and delivered.data["provider_id"] == sid
    assert log_entries(sms_runtime, "sms_failed") == []


def test_reordered_reports_end_at_the_furthest_status(sms_runtime, fake_twilio):
    notification_id, sid = sent(sms_runtime, utcnow())
    report(sms_runtime, sid, "delivered")
    for late in ("sent", "sending", "queued"):
        assert report(sms_runtime, sid, late) == []
    assert notification(sms_runtime, notification_id).status == "delivered"


def test_undelivered_is_final_and_falls_back_to_the_next_number(sms_runtime, fake_twilio):
    now = utcnow()
    notification_id, sid = sent(sms_runtime, now, sms=(LIU, LIU_2))
    report(sms_runtime, sid, "sent")
    events = report(sms_runtime, sid, "undelivered", 30005)
    assert [e.notification["status"] for e in events] == ["undelivered", "pending"]
    assert report(sms_runtime, sid, "undelivered", 30005) == []  # a repeat: no second fallback
    assert report(sms_runtime, sid, "delivered") == []
    first, fallback = notifications(sms_runtime)
    assert (first.status, first.last_error) == ("undelivered", "30005: the provider reports undelivered")
    assert (fallback.address, fallback.status) == (LIU_2, "pending")
    [failed] = log_entries(sms_runtime, "sms_failed")
    assert LIU_2 in failed.summary
    assert outbox.run_once(sms_runtime, "w1", now + timedelta(seconds=1)) == 1
    assert [m["to"] for m in fake_twilio.messages] == [LIU, LIU_2]


def test_failed_with_no_contact_left_tells_the_duty_room(sms_runtime, fake_twilio):
    notification_id, sid = sent(sms_runtime, utcnow())
    report(sms_runtime, sid, "failed", 30006)
    assert notification(sms_runtime, notification_id).status == "failed"
    [unreachable] = log_entries(sms_runtime, "escalation_failed")
    assert unreachable.significant and "could not be reached" in unreachable.summary
    assert len(notifications(sms_runtime)) == 1


def test_a_report_that_outruns_the_senders_own_record_is_kept(sms_runtime, fake_twilio):
    now = utcnow()
    with sms_runtime.unit_of_work() as session:
        person = add_person(session, "liu", sms=(LIU,))
        notification_id = add_notification(session, person, now=now).id
        assert outbox.claim_due(session, "w1", now, 1, 60) == [notification_id]
    # The provider took it and reported before our transaction recording the sid committed.
    assert len(report(sms_runtime, "SMearly", "sent", notification_id=notification_id)) == 1
    row = notification(sms_runtime, notification_id)
    assert (row.status, row.provider_id) == ("sent", "SMearly")
    with sms_runtime.unit_of_work() as session:  # a later worker run finds nothing left to send
        assert outbox.claim_due(session, "w2", now + timedelta(minutes=5), 10, 60) == []


def test_a_report_naming_another_message_of_a_notification_is_ignored(sms_runtime, fake_twilio):
    notification_id, sid = sent(sms_runtime, utcnow())
    assert report(sms_runtime, "SMother", "delivered", notification_id=notification_id) == []
    assert notification(sms_runtime, notification_id).status == "queued"


def test_reports_for_unknown_messages_or_statuses_change_nothing(sms_runtime, fake_twilio):
    notification_id, sid = sent(sms_runtime, utcnow())
    assert report(sms_runtime, "SMnobody", "delivered") == []
    assert report(sms_runtime, sid, "canceled") == []
    assert report(sms_runtime, sid, "receiving") == []
    assert report(sms_runtime, sid, "DELIVERED") != []  # case does not matter
    assert notification(sms_runtime, notification_id).status == "delivered"
