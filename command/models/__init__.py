"""SQLAlchemy models on Vigil's own DeclarativeBase (no Flask), one module per room; all importable from here."""

from command.models.base import NAMING_CONVENTION, Base, UTCDateTime, utcnow
from command.models.feeds import FeedToken, Payload, FeedEventRecord, DeadLetter, FeedHealth
from command.models.incidents import Incident, IncidentLog, CorrelationProposal
from command.models.people import Department, Person, Membership, Contact, Shift, RosterSwap, Handover
from command.models.escalations import Escalation, Acknowledgement, Notification, InboundMessage
from command.models.records import DutyLogEntry, ReportObligation, Report, DocumentJob

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "UTCDateTime",
    "utcnow",
    "FeedToken",
    "Payload",
    "FeedEventRecord",
    "DeadLetter",
    "FeedHealth",
    "Incident",
    "IncidentLog",
    "CorrelationProposal",
    "Department",
    "Person",
    "Membership",
    "Contact",
    "Shift",
    "RosterSwap",
    "Handover",
    "Escalation",
    "Acknowledgement",
    "Notification",
    "InboundMessage",
    "DutyLogEntry",
    "ReportObligation",
    "Report",
    "DocumentJob",
]
