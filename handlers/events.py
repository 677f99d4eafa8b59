"""Events API: mentions of the bot, the App Home tab, and the bot joining a channel (its waiting
messages go out). Channel messages are not subscribed to: internal talk in an alert thread is not
a reply to the customer and never stops a clock."""

from __future__ import annotations

from slack_bolt import App

from bot.i18n import t
from bot.jobs import outbox_health
from bot.services import Services
from handlers.actions_posts import publish_home


def register(app: App, svc: Services) -> None:
    @app.event("app_mention")
    def mentioned(event, client):
        client.chat_postEphemeral(channel=event["channel"], user=event["user"],
                                  text=t(svc.lang(event["user"]), "mention_hint"))

    @app.event("app_home_opened")
    def home_opened(event, client):
        if event.get("tab") not in (None, "home"):
            return
        publish_home(svc, client, event["user"])  # the queue, then the editorial calendar

    @app.event("member_joined_channel")
    def joined(event, context):
        # Messages Slack refused with not_in_channel wait (blocked) for exactly this invite.
        bot = context.get("bot_user_id")
        if bot and event.get("user") != bot:
            return
        if outbox_health.unblock_channel(svc.db, event["channel"], svc.now()):
            svc.poke()
