"""The Slack ops of incidents, built at send time from the incident's current row (bot/blocks/
crisis.py renders them): the opening message in the account's channel, the on-call DM, a note in
the incident's thread (the closing summary) and the "post held" note. The thread is the opening
message, whose ts the outbox recorded on its row; both sit in the channel's lane, so the opening
message has been sent (or has given up) before a thread note is built."""

from __future__ import annotations

from sqlalchemy import select

from bot.blocks import crisis as blocks
from bot.domain import crisis
from bot.i18n import channel_lang
from storage.models import Draft, Incident, Outbox


def build_call(s, row: Outbox, now: float, cfg=None):
    from bot.jobs.slack_ops import Skip, SlackCall  # slack_ops dispatches here: imported at call time

    p = row.payload
    inc = s.get(Incident, p["incident_id"])
    if inc is None:
        raise Skip("incident gone")
    post = {"unfurl_links": False, "unfurl_media": False,
            "metadata": {"event_type": "veille_outbox", "event_payload": {"key": row.idempotency_key}}}
    if row.op == "incident_open":
        text, bl = blocks.opening_message(channel_lang(cfg, inc.account), inc)
        return SlackCall("chat_postMessage", dict(channel=inc.slack_channel, text=text, blocks=bl, **post))
    if row.op == "incident_dm":
        text, bl = blocks.oncall_dm(p.get("lang", "en"), inc)
        return SlackCall("dm", dict(user=p["user"], text=text, blocks=bl, **post))
    if row.op == "incident_held":
        d = s.get(Draft, p["draft_id"])
        if d is None:
            raise Skip("post gone")
        text, bl = blocks.held_note(p.get("lang", "en"), d, p["row_id"], inc, p["user"] == d.author)
        if p.get("in_thread"):
            return SlackCall("chat_postMessage", dict(channel=d.slack_channel, thread_ts=d.slack_ts, text=text,
                                                      blocks=bl, **post))
        return SlackCall("dm", dict(user=p["user"], text=text, blocks=bl, **post))
    text, bl = blocks.summary_message(channel_lang(cfg, inc.account), inc, (inc.detail or {}).get("summary") or crisis.summarize(s, inc))
    kwargs = dict(channel=inc.slack_channel, text=text, blocks=bl, **post)
    thread_ts = s.scalar(select(Outbox.external_id).where(Outbox.idempotency_key == crisis.open_key(inc),
                                                          Outbox.state == "done"))
    if thread_ts:  # else the opening message never made it: the summary stands on its own
        kwargs["thread_ts"] = thread_ts
    return SlackCall("chat_postMessage", kwargs)
