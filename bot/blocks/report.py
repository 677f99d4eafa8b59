"""The report's summary in Block Kit, in the member's language (figures from bot/domain/reports.py)."""

from __future__ import annotations

from bot.blocks.common import context, divider, section
from bot.domain.sla.config import format_duration
from bot.i18n import t
from bot.slack.escape import escape, link, truncate


def _d(lang: str, seconds: int | None) -> str:
    return t(lang, "report_none") if seconds is None else format_duration(int(seconds))


def _pct(lang: str, ratio: float | None) -> str:
    return t(lang, "report_none") if ratio is None else f"{round(100 * ratio)} %" if lang == "fr" else f"{round(100 * ratio)}%"


def _was(lang: str, value: str) -> str:
    return t(lang, "report_previous", value=value)


def report_message(report: dict, lang: str) -> tuple[str, list[dict]]:
    period, prev = report["period"], report.get("previous") or {}
    f = report["filter"]
    scope = f" · {escape(f['account'] or f['network'])}" if (f["account"] or f["network"]) else ""
    title = t(lang, "report_title", start=period["from"], end=period["to"], scope=scope)
    fr, sla = report["first_response"], report["sla"]
    lines = [
        t(lang, "report_volume", conversations=report["conversations"], msg_in=report["messages"]["in"],
          msg_out=report["messages"]["out"], delta=_was(lang, str(prev["conversations"])) if prev else ""),
        t(lang, "report_first_response", median=_d(lang, fr["median_s"]), p90=_d(lang, fr["p90_s"]),
          delta=_was(lang, _d(lang, prev["first_response"]["median_s"])) if prev else ""),
        t(lang, "report_next_response", median=_d(lang, report["next_response"]["median_s"]),
          p90=_d(lang, report["next_response"]["p90_s"])),
        t(lang, "report_sla", attainment=_pct(lang, sla["attainment"]), met=sla["met"], breached=sla["breached"],
          escalations=sla["escalations"], delta=_was(lang, _pct(lang, prev["sla"]["attainment"])) if prev else ""),
        t(lang, "report_publishing", posts=report["publishing"]["posts_published"],
          replies=report["publishing"]["replies_published"],
          lead=_d(lang, report["publishing"]["approval_lead_time"]["median_s"])),
    ]
    days = t(lang, "weekdays_short").split()
    if report["busiest_hours"]:
        lines.append(t(lang, "report_busiest", hours=", ".join(
            f"{days[b['weekday']]} {b['hour']}h ({b['messages_in']})" for b in report["busiest_hours"][:3])))
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": truncate(title, 150)}},
              section("\n".join(lines))]
    accounts = [t(lang, "report_by_account", account=escape(a["account"]), conversations=a["conversations"],
                  median=_d(lang, a["first_response"]["median_s"]), attainment=_pct(lang, a["sla"]["attainment"]))
                for a in report["by_account"][:15]]
    if accounts:
        blocks.append(section("\n".join(accounts)))
    if report["top_posts"]:
        posts = []
        for p in report["top_posts"][:5]:
            label = truncate((p["text"] or p["external_id"] or "").replace("\n", " "), 80)
            eng = p["engagement"]
            posts.append("• " + (link(p["url"], label) if p["url"] else escape(label))
                         + (f" ({eng.get('total')})" if eng else ""))
        blocks += [divider(), section(t(lang, "report_top_posts") + "\n" + "\n".join(posts))]
        if all(p["engagement"] is None for p in report["top_posts"]):
            blocks.append(context(t(lang, "report_no_engagement")))
    return title, blocks
