"""A local Slack for tests and the offline demo: a Web API stand-in the real slack_sdk talks to
over HTTP, Socket Mode (apps.connections.open and a websocket link), a driver that plays Slack's
side towards the app over either transport (commands, clicks, view submissions, events), and a
renderer showing a channel as a person reads it."""

from .api_common import ApiError
from .driver import SlackDriver, UserPost
from .render import Reader, render_channel, render_message, render_view
from .server import SlackStandIn
from .socket_mode import DisconnectReason, EnvelopeType
from .state import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, ApiCall

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_ID",
    "ApiCall",
    "ApiError",
    "DisconnectReason",
    "EnvelopeType",
    "Reader",
    "SlackDriver",
    "SlackStandIn",
    "UserPost",
    "render_channel",
    "render_message",
    "render_view",
]
