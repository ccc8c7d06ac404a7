"""A Twilio-shaped REST server on 127.0.0.1, driven by the real twilio client.

It serves what Vigil uses of the Messages API:

- POST /2010-04-01/Accounts/<sid>/Messages.json checks Basic auth and the
  account, records the message and answers 201 with Twilio's JSON (sid "SM…",
  status "queued");
- GET the same path (?To=…) lists the recorded messages, newest first, a page
  at a time (PageSize, Page, next_page_uri), the way ``client.messages`` reads them.

Faults are scripted: the next N requests (``fail_next``), a fraction of them
(``fail_fraction``), a repeating pattern (``fail_cycle``, which can cover the
list requests of a lookup too) or every message to one number (``fail_to``)
answer 429, 500, a permanent error code, or answer late (``Fault(delay=…)``).
A fault can ``keep`` the message: the provider took it but the client never
heard (the "unknown outcome" of a 5xx or a timeout). ``on_message`` is called
with each message taken, before the client hears the answer (a test may kill
the client there).

Like Twilio it calls back: ``send_status`` POSTs a delivery report to the
message's StatusCallback and ``send_inbound`` POSTs an inbound SMS, both signed
the way Twilio signs (RequestValidator.compute_signature over the URL it calls
and the form). ``route(public, local)`` plays the reverse proxy: the signature
covers the public URL, the request goes to the local one.
"""

from __future__ import annotations

import base64
import json
import random
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from twilio.request_validator import RequestValidator

API_VERSION = "2010-04-01"


@dataclass(frozen=True)
class Fault:
    """How one request is answered instead of 201: ``status`` with Twilio error ``code``, maybe late.

    ``delay`` seconds pass before the answer; ``keep`` records the message anyway.
    A Fault with status 201 is a slow success.
    """

    status: int
    code: int | None = None
    delay: float = 0.0
    keep: bool = False
    message: str = "scripted fault"


TOO_MANY_REQUESTS = Fault(429, 20429, message="Too Many Requests")
SERVER_ERROR = Fault(500, 20500, message="Internal Server Error")


def permanent(code: int) -> Fault:
    """A Twilio 400 that no retry fixes (21211 invalid To, 21610 unsubscribed …)."""
    return Fault(400, code, message=f"error {code}")


@dataclass
class FakeTwilio:
    """The fake server; ``url`` is its base (pass it as TWILIO_API_BASE)."""

    account_sid: str = "AC" + "1" * 32
    auth_token: str = "fake-auth-token"
    messages: list[dict] = field(default_factory=list)  # every message taken, in order
    attempts: list[dict] = field(default_factory=list)  # every create request: {to, body, answer, kept}
    lookups: list[int] = field(default_factory=list)  # the HTTP status of every list request
    on_message: Callable[[dict], None] | None = None  # called with each message taken, before the answer

    def __post_init__(self):
        self._lock = threading.Lock()
        self._script: list[Fault] = []
        self._fraction: tuple[float, Fault, random.Random] | None = None
        self._cycle: tuple[list[Fault | None], bool] | None = None  # (pattern, also for list requests)
        self._requests = 0  # requests the cycle has seen
        self._numbers: dict[str, Fault] = {}
        self._routes: list[tuple[str, str]] = []
        self._stopping = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    # ---- scripting ------------------------------------------------------------------------

    def fail_next(self, count: int, fault: Fault) -> None:
        """Answer the next ``count`` create requests with ``fault``."""
        with self._lock:
            self._script.extend([fault] * count)

    def fail_fraction(self, fraction: float, fault: Fault, seed: int = 1) -> None:
        """Answer about ``fraction`` of create requests with ``fault`` (seeded, so reproducible)."""
        with self._lock:
            self._fraction = (fraction, fault, random.Random(seed)) if fraction else None

    def fail_cycle(self, pattern: list[Fault | None], *, lookups: bool = False) -> None:
        """Answer request number i with ``pattern[i % len(pattern)]`` (None: as usual), list requests too
        when ``lookups``. Deterministic: the same order of requests meets the same faults."""
        with self._lock:
            self._cycle, self._requests = (list(pattern), lookups) if pattern else None, 0

    def fail_to(self, number: str, fault: Fault) -> None:
        """Answer every create request to ``number`` with ``fault`` (before any other script)."""
        with self._lock:
            self._numbers[number] = fault

    def route(self, public_base: str, local_base: str) -> None:
        """Deliver callbacks meant for ``public_base…`` to ``local_base…`` (signed for the public URL)."""
        self._routes.append((public_base.rstrip("/"), local_base.rstrip("/")))

    def _next_fault(self, to: str | None = None, lookup: bool = False) -> Fault | None:
        with self._lock:
            if lookup:
                return self._cycled() if self._cycle and self._cycle[1] else None
            if to in self._numbers:
                return self._numbers[to]
            if self._script:
                return self._script.pop(0)
            if self._cycle:
                return self._cycled()
            if self._fraction:
                fraction, fault, rng = self._fraction
                if rng.random() < fraction:
                    return fault
        return None

    def _cycled(self) -> Fault | None:
        pattern = self._cycle[0]
        fault = pattern[self._requests % len(pattern)]
        self._requests += 1
        return fault

    # ---- what was sent --------------------------------------------------------------------

    def bodies(self) -> list[str]:
        with self._lock:
            return [m["body"] for m in self.messages]

    def message(self, sid: str) -> dict:
        with self._lock:
            return next(m for m in self.messages if m["sid"] == sid)

    # ---- calling back, signed -------------------------------------------------------------

    def sign(self, url: str, params: dict) -> str:
        """The X-Twilio-Signature Twilio would send for a POST of ``params`` to ``url``."""
        return RequestValidator(self.auth_token).compute_signature(url, params)

    def post_signed(self, url: str, params: dict, *, signature: str | None = None,
                    signed_params: dict | None = None) -> tuple[int, str]:
        """POST ``params`` as a form to ``url`` (routed), signed over ``url`` and ``signed_params or params``.

        ``signature=""`` sends none; any other string is sent as is.
        """
        if signature is None:
            signature = self.sign(url, signed_params if signed_params is not None else params)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "TwilioProxy/1.1"}
        if signature:
            headers["X-Twilio-Signature"] = signature
        request = urllib.request.Request(self._routed(url), data=urllib.parse.urlencode(params).encode("utf-8"),
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def send_status(self, sid: str, status: str, error_code: int | None = None) -> int:
        """POST a delivery report for message ``sid`` to its StatusCallback; return our HTTP status."""
        message = self.message(sid)
        if not message["status_callback"]:
            raise AssertionError(f"message {sid} has no StatusCallback")
        params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
                  "AccountSid": self.account_sid, "To": message["to"], "From": message["from"] or "",
                  "ApiVersion": API_VERSION}
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        with self._lock:
            message["status"] = status
        return self.post_signed(message["status_callback"], params)[0]

    def send_inbound(self, url: str, from_: str, body: str, sid: str | None = None,
                     to: str = "+15005550006") -> tuple[int, str]:
        """POST an inbound SMS to ``url`` (our public /twilio/sms); return (status, TwiML)."""
        sid = sid or "SM" + secrets.token_hex(16)
        params = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "AccountSid": self.account_sid,
                  "From": from_, "To": to, "Body": body, "NumMedia": "0", "NumSegments": "1",
                  "ApiVersion": API_VERSION}
        return self.post_signed(url, params)

    def _routed(self, url: str) -> str:
        for public, local in self._routes:
            if url == public or url.startswith(public + "/") or url.startswith(public + "?"):
                return local + url[len(public):]
        return url

    # ---- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        self._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # ---- the API --------------------------------------------------------------------------

    def _create(self, form: dict) -> tuple[int, dict]:
        to, body = form.get("To", ""), form.get("Body", "")
        fault = self._next_fault(to)
        if fault is not None:
            kept = self._store(form) if fault.keep or fault.status == 201 else None
            self._note(to, body, fault.status, kept is not None)
            if fault.delay:
                self._stopping.wait(fault.delay)  # the answer comes late; the client may have given up
            return (201, _public(kept)) if fault.status == 201 else (fault.status, self._error(fault))
        if not to or not body or not (form.get("From") or form.get("MessagingServiceSid")):
            self._note(to, body, 400)
            return 400, {"code": 21604, "message": "A 'To', 'Body' and 'From' or 'MessagingServiceSid' are required",
                         "more_info": "https://www.twilio.com/docs/errors/21604", "status": 400}
        message = self._store(form)
        self._note(to, body, 201, True)
        return 201, _public(message)

    def _store(self, form: dict) -> dict:
        now = format_datetime(datetime.now(timezone.utc), usegmt=True)
        sid = "SM" + secrets.token_hex(16)
        message = {
            "sid": sid, "account_sid": self.account_sid, "api_version": API_VERSION, "body": form.get("Body"),
            "to": form.get("To"), "from": form.get("From"), "messaging_service_sid": form.get("MessagingServiceSid"),
            "status": "accepted" if form.get("MessagingServiceSid") else "queued", "direction": "outbound-api",
            "num_segments": "1", "num_media": "0", "date_created": now, "date_updated": now, "date_sent": None,
            "error_code": None, "error_message": None, "price": None, "price_unit": "USD",
            "status_callback": form.get("StatusCallback"),
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json",
            "subresource_uris": {"media": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}/Media.json"},
        }
        with self._lock:
            self.messages.append(message)
        if self.on_message is not None:
            self.on_message(message)
        return message

    def _note(self, to: str, body: str, status: int, kept: bool = False) -> None:
        with self._lock:
            self.attempts.append({"to": to, "body": body, "answer": status, "kept": kept})

    def _list(self, query: dict) -> dict:
        """One page of the messages (to ``To``), newest first, with the next page's URI as Twilio gives it."""
        to = query.get("To", [None])[0]
        size = int(query.get("PageSize", ["50"])[0])
        page = int(query.get("Page", ["0"])[0])
        with self._lock:
            matching = [m for m in reversed(self.messages) if to is None or m["to"] == to]
        found = [_public(m) for m in matching[page * size:(page + 1) * size]]

        def uri(number: int) -> str:
            filters = {"To": to} if to is not None else {}
            return (f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json?"
                    + urllib.parse.urlencode({**filters, "PageSize": size, "Page": number}))
        more = len(matching) > (page + 1) * size
        return {"messages": found, "first_page_uri": uri(0), "next_page_uri": uri(page + 1) if more else None,
                "previous_page_uri": uri(page - 1) if page else None, "page": page, "page_size": size,
                "start": page * size, "end": page * size + max(len(found) - 1, 0), "uri": uri(page)}

    @staticmethod
    def _error(fault: Fault) -> dict:
        return {"code": fault.code, "message": fault.message, "status": fault.status,
                "more_info": f"https://www.twilio.com/docs/errors/{fault.code}"}

    def _authorized(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}"


def _public(message: dict) -> dict:
    """A message as the API shows it (the callback URL is ours, not Twilio's)."""
    return {k: v for k, v in message.items() if k != "status_callback"}


def _handler(fake: FakeTwilio):
    prefix = f"/{API_VERSION}/Accounts/{fake.account_sid}/Messages.json"

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, document: dict) -> None:
            body = json.dumps(document).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test)

        def _route(self) -> tuple[str, dict] | None:
            path, _, query = self.path.partition("?")
            if not self._authorized():
                return None
            if path != prefix:
                self._answer(404, {"code": 20404, "message": "The requested resource was not found",
                                   "status": 404})
                return None
            return path, urllib.parse.parse_qs(query)

        def _authorized(self) -> bool:
            if fake._authorized(self.headers.get("Authorization")):
                return True
            self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
            return False

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            if self._route() is None:
                return
            form = {k: v[-1] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}
            self._answer(*fake._create(form))

        def do_GET(self):
            routed = self._route()
            if routed is None:
                return
            fault = fake._next_fault(lookup=True)
            with fake._lock:
                fake.lookups.append(fault.status if fault else 200)
            if fault is not None:
                self._answer(fault.status, fake._error(fault))
            else:
                self._answer(200, fake._list(routed[1]))

        def log_message(self, *args):
            pass

    return Handler
