"""The `report` outbox row: figures read in the worker's short read transaction (build_call),
then, outside it, the summary posted and the charts uploaded with Slack's current flow
(files.getUploadURLExternal, POST the bytes to upload_url, files.completeUploadExternal)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.blocks.report import report_message
from bot.domain import reports
from bot.i18n import t


def build_call(s, row, now: float):
    from bot.jobs.slack_ops import SlackCall

    p = row.payload
    period = reports.Period(int(p["start"]), int(p["end"]), p.get("tz") or "UTC")
    report = reports.compute(s, period, reports.Scope(p.get("account"), p.get("network")),
                             account_networks=p.get("networks") or {})
    return SlackCall("report", dict(report=report, lang=p.get("lang") or "en", channel=p.get("channel"),
                                    user=p["user"]))


def send(client: WebClient, kwargs: dict[str, Any]) -> dict[str, Any]:
    from bot.reports.charts import all_charts  # matplotlib only in the worker that sends a report

    report, lang = kwargs["report"], kwargs["lang"]
    channel = kwargs["channel"] or client.conversations_open(users=kwargs["user"])["channel"]["id"]
    text, blocks = report_message(report, lang)
    posted = client.chat_postMessage(channel=channel, text=text, blocks=blocks, unfurl_links=False,
                                     unfurl_media=False).data
    charts = all_charts(report, lang)
    client.files_upload_v2(
        channel=channel, thread_ts=posted.get("ts"),
        initial_comment=t(lang, "report_initial_comment", start=report["period"]["from"], end=report["period"]["to"]),
        file_uploads=[{"content": c.png, "filename": f"{c.name}.png", "title": c.title, "alt_txt": c.alt}
                      for c in charts])
    return {"ts": posted.get("ts"), "channel": channel}
