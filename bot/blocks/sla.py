"""Block Kit for SLA: thread notes (met, escalation, acknowledged, replied elsewhere), the
downtime digest, the on-call DM, the status menu on the alert, and the `/veille sla` and
`/veille oncall` answers. Pure: data in, dicts out. Channel messages speak the team's language
(`lang`, from bot/i18n.py channel_lang); DMs and command answers speak the member's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any

from bot.blocks.common import actions, button, context, reason_text, section
from bot.domain.oncall import OnCall
from bot.domain.sla import Metric
from bot.domain.sla.config import format_duration
from bot.domain.sla.policy import Match, Policy
from bot.domain.sla.schedule import Schedule
from bot.i18n import t
from bot.ids import Action, Block
from bot.slack.dates import date_token
from bot.slack.escape import clean_name, escape, escaped
from storage.models import Conversation, OncallOverride, SlaClock

METRIC_LABELS = {
    "en": {"first_response": "First response", "next_response": "Next response", "resolution": "Resolution"},
    "fr": {"first_response": "Première réponse", "next_response": "Réponse suivante", "resolution": "Résolution"},
}
DAY_NAMES = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
}
KIND_NAMES = {
    "en": {"mention": "mentions", "dm": "DMs", "comment": "comments", "article": "articles"},
    "fr": {"mention": "mentions", "dm": "messages privés", "comment": "commentaires", "article": "articles"},
}

# Status menu on the alert: (value prefix, i18n key). "reopen" replaces them once resolved.
STATUS_OPTIONS = (
    ("ack", "sla_im_on_it"),
    ("snooze", "status_snooze"),
    ("hold", "status_hold"),
    ("resolve", "status_resolve"),
    ("replied", "status_replied"),
)


def label(metric: str, lang: str = "en") -> str:
    return METRIC_LABELS.get(lang, METRIC_LABELS["en"]).get(metric, metric)


def duration(seconds: int, lang: str = "en") -> str:
    m = max(0, int(seconds)) // 60
    if m < 60:
        return f"{m} min"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d}" if h < 48 else t(lang, "duration_days", d=h // 24, h=h % 24)


# -- the alert -------------------------------------------------------------------------------------


def status_menu(conv: Conversation, *, lang: str = "en") -> dict[str, Any]:
    """The overflow menu on the alert's first line: statuses a member sets by hand."""
    if conv.status == "resolved":
        options = [("reopen", "status_reopen")]
    else:
        options = [(v, key) for v, key in STATUS_OPTIONS
                   if not (v == "snooze" and conv.status == "pending") and not (v == "hold" and conv.status == "on_hold")]
        if conv.status in ("pending", "on_hold"):
            options.insert(1, ("reopen", "status_back_to_open"))
    return {"type": "overflow", "action_id": Action.STATUS,
            "options": [{"text": {"type": "plain_text", "text": t(lang, key), "emoji": True},
                         "value": f"{value}:{conv.id}"} for value, key in options[:5]]}


def conversation_status(conv: Conversation, *, lang: str = "en") -> str:
    if conv.status == "pending":
        return t(lang, "conv_pending")
    if conv.status == "on_hold":
        return t(lang, "conv_on_hold")
    return ""


def resolution_line(clock: SlaClock | None, now: float, *, lang: str = "en") -> str:
    if clock is None:
        return ""
    name = label(clock.metric, lang)
    if clock.state == "met":
        return t(lang, "res_met", name=name)
    if clock.state == "fulfilled_late":
        return t(lang, "res_late", name=name)
    if clock.state == "paused":
        return t(lang, "res_paused", name=name)
    if clock.state == "breached" or (clock.state == "running" and now >= clock.due_at):
        return t(lang, "res_breached", name=name, ago=date_token(clock.due_at, "{ago}"))
    if clock.state == "running":
        return t(lang, "res_due", name=name, due=date_token(clock.due_at))
    return ""


def escalation_suffix(clock: SlaClock | None, *, lang: str = "en") -> str:
    if clock is None or clock.escalation_level not in (1, 2, 3, 4) or clock.state != "breached":
        return ""
    return t(lang, f"esc_suffix_{clock.escalation_level}")


# -- thread notes ------------------------------------------------------------------------------------


def note(kind: str, conv: Conversation, clock: SlaClock | None, p: dict[str, Any], *,
         lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    name = label(clock.metric, lang) if clock is not None else "SLA"
    if kind in ("met", "fulfilled_late"):
        took = duration((clock.fulfilled_at or 0) - clock.start_at, lang)
        via = p.get("via", "")
        how = t(lang, f"via_{via}", id=p.get("linked_from")) if via in ("network", "manual", "dm") else ""
        text = t(lang, "note_met" if kind == "met" else "note_answered_late", name=name, took=took, how=how)
        return text, [context(text)]
    if kind == "escalation":
        return escalation_note(conv, clock, p, lang=lang)
    if kind == "acknowledged":
        text = t(lang, "note_acknowledged", actor=p["actor"])
        return text, [section(text)]
    if kind == "replied_elsewhere":
        colon = " :" if lang == "fr" else ":"
        extra = f"{colon} {escaped(p['text'], 300)}" if p.get("text") else "."
        text = t(lang, "note_replied_elsewhere", actor=p["actor"], extra=extra)
        return text, [section(text)]
    if kind == "reply_deleted":
        text = t(lang, "note_reply_deleted")
        return text, [section(text)]
    text = escape(str(p.get("text", kind)))
    return text, [section(text)]


def escalation_note(conv: Conversation, clock: SlaClock, p: dict[str, Any], *,
                    lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    level = int(p.get("level", 0))
    mentions = " ".join(_mention(kind, who) for kind, who in p.get("targets") or [])
    late = t(lang, "esc_late", name=label(clock.metric, lang), ago=date_token(clock.due_at, "{ago}"))
    if level in (2, 3, 4):
        line = t(lang, f"esc_level_{level}", mentions=mentions, late=late, id=conv.id)
    else:  # level 1: the assignee's mention, then the breach
        line = f"{mentions} {late}"
    text = f":rotating_light: {line.strip()}".replace("  ", " ")
    if p.get("paged"):
        text += t(lang, "esc_paged")
    blocks = [section(text), actions(Block.SLA_ACTIONS, button(t(lang, "sla_im_on_it"), Action.ACKNOWLEDGE,
                                                               str(conv.id), style="danger"))]
    return text, blocks


def _mention(kind: str, who: str | None) -> str:
    if kind == "user" and who:
        return f"<@{who}>"
    if kind == "group" and who:
        return f"<!subteam^{who}>"
    if kind == "here":
        return "<!here>"
    return ""


def digest_message(items: Sequence[tuple[Conversation, SlaClock]], *,
                   lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    """One message for a channel's breaches missed during downtime, oldest due first."""
    n = len(items)
    head = t(lang, "digest_head_one") if n == 1 else t(lang, "digest_head", n=n)
    shown = sorted(items, key=lambda item: item[1].due_at)[:20]
    lines = [t(lang, "digest_line", id=conv.id, name=label(clock.metric, lang),
               who=escaped(clean_name(conv.author_handle or conv.author_name), 40), due=date_token(clock.due_at))
             for conv, clock in shown]
    if n > len(shown):
        lines.append(t(lang, "digest_more", n=n - len(shown)))
    return head, [section(f"*{head}*"), section("\n".join(lines))]


def oncall_dm(lang: str, conv: Conversation, clock: SlaClock, level: int) -> tuple[str, list[dict[str, Any]]]:
    who = escaped(clean_name(conv.author_handle or conv.author_name), 60) or "?"
    where = f"<#{conv.slack_channel}>" if conv.slack_channel else conv.account
    role = t(lang, "sla_dm_role_oncall" if level == 3 else "sla_dm_role_backup")
    text = t(lang, "sla_dm", label=label(clock.metric, lang), id=conv.id, where=where, network=escape(conv.network),
             who=who, due=date_token(clock.due_at), role=role)
    blocks = [section(text), actions(Block.SLA_ACTIONS,
                                     button(t(lang, "sla_im_on_it"), Action.ACKNOWLEDGE, str(conv.id), style="danger"))]
    return text, blocks


# -- /veille sla -------------------------------------------------------------------------------------


def policies_message(lang: str, policies: Sequence[Policy], schedules: dict[str, Schedule],
                     notices: Sequence[str]) -> tuple[str, list[dict[str, Any]]]:
    title = t(lang, "sla_title")
    blocks: list[dict[str, Any]] = [section(title)]
    if not policies:
        blocks.append(section(t(lang, "sla_none")))
    for i, policy in enumerate(policies, 1):
        lines = [f"*{i}. {escape(policy.name)}* · {_match_text(policy.match, lang)}"]
        for metric in Metric:
            target = policy.target(metric)
            if target is None:
                continue
            kind = t(lang, "sla_business" if target.business else "sla_calendar")
            colon = " :" if lang == "fr" else ":"
            line = f"• {label(metric.value, lang)}{colon} {format_duration(target.seconds)} ({kind})"
            warns = [f"{w.fraction * 100:g}%" if w.fraction is not None else
                     t(lang, "sla_before", d=format_duration(w.before or 0)) for w in target.warnings]
            if warns:
                line += " · " + t(lang, "sla_warn", at=", ".join(warns))
            if target.escalate_after is not None:
                line += " · " + t(lang, "sla_escalate", d=format_duration(target.escalate_after))
            lines.append(line)
        if policy.schedule_name != "always":
            lines.append("• " + t(lang, "sla_schedule", name=escape(policy.schedule_name),
                                  hours=schedule_text(schedules[policy.schedule_name], lang)))
        if policy.pause_on_hold:
            lines.append("• " + t(lang, "sla_pause_on_hold"))
        blocks.append(section("\n".join(lines)))
    if notices:
        blocks.append(section(t(lang, "sla_notices") + "\n" + "\n".join(f"• {reason_text(lang, n)}" for n in notices)))
    blocks.append(context(t(lang, "sla_footer")))
    return title, blocks


def _match_text(match: Match, lang: str) -> str:
    fr = lang == "fr"
    kinds = ", ".join(KIND_NAMES[lang if fr else "en"].get(k, k) for k in sorted(match.kinds))
    parts = [kinds or ("tout" if fr else "everything")]
    if match.accounts:
        parts.append(("compte " if fr else "account ") + ", ".join(sorted(match.accounts)))
    if match.networks:
        parts.append(("sur " if fr else "on ") + ", ".join(sorted(match.networks)))
    if match.priorities:
        parts.append(("priorité " if fr else "priority ") + ", ".join(sorted(match.priorities)))
    if match.vip_only:
        parts.append("auteurs VIP" if fr else "VIP authors")
    if match.keywords:
        parts.append(("mots-clés " if fr else "keywords ") + ", ".join(f"“{escape(k)}”" for k in match.keywords))
    return " · ".join(parts)


def schedule_text(schedule: Schedule, lang: str) -> str:
    if schedule.is_continuous:
        return "24/7"
    days = DAY_NAMES["fr" if lang == "fr" else "en"]
    spans = []
    for wd in range(7):
        hours = schedule.intervals[wd]
        if hours:
            text = ", ".join(f"{o:%H:%M}-{'24:00' if c == time(0) else f'{c:%H:%M}'}" for o, c in hours)
            spans.append(f"{days[wd]} {text}")
    out = f"{schedule.tz}: " + ("; ".join(spans) or ("jamais ouvert" if lang == "fr" else "never open"))
    if schedule.holidays or schedule.holidays_country:
        out += " · " + t(lang, "sla_holidays", n=len(schedule.holidays),
                         country=f" + {schedule.holidays_country}" if schedule.holidays_country else "")
    return out


# -- /veille oncall ----------------------------------------------------------------------------------


def oncall_message(lang: str, now_: OnCall | None, next_: OnCall | None,
                   overrides: Sequence[OncallOverride]) -> tuple[str, list[dict[str, Any]]]:
    if now_ is None:
        text = t(lang, "oncall_none")
        return text, [section(text)]
    lines = [t(lang, "oncall_now", who=_who(lang, now_.primary, now_.usergroup),
               until=date_token(now_.until) if now_.until else "—")]
    if now_.backup:
        lines.append(t(lang, "oncall_backup", who=f"<@{now_.backup}>"))
    if next_ is not None and now_.until:
        lines.append(t(lang, "oncall_next", who=_who(lang, next_.primary, next_.usergroup),
                       since=date_token(now_.until)))
    blocks = [section("\n".join(lines))]
    if overrides:
        rows = [f"• <@{o.member}>{t(lang, 'oncall_backup_tag') if o.layer == 'backup' else ''}: {date_token(o.start_at)} → "
                f"{date_token(o.end_at)}" for o in overrides]
        blocks.append(section(t(lang, "oncall_overrides") + "\n" + "\n".join(rows)))
    blocks.append(context(t(lang, "oncall_footer")))
    return lines[0], blocks


def _who(lang: str, member: str | None, group: str | None) -> str:
    if member:
        return f"<@{member}>"
    if group:
        return t(lang, "oncall_group", group=f"<!subteam^{group}>")
    return "—"
