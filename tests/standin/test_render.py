"""render_channel shows a channel as a person reads it in Slack."""

from __future__ import annotations

from bot.slack.standin import render_channel

# 2026-09-21 14:40 UTC; the test clock starts at 2026-09-21 14:13:20 UTC (16:13 in Paris).
DEADLINE = 1_790_001_600


def test_a_card_with_a_date_a_link_an_escaped_ping_and_a_reply(client, standin, clock):
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "New mention on Bluesky"}},
        {"type": "section", "text": {"type": "mrkdwn",
                                     "text": "<https://bsky.app/p/1|@ana.bsky.social> wrote: "
                                             "&lt;!channel&gt; where is my order? &amp; why?"}},
        {"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"Reply due <!date^{DEADLINE}^{{date_short_pretty}} {{time}}|14:40 UTC>"},
            {"type": "mrkdwn", "text": "assigned to <@U0ALICE>"}]},
        {"type": "divider"},
        {"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Reply"}, "action_id": "reply"},
            {"type": "button", "text": {"type": "plain_text", "text": "Assign to me"}, "action_id": "assign"}]},
    ]
    card = client.chat_postMessage(channel="C0SOCIAL", text="New mention", blocks=blocks)
    clock.advance(60)
    client.chat_postMessage(channel="C0SOCIAL", thread_ts=card["ts"], text="<!here> SLA breached for <@U0BOB>")

    assert render_channel(standin, "C0SOCIAL", tz="Europe/Paris") == (
        "#social-inbox\n"
        "16:13 Veille\n"
        "  NEW MENTION ON BLUESKY\n"
        "  @ana.bsky.social (https://bsky.app/p/1) wrote: <!channel> where is my order? & why?\n"
        "  Reply due today 16:40 · assigned to @Alice Martin\n"
        "  ────────────────────────\n"
        "  [Reply] [Assign to me]\n"
        "    ↳ 16:14 Veille: @here SLA breached for @Bob Smith\n"
    )


def test_edited_messages_show_their_current_content_and_ephemerals_their_reader(client, standin):
    posted = client.chat_postMessage(channel="C0SOCIAL", text="Waiting for approval")
    client.chat_update(channel="C0SOCIAL", ts=posted["ts"], text="Approved")
    client.chat_postEphemeral(channel="C0SOCIAL", user="U0BOB", text="You approved it")

    assert render_channel(standin, "C0SOCIAL") == "#social-inbox\n14:13 Veille (edited)\n  Approved\n"
    assert "You approved it" in render_channel(standin, "C0SOCIAL", include_ephemeral_for="U0BOB")
    assert "only visible to you" in render_channel(standin, "C0SOCIAL", include_ephemeral_for="U0BOB")
