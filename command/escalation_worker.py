"""The escalation worker loop: triage, advance due escalations, audit, deliver the SMS outbox,
and mark reports never filed as missed.

Everything it does is claimed from the database, so any number of these loops (threads or
processes) cooperate, and one killed at any line loses nothing: its leases run out and another
worker (or the restarted one) carries on.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import datetime
from typing import Callable

from command import escalation, metrics, reporting
from command.directory import department_codes
from command.models import utcnow
from command.runtime import Runtime
from command.sms import outbox
from playbooks.loader import load_dir

log = logging.getLogger(__name__)

BATCH = 50


class EscalationWorker:
    """One worker: call run_once() on a clock, or run() to loop."""

    def __init__(self, runtime: Runtime, clock: Callable[[], datetime] = utcnow, name: str | None = None):
        self.runtime, self.clock = runtime, clock
        self.settings = runtime.settings
        self.holder = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.playbooks = load_dir(self.settings["PLAYBOOKS_DIR"], department_codes())

    def run_once(self) -> int:
        """One round; return how many things it did (triaged, advanced, audited, sent)."""
        done = 0
        for step in (self._triage, self._advance, self._audit, self._deliver, self._reports):
            try:
                done += step()
            except Exception:  # a database outage must not kill the loop; the next round retries
                log.exception("escalation worker: %s failed", step.__name__)
        return done

    def run(self, sleep: Callable[[float], None] = time.sleep, keep_going: Callable[[], bool] = lambda: True) -> None:
        """Loop while ``keep_going()``; sleep between idle rounds."""
        log.info("escalation worker %s: %d playbook(s) from %s", self.holder, len(self.playbooks),
                 self.settings["PLAYBOOKS_DIR"])
        while keep_going():
            if not self.run_once():
                sleep(self.settings["ESCALATION_POLL_SECONDS"])

    def _triage(self) -> int:
        with self.runtime.unit_of_work() as session:
            return escalation.triage(session, self.playbooks, self.clock(), self.settings["TIME_ZONE"], BATCH)

    def _advance(self) -> int:
        with self.runtime.unit_of_work() as session:
            now = self.clock()
            claimed = escalation.claim_due(session, self.holder, now, BATCH,
                                           self.settings["ESCALATION_LEASE_SECONDS"])
            metrics.observe_step_lateness(session, [escalation_id for escalation_id, _ in claimed], now)
        for escalation_id, token in claimed:
            try:
                with self.runtime.unit_of_work() as session:
                    escalation.advance(session, escalation_id, token, self.holder, self.clock())
            except Exception:  # one broken escalation must not hold up the others; its lease runs out
                log.exception("escalation %s: step failed; it will be retried", escalation_id)
        return len(claimed)

    def _audit(self) -> int:
        with self.runtime.unit_of_work() as session:
            return escalation.audit(session, self.clock(), self.settings["ESCALATION_OVERDUE_SECONDS"])

    def _reports(self) -> int:
        with self.runtime.unit_of_work() as session:
            return len(reporting.check_due(session, self.clock()))

    def _deliver(self) -> int:
        return outbox.run_once(self.runtime, self.holder, self.clock())
