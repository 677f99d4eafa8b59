"""A reference receiver for the `webhook` publishing protocol: what a team runs behind the
webhook connector to carry approved replies to a network. It checks Veille's v1 signature,
stores each publication once per idempotency key and answers look-ups. The demo and the tests
use it; failure modes are switchable so tests can play timeouts, refusals and outages."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from bot.signing import verify_v1


class PublishTarget:
    def __init__(self, secret: str, clock):
        self.secret, self.clock = secret, clock  # the simulated world shares the test clock
        self.published: dict[str, dict] = {}  # idempotency_key -> request body
        self.requests: list[dict] = []
        self.mode = "ok"  # ok | timeout_after_storing | timeout_before_storing | reject | error_500
        self.delay = 0.0
        self.lookup_mode = "ok"  # ok | error_500
        self.lock = threading.Lock()
        target = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                key = parse_qs(urlparse(self.path).query).get("idempotency_key", [""])[0]
                if not target._verify(self, b""):
                    return self._send(401, {"error": "bad signature"})
                if target.lookup_mode == "error_500":
                    return self._send(500, {"error": "lookup down"})
                with target.lock:
                    found = target.published.get(key)
                if found is None:
                    return self._send(404, {"error": "not found"})
                return self._send(200, target._result(key))

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if not target._verify(self, body):
                    return self._send(401, {"error": "bad signature"})
                data = json.loads(body)
                with target.lock:
                    target.requests.append(data)
                    mode = target.mode
                if mode == "reject":
                    return self._send(422, {"error": "text refused by the network"})
                if mode == "error_500":
                    return self._send(500, {"error": "boom"})
                if mode == "timeout_before_storing":
                    time.sleep(target.delay)
                    return self._send(504, {"error": "gateway timeout"})
                with target.lock:
                    target.published.setdefault(data["idempotency_key"], data)
                if mode == "timeout_after_storing":
                    time.sleep(target.delay)
                return self._send(200, target._result(data["idempotency_key"]))

            def _send(self, status, payload):
                raw = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/publish"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _verify(self, handler, body: bytes) -> bool:
        return verify_v1(self.secret, handler.headers.get("X-Veille-Timestamp"),
                         handler.headers.get("X-Veille-Signature"), body, self.clock.now()) is None

    def _result(self, key: str) -> dict:
        n = list(self.published).index(key) + 1
        return {"id": f"post-{n}", "url": f"https://social.example/post-{n}"}

    def start(self) -> PublishTarget:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
