"""A mention arrives: the team sees one alert per conversation, in the account's channel."""

from __future__ import annotations

from tests.support.harness import all_text


def test_a_mention_becomes_an_alert_with_author_text_link_deadline_and_buttons(veille):
    veille.mention("t-1", "Ma commande n'est jamais arrivée :(", handle="@jeanne", name="Jeanne D.")
    veille.settle()

    [alert] = veille.alerts("C0ACME")
    text = all_text(alert)
    assert "Jeanne D." in text and "@jeanne" in text
    assert "Ma commande n'est jamais arrivée :(" in text
    assert "<https://x.example/jeanne/t-1|Open on x>" in text
    due = int(veille.clock.now()) + 3600
    assert f"<!date^{due}^" in text  # each viewer sees the deadline in their own timezone
    buttons = [e["text"]["text"] for b in alert["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Reply", "Assign to me", "No reply needed"]
    assert veille.alerts("C0ACMEFR") == []  # the other account's channel stays quiet


def test_a_tweet_saying_channel_pings_nobody(veille):
    veille.mention("t-1", "<!channel> <@U0BOB> look at <https://evil.example|your bank> & more",
                   name="<!here> Mallory")
    veille.settle()

    [alert] = veille.alerts()
    text = all_text(alert)
    assert "<!channel>" not in text and "<!here>" not in text and "<@U0BOB>" not in text
    assert "&lt;!channel&gt; &lt;@U0BOB&gt;" in text
    assert "&lt;https://evil.example|your bank&gt; &amp; more" in text
    post = veille.standin.calls_to("chat.postMessage")[0]
    assert post.params.get("unfurl_links") in (False, "false", "0", 0)


def test_later_messages_of_a_conversation_go_into_its_thread(veille):
    veille.mention("t-1", "Hello?", handle="@jeanne")
    veille.settle()
    veille.mention("t-2", "Anyone there??", handle="@jeanne", thread_id="t-1", in_reply_to="t-1")
    veille.mention("t-9", "Different person", handle="@paul", author="u-2")
    veille.settle()

    alerts = veille.alerts()
    assert len(alerts) == 2
    first = next(a for a in alerts if "Hello?" in all_text(a))
    [note] = veille.thread(first)
    assert "Anyone there??" in all_text(note)
    refreshed = veille.standin.message("C0ACME", first["ts"])
    assert "2 messages" in all_text(refreshed)  # the parent is updated in place


def test_the_same_webhook_message_sent_twice_is_stored_and_alerted_once(veille):
    first = veille.mention("t-1", "Hello")
    again = veille.mention("t-1", "Hello")
    veille.settle()

    assert first["stored"] == ["x:t-1"] and again["stored"] == [] and again["duplicates"] == ["x:t-1"]
    assert len(veille.alerts()) == 1


def test_direct_messages_from_one_person_share_a_conversation(veille):
    veille.mention("dm-1", "psst", kind="dm", author="u-7", handle="@paul")
    veille.mention("dm-2", "are you there", kind="dm", author="u-7", handle="@paul")
    veille.settle()

    [alert] = veille.alerts()
    assert len(veille.thread(alert)) == 1
