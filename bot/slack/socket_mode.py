"""Socket Mode: Bolt's SocketModeHandler on slack_sdk's built-in websocket client, built one way
for `veille run` and the tests. The client reconnects by itself on every `disconnect` Slack
sends; this module adds what an operator needs to read in the log, and a clear refusal of a bad
app-level token at start-up."""

from __future__ import annotations

import json
import logging

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.config import ConfigError

log = logging.getLogger("veille.socket_mode")

LINK_DISABLED = "link_disabled"


def socket_mode_handler(app: App, app_token: str) -> SocketModeHandler:
    handler = SocketModeHandler(app, app_token)
    handler.client.on_message_listeners.append(_log_disconnect)
    return handler


def connect(handler: SocketModeHandler) -> None:
    """Open the first link; a refused app-level token stops start-up with one clear line."""
    try:
        handler.connect()
    except SlackApiError as e:
        error = e.response.get("error")
        raise ConfigError(f"SLACK_APP_TOKEN was refused by Slack: {error} (it must be the app-level token, "
                          "xapp-..., with the connections:write scope)") from None


def _log_disconnect(raw: str) -> None:
    """Slack ends links on its own schedule; say why, since the client's own log does not."""
    if not raw.startswith("{") or '"disconnect"' not in raw:
        return
    try:
        message = json.loads(raw)
    except ValueError:
        return
    if message.get("type") != "disconnect":
        return
    reason = message.get("reason")
    if reason == LINK_DISABLED:
        log.error("Slack turned Socket Mode off for this app (link_disabled): switch it on again under "
                  "Settings > Socket Mode on api.slack.com/apps; Veille keeps trying to reconnect")
    else:
        log.info("Slack closed the Socket Mode connection (%s): reconnecting", reason)
