"""The HTTP side: a stdlib threading server that reads requests the way Slack does (GET query,
form-encoded or JSON bodies, Bearer token) and hands them to the Web API or the response_url
endpoint."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .api import WebApi
from .api_files import receive_upload
from .response_urls import handle_response_url
from .state import StandInState


def parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Query parameters, then body parameters over them (form values are strings)."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if not body:
        return params
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        decoded = json.loads(body.decode("utf-8"))
        if not isinstance(decoded, dict):
            raise ValueError("a JSON body must be an object")
        params.update(decoded)
    else:  # application/x-www-form-urlencoded, and what old clients send without a type
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return params


def make_handler(api: WebApi, state: StandInState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "SlackStandIn/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read .calls instead
            pass

        def do_GET(self) -> None:
            self._dispatch()

        def do_POST(self) -> None:
            self._dispatch()

        def _dispatch(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if url.path.startswith("/upload/") and self.command == "POST":  # files.getUploadURLExternal's URL
                self._send_text(*receive_upload(state, url.path[len("/upload/"):], body,
                                                self.headers.get("Content-Type", "")))
                return
            try:
                params = parse_params(url.query, self.headers.get("Content-Type", ""), body)
            except (ValueError, UnicodeDecodeError):
                self._send(200, {"ok": False, "error": "invalid_form_data"})
                return
            if url.path.startswith("/api/"):
                self._api(url.path[len("/api/"):], params)
            elif url.path.startswith("/response/") and self.command == "POST":
                if isinstance(params.get("payload"), str):  # the legacy form-encoded shape
                    params = json.loads(params["payload"])
                status, answer = handle_response_url(state, url.path[len("/response/"):], params)
                self._send(status, answer)
            else:
                self._send(404, {"ok": False, "error": "not_found"})

        def _api(self, method: str, params: dict[str, Any]) -> None:
            auth = self.headers.get("Authorization", "")
            bearer = auth[len("Bearer "):].strip() if auth.startswith("Bearer ") else None
            answer = api.handle(method, params, bearer)
            if answer.delay:
                time.sleep(answer.delay)  # real time: it is the client's real timeout we model
            if answer.drop:
                self.close_connection = True  # the client sees a dropped connection, no answer
                return
            self._send(answer.status, answer.body or {}, answer.headers)

        def _send_text(self, status: int, text: str) -> None:
            data = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


class HttpServerThread:
    """A ThreadingHTTPServer on 127.0.0.1, port chosen by the OS, served from a daemon thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="slack-standin", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
