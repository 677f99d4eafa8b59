"""The app's side of the wire, for driver tests: a recorder that keeps every request it gets and
answers with canned responses, and a host serving a real slack_bolt App over HTTP."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from slack_bolt import App, BoltRequest


class _Server:
    def __init__(self, handle):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers, payload = handle(body, dict(self.headers.items()))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/slack/events"

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class RecordingApp(_Server):
    """Keeps (body bytes, headers) of each request; answers 200 with `next_answer` (JSON) or empty."""

    def __init__(self):
        self.requests: list[tuple[bytes, dict[str, str]]] = []
        self.next_answer: dict | None = None
        super().__init__(self._handle)

    def _handle(self, body: bytes, headers: dict[str, str]):
        self.requests.append((body, headers))
        if self.next_answer is None:
            return 200, {}, b""
        return 200, {"Content-Type": "application/json"}, json.dumps(self.next_answer).encode()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class BoltHost(_Server):
    """Serves a Bolt App the way its adapters do: the raw body and headers into app.dispatch."""

    def __init__(self, app: App):
        self.app = app
        super().__init__(self._handle)

    def _handle(self, body: bytes, headers: dict[str, str]):
        request = BoltRequest(body=body.decode("utf-8"), headers={k: [v] for k, v in headers.items()})
        response = self.app.dispatch(request)
        sent = {k: v[0] for k, v in response.headers.items()}
        return response.status, sent, (response.body or "").encode("utf-8")
