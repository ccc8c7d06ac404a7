"""A domestic-SMS-gateway-shaped server on 127.0.0.1 for the ``http`` backend.

POST / with ``Authorization: Bearer <token>`` and JSON {to, body, callback}
answers {"id": "gw-<n>", "status": "queued"}. Faults are scripted like the
fake Twilio: ``fail_next(n, status, delay=…, keep=…)``. ``send_status`` POSTs
the gateway's delivery report, JSON {id, status}, with the bearer token, to the
callback URL the message carried.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class GatewayFault:
    """Answer ``status`` (after ``delay`` seconds); ``keep`` records the message anyway."""

    status: int
    delay: float = 0.0
    keep: bool = False


@dataclass
class FakeGateway:
    """The fake gateway; ``url`` is where the backend POSTs (SMS_HTTP_URL)."""

    token: str = "gateway-token"
    messages: list[dict] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)  # every POST: headers and JSON

    def __post_init__(self):
        self._lock = threading.Lock()
        self._script: list[GatewayFault] = []
        self._stopping = threading.Event()
        self._routes: list[tuple[str, str]] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/send"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def fail_next(self, count: int, fault: GatewayFault) -> None:
        with self._lock:
            self._script.extend([fault] * count)

    def route(self, public_base: str, local_base: str) -> None:
        """Deliver callbacks meant for ``public_base…`` to ``local_base…``."""
        self._routes.append((public_base.rstrip("/"), local_base.rstrip("/")))

    def send_status(self, message_id: str, status: str, token: str | None = None) -> int:
        """POST a delivery report for ``message_id`` to its callback; return our HTTP status."""
        message = next(m for m in self.messages if m["id"] == message_id)
        url = message["callback"]
        for public, local in self._routes:
            if url.startswith(public):
                url = local + url[len(public):]
        request = urllib.request.Request(
            url, data=json.dumps({"id": message_id, "status": status}).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token or self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def close(self) -> None:
        self._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _take(self, headers: dict, document) -> tuple[int, dict]:
        with self._lock:
            self.requests.append({"headers": headers, "json": document})
            fault = self._script.pop(0) if self._script else None
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": "bad token"}
        if not isinstance(document, dict) or not document.get("to") or not document.get("body"):
            return 400, {"error": "to and body are required"}
        kept = None
        if fault is None or fault.keep:
            with self._lock:
                kept = dict(document, id=f"gw-{len(self.messages) + 1}")
                self.messages.append(kept)
        if fault is not None:
            self._stopping.wait(fault.delay)
            if fault.status >= 300:
                return fault.status, {"error": "scripted fault"}
        return 200, {"id": kept["id"], "status": "queued"}


def _handler(fake: FakeGateway):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                document = json.loads(raw)
            except ValueError:
                document = None
            status, answer = fake._take(dict(self.headers), document)
            body = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    return Handler
