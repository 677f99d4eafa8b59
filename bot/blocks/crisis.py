"""What an incident says: the opening message in the account's channel, the on-call DM, the
PagerDuty summary, the "post held" notes and the closing summary. Pure: data in, Block Kit out;
every customer text is escaped."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import actions, button, context, section
from bot.i18n import t
from bot.ids import Action, Block
from bot.slack.dates import date_token
from bot.slack.escape import escape, escaped, quote
from storage.models import Draft, Incident

Rendered = tuple[str, list[dict[str, Any]]]


def duration(seconds: int | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    h, m = divmod(seconds // 60, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"


def why(lang: str, inc: Incident) -> str:
    d = inc.detail or {}
    if inc.trigger == "manual":
        return t(lang, "crisis_why_manual", user=inc.opened_by)
    scope = ""
    if inc.scope.startswith("kw:"):
        scope = t(lang, "crisis_scope_keyword", keyword=escaped(inc.scope.split(":", 2)[2], 60))
    return t(lang, "crisis_why_spike", count=d.get("count", 0), window=duration(d.get("window") or 60),
             rate=int(d.get("rate_per_hour") or 0), normal=int(d.get("normal_per_hour") or 0), scope=scope)


def opening_message(lang: str, inc: Incident) -> Rendered:
    d = inc.detail or {}
    text = t(lang, "crisis_opened", account=escape(inc.account), why=why(lang, inc), start=date_token(inc.started_at))
    blocks = [section(text)]
    words = d.get("top_words") or []
    if words:
        blocks.append(context(t(lang, "crisis_top_words",
                                words=", ".join(f"{escaped(w, 40)} ({n})" for w, n in words))))
    samples = d.get("samples") or []
    if samples:
        blocks.append(section(t(lang, "crisis_samples") + "\n" + "\n".join(quote(x, 280) for x in samples)))
    blocks.append(context(t(lang, "crisis_held_posts_rule")))
    return text, blocks


def oncall_dm(lang: str, inc: Incident) -> Rendered:
    where = f"<#{inc.slack_channel}>" if inc.slack_channel else escape(inc.account)
    text = t(lang, "crisis_dm", account=escape(inc.account), why=why(lang, inc), where=where)
    return text, [section(text)]


def summary_message(lang: str, inc: Incident, summary: dict[str, Any]) -> Rendered:
    reason = t(lang, "crisis_reason_manual", user=inc.ended_by) if inc.ended_by != "veille" else \
        t(lang, "crisis_reason_calm", minutes=(inc.detail or {}).get("calm_minutes", "?"))
    who = ", ".join(f"<@{u}>" if u[:1] in "UW" else escape(u) for u in summary["who"]) or t(lang, "crisis_nobody")
    text = t(lang, "crisis_summary", account=escape(inc.account), reason=reason, duration=duration(summary["duration"]),
             volume=summary["volume"], replies=summary["replies"], median=duration(summary["median_first_response"]),
             breaches=summary["breaches"], who=who)
    blocks = [section(text)]
    if summary.get("held"):
        blocks.append(context(t(lang, "crisis_summary_held", n=summary["held"])))
    return text, blocks


def held_note(lang: str, d: Draft, row_id: int, inc: Incident, to_author: bool) -> Rendered:
    sid, when = f"p{d.id}", date_token(d.scheduled_at or inc.started_at)
    text = t(lang, "crisis_held_author", id=sid, when=when, account=escape(d.account)) if to_author else \
        t(lang, "crisis_held_approver", id=sid, author=d.author, when=when, account=escape(d.account))
    blocks = [section(text), section(quote(d.text, 600)),
              actions(Block.CRISIS_HELD,
                      button(t(lang, "crisis_publish_anyway"), Action.CRISIS_PUBLISH_ANYWAY,
                             f"{row_id}:{d.version}", "danger"),
                      button(t(lang, "crisis_reschedule"), Action.POST_RESCHEDULE, f"{d.id}:{d.version}"))]
    return text, blocks


def status_message(lang: str, rows: list[tuple[Incident, int, int]]) -> Rendered:
    """rows: (incident, messages so far, posts held)."""
    if not rows:
        text = t(lang, "crisis_status_none")
        return text, [section(text)]
    lines = [t(lang, "crisis_status_line", account=escape(inc.account), start=date_token(inc.started_at),
               trigger=t(lang, f"crisis_trigger_{inc.trigger}"), volume=volume, held=held)
             for inc, volume, held in rows]
    text = "\n".join(lines)
    return text, [section(text)]
