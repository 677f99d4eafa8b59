"""Slack's Socket Mode as the stand-in plays it. `apps.connections.open` (app-level token) hands
out a one-use websocket URL; the link greets with `hello`, then carries `events_api`,
`slash_commands` and `interactive` envelopes and waits for the app's ack (`envelope_id`, plus a
`payload` where Slack accepts one); Slack ends a link with `disconnect` (`warning`,
`refresh_requested`, `link_disabled`).

The websocket side is the `websockets` library's threaded server on its own loopback port: the
stdlib HTTP server the Web API runs on cannot upgrade a connection, and a websocket framing of
our own would be code to maintain. It is a test-only dependency, imported when a test first asks
for Socket Mode (the offline demo never does)."""

from __future__ import annotations

import enum
import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .state import StandInState


class EnvelopeType(enum.StrEnum):
    EVENTS_API = "events_api"
    SLASH_COMMANDS = "slash_commands"
    INTERACTIVE = "interactive"


class DisconnectReason(enum.StrEnum):
    WARNING = "warning"  # Slack sends it ~10 s before a refresh
    REFRESH_REQUESTED = "refresh_requested"
    LINK_DISABLED = "link_disabled"  # Socket Mode was turned off in the app's settings


@dataclass
class Envelope:
    """One envelope sent to the app, and its ack (None until acked, or if it never was)."""

    type: EnvelopeType
    envelope_id: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    ack: dict[str, Any] | None = None


@dataclass
class _Link:
    connection: Any  # websockets.sync.server.ServerConnection
    draining: bool = False  # a disconnect was sent: deliver nothing more on this link
    closed: bool = False

    def send(self, message: dict[str, Any]) -> None:
        self.connection.send(json.dumps(message))


class SocketModeServer:
    def __init__(self, state: StandInState, app_token: str):
        self.state = state
        self.app_token = app_token
        self.enabled = True
        self.hellos = 0  # links greeted so far (a reconnect adds one)
        self.envelopes: list[Envelope] = []
        self._cond = threading.Condition()
        self._tickets: set[str] = set()
        self._links: list[_Link] = []
        # by envelope_id, across links: slack_sdk acks on its newest link, even for an envelope
        # that came on the link a refresh replaced
        self._unacked: dict[str, Envelope] = {}
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----------------------------------------------------------------------------

    def start(self) -> SocketModeServer:
        from websockets.sync.server import serve

        self._server = serve(self._handle, "127.0.0.1", 0, process_request=self._check_ticket,
                             ping_interval=None, compression=None)
        self._thread = threading.Thread(target=self._server.serve_forever, name="slack-standin-socket", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._server = None

    @property
    def port(self) -> int:
        return self._server.socket.getsockname()[1]

    # ---- apps.connections.open and the opening handshake ---------------------------------------------

    def open_url(self) -> str:
        """A fresh one-use URL, as apps.connections.open returns (Slack's is wss://wss-primary.slack.com/link/...)."""
        ticket = str(uuid.uuid4())
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.state.app_id}"

    def _check_ticket(self, connection: Any, request: Any) -> Any:
        url = urlsplit(request.path)
        ticket = (parse_qs(url.query).get("ticket") or [""])[0]
        with self._cond:
            known = ticket in self._tickets
            self._tickets.discard(ticket)
        if url.path.rstrip("/") != "/link":
            return connection.respond(404, "not found\n")
        if not known:
            return connection.respond(401, "invalid or used ticket\n")
        if not self.enabled:
            return connection.respond(403, "Socket Mode is disabled for this app\n")
        return None

    def _handle(self, connection: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        link = _Link(connection)
        with self._cond:
            number = len(self._links) + 1
        link.send({"type": "hello", "num_connections": number,
                   "debug_info": {"host": "applink-standin", "approximate_connection_time": 3600},
                   "connection_info": {"app_id": self.state.app_id}})
        with self._cond:
            self._links.append(link)
            self.hellos += 1
            self._cond.notify_all()
        try:
            for raw in connection:
                self._on_message(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                link.closed = True
                self._links.remove(link)
                self._cond.notify_all()

    def _on_message(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        with self._cond:
            envelope = self._unacked.pop(str(message.get("envelope_id")), None)
            if envelope is not None:
                payload = message.get("payload")
                # Slack ignores a payload where the envelope said it accepts none
                envelope.ack = {"envelope_id": envelope.envelope_id,
                                "payload": payload if envelope.accepts_response_payload else None}
                self._cond.notify_all()

    # ---- what the driver and tests do -------------------------------------------------------------

    @property
    def connected(self) -> int:
        with self._cond:
            return sum(1 for link in self._links if not link.draining)

    def wait_connected(self, timeout: float = 10.0, hellos: int = 1) -> bool:
        """Wait (real time: the app's client connects on its own threads) until an open link exists
        and at least `hellos` links were greeted so far."""
        with self._cond:
            return self._cond.wait_for(lambda: self.hellos >= hellos and self._ready_link() is not None, timeout)

    def _ready_link(self) -> _Link | None:
        ready = [link for link in self._links if not link.draining and not link.closed]
        return ready[-1] if ready else None

    def deliver(self, kind: EnvelopeType, payload: dict[str, Any], accepts_response_payload: bool = False,
                retry_attempt: int = 0, retry_reason: str = "", timeout: float = 10.0) -> Envelope:
        """Send one envelope on the newest open link and wait for its ack. Slack gives the app
        3 seconds; `timeout` is longer so a loaded test machine is not mistaken for a slow app.
        Raises ConnectionError when no link is open."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._ready_link() is not None, timeout):
                raise ConnectionError("no Socket Mode connection is open")
            link = self._ready_link()
            envelope = Envelope(kind, str(uuid.uuid4()), payload, accepts_response_payload)
            self._unacked[envelope.envelope_id] = envelope
            self.envelopes.append(envelope)
        message: dict[str, Any] = {"envelope_id": envelope.envelope_id, "payload": payload, "type": str(kind),
                                   "accepts_response_payload": accepts_response_payload}
        if kind is EnvelopeType.EVENTS_API:
            message.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        link.send(message)
        with self._cond:
            self._cond.wait_for(lambda: envelope.ack is not None, timeout)
        return envelope

    def disconnect(self, reason: DisconnectReason = DisconnectReason.REFRESH_REQUESTED,
                   timeout: float = 10.0) -> bool:
        """Send `disconnect` on every open link, as Slack does. On a refresh Slack closes the old
        link once the app had time to open a new one: wait (up to `timeout`) for the new `hello`,
        then close the old links; returns whether the app reconnected. `link_disabled` turns
        Socket Mode off: the links close and new handshakes are refused until enable()."""
        with self._cond:
            old = [link for link in self._links if not link.draining]
            hellos = self.hellos
            for link in old:
                link.draining = True
            if reason is DisconnectReason.LINK_DISABLED:
                self.enabled = False
        for link in old:
            link.send({"type": "disconnect", "reason": str(reason), "debug_info": {"host": "applink-standin"}})
        reconnected = False
        if reason is not DisconnectReason.LINK_DISABLED:
            with self._cond:
                reconnected = self._cond.wait_for(lambda: self.hellos > hellos, timeout)
        for link in old:
            link.connection.close()
        return reconnected

    def enable(self) -> None:
        self.enabled = True

    def close_links(self) -> None:
        """Close every link from Slack's side (going away), without a `disconnect` first."""
        with self._cond:
            links = list(self._links)
        for link in links:
            link.connection.close()

