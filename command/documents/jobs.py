"""The document queue: DocumentJob rows, claimed safely by any number of workers, rendered with progress.

- ``enqueue`` checks the request (kind, parameters naming rows that exist, format,
  language) and writes a queued row in the caller's transaction.
- ``claim`` leases the oldest queued job with one UPDATE … WHERE id IN (SELECT …
  FOR UPDATE SKIP LOCKED) … RETURNING (STACK.md 6), so two workers never take the
  same job; a running job whose lease ran out (its worker died) is taken again.
- ``run_once`` renders one claimed job at a time with no transaction held open;
  progress is committed in its own short transaction after every section, and
  each commit renews the lease. The result bytes are stored in the row. A render
  that raises marks the job ``failed`` with the error: it is never lost.

Only the kinds this package renders are claimed (others, e.g. a duty-log export,
may share the table with their own worker).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, defer

from command.documents import content, render
from command.documents.labels import LANGUAGES
from command.documents.params import DocumentRequestError
from command.models import DocumentJob, utcnow
from command.runtime import Runtime

log = logging.getLogger(__name__)

KINDS = tuple(content.KINDS)
LEASE_SECONDS = 300  # renewed at every progress step; a step longer than this lets another worker retry
BATCH = 1  # jobs per run_once: a render takes seconds, and the caller's loop has other work too
ERROR_MAX = 2000
NAME_MAX = 128


class JobLost(RuntimeError):
    """Another worker took the job over (our lease ran out): stop rendering, write nothing."""


def enqueue(session: Session, kind: str, params: dict, format: str, language: str, requested_by: str,
            at: datetime | None = None) -> int:
    """Queue a document; return the job id. Raises DocumentRequestError for a bad request."""
    if not isinstance(format, str) or format not in render.FORMATS:
        raise DocumentRequestError("bad_choice", "format", choices=", ".join(render.FORMATS))
    if not isinstance(language, str) or language not in LANGUAGES:
        raise DocumentRequestError("bad_choice", "language", choices=", ".join(LANGUAGES))
    if not isinstance(requested_by, str) or not requested_by.strip() or len(requested_by.strip()) > NAME_MAX:
        raise DocumentRequestError("text_required", "actor", limit=NAME_MAX)
    checked = content.check_params(session, kind, params)
    now = at or utcnow()
    job = DocumentJob(kind=kind, params=checked, format=format, language=language, status="queued", progress=0,
                      requested_by=requested_by.strip(), created_at=now, updated_at=now)
    session.add(job)
    session.flush()
    return job.id


def claim(session: Session, holder: str, now: datetime, limit: int = BATCH,
          lease_seconds: float = LEASE_SECONDS) -> list[int]:
    """Lease up to ``limit`` jobs for ``holder`` (queued ones, and running ones whose worker died); return ids."""
    due = (select(DocumentJob.id)
           .where(DocumentJob.kind.in_(KINDS),
                  or_(DocumentJob.status == "queued",
                      and_(DocumentJob.status == "running", DocumentJob.lease_until < now)))
           .order_by(DocumentJob.created_at, DocumentJob.id).limit(limit).with_for_update(skip_locked=True))
    rows = session.execute(
        update(DocumentJob).where(DocumentJob.id.in_(due.scalar_subquery()))
        .values(status="running", lease_holder=holder, lease_until=now + timedelta(seconds=lease_seconds),
                updated_at=now)
        .returning(DocumentJob.id), execution_options={"synchronize_session": False}).all()
    return sorted(row.id for row in rows)


def run_once(runtime: Runtime, holder: str, now: datetime | None = None, limit: int = BATCH) -> int:
    """Claim and render up to ``limit`` jobs, one after the other; return how many were claimed."""
    with runtime.unit_of_work() as session:
        claimed = claim(session, holder, now or utcnow(), limit)
    for job_id in claimed:
        run_job(runtime, job_id, holder)
    return len(claimed)


def run_job(runtime: Runtime, job_id: int, holder: str) -> str:
    """Render one job leased by ``holder``; return its final status (done, failed, or lost to another worker)."""
    with runtime.sessions() as session:
        job = session.get(DocumentJob, job_id)
        if job is None:
            return "lost"
        kind, params, fmt, language, requested_by = job.kind, job.params, job.format, job.language, job.requested_by

    def progress(percent: int) -> None:
        _write(runtime, job_id, holder, progress=max(0, min(99, int(percent))))

    try:
        document = render.render_document(runtime.sessions, kind, params, fmt, language,
                                          runtime.settings["TIME_ZONE"], requested_by=requested_by,
                                          progress=progress)
    except JobLost:
        log.warning("document job %s: taken over by another worker; dropping this render", job_id)
        return "lost"
    except Exception as exc:  # any failure of one document is recorded on it, never raised into the loop
        log.exception("document job %s (%s) failed", job_id, kind)
        try:
            _write(runtime, job_id, holder, status="failed", error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX],
                   lease_holder=None, lease_until=None)
        except JobLost:
            return "lost"
        return "failed"
    try:
        _write(runtime, job_id, holder, status="done", progress=100, result=document.body,
               content_type=document.content_type, error=None, lease_holder=None, lease_until=None)
    except JobLost:
        return "lost"
    return "done"


def _write(runtime: Runtime, job_id: int, holder: str, **values) -> None:
    # One short transaction per write; only while we still hold the lease. Each write renews it.
    now = utcnow()
    values.setdefault("lease_until", now + timedelta(seconds=LEASE_SECONDS))
    with runtime.unit_of_work() as session:
        changed = session.execute(
            update(DocumentJob).where(DocumentJob.id == job_id, DocumentJob.lease_holder == holder,
                                      DocumentJob.status == "running")
            .values(updated_at=now, **values).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise JobLost(job_id)


def job_dict(job: DocumentJob, size: int | None = None) -> dict:
    """A job for the API and the documents page (no result bytes)."""
    return {"id": job.id, "kind": job.kind, "params": job.params, "format": job.format, "language": job.language,
            "status": job.status, "progress": job.progress, "requested_by": job.requested_by,
            "created_at": job.created_at.isoformat(), "updated_at": job.updated_at.isoformat(),
            "error": job.error, "content_type": job.content_type, "size": size,
            "file_name": render.file_name(job.kind, job.params, job.format, job.language)
            if job.kind in content.KINDS and job.format in render.FORMATS else None}


def recent(session: Session, limit: int = 50) -> list[dict]:
    """The newest jobs, without loading their result bytes."""
    rows = session.execute(
        select(DocumentJob.id, func.length(DocumentJob.result).label("size"))
        .order_by(DocumentJob.created_at.desc(), DocumentJob.id.desc()).limit(limit)).all()
    sizes = {row.id: row.size for row in rows}
    jobs = session.scalars(select(DocumentJob).where(DocumentJob.id.in_(sizes))
                           .options(_without_result())).all() if sizes else []
    jobs.sort(key=lambda job: (job.created_at, job.id), reverse=True)
    return [job_dict(job, sizes[job.id]) for job in jobs]


def get(session: Session, job_id: int) -> dict | None:
    """One job as a dict, or None."""
    row = session.execute(select(DocumentJob, func.length(DocumentJob.result))
                          .where(DocumentJob.id == job_id).options(_without_result())).first()
    return job_dict(row[0], row[1]) if row else None


def _without_result():
    return defer(DocumentJob.result)


class DocumentWorker:
    """The loop that renders queued documents, in a thread of its own so a long render never delays an escalation."""

    def __init__(self, runtime: Runtime, name: str | None = None):
        self.runtime = runtime
        self.holder = name or f"{socket.gethostname()}:{os.getpid()}:documents"

    def run(self, sleep=time.sleep, keep_going=lambda: True) -> None:
        while keep_going():
            try:
                done = run_once(self.runtime, self.holder)
            except Exception:  # a database outage must not end the loop
                log.exception("document worker: round failed")
                done = 0
            if not done:
                sleep(self.runtime.settings["ESCALATION_POLL_SECONDS"])
