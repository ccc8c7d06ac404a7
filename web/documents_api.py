"""The documents API: ask for a document (202 with the job), watch its progress, fetch the file when done.

Documents are made in the background by the worker (command.documents.jobs.run_once),
so a large one never times out a page: the page polls the job and downloads the
file once it is done (409 until then).
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request, url_for
from sqlalchemy import select

from command.documents import jobs, render
from command.errors import Conflict, NotFound
from command.models import DocumentJob
from web.auth import audit_export
from web.context import runtime
from web.requests import json_body, whole

bp = Blueprint("documents_api", __name__, url_prefix="/api/v1/documents")

MAX_LIMIT = 200
# The stored HTML is shown by itself: it may run nothing and fetch nothing.
FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


@bp.post("")
def post_document():
    """Queue a document: {kind, params, format pdf|html, language zh|en, actor} -> 202 with the job."""
    body = json_body()
    user = g.get("user")  # once logins are on, the logged-in person is who asks
    actor = user.username if user is not None else body.get("actor")
    with runtime().unit_of_work() as session:
        job_id = jobs.enqueue(session, body.get("kind"), body.get("params", {}), body.get("format", "pdf"),
                              body.get("language", "zh"), actor)
    with runtime().sessions() as session:
        job = jobs.get(session, job_id)
    response = jsonify(_links(job))
    response.status_code = 202
    response.headers["Location"] = url_for("documents_api.get_document", job_id=job_id)
    return response


@bp.get("")
def list_documents():
    """The newest jobs (?limit=, default 50), without their files."""
    limit = whole(request.args, "limit", 1, MAX_LIMIT, 50)
    with runtime().sessions() as session:
        return jsonify({"documents": [_links(job) for job in jobs.recent(session, limit)]})


@bp.get("/<int:job_id>")
def get_document(job_id: int):
    """A job's status and progress (0–100)."""
    with runtime().sessions() as session:
        job = jobs.get(session, job_id)
    if job is None:
        raise NotFound("document", job_id)
    return jsonify(_links(job))


@bp.get("/<int:job_id>/file")
def get_file(job_id: int):
    """The finished document: a PDF to download, or printable HTML to open; 409 while it is not done."""
    with runtime().sessions() as session:
        job = session.scalar(select(DocumentJob).where(DocumentJob.id == job_id))
        if job is None:
            raise NotFound("document", job_id)
        if job.status == "failed":
            raise Conflict("document_failed", id=job_id, status=job.status, progress=job.progress,
                           error=job.error or "")
        if job.status != "done" or job.result is None:
            raise Conflict("not_ready", id=job_id, status=job.status, progress=job.progress)
        body, content_type = job.result, job.content_type or render.FORMATS.get(job.format, "application/octet-stream")
        name = jobs.job_dict(job)["file_name"] or f"vigil-{job.kind}-{job.id}.{job.format}"
    audit_export(f"document {name}")
    disposition = "inline" if job.format == "html" and request.args.get("download") != "1" else "attachment"
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _links(job: dict) -> dict:
    return {**job, "url": url_for("documents_api.get_document", job_id=job["id"]),
            "file_url": url_for("documents_api.get_file", job_id=job["id"]) if job["status"] == "done" else None}
