"""The outbox: pending SMS are sent once through the real twilio client, retried, reconciled, or fall back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from command.events import DutyLogAppended, NotificationChanged
from command.models import Escalation, Notification, Person, utcnow
from command.sms import outbox
from command.sms.senders import TwilioSender
from tests.fakes.twilio_server import SERVER_ERROR, TOO_MANY_REQUESTS, Fault, permanent
from tests.sms.sms_rows import (PUBLIC_URL, add_escalation, add_incident, add_leader_shift, add_notification,
                                add_person, log_entries, notification, notifications)

LIU = "+8613800000001"
LIU_2 = "+8613800000011"
LIU_DESK = "+862584000001"


def setup(runtime, now, *, sms=(LIU,), voice=(), role="liaison", cap_status="actual", exercise=False,
          body="【II级】秦淮河水位超过警戒水位 回复A7 1确认"):
    with runtime.unit_of_work() as session:
        person = add_person(session, "liu", role=role, sms=sms, voice=voice)
        incident = add_incident(session, cap_status=cap_status, now=now)
        escalation = add_escalation(session, incident, exercise=exercise, now=now)
        return add_notification(session, person, escalation=escalation, body=body, now=now).id


def published(runtime) -> list:
    events = []
    runtime.publisher.subscribe(events.append)
    return events


def test_a_pending_sms_is_sent_once_and_recorded(sms_runtime, fake_twilio):
    now = utcnow()
    notification_id = setup(sms_runtime, now)
    events = published(sms_runtime)
    assert outbox.run_once(sms_runtime, "w1", now) == 1
    [message] = fake_twilio.messages
    assert (message["to"], message["body"]) == (LIU, "【II级】秦淮河水位超过警戒水位 回复A7 1确认")
    assert message["status_callback"] == f"{PUBLIC_URL}/twilio/status?n={notification_id}"
    row = notification(sms_runtime, notification_id)
    assert (row.status, row.provider_id, row.attempts) == ("queued", message["sid"], 1)
    assert row.lease_holder is None and row.lease_until is None
    [sent] = log_entries(sms_runtime, "sms_sent")
    assert "Liu (+8613800000001)" in sent.summary and sent.escalation_id == row.escalation_id
    changed = [e for e in events if not isinstance(e, DutyLogAppended)]  # the log entry is pushed too
    assert [type(e) for e in changed] == [NotificationChanged] and changed[0].notification["status"] == "queued"
    assert outbox.run_once(sms_runtime, "w1", now + timedelta(minutes=10)) == 0
    assert len(fake_twilio.attempts) == 1


def test_429_is_retried_later_then_sent(sms_runtime, fake_twilio):
    now = utcnow()
    notification_id = setup(sms_runtime, now)
    fake_twilio.fail_next(2, TOO_MANY_REQUESTS)
    assert outbox.run_once(sms_runtime, "w1", now) == 0
    row = notification(sms_runtime, notification_id)
    assert (row.status, row.attempts) == ("pending", 1) and "20429" in row.last_error
    assert outbox.run_once(sms_runtime, "w1", now) == 0  # not due yet: nothing is tried
    assert len(fake_twilio.attempts) == 1
    assert outbox.run_once(sms_runtime, "w1", row.next_attempt_at) == 0
    row = notification(sms_runtime, notification_id)
    assert outbox.run_once(sms_runtime, "w1", row.next_attempt_at) == 1
    row = notification(sms_runtime, notification_id)
    assert (row.status, row.attempts, row.last_error) == ("queued", 3, None)
    assert [a["answer"] for a in fake_twilio.attempts] == [429, 429, 201]
    assert len(log_entries(sms_runtime, "sms_sent")) == 1


def test_429_backoff_grows(sms_runtime, fake_twilio):
    sms_runtime.settings["SMS_MAX_ATTEMPTS"] = 7
    now = utcnow()
    notification_id = setup(sms_runtime, now)
    fake_twilio.fail_next(6, TOO_MANY_REQUESTS)
    waits, at = [], now
    for _ in range(6):
        outbox.run_once(sms_runtime, "w1", at)
        row = notification(sms_runtime, notification_id)
        waits.append((row.next_attempt_at - at).total_seconds())
        at = row.next_attempt_at
    assert all(later > earlier for earlier, later in zip(waits, waits[1:])), waits
    assert 1 <= waits[0] <= 2 and waits[-1] >= 32
    assert outbox.run_once(sms_runtime, "w1", at) == 1


def test_a_5xx_is_unknown_and_reconciled_without_sending_twice(sms_runtime, fake_twilio):
    now = utcnow()
    notification_id = setup(sms_runtime, now)
    fake_twilio.fail_next(1, Fault(500, 20500, keep=True))  # Twilio took it, then failed to say so
    assert outbox.run_once(sms_runtime, "w1", now) == 0
    row = notification(sms_runtime, notification_id)
    assert (row.status, row.attempts) == ("unknown", 1)
    assert outbox.run_once(sms_runtime, "w1", row.next_attempt_at) == 1
    [kept] = fake_twilio.messages
    row = notification(sms_runtime, notification_id)
    assert (row.status, row.provider_id, row.attempts) == ("queued", kept["sid"], 1)
    assert len(fake_twilio.attempts) == 1  # found by lookup, never sent again


def test_a_5xx_the_provider_did_not_keep_is_sent_again(sms_runtime, fake_twilio):
    now = utcnow()
    notification_id = setup(sms_runtime, now)
    fake_twilio.fail_next(1, SERVER_ERROR)
    outbox.run_once(sms_runtime, "w1", now)
    row = notification(sms_runtime, notification_id)
    assert row.status == "unknown"
    assert outbox.run_once(sms_runtime, "w1", row.next_attempt_at) == 1
    [message] = fake_twilio.messages
    assert notification(sms_runtime, notification_id).provider_id == message["sid"]


def test_a_timeout_is_unknown_and_reconciled(sms_runtime, fake_twilio):
    sms_runtime.settings["SMS_TIMEOUT_SECONDS"] = 0.3
    now = utcnow()
    notification_id = setup(sms_runtime, now)
    fake_twilio.fail_next(1, Fault(201, delay=3))  # taken, answered after our timeout
    sender = TwilioSender(fake_twilio.account_sid, fake_twilio.auth_token, "+15005550006", 0.3, fake_twilio.url)
    outbox.run_once(sms_runtime, "w1", now, sender=sender)
    row = notification(sms_runtime, notification_id)
    assert row.status == "unknown" and "timeout" in row.last_error
    outbox.run_once(sms_runtime, "w1", row.next_attempt_at, sender=sender)
    [kept] = fake_twilio.messages
    assert notification(sms_runtime, notification_id).provider_id == kept["sid"]
    assert len(fake_twilio.attempts) == 1


def test_a_permanent_failure_falls_back_to_the_next_sms_contact(sms_runtime, fake_twilio):
    now = utcnow()
    notification_id = setup(sms_runtime, now, sms=(LIU, LIU_2))
    fake_twilio.fail_next(1, permanent(21610))  # the first number sent STOP
    assert outbox.run_once(sms_runtime, "w1", now) == 0
    failed, fallback = notifications(sms_runtime)
    assert failed.id == notification_id and failed.status == "failed" and "21610" in failed.last_error
    assert (fallback.address, fallback.contact_position, fallback.status) == (LIU_2, 2, "pending")
    assert (fallback.body, fallback.escalation_id, fallback.person_id) == (failed.body, failed.escalation_id,
                                                                           failed.person_id)
    [entry] = log_entries(sms_runtime, "sms_failed")
    assert LIU_2 in entry.summary and entry.data["code"] == 21610
    assert outbox.run_once(sms_runtime, "w1", now) == 1
    assert [m["to"] for m in fake_twilio.messages] == [LIU_2]


def test_attempts_exhausted_fail_and_the_duty_room_is_told_whom_to_call(sms_runtime, fake_twilio):
    sms_runtime.settings["SMS_MAX_ATTEMPTS"] = 2
    now = utcnow()
    notification_id = setup(sms_runtime, now, voice=(LIU_DESK,))
    fake_twilio.fail_next(2, TOO_MANY_REQUESTS)
    outbox.run_once(sms_runtime, "w1", now)
    outbox.run_once(sms_runtime, "w1", notification(sms_runtime, notification_id).next_attempt_at)
    [row] = notifications(sms_runtime)  # a voice number is not an SMS contact: no new notification
    assert (row.status, row.attempts) == ("failed", 2)
    assert "gave up after 2 attempts" in row.last_error
    [failed] = log_entries(sms_runtime, "sms_failed")
    assert failed.data["maybe_sent"] is False  # a 429 is a clear refusal: nothing reached the provider
    [unreachable] = log_entries(sms_runtime, "escalation_failed")
    assert unreachable.significant and "could not be reached" in unreachable.summary
    assert LIU_DESK in unreachable.summary  # the duty room can phone instead
    assert outbox.run_once(sms_runtime, "w1", now + timedelta(hours=1)) == 0
    assert fake_twilio.messages == []


def test_giving_up_on_an_unknown_outcome_says_the_message_may_have_gone(sms_runtime, fake_twilio):
    sms_runtime.settings["SMS_MAX_ATTEMPTS"] = 2
    now = utcnow()
    notification_id = setup(sms_runtime, now, sms=(LIU, LIU_2))
    fake_twilio.fail_cycle([Fault(500, 20500, keep=True)], lookups=True)  # takes it, answers 500; lookups fail too
    outbox.run_once(sms_runtime, "w1", now)
    outbox.run_once(sms_runtime, "w1", notification(sms_runtime, notification_id).next_attempt_at)
    fake_twilio.fail_cycle([])
    failed, fallback = notifications(sms_runtime)
    assert failed.status == "failed" and fallback.address == LIU_2  # the next number is tried all the same
    [entry] = log_entries(sms_runtime, "sms_failed")
    assert entry.data["maybe_sent"] is True and "may have taken it" in entry.summary
    assert [m["to"] for m in fake_twilio.messages] == [LIU]  # it did: sent once, never again to that number


def test_an_exercise_sms_to_a_leader_is_cancelled_not_sent(sms_runtime, fake_twilio):
    now = utcnow()
    notification_id = setup(sms_runtime, now, role="leader", cap_status="exercise", exercise=True)
    assert outbox.run_once(sms_runtime, "w1", now) == 0
    assert notification(sms_runtime, notification_id).status == "cancelled"
    assert fake_twilio.attempts == []
    [entry] = log_entries(sms_runtime, "sms_failed")
    assert "Exercise" in entry.summary and entry.data["reason"] == "exercise_leader"


def test_the_leader_on_duty_gets_no_exercise_sms_whatever_their_role(sms_runtime, fake_twilio):
    now = utcnow()
    notification_id = setup(sms_runtime, now, role="operator", cap_status="test")
    with sms_runtime.unit_of_work() as session:
        add_leader_shift(session, session.get(Person, session.get(Notification, notification_id).person_id), now)
    assert outbox.run_once(sms_runtime, "w1", now) == 0
    assert notification(sms_runtime, notification_id).status == "cancelled"
    assert fake_twilio.attempts == []


def test_an_exercise_sms_to_a_liaison_is_sent(sms_runtime, fake_twilio):
    now = utcnow()
    setup(sms_runtime, now, cap_status="exercise", exercise=True, body="【演练】【II级】测试 回复A7 1确认")
    assert outbox.run_once(sms_runtime, "w1", now) == 1
    assert fake_twilio.bodies() == ["【演练】【II级】测试 回复A7 1确认"]


def test_an_sms_whose_escalation_was_acknowledged_meanwhile_is_still_sent(sms_runtime, fake_twilio):
    now = utcnow()
    notification_id = setup(sms_runtime, now)
    with sms_runtime.unit_of_work() as session:
        escalation_id = session.get(Notification, notification_id).escalation_id
        session.get(Escalation, escalation_id).acknowledged_at = now
    assert outbox.run_once(sms_runtime, "w1", now) == 1


def test_a_dead_workers_claim_is_taken_over_after_its_lease_and_reconciled(sms_runtime, fake_twilio):
    now = utcnow()
    notification_id = setup(sms_runtime, now)
    with sms_runtime.unit_of_work() as session:
        assert outbox.claim_due(session, "dead", now, 10, 60) == [notification_id]
    # The dead worker got as far as the provider call: Twilio has the message.
    outbox.sender_for(sms_runtime.settings).send(LIU, notification(sms_runtime, notification_id).body, None)
    assert outbox.run_once(sms_runtime, "w2", now + timedelta(seconds=30)) == 0  # still leased
    assert outbox.run_once(sms_runtime, "w2", now + timedelta(seconds=61)) == 1
    [kept] = fake_twilio.messages
    row = notification(sms_runtime, notification_id)
    assert (row.status, row.provider_id) == ("queued", kept["sid"])
    assert len(fake_twilio.attempts) == 1


def test_a_dead_workers_claim_that_never_reached_the_provider_is_sent(sms_runtime, fake_twilio):
    now = utcnow()
    notification_id = setup(sms_runtime, now)
    with sms_runtime.unit_of_work() as session:
        outbox.claim_due(session, "dead", now, 10, 60)
    assert outbox.run_once(sms_runtime, "w2", now + timedelta(seconds=61)) == 1
    assert len(fake_twilio.messages) == 1
    assert notification(sms_runtime, notification_id).provider_id == fake_twilio.messages[0]["sid"]


def test_only_due_sms_rows_are_claimed(sms_runtime):
    now = utcnow()
    notification_id = setup(sms_runtime, now)
    with sms_runtime.unit_of_work() as session:
        row = session.get(Notification, notification_id)
        later = Notification(escalation_id=row.escalation_id, incident_id=row.incident_id, person_id=row.person_id,
                             channel="sms", address=LIU, body="later", status="pending",
                             next_attempt_at=now + timedelta(minutes=1), created_at=now, updated_at=now)
        web = Notification(escalation_id=row.escalation_id, incident_id=row.incident_id, person_id=row.person_id,
                           channel="web", body="web", status="pending", next_attempt_at=now, created_at=now,
                           updated_at=now)
        session.add_all([later, web])
    with sms_runtime.unit_of_work() as session:
        assert outbox.claim_due(session, "w1", now, 10, 60) == [notification_id]
    with sms_runtime.unit_of_work() as session:
        assert outbox.claim_due(session, "w2", now, 10, 60) == []  # leased
        claimed = outbox.claim_due(session, "w2", now + timedelta(minutes=2), 10, 60)
    with sms_runtime.sessions() as session:
        assert sorted(claimed) == sorted(session.scalars(select(Notification.id).where(
            Notification.channel == "sms")))
        # The first row's lease had run out with its holder still on it: its outcome is unknown now.
        assert session.get(Notification, notification_id).status == "unknown"
