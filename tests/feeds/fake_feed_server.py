"""A scriptable feed server on 127.0.0.1 for poller tests (304, 500, slow, changed answers)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    """What the server answers next: a body with an ETag, or an error status, optionally slowly."""

    body: bytes = b""
    status: int = 200
    etag: str | None = None
    delay: float = 0.0
    content_type: str = "application/json"


@dataclass
class FakeFeedServer:
    """Serves ``answer`` at any path and records each request's headers."""

    answer: Answer = field(default_factory=Answer)
    requests: list = field(default_factory=list)
    request_times: list = field(default_factory=list)  # time.perf_counter() as each request arrived

    def __post_init__(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.request_times.append(time.perf_counter())
                server.requests.append(dict(self.headers))
                answer = server.answer
                time.sleep(answer.delay)
                if answer.etag and self.headers.get("If-None-Match") == answer.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                if answer.etag:
                    self.send_header("ETag", answer.etag)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/feed"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
