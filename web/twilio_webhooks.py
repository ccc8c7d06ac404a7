"""SMS provider webhooks: inbound replies (POST /twilio/sms), delivery reports (POST /twilio/status,
and POST /sms/status for the HTTP gateway backend).

Every Twilio request must carry a valid X-Twilio-Signature computed over the
URL Twilio called, which is PUBLIC_URL + path + query string: behind a proxy
``request.url`` is not what Twilio saw. A missing or wrong signature gets 403
and a duty-log entry (at most one a minute, with the count, so a flood of
forgeries cannot flood the log). Without TWILIO_AUTH_TOKEN or PUBLIC_URL
nothing can be checked, so everything is refused.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time

from flask import Blueprint, Response, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from command import dutylog
from command.i18n import message
from command.models import utcnow
from command.sms.outbox import apply_status
from command.sms.replies import handle_inbound
from web.context import runtime

log = logging.getLogger(__name__)

bp = Blueprint("twilio_webhooks", __name__)

REFUSAL_LOG_SECONDS = 60.0  # at most one duty-log entry per this many seconds about refused webhooks


@bp.post("/twilio/sms")
def inbound_sms():
    """An SMS reply ("A7 1"): acknowledge and answer with TwiML."""
    refusal = _check_twilio_signature()
    if refusal:
        return refusal
    provider_id = request.form.get("MessageSid") or request.form.get("SmsSid")
    if not provider_id:
        return Response("MessageSid is required", status=400, mimetype="text/plain")
    with runtime().unit_of_work() as session:
        answer = handle_inbound(session, provider_id, request.form.get("From", ""), request.form.get("Body", ""),
                                utcnow())
    twiml = MessagingResponse()
    twiml.message(answer)
    return Response(str(twiml), mimetype="application/xml")


@bp.post("/twilio/status")
def twilio_status():
    """A Twilio delivery report for a message we sent."""
    refusal = _check_twilio_signature()
    if refusal:
        return refusal
    return _status(request.form.get("MessageSid") or request.form.get("SmsSid"),
                   request.form.get("MessageStatus") or request.form.get("SmsStatus"), request.form.get("ErrorCode"))


@bp.post("/sms/status")
def gateway_status():
    """The HTTP gateway's delivery report: JSON {id, status, error_code}, with the gateway's bearer token."""
    token = runtime().settings["SMS_HTTP_TOKEN"]
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return _refuse("missing or invalid bearer token" if given else "no bearer token")
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not data.get("id") or not data.get("status"):
        return Response('JSON {"id", "status"} is required', status=400, mimetype="text/plain")
    return _status(str(data["id"]), str(data["status"]), data.get("error_code"))


def _status(provider_id: str | None, status: str | None, error_code) -> Response:
    if not provider_id or not status:
        return Response("MessageSid and MessageStatus are required", status=400, mimetype="text/plain")
    notification_id = request.args.get("n", type=int)
    with runtime().unit_of_work() as session:
        apply_status(session, provider_id, status, error_code, utcnow(), notification_id=notification_id)
    return Response(status=204)


def _check_twilio_signature() -> Response | None:
    settings = runtime().settings
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return _refuse("no X-Twilio-Signature")
    if not settings["TWILIO_AUTH_TOKEN"] or not settings["PUBLIC_URL"]:
        return _refuse("TWILIO_AUTH_TOKEN and PUBLIC_URL must be set to check signatures")
    if not RequestValidator(settings["TWILIO_AUTH_TOKEN"]).validate(signed_url(settings["PUBLIC_URL"]),
                                                                    request.form, signature):
        return _refuse("invalid X-Twilio-Signature")
    return None


def signed_url(public_url: str) -> str:
    """The URL the provider called: the configured public base, this path, this query string."""
    query = request.query_string.decode("utf-8", "replace")
    return public_url.rstrip("/") + request.path + (f"?{query}" if query else "")


_refusals_lock = threading.Lock()


def _refuse(reason: str) -> Response:
    log.warning("webhook %s refused: %s (from %s)", request.path, reason, request.remote_addr)
    state = current_app.extensions.setdefault("vigil_webhook_refusals", {"logged_at": None, "unlogged": 0})
    now = time.monotonic()
    with _refusals_lock:
        if state["logged_at"] is not None and now - state["logged_at"] < REFUSAL_LOG_SECONDS:
            state["unlogged"] += 1
            return Response("forbidden", status=403, mimetype="text/plain")
        state["logged_at"], earlier, state["unlogged"] = now, state["unlogged"], 0
    with runtime().unit_of_work() as session:
        dutylog.append(session, kind="audit", author="webhook",
                       message=message("audit.webhook_refused", path=request.path, reason=reason),
                       data={"path": request.path, "reason": reason, "remote_addr": request.remote_addr,
                             "refused_since_last_entry": earlier})
    return Response("forbidden", status=403, mimetype="text/plain")
