"""Events API: mentions of the bot, channel messages (not replies: internal talk never stops a
clock) and the App Home tab."""

from __future__ import annotations

from slack_bolt import App

from bot.i18n import t
from bot.services import Services
from handlers.actions_posts import publish_home


def register(app: App, svc: Services) -> None:
    @app.event("app_mention")
    def mentioned(event, client):
        client.chat_postEphemeral(channel=event["channel"], user=event["user"],
                                  text=t(svc.lang(event["user"]), "mention_hint"))

    @app.event("message")
    def channel_message(event):
        # Internal Slack talk in an alert thread is not a reply to the customer: nothing to do.
        return

    @app.event("app_home_opened")
    def home_opened(event, client):
        if event.get("tab") not in (None, "home"):
            return
        publish_home(svc, client, event["user"])  # the queue, then the editorial calendar
