"""Local stand-ins for network APIs: real HTTP servers on 127.0.0.1 (ephemeral port) in a thread.

`FakeServer` gives each stand-in the plumbing: a request log, a lock around state, the injected
clock, and failures on demand (`fail(...)`): a hang past the client's timeout, a dropped
connection, or an error status, either before the request takes effect or after it did (the
case where a post exists although the client never heard back).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

HANG_LIMIT = 5.0  # real seconds a "timeout" failure holds a request at most


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        """The body as fields, whether sent as JSON or form-encoded."""
        if self.headers.get("content-type", "").startswith("application/json"):
            data = self.json() or {}
            return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


@dataclass
class Reply:
    status: int
    body: Any = None  # dict/list -> JSON; bytes as is
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Failure:
    method: str
    path_prefix: str
    mode: str  # "timeout" | "drop" | "status"
    status: int = 500
    after: bool = False  # True: the request takes effect, then the client is failed
    times: int = 1


class FakeServer:
    """Subclasses implement `handle(request) -> Reply` and may override `error_reply`."""

    def __init__(self, clock: Any):
        self.clock = clock
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self._failures: list[Failure] = []
        self._release = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> FakeServer:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # -- test controls ----------------------------------------------------------------------------

    def fail(self, method: str, path_prefix: str, mode: str = "status", *, status: int = 500,
             after: bool = False, times: int = 1) -> None:
        with self.lock:
            self._failures.append(Failure(method.upper(), path_prefix, mode, status, after, times))

    def release(self) -> None:
        """Let hanging requests go (they then drop the connection)."""
        self._release.set()

    def calls(self, method: str, path_prefix: str = "") -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.method == method.upper() and r.path.startswith(path_prefix))

    # -- for subclasses ---------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def error_reply(self, status: int) -> Reply:
        return Reply(status, {"error": f"injected {status}"})

    def _take_failure(self, request: Request) -> Failure | None:
        with self.lock:
            for failure in self._failures:
                if failure.method == request.method and request.path.startswith(failure.path_prefix):
                    failure.times -= 1
                    if failure.times <= 0:
                        self._failures.remove(failure)
                    return failure
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_fake: FakeServer
    # Headers and body leave in one segment, without Nagle: no delayed-ACK stalls per request.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        fake = self.server_fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        with fake.lock:
            fake.requests.append(request)
        failure = fake._take_failure(request)
        if failure is not None and not failure.after:
            self._fail(failure)
            return
        reply = fake.handle(request)
        if failure is not None:
            self._fail(failure)
            return
        self._send(reply)

    def _fail(self, failure: Failure) -> None:
        if failure.mode == "timeout":
            self.server_fake._release.wait(HANG_LIMIT)
            self.close_connection = True
        elif failure.mode == "drop":
            self.close_connection = True
        else:
            self._send(self.server_fake.error_reply(failure.status))

    def _send(self, reply: Reply) -> None:
        if isinstance(reply.body, bytes):
            payload = reply.body
            content_type = "application/octet-stream"
        elif reply.body is None:
            payload = b""
            content_type = "application/json"
        else:
            payload = json.dumps(reply.body).encode()
            content_type = "application/json; charset=utf-8"
        self.send_response(reply.status)
        headers = {"Content-Type": content_type, **reply.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
