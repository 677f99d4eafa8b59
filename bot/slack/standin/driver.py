"""SlackDriver: plays Slack's side towards the app. It delivers slash commands, button clicks, view
submissions and events shaped exactly as Slack sends them, over either of Slack's transports:
POSTed to the app's request URL and signed (HTTP mode), or as envelopes on the app's Socket Mode
link (`SlackDriver.over_socket`), where the app's ack stands in for the HTTP answer. Either way
tests get an httpx.Response (a socket ack with a payload is a 200 with that JSON body). It applies to the stand-in what Slack would do with the answer (a slash command's ack text is
shown to the user; a view_submission answer closes, updates, pushes or flags the modal)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from . import payloads
from .api_common import public_message
from .server import SlackStandIn
from .socket_mode import EnvelopeType
from .state import dm_channel_id

USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
FORM = "application/x-www-form-urlencoded"
# Interactive payloads whose ack may carry an answer (a modal's response_action, options)
ANSWERED_INTERACTIONS = ("view_submission", "block_suggestion")


@dataclass
class UserPost:
    """A message a person posted, and the app's answers to the events it caused."""

    ts: str
    channel: str
    responses: list[httpx.Response] = field(default_factory=list)


class SlackDriver:
    def __init__(
        self,
        standin: SlackStandIn,
        app_url: str | None,
        signing_secret: str | None,
        team_id: str | None = None,
        verification_token: str = "vErIfIcAtIoNtOkEn",
        timeout: float = 10.0,
        socket_mode: bool = False,
    ):
        self.standin = standin
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.team_id = team_id or standin.team_id
        self.verification_token = verification_token
        self.socket_mode = socket_mode
        self.timeout = timeout
        self._http = httpx.Client(timeout=timeout)

    @classmethod
    def over_socket(cls, standin: SlackStandIn, **kwargs: Any) -> SlackDriver:
        """Deliver through the app's Socket Mode link (the app connects with the stand-in's
        app-level token); nothing is POSTed to the app and nothing is signed."""
        return cls(standin, None, None, socket_mode=True, **kwargs)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SlackDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- signing and sending ------------------------------------------------------------------

    def sign(self, body: bytes, ts: int | str | None = None) -> dict[str, str]:
        """Slack's v0 signature headers. The timestamp is real time: Bolt compares it to time.time()."""
        stamp = str(int(time.time()) if ts is None else ts)
        digest = hmac.new(self.signing_secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}

    def post(self, body: bytes, content_type: str, headers: dict[str, str] | None = None,
             signed: bool = True) -> httpx.Response:
        """POST raw bytes to the app; tests use it to replay or forge requests (HTTP mode only)."""
        self._require_http("post")
        sent = {"Content-Type": content_type, "User-Agent": USER_AGENT}
        if signed:
            sent.update(self.sign(body))
        sent.update(headers or {})
        return self._http.post(self.app_url, content=body, headers=sent)

    def _post_payload(self, payload: dict[str, Any]) -> httpx.Response:
        if self.socket_mode:
            return self._over_socket(EnvelopeType.INTERACTIVE, payload,
                                     accepts_response_payload=payload.get("type") in ANSWERED_INTERACTIONS)
        return self.post(urlencode({"payload": json.dumps(payload)}).encode(), FORM)

    def _require_http(self, what: str) -> None:
        if self.socket_mode:
            raise RuntimeError(f"{what}() is HTTP-only: Socket Mode has no request URL and no signature "
                               "(mark the test slack_http)")

    def _over_socket(self, kind: EnvelopeType, payload: dict[str, Any], accepts_response_payload: bool = False,
                     retry_attempt: int = 0, retry_reason: str = "") -> httpx.Response:
        """Send one envelope and turn the app's ack into the answer an HTTP request would have
        had: 200 with the ack's payload as JSON (or empty), 504 when no ack came in time."""
        envelope = self.standin.socket_mode.deliver(kind, payload, accepts_response_payload, retry_attempt,
                                                    retry_reason, timeout=self.timeout)
        if envelope.ack is None:
            return httpx.Response(504, json={"error": f"no ack for envelope {envelope.envelope_id}"})
        answer = envelope.ack.get("payload")
        return httpx.Response(200, json=answer) if answer is not None else httpx.Response(200)

    # ---- who is acting ------------------------------------------------------------------------

    def _user(self, user: str) -> dict[str, Any]:
        known = self.standin.state.users.get(user, {})
        name = known.get("name", user)
        return {"id": user, "username": name, "name": name, "team_id": self.team_id}

    def _team(self) -> dict[str, str]:
        return {"id": self.team_id, "domain": self.standin.team_domain}

    def _channel(self, channel: str) -> dict[str, str]:
        found = self.standin.state.resolve_channel(channel)
        if found is None:
            return {"id": channel, "name": channel}
        return {"id": found["id"], "name": "directmessage" if found["is_im"] else found["name"]}

    def _action_ts(self) -> str:
        return f"{self.standin.clock.now():.6f}"

    # ---- slash commands -------------------------------------------------------------------------

    def command(self, user: str, text: str, command: str = "/veille", channel: str = "C0SOCIAL") -> httpx.Response:
        where = self._channel(channel)
        form = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.standin.team_domain,
            "channel_id": where["id"],
            "channel_name": where["name"],
            "user_id": user,
            "user_name": self._user(user)["name"],
            "command": command,
            "text": text,
            "api_app_id": self.standin.app_id,
            "is_enterprise_install": "false",
            "response_url": self.standin.new_response_url(user=user, channel=where["id"]),
            "trigger_id": self.standin.new_trigger(user),
        }
        if self.socket_mode:
            response = self._over_socket(EnvelopeType.SLASH_COMMANDS, form, accepts_response_payload=True)
        else:
            response = self.post(urlencode(form).encode(), FORM)
        self._show_command_ack(user, where["id"], response)
        return response

    def _show_command_ack(self, user: str, channel: str, response: httpx.Response) -> None:
        """Slack shows a slash command's immediate answer: ephemeral unless response_type is in_channel."""
        if response.status_code != 200 or not response.content.strip():
            return
        try:
            body = response.json()
        except ValueError:
            body = {"text": response.text}
        if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
            return
        if body.get("response_type") == "in_channel":
            url = self.standin.new_response_url(user=user, channel=channel)
            self._http.post(url, json=body)
        else:
            self.standin.store_ephemeral(channel, user, body, source="command_ack")

    # ---- buttons ------------------------------------------------------------------------------

    def _base_actions_payload(self, user: str) -> dict[str, Any]:
        return {
            "type": "block_actions",
            "user": self._user(user),
            "api_app_id": self.standin.app_id,
            "token": self.verification_token,
            "trigger_id": self.standin.new_trigger(user),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
        }

    def _resolve_action(self, blocks: list[dict[str, Any]], action_id: str, value: Any,
                        block_id: str | None) -> dict[str, Any]:
        found = payloads.find_element(blocks, action_id)
        if found is None and block_id is None:
            raise LookupError(f"no element with action_id {action_id!r} is shown there")
        found_block, element = found if found else (None, {"type": "button", "action_id": action_id})
        return payloads.action(block_id or found_block, element, value, self._action_ts())

    def click(self, user: str, channel: str, message_ts: str, action_id: str, value: Any = None,
              block_id: str | None = None) -> httpx.Response:
        """Click an element of a message (or of an ephemeral message shown to `user`)."""
        where = self._channel(channel)
        message = self.standin.message(where["id"], message_ts)
        ephemeral = None
        if message is None:
            ephemeral = next((e for e in self.standin.ephemerals(user) if e["ts"] == message_ts), None)
        blocks = (message or ephemeral or {}).get("blocks") or []
        payload = self._base_actions_payload(user)
        container = {"type": "message", "message_ts": message_ts, "channel_id": where["id"],
                     "is_ephemeral": ephemeral is not None}
        if message and message.get("thread_ts"):
            container["thread_ts"] = message["thread_ts"]
        payload.update(
            container=container,
            channel=where,
            response_url=self.standin.new_response_url(user=user, channel=where["id"], message_ts=message_ts,
                                                       is_ephemeral=ephemeral is not None),
            actions=[self._resolve_action(blocks, action_id, value, block_id)],
        )
        if message is not None:
            payload["message"] = public_message(message, include_metadata=False)
        return self._post_payload(payload)

    def click_home(self, user: str, action_id: str, value: Any = None, block_id: str | None = None) -> httpx.Response:
        view = self.standin.home(user)
        if view is None:
            raise LookupError(f"no home tab published for {user}")
        payload = self._base_actions_payload(user)
        payload.update(
            container={"type": "view", "view_id": view["id"]},
            view=view,
            actions=[self._resolve_action(view["blocks"], action_id, value, block_id)],
        )
        return self._post_payload(payload)

    def click_in_view(self, user: str, view_id: str, action_id: str, value: Any = None, block_id: str | None = None,
                      values: dict[str, dict[str, Any]] | None = None) -> httpx.Response:
        view = self.standin.view(view_id)
        if view is None:
            raise LookupError(f"no view {view_id}")
        view["state"] = payloads.view_state(view, values)
        payload = self._base_actions_payload(user)
        payload.update(
            container={"type": "view", "view_id": view_id},
            view=view,
            state=view["state"],
            actions=[self._resolve_action(view["blocks"], action_id, value, block_id)],
        )
        return self._post_payload(payload)

    # ---- modals ---------------------------------------------------------------------------------

    def _open_view(self, user: str, view_id: str | None) -> dict[str, Any]:
        if view_id is None:
            views = self.standin.views(user)
            if not views:
                raise LookupError(f"no modal open for {user}")
            return views[-1]
        view = self.standin.view(view_id)
        if view is None:
            raise LookupError(f"no view {view_id}")
        return view

    def submit_view(self, user: str, view_id: str | None = None,
                    values: dict[str, dict[str, Any]] | None = None) -> httpx.Response:
        """Submit a modal (the user's top one by default). values: {block_id: {action_id: value}};
        a plain value is shaped for the element's type, a dict is sent as given."""
        view = self._open_view(user, view_id)
        view["state"] = payloads.view_state(view, values)
        view.pop("errors", None)
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user),
            "api_app_id": self.standin.app_id,
            "token": self.verification_token,
            "trigger_id": self.standin.new_trigger(user),
            "view": view,
            "response_urls": [],
            "enterprise": None,
            "is_enterprise_install": False,
        }
        response = self._post_payload(payload)
        if response.status_code == 200:
            answer = None
            if response.content.strip():
                try:
                    answer = response.json()
                except ValueError:
                    answer = None
            self.standin.apply_submission_answer(user, view["id"], answer if isinstance(answer, dict) else None)
        return response

    def close_view(self, user: str, view_id: str | None = None) -> httpx.Response | None:
        """The user closes a modal; the app hears of it only if the view asked (notify_on_close)."""
        view = self._open_view(user, view_id)
        self.standin.apply_submission_answer(user, view["id"], None)
        if not view.get("notify_on_close"):
            return None
        payload = {"type": "view_closed", "team": self._team(), "user": self._user(user),
                   "api_app_id": self.standin.app_id, "token": self.verification_token, "view": view,
                   "is_cleared": False, "enterprise": None, "is_enterprise_install": False}
        return self._post_payload(payload)

    # ---- events -------------------------------------------------------------------------------

    def event(self, event: dict[str, Any], event_id: str | None = None, retry_num: int | None = None,
              retry_reason: str = "http_timeout") -> httpx.Response:
        """Deliver an Events API event_callback. Pass the same event_id with retry_num to replay."""
        envelope = self.envelope(event, event_id)
        if self.socket_mode:
            return self._over_socket(EnvelopeType.EVENTS_API, envelope, retry_attempt=retry_num or 0,
                                     retry_reason=retry_reason if retry_num else "")
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.post(json.dumps(envelope).encode(), "application/json", headers)

    def envelope(self, event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        now = self.standin.clock.now()
        event = dict(event)
        event.setdefault("event_ts", f"{now:.6f}")
        return {
            "token": self.verification_token,
            "team_id": self.team_id,
            "api_app_id": self.standin.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
            "event_time": int(now),
            "authorizations": [{"enterprise_id": None, "team_id": self.team_id, "user_id": self.standin.bot_user_id,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
            "event_context": "4-" + secrets.token_urlsafe(24),
        }

    def url_verification(self, challenge: str) -> httpx.Response:
        self._require_http("url_verification")
        body = {"token": self.verification_token, "challenge": challenge, "type": "url_verification"}
        return self.post(json.dumps(body).encode(), "application/json")

    def app_home_opened(self, user: str) -> httpx.Response:
        home = self.standin.home(user)
        event = {"type": "app_home_opened", "user": user, "channel": dm_channel_id(user), "tab": "home"}
        if home:
            event["view"] = home
        return self.event(event)

    def post_message_as_user(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> UserPost:
        """A person posts in Slack: the message is stored, then the app receives the `message`
        event and, when the text mentions the bot, an `app_mention` event."""
        stored = self.standin.store_user_message(user, channel, text, thread_ts)
        found = self.standin.state.channels[stored["channel"]]
        channel_type = "im" if found["is_im"] else ("group" if found["is_private"] else "channel")
        common = {"user": user, "text": text, "ts": stored["ts"], "channel": stored["channel"],
                  "event_ts": stored["ts"], "team": self.team_id, "client_msg_id": str(uuid.uuid4())}
        if thread_ts:
            common["thread_ts"] = thread_ts
        post = UserPost(ts=stored["ts"], channel=stored["channel"])
        post.responses.append(self.event({"type": "message", "channel_type": channel_type, **common}))
        if f"<@{self.standin.bot_user_id}>" in text:
            post.responses.append(self.event({"type": "app_mention", **common}))
        return post
