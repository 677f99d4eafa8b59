"""A transcript shows an ephemeral as its reader saw it when it was sent, and dates in the
reader's Slack language."""

from __future__ import annotations

from bot.slack.standin import render_channel

# The test clock starts at 2026-09-21 14:13:20 UTC (16:13 in Paris); this is 16:40 in Paris.
DEADLINE = 1_790_001_600
DUE = f"due <!date^{DEADLINE}^{{date_short_pretty}} {{time}}|14:40 UTC>, <!date^{DEADLINE}^{{ago}}|14:40 UTC>"


def test_an_ephemeral_is_stamped_and_dated_as_of_when_it_was_sent_not_when_printed(client, standin, clock):
    client.chat_postEphemeral(channel="C0SOCIAL", user="U0BOB", text=DUE)
    clock.advance(3 * 86400)  # printed three days later

    shown = render_channel(standin, "C0SOCIAL", tz="Europe/Paris", include_ephemeral_for="U0BOB")
    assert "16:13 Veille (only visible to you)" in shown
    assert "due today 16:40, in 27 minutes" in shown


def test_dates_read_in_french_for_a_french_reader(client, standin, clock):
    client.chat_postMessage(channel="C0SOCIAL", text=DUE)
    assert "due aujourd'hui 16:40, dans 27 minutes" in render_channel(standin, "C0SOCIAL", tz="Europe/Paris",
                                                                        lang="fr")
    clock.advance(2 * 86400)
    assert "due 21 sept. 2026 16:40, il y a 2853 minutes" in render_channel(standin, "C0SOCIAL", tz="Europe/Paris",
                                                                              lang="fr")
