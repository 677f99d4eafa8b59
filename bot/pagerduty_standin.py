"""A local server behaving like PagerDuty's Events API v2 (POST /v2/enqueue), for the tests and
the offline demo (`veille demo`).

What it does as PagerDuty documents it:
- 202 {"status": "success", "message": "Event processed", "dedup_key": ...} for a valid event; a
  trigger without dedup_key gets one generated;
- 400 {"status": "invalid event", "message": "Event object is invalid", "errors": [...]} for a
  body that is not JSON, a routing_key that is not 32 characters, an unknown event_action, a
  missing dedup_key on acknowledge/resolve, a trigger without payload.summary / source / a valid
  severity, a summary over 1024 characters or a dedup_key over 255;
- 429 (too many events) and 500 on demand (`fail_next`), so clients show they retry;
- alerts keyed on dedup_key: trigger opens one (or appends to the open one), acknowledge and
  resolve move it; an acknowledge or resolve for an unknown alert is accepted and changes nothing.

Usage:
    with PagerDutyServer(routing_key) as pd:
        url = pd.url + "/v2/enqueue"
        ... pd.alerts[dedup_key]["status"], pd.events
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SEVERITIES = ("critical", "error", "warning", "info")


class PagerDutyServer:
    def __init__(self, routing_key: str):
        self.routing_key = routing_key
        self.events: list[dict[str, Any]] = []  # accepted events, in order
        self.responses: list[int] = []  # every status code sent, in order
        self.alerts: dict[str, dict[str, Any]] = {}  # dedup_key -> {status, triggers, log}
        self._faults: list[tuple[int, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def enqueue_url(self) -> str:
        return self.url + "/v2/enqueue"

    def start(self) -> PagerDutyServer:
        fake = self

        class Handler(_Handler):
            pd = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> PagerDutyServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(self, status: int, times: int = 1, retry_after: int | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self._lock:
            self._faults.extend([(status, headers)] * times)

    def actions(self, dedup_key: str) -> list[str]:
        return [e["event_action"] for e in self.events if e["dedup_key"] == dedup_key]

    # -- the API ---------------------------------------------------------------------------------

    def handle(self, raw: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            if self._faults:
                status, headers = self._faults.pop(0)
                if status == 429:
                    return status, {"status": "throttle event", "message": "Requests for this service are "
                                    "arriving too quickly. Please retry later."}, headers
                return status, {"status": "error", "message": "internal error"}, headers
        try:
            event = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return 400, _invalid(["JSON parse error"]), {}
        if not isinstance(event, dict):
            return 400, _invalid(["Event object is not an object"]), {}
        errors = self._validate(event)
        if errors:
            return 400, _invalid(errors), {}
        action = event["event_action"]
        key = event.get("dedup_key") or uuid.uuid4().hex
        with self._lock:
            self.events.append({**event, "dedup_key": key})
            alert = self.alerts.get(key)
            if action == "trigger":
                if alert is None or alert["status"] == "resolved":
                    self.alerts[key] = {"status": "triggered", "triggers": 1, "summary": event["payload"]["summary"]}
                else:
                    alert["triggers"] += 1
            elif alert is not None and alert["status"] != "resolved":
                alert["status"] = "acknowledged" if action == "acknowledge" else "resolved"
        return 202, {"status": "success", "message": "Event processed", "dedup_key": key}, {}

    def _validate(self, event: dict[str, Any]) -> list[str]:
        errors = []
        key = event.get("routing_key")
        if not isinstance(key, str) or len(key) != 32:
            errors.append("Length of 'routing_key' is incorrect (should be 32 characters)")
        elif key != self.routing_key:
            errors.append("Invalid routing key")
        action = event.get("event_action")
        if action not in ("trigger", "acknowledge", "resolve"):
            errors.append("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)")
        dedup = event.get("dedup_key")
        if dedup is not None and (not isinstance(dedup, str) or len(dedup) > 255):
            errors.append("'dedup_key' must be a string of at most 255 characters")
        if action in ("acknowledge", "resolve") and not dedup:
            errors.append("'dedup_key' is required for acknowledge and resolve events")
        if action == "trigger":
            payload = event.get("payload")
            if not isinstance(payload, dict):
                errors.append("'payload' is missing or not an object")
            else:
                summary = payload.get("summary")
                if not isinstance(summary, str) or not summary:
                    errors.append("'payload.summary' is missing or blank")
                elif len(summary) > 1024:
                    errors.append("'payload.summary' is longer than 1024 characters")
                if not payload.get("source"):
                    errors.append("'payload.source' is missing or blank")
                if payload.get("severity") not in SEVERITIES:
                    errors.append("'payload.severity' is invalid (must be one of: critical, error, warning, info)")
        return errors


def _invalid(errors: list[str]) -> dict[str, Any]:
    return {"status": "invalid event", "message": "Event object is invalid", "errors": errors}


class _Handler(BaseHTTPRequestHandler):
    pd: PagerDutyServer

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path != "/v2/enqueue":
            status, body, headers = 404, {"status": "not found", "message": "Not found"}, {}
        else:
            status, body, headers = self.pd.handle(raw)
        with self.pd._lock:
            self.pd.responses.append(status)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
