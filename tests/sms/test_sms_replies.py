"""Inbound SMS replies: "A7 1" acknowledges for the sender's person, once per provider message id."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from command.events import DutyLogAppended, EscalationChanged
from command.models import Acknowledgement, Escalation, InboundMessage, Person, utcnow
from command.sms.replies import handle_inbound, parse
from tests.sms.sms_rows import add_escalation, add_incident, add_person

LIU, ZHAO, STRANGER = "+8613800000001", "+8613800000002", "+8613900000009"


@pytest.fixture
def escalation_id(runtime):
    with runtime.unit_of_work() as session:
        add_person(session, "liu", sms=(LIU,))
        add_person(session, "zhao", sms=("+8613800000012", ZHAO))  # the second number answers too
        return add_escalation(session, add_incident(session), reply_code="A7").id


def reply(runtime, body, sender=LIU, sid="SM1") -> str:
    with runtime.unit_of_work() as session:
        return handle_inbound(session, sid, sender, body, utcnow())


def answers(runtime) -> list[tuple[str, str, str]]:
    with runtime.sessions() as session:
        rows = session.scalars(select(Acknowledgement).order_by(Acknowledgement.id))
        return [(a.actor, a.answer, a.via) for a in rows]


@pytest.mark.parametrize("body, expected", [
    ("A7 1", ("A7", "1")), ("a7 1", ("A7", "1")), ("A7-1", ("A7", "1")), ("A71", ("A71", None)),
    ("Ａ７ １", ("A7", "1")), ("ａ７－２", ("A7", "2")), ("回复A7 3确认", ("A7", "3")), ("  A7   1 ok", ("A7", "1")),
    ("A7", ("A7", None)), ("A7 12", ("A7", None)), ("ok", (None, None)), ("", (None, None)),
])
def test_parse_reads_the_code_and_the_digit(body, expected):
    assert parse(body) == expected


def test_1_acknowledges_for_the_person_whose_number_replied(runtime, escalation_id):
    events = []
    runtime.publisher.subscribe(events.append)
    text = reply(runtime, "a7 1")
    assert text == "已确认 A7，谢谢 / A7 acknowledged, thank you"
    assert answers(runtime) == [("liu", "acknowledge", "sms")]
    assert [type(e) for e in events] == [DutyLogAppended, EscalationChanged]  # the answer's log entry, then the escalation
    with runtime.sessions() as session:
        assert session.get(Escalation, escalation_id).acknowledged_at is not None
        assert session.get(InboundMessage, "SM1").outcome == "acknowledge"


def test_2_says_we_are_going_from_a_second_number(runtime, escalation_id):
    assert "going" in reply(runtime, "Ａ７ ２", sender=ZHAO)
    assert answers(runtime) == [("zhao", "going", "sms")]


def test_3_says_not_ours_and_the_next_step_is_due_at_once(runtime, escalation_id):
    text = reply(runtime, "A7-3")
    assert "非本部门" in text and "not yours" in text
    assert answers(runtime) == [("liu", "not_ours", "sms")]
    with runtime.sessions() as session:
        escalation = session.get(Escalation, escalation_id)
        assert escalation.acknowledged_at is None and escalation.due_at <= utcnow()


def test_the_same_provider_message_is_handled_once(runtime, escalation_id):
    first = reply(runtime, "A7 1", sid="SMrepeat")
    events = []
    runtime.publisher.subscribe(events.append)
    again = reply(runtime, "A7 1", sid="SMrepeat")
    assert again == first and events == []
    assert answers(runtime) == [("liu", "acknowledge", "sms")]
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 1


def test_a_repeated_unknown_code_gets_the_same_helpful_answer(runtime, escalation_id):
    text = reply(runtime, "A9 1", sid="SMx")
    assert text == "未找到代码 A9。请回复短信中的代码，例如 A7 1 / No alert A9; reply with the code from the SMS, e.g. A7 1"
    assert reply(runtime, "A9 1", sid="SMx") == text
    assert answers(runtime) == []


def test_an_unknown_number_is_told_so_and_nothing_is_acknowledged(runtime, escalation_id):
    text = reply(runtime, "A7 1", sender=STRANGER)
    assert "未登记" in text and "not on file" in text
    assert answers(runtime) == []
    with runtime.sessions() as session:
        assert session.get(InboundMessage, "SM1").from_address == STRANGER


def test_a_closed_escalation_is_not_acknowledged(runtime, escalation_id):
    with runtime.unit_of_work() as session:
        session.get(Escalation, escalation_id).state = "cancelled"
    assert reply(runtime, "A7 1") == "A7 已结束，无需回复 / A7 is closed; no reply needed"
    assert answers(runtime) == []


def test_a_code_without_a_digit_or_gibberish_gets_instructions(runtime, escalation_id):
    assert "1 (ack), 2 (going) or 3 (not ours)" in reply(runtime, "A7", sid="SMa")
    assert "A7 1" in reply(runtime, "where is the flood?", sid="SMb")
    assert "A7 1" in reply(runtime, "A7 9", sid="SMc")
    assert answers(runtime) == []


def test_an_inactive_persons_number_is_unknown(runtime, escalation_id):
    with runtime.unit_of_work() as session:
        session.scalars(select(Person).where(Person.username == "liu")).one().active = False
    assert "not on file" in reply(runtime, "A7 1")
