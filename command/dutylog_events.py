"""Every duty-log entry a process writes is pushed once its transaction commits (never before, never if it rolls back).

Installed on a session factory, so web and worker processes push the entries the engine, the SMS
outbox and the APIs write, without any of them publishing by hand.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from command.dutylog import entry_dict
from command.events import DutyLogAppended
from command.models import DutyLogEntry

_PENDING = "vigil.dutylog_appended"
_PUBLISHING: "weakref.WeakSet[sessionmaker]" = weakref.WeakSet()


def publish_committed_entries(sessions: sessionmaker, publish: Callable[[Any], None]) -> None:
    """Publish DutyLogAppended for each entry a session of ``sessions`` flushed, once (and if) it commits.

    Installed once per session factory, so two apps on one runtime do not push twice.
    Entries of a rolled-back transaction are dropped. (Savepoints are not used
    around appends; an entry rolled back to a savepoint would still be pushed.)
    """
    if sessions in _PUBLISHING:
        return
    _PUBLISHING.add(sessions)

    @event.listens_for(sessions, "after_flush")
    def collect(session: Session, _context) -> None:
        fresh = [entry_dict(obj) for obj in session.new if isinstance(obj, DutyLogEntry)]
        if fresh:
            session.info.setdefault(_PENDING, []).extend(fresh)

    @event.listens_for(sessions, "after_commit")
    def push(session: Session) -> None:
        for entry in sorted(session.info.pop(_PENDING, []), key=lambda e: e["id"]):
            publish(DutyLogAppended(entry))

    @event.listens_for(sessions, "after_transaction_end")
    def forget(session: Session, transaction) -> None:
        if transaction.parent is None:  # the outermost transaction ended without a commit: nothing to push
            session.info.pop(_PENDING, None)
