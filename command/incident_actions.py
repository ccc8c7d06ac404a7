"""What an operator does to an incident: status moves, grade, harm figures, the sensitive flag.

Every write names the version the operator saw; if someone changed the
incident since, the write is refused with who changed it and when (409 in the
API), never silently merged. Grade and harm changes need a reason, which goes
into the incident's log with the rule id.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from command import reporting
from command.correlation import proposal_dict
from command.enums import Action, Grade, grade_rank
from command.errors import Conflict, Invalid, NotFound
from command.incidents import IncidentNotFound
from command.events import IncidentUpdated
from command.grading import propose
from command.incidents import feature, log
from command.lifecycle import transition
from command.models import CorrelationProposal, Incident
from command.unit_of_work import announce

OPERATOR_ACTIONS = (Action.ACKNOWLEDGE, Action.RESPOND, Action.RESOLVE, Action.CLOSE, Action.REOPEN)
MAX_REASON = 2000


class StaleVersion(Conflict):
    """The incident changed since the operator loaded it: who changed it, and when."""

    def __init__(self, incident: Incident):
        super().__init__("stale_version", "version", version=incident.version,
                         changed_by=incident.updated_by or "", changed_at=incident.updated_at)


class ReasonRequired(Invalid):
    """A grade or harm change without a reason."""

    def __init__(self):
        super().__init__("reason_required", "reason")


def act(session: Session, incident_id: int, action: str, actor: str, seen_version: int, at: datetime,
        reason: str | None = None) -> Incident:
    """Move the incident's status by ``action`` (acknowledge, respond, resolve, close, reopen)."""
    if action not in {a.value for a in OPERATOR_ACTIONS}:
        raise Invalid("bad_action", "action", choices=", ".join(a.value for a in OPERATOR_ACTIONS))
    current = _current(session, incident_id, seen_version)
    status, rule_id = transition(current.status, action)
    return _write(session, current, actor, at, {"status": status.value}, kind="status", rule_id=rule_id,
                  before=current.status, after=status.value, reason=reason)


def set_grade(session: Session, incident_id: int, grade: str, actor: str, seen_version: int, at: datetime,
              reason: str, profile: str | reporting.Profile = reporting.DEFAULT_PROFILE) -> Incident:
    """Confirm or change the incident grade (I–IV); a reason is required. ``profile``: whose reporting deadlines."""
    if grade not in {g.value for g in Grade}:
        raise Invalid("bad_grade", "grade", choices=", ".join(g.value for g in Grade))
    grade = Grade(grade)
    current = _current(session, incident_id, seen_version)
    rule_id = "GRADE-CONFIRM" if grade.value == current.grade_proposed and current.grade is None else "GRADE-SET"
    changes = {"grade": grade.value}
    if grade_rank(grade.value) > grade_rank(current.grade or current.grade_proposed):
        changes["triage_at"] = at  # a graver grade may call for a stronger playbook
    previous = current.grade
    change = _write(session, current, actor, at, changes, kind="grade", rule_id=rule_id,
                    before=current.grade or f"proposed {current.grade_proposed}", after=grade.value,
                    reason=_required(reason))
    # Report obligations (信息报送) in the same transaction: the grade and its deadlines commit together.
    reporting.obligations_for(session, change, f"grade:{grade.value}", at, profile,
                              previous_grade=previous, author=actor)
    return change


def set_harm(session: Session, incident_id: int, actor: str, seen_version: int, at: datetime, reason: str, *,
             deaths: int | None, serious_injuries: int | None, direct_loss_yuan: int | None) -> Incident:
    """Record deaths, serious injuries and direct loss; the proposed grade follows. A reason is required."""
    for name, value in (("deaths", deaths), ("serious_injuries", serious_injuries),
                        ("direct_loss_yuan", direct_loss_yuan)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise Invalid("not_negative_whole", name)
    current = _current(session, incident_id, seen_version)
    proposal = propose(current.severity, deaths, serious_injuries, direct_loss_yuan)
    figures = {"deaths": deaths, "serious_injuries": serious_injuries, "direct_loss_yuan": direct_loss_yuan}
    before = "/".join(str(getattr(current, name)) for name in figures)
    changes = dict(figures, grade_proposed=proposal.grade, grade_basis=proposal.basis)
    if current.grade is None and grade_rank(proposal.grade) > grade_rank(current.grade_proposed):
        changes["triage_at"] = at
    return _write(session, current, actor, at, changes,
                  kind="harm", rule_id="HARM-SET", before=before, after="/".join(str(v) for v in figures.values()),
                  reason=_required(reason))


def set_sensitive(session: Session, incident_id: int, sensitive: bool, actor: str, seen_version: int,
                  at: datetime, reason: str | None = None,
                  profile: str | reporting.Profile = reporting.DEFAULT_PROFILE) -> Incident:
    """Flag or unflag the incident as sensitive (敏感)."""
    current = _current(session, incident_id, seen_version)
    changes = {"sensitive": bool(sensitive)}
    flagged = sensitive and not current.sensitive
    if flagged:
        changes["triage_at"] = at  # playbooks may match on the sensitive flag
    change = _write(session, current, actor, at, changes, kind="sensitive",
                    rule_id="SENSITIVE-ON" if sensitive else "SENSITIVE-OFF", before=str(bool(current.sensitive)),
                    after=str(bool(sensitive)), reason=reason)
    if flagged:  # a sensitive incident is reported too (信息报送), in the same transaction
        reporting.obligations_for(session, change, "sensitive", at, profile, author=actor)
    return change


def _current(session: Session, incident_id: int, seen_version: int) -> Incident:
    incident = session.get(Incident, incident_id, populate_existing=True)
    if incident is None:
        raise IncidentNotFound(incident_id)
    if incident.version != seen_version:
        raise StaleVersion(incident)
    return incident


def _write(session: Session, current: Incident, actor: str, at: datetime, changes: dict, *, kind: str,
           rule_id: str, before: str | None, after: str | None, reason: str | None) -> Incident:
    changed = session.scalars(
        update(Incident).where(Incident.id == current.id, Incident.version == current.version)
        .values(**changes, version=current.version + 1, updated_by=actor, updated_at=at).returning(Incident),
        execution_options={"populate_existing": True, "synchronize_session": False}).first()
    if changed is None:  # another writer committed between our read and our write
        raise StaleVersion(session.get(Incident, current.id, populate_existing=True))
    log(session, changed, actor, kind, at, rule_id=rule_id, before=before, after=after,
        reason=(reason or "")[:MAX_REASON] or None)
    announce(session, IncidentUpdated(feature(changed)))
    return changed


def _required(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise ReasonRequired()
    return reason.strip()


def merge(session: Session, incident_id: int, into_id: int, actor: str, seen_version: int, at: datetime,
          reason: str | None = None) -> Incident:
    """Merge incident ``incident_id`` into ``into_id`` (reversible with split); both logs say so."""
    if incident_id == into_id:
        raise Invalid("merge_into_itself", "into")
    target = session.get(Incident, into_id, populate_existing=True)
    if target is None:
        raise Invalid("merge_target_missing", "into", into=into_id)
    if target.merged_into_id is not None:
        raise Invalid("merge_target_merged", "into", into=into_id, parent=target.merged_into_id)
    current = _current(session, incident_id, seen_version)
    if current.merged_into_id is not None:
        raise Invalid("already_merged", "into", id=incident_id, parent=current.merged_into_id)
    if session.scalar(select(Incident.id).where(Incident.merged_into_id == incident_id).limit(1)):
        raise Invalid("has_merged_incidents", "into", id=incident_id)
    child = _write(session, current, actor, at, {"merged_into_id": into_id}, kind="merge", rule_id="MERGE",
                   before=None, after=f"#{into_id}", reason=reason)
    _write(session, target, actor, at, {}, kind="merge", rule_id="MERGE-IN", before=None,
                    after=f"#{incident_id}", reason=reason)
    _decide(session, incident_id, into_id, "merged", actor, at)
    return child


def split(session: Session, incident_id: int, actor: str, seen_version: int, at: datetime,
          reason: str | None = None) -> Incident:
    """Undo a merge: the incident stands on its own again."""
    current = _current(session, incident_id, seen_version)
    if current.merged_into_id is None:
        raise Invalid("not_merged", "id", id=incident_id)
    parent = session.get(Incident, current.merged_into_id, populate_existing=True)
    child = _write(session, current, actor, at, {"merged_into_id": None}, kind="split", rule_id="SPLIT",
                   before=f"#{parent.id}", after=None, reason=reason)
    _write(session, parent, actor, at, {}, kind="split", rule_id="SPLIT-OUT",
                           before=f"#{incident_id}", after=None, reason=reason)
    _decide(session, incident_id, parent.id, "split", actor, at)
    return child


def dismiss(session: Session, proposal_id: int, actor: str, at: datetime) -> dict:
    """The operator says a correlation proposal is wrong."""
    proposal = session.get(CorrelationProposal, proposal_id)
    if proposal is None:
        raise NotFound("proposal", proposal_id)
    if proposal.status != "proposed":  # someone decided it first
        raise Conflict("proposal_decided", "id", id=proposal_id, decision=proposal.status)
    proposal.status, proposal.decided_by, proposal.decided_at = "dismissed", actor, at
    session.flush()
    return proposal_dict(proposal)


def _decide(session: Session, one: int, other: int, status: str, actor: str, at: datetime) -> None:
    first, second = sorted((one, other))
    session.execute(update(CorrelationProposal).where(
        CorrelationProposal.incident_a == first, CorrelationProposal.incident_b == second)
        .values(status=status, decided_by=actor, decided_at=at))


LEASE_SECONDS = 120


def take_lease(session: Session, incident_id: int, actor: str, at: datetime) -> tuple[Incident, bool]:
    """Say ``actor`` is editing the incident for the next two minutes; False when someone else holds it."""
    changed = session.scalars(
        update(Incident).where(Incident.id == incident_id,
                               (Incident.lease_until.is_(None)) | (Incident.lease_until < at)
                               | (Incident.lease_holder == actor))
        .values(lease_holder=actor, lease_until=at + timedelta(seconds=LEASE_SECONDS)).returning(Incident),
        execution_options={"populate_existing": True, "synchronize_session": False}).first()
    if changed is not None:
        announce(session, IncidentUpdated(feature(changed)))  # other consoles show "being edited by"
        return changed, True
    incident = session.get(Incident, incident_id, populate_existing=True)
    if incident is None:
        raise IncidentNotFound(incident_id)
    return incident, False


def release_lease(session: Session, incident_id: int, actor: str) -> Incident:
    """End ``actor``'s lease (someone else's is left alone)."""
    session.execute(update(Incident).where(Incident.id == incident_id, Incident.lease_holder == actor)
                    .values(lease_holder=None, lease_until=None))
    incident = session.get(Incident, incident_id, populate_existing=True)
    if incident is None:
        raise IncidentNotFound(incident_id)
    announce(session, IncidentUpdated(feature(incident)))
    return incident


MAX_NOTE = 4000


def add_note(session: Session, incident_id: int, text: str, actor: str, at: datetime) -> Incident:
    """Add an operator's note to the incident's timeline (notes do not change the version)."""
    text = (text or "").strip()
    if not text:
        raise Invalid("note_empty", "text")
    if len(text) > MAX_NOTE:
        raise Invalid("note_too_long", "text", limit=MAX_NOTE)
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise IncidentNotFound(incident_id)
    log(session, incident, actor, "note", at, rule_id="NOTE", reason=text)
    announce(session, IncidentUpdated(feature(incident)))  # every console reloads the open panel
    return incident
