"""Senders: one interface to hand an SMS to a provider (console, Twilio, an HTTP gateway).

``send(to, body, status_callback) -> SendResult`` or raises ``SendError``. A
SendError says whether trying again can help (``retryable``) and whether the
provider may have taken the message anyway (``unknown``: a 5xx or a timeout
after the request left, STACK.md 4). An unknown outcome is reconciled with
``lookup`` before the message is sent again, where the provider allows it.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping, Protocol

import requests  # the twilio client's own transport: its exceptions tell a timeout from a refusal
from twilio.base import values
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import NewConnectionError

log = logging.getLogger(__name__)
# The twilio client logs every request with its headers at INFO (1.4 MB of log per 1,000 SMS); our
# own log lines say what was sent and what came back.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

# Twilio errors that no retry can fix: invalid To, unverified (trial), unsubscribed (STOP),
# unroutable, not SMS-capable (twilio.com/docs/api/errors).
TWILIO_PERMANENT = frozenset({21211, 21608, 21610, 21612, 21614})
TWILIO_QUEUED = {"accepted": "queued", "scheduled": "queued"}  # a Messaging Service's first answers
NO_TWILIO_ENVIRONMENT = {"TWILIO_EDGE": "", "TWILIO_REGION": ""}  # blank, not absent (see TwilioSender)
RECONCILE_PAGE = 50  # a lookup reads the recipient's messages this many at a time, newest first …
RECONCILE_LIMIT = 2000  # … back to the notification's creation, but never more than this many
RECONCILE_SLACK = timedelta(minutes=2)  # clock skew between us and the provider


@dataclass(frozen=True)
class SendResult:
    """The provider took the message: its id, and its status (queued, sent …)."""

    provider_id: str
    status: str


class SendError(Exception):
    """The provider did not take the message (or we cannot tell: ``unknown``)."""

    def __init__(self, retryable: bool, code: str | int | None, message: str, *, unknown: bool = False):
        super().__init__(f"{code}: {message}" if code is not None else message)
        self.retryable, self.code, self.message, self.unknown = retryable, code, message, unknown


class Sender(Protocol):
    """What the outbox needs from a backend."""

    name: str
    callback_path: str | None  # our route the provider's delivery callbacks come to, or None

    def send(self, to: str, body: str, status_callback: str | None) -> SendResult: ...

    def lookup(self, to: str, body: str, since: datetime, exclude: set[str]) -> SendResult | None:
        """Find a message an unknown outcome may have left at the provider; None when not found."""
        ...


class ConsoleSender:
    """Writes each message to the log; for the embedded default and demos."""

    name = "console"
    callback_path = None

    def send(self, to: str, body: str, status_callback: str | None) -> SendResult:
        log.info("SMS to %s: %s", to, body)
        # unique across processes and restarts: provider ids are a unique column
        return SendResult(f"console-{uuid.uuid4().hex}", "sent")

    def lookup(self, to: str, body: str, since: datetime, exclude: set[str]) -> SendResult | None:
        return None  # nothing is ever unknown here


class TwilioSender:
    """The real twilio Client with a timeout, no environment overrides, and an optional base URL."""

    name = "twilio"
    callback_path = "/twilio/status"

    def __init__(self, account_sid: str, auth_token: str, sender: str, timeout: float, api_base: str = ""):
        # TWILIO_EDGE / TWILIO_REGION in os.environ must not rewrite the host behind our back. Not
        # environment={}: the client does ``environment or os.environ``, so an empty dict reads os.environ.
        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout),
                             environment=NO_TWILIO_ENVIRONMENT)
        if api_base:
            self.client.api.base_url = api_base.rstrip("/")
        self.sender = sender

    def _from(self) -> dict[str, str]:
        if self.sender.startswith("MG"):
            return {"messaging_service_sid": self.sender}
        return {"from_": self.sender}

    def send(self, to: str, body: str, status_callback: str | None) -> SendResult:
        try:
            message = self.client.messages.create(to=to, body=body, status_callback=status_callback or values.unset,
                                                  **self._from())
        except Exception as exc:
            raise _twilio_error(exc) from exc
        return SendResult(message.sid, TWILIO_QUEUED.get(message.status, message.status or "queued"))

    def lookup(self, to: str, body: str, since: datetime, exclude: set[str]) -> SendResult | None:
        """Read the recipient's messages newest first, page by page, until one is older than ``since``.

        Not just the latest page: a duty number gets hundreds of messages in a flood, and the one an
        unknown outcome left behind is soon buried under them.
        """
        oldest = since - RECONCILE_SLACK
        try:
            for message in self.client.messages.stream(to=to, page_size=RECONCILE_PAGE, limit=RECONCILE_LIMIT):
                created = message.date_created
                if created is not None and created < oldest:
                    return None  # newest first: everything after this is older still
                if message.sid not in exclude and message.body == body:
                    return SendResult(message.sid, TWILIO_QUEUED.get(message.status, message.status or "queued"))
        except Exception as exc:
            raise _twilio_error(exc) from exc
        return None


def _twilio_error(exc: Exception) -> SendError:
    if isinstance(exc, (TwilioRestException, TwilioServiceException)):
        text = getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", "") or ""
        code = exc.code if exc.code is not None else exc.status
        if exc.status == 429:
            return SendError(True, code, text or "too many requests")  # never processed: safe to retry
        if exc.status >= 500:
            return SendError(True, code, text or f"provider error {exc.status}", unknown=True)
        return SendError(False, code, text or f"refused with {exc.status}")
    if isinstance(exc, requests.exceptions.ConnectTimeout) or _never_connected(exc):
        return SendError(True, "connect", f"could not reach the provider: {exc}")
    if isinstance(exc, requests.exceptions.RequestException):
        # A read timeout or a dropped connection: the request may have been taken.
        return SendError(True, "timeout" if isinstance(exc, requests.exceptions.Timeout) else "connection",
                         f"no answer from the provider: {exc}", unknown=True)
    return SendError(True, type(exc).__name__, str(exc), unknown=True)


def _never_connected(exc: Exception) -> bool:
    """True when the connection was refused or never made, so the request cannot have arrived."""
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return False
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


class HttpGatewaySender:
    """A domestic SMS gateway: POST {to, body, callback} as JSON with a bearer token, answer {"id": …}."""

    name = "http"
    callback_path = "/sms/status"

    def __init__(self, url: str, token: str, timeout: float):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, to: str, body: str, status_callback: str | None) -> SendResult:
        data = json.dumps({"to": to, "body": body, "callback": status_callback}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                raw = answer.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            detail = exc.read(2048).decode("utf-8", "replace").strip()
            if exc.code == 429:
                raise SendError(True, 429, detail or "too many requests") from exc
            if exc.code >= 500:
                raise SendError(True, exc.code, detail or "gateway error", unknown=True) from exc
            raise SendError(False, exc.code, detail or "refused") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise SendError(True, "timeout", "no answer from the gateway", unknown=True) from exc
            raise SendError(True, "connect", f"could not reach the gateway: {exc.reason}") from exc
        except (OSError, http.client.HTTPException) as exc:  # the request went out, the answer did not come
            raise SendError(True, "no-answer", f"no answer from the gateway: {exc!r}", unknown=True) from exc
        try:
            answer_json = json.loads(raw)
            provider_id = str(answer_json["id"])
        except (ValueError, KeyError, TypeError):
            raise SendError(True, "answer", f"the gateway's answer has no id: {raw[:200]!r}", unknown=True) from None
        return SendResult(provider_id, str(answer_json.get("status") or "queued"))

    def lookup(self, to: str, body: str, since: datetime, exclude: set[str]) -> SendResult | None:
        return None  # the gateway protocol has no search: an unknown outcome is sent again (at least once)


def build_sender(settings: Mapping[str, Any]) -> Sender:
    """Return the sender SMS_BACKEND names."""
    backend = settings["SMS_BACKEND"]
    if backend == "twilio":
        return TwilioSender(settings["TWILIO_ACCOUNT_SID"], settings["TWILIO_AUTH_TOKEN"], settings["TWILIO_FROM"],
                            float(settings["SMS_TIMEOUT_SECONDS"]), settings["TWILIO_API_BASE"])
    if backend == "http":
        return HttpGatewaySender(settings["SMS_HTTP_URL"], settings["SMS_HTTP_TOKEN"],
                                 float(settings["SMS_TIMEOUT_SECONDS"]))
    return ConsoleSender()
