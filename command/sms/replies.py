"""Inbound SMS replies: "A7 1" acknowledges escalation A7 for the person whose number sent it.

The reply is the escalation's code and one digit: 1 acknowledge (确认),
2 we are going (出发), 3 not ours (非本部门). Case, a dash or full-width
characters ("Ａ７ １") do not matter. Each provider message id is handled
once: a repeat gets the same answer and changes nothing. Every answer is in
both languages, since an unknown sender's language is unknown too.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from command import escalation as engine
from command.db import insert_for
from command.errors import DomainError
from command.i18n import bilingual, message
from command.models import Contact, Escalation, InboundMessage, Notification, Person

log = logging.getLogger(__name__)

ANSWERS = {"1": "acknowledge", "2": "going", "3": "not_ours"}
CLOSED_STATES = ("cancelled", "superseded")
_REPLY = re.compile(r"(?<![A-Z0-9])([A-Z]{1,3}[0-9]{1,5})(?:\s*[-_.,:]?\s*([0-9]))?(?![0-9])")
MAX_BODY = 1600  # kept for inspection; longer is cut (one SMS is at most 10 segments here)

OUTCOMES = ("acknowledge", "going", "not_ours", "unknown_code", "unknown_number", "closed", "no_answer", "unparsed",
            "refused")  # each answered with the message reply.<outcome> (command/messages.py)


def parse(body: str) -> tuple[str | None, str | None]:
    """Return (code, digit) from a reply body; either may be None. "ａ７－１" -> ("A7", "1")."""
    text = unicodedata.normalize("NFKC", body or "").upper()
    match = _REPLY.search(text)
    if match is None:
        return None, None
    return match.group(1), match.group(2)


def answer_text(outcome: str, code: str | None) -> str:
    """The SMS answer for an outcome, in Chinese and English (a sender's language is not known)."""
    return bilingual(message(f"reply.{outcome if outcome in OUTCOMES else 'unparsed'}", code=code or "A7"))


def handle_inbound(session: Session, provider_id: str, from_address: str, body: str, at: datetime) -> str:
    """Handle one inbound SMS once; return the answer to send back."""
    body = (body or "")[:MAX_BODY]
    inserted = session.scalar(
        insert_for(session, InboundMessage)
        .values(provider_id=provider_id, from_address=from_address or "", body=body, received_at=at,
                outcome="processing")
        .on_conflict_do_nothing().returning(InboundMessage.provider_id))
    if inserted is None:  # this message was handled before: same answer, nothing else
        earlier = session.get(InboundMessage, provider_id)
        return answer_text(earlier.outcome, parse(earlier.body)[0])
    code, digit = parse(body)
    outcome = _outcome(session, code, digit, from_address, at)
    session.get(InboundMessage, provider_id).outcome = outcome
    log.info("inbound SMS %s from %s: %s", provider_id, from_address, outcome)
    return answer_text(outcome, code)


def _outcome(session: Session, code: str | None, digit: str | None, from_address: str, at: datetime) -> str:
    if code is None:
        return "unparsed"
    escalation = session.scalars(select(Escalation).where(Escalation.reply_code == code)).first()
    if escalation is None:
        return "unknown_code"
    person = _person(session, from_address, escalation.id)
    if person is None:
        return "unknown_number"
    if escalation.state in CLOSED_STATES:
        return "closed"
    if digit not in ANSWERS:
        return "no_answer"
    answer = ANSWERS[digit]
    try:
        engine.acknowledge(session, escalation.id, actor=person.username, person_id=person.id, answer=answer,
                           via="sms", at=at)
    except DomainError as exc:
        log.info("SMS answer %s %s from %s refused: %s", code, answer, person.username, exc)
        return "refused"
    return answer


def _person(session: Session, from_address: str, escalation_id: int) -> Person | None:
    """The active person with this number; if several share it, the one this escalation notified."""
    address = re.sub(r"[\s()-]", "", from_address or "")
    if not address:
        return None
    people = session.scalars(select(Person).join(Contact, Contact.person_id == Person.id)
                             .where(Contact.address == address, Person.active.is_(True))
                             .order_by(Person.id).distinct()).all()
    if len(people) > 1:
        notified = set(session.scalars(select(Notification.person_id).where(
            Notification.escalation_id == escalation_id, Notification.address == address)))
        people = [p for p in people if p.id in notified] or people
    return people[0] if people else None
