"""Files for spreadsheets and slides: report.json (the figures as they are, keys documented in
docs/reports.md), a few CSV tables, and the charts as PNG with their alt text."""

from __future__ import annotations

import csv
import json
from enum import Enum
from pathlib import Path


class Format(str, Enum):
    JSON = "json"
    CSV = "csv"
    PNG = "png"


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, sort_keys=False)


def summary_rows(report: dict) -> list[tuple[str, object]]:
    """The headline figures as (key, value), keys as in the JSON (dotted paths)."""
    fr, nr, sla = report["first_response"], report["next_response"], report["sla"]
    return [
        ("period.from", report["period"]["from"]), ("period.to", report["period"]["to"]),
        ("filter.account", report["filter"]["account"] or ""), ("filter.network", report["filter"]["network"] or ""),
        ("conversations", report["conversations"]),
        ("messages.in", report["messages"]["in"]), ("messages.out", report["messages"]["out"]),
        ("first_response.count", fr["count"]), ("first_response.median_s", _blank(fr["median_s"])),
        ("first_response.p90_s", _blank(fr["p90_s"])),
        ("next_response.median_s", _blank(nr["median_s"])), ("next_response.p90_s", _blank(nr["p90_s"])),
        ("sla.met", sla["met"]), ("sla.breached", sla["breached"]), ("sla.attainment", _blank(sla["attainment"])),
        ("sla.escalations", sla["escalations"]),
        ("publishing.posts_published", report["publishing"]["posts_published"]),
        ("publishing.replies_published", report["publishing"]["replies_published"]),
        ("publishing.approval_lead_time.median_s", _blank(report["publishing"]["approval_lead_time"]["median_s"])),
    ]


def _blank(v):
    return "" if v is None else v


def _breakdown_rows(items: list[dict], key: str) -> list[list]:
    return [[key, "conversations", "messages_in", "messages_out", "first_response_median_s", "first_response_p90_s",
             "sla_met", "sla_breached", "sla_attainment"]] + [
        [i[key], i["conversations"], i["messages"]["in"], i["messages"]["out"], _blank(i["first_response"]["median_s"]),
         _blank(i["first_response"]["p90_s"]), i["sla"]["met"], i["sla"]["breached"], _blank(i["sla"]["attainment"])]
        for i in items]


def csv_tables(report: dict) -> dict[str, list[list]]:
    """File name -> rows (header first)."""
    return {
        "summary.csv": [["key", "value"]] + [list(r) for r in summary_rows(report)],
        "by_account.csv": _breakdown_rows(report["by_account"], "account"),
        "by_network.csv": _breakdown_rows(report["by_network"], "network"),
        "by_kind.csv": _breakdown_rows(report["by_kind"], "kind"),
        "by_member.csv": [["member", "replies", "approvals"]] + [[m["member"], m["replies"], m["approvals"]]
                                                                for m in report["by_member"]],
        "volume_by_day.csv": [["day", "conversations", "messages_in", "messages_out"]] + [
            [d["day"], d["conversations"], d["messages_in"], d["messages_out"]] for d in report["volume_by_day"]],
        "top_posts.csv": [["draft_id", "kind", "account", "url", "external_id", "published_at", "engagement_total"]] + [
            [p["draft_id"], p["kind"], p["account"], p["url"] or "", p["external_id"] or "", p["published_at"],
             _blank((p["engagement"] or {}).get("total"))] for p in report["top_posts"]],
    }


def write(report: dict, fmt: Format, out: Path, lang: str = "en") -> list[Path]:
    """Write the report in `fmt` under `out` (created); returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    if fmt is Format.JSON:
        path = out / "report.json"
        path.write_text(to_json(report) + "\n", encoding="utf-8")
        return [path]
    if fmt is Format.CSV:
        paths = []
        for name, rows in csv_tables(report).items():
            path = out / name
            with path.open("w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerows(rows)
            paths.append(path)
        return paths
    from bot.reports.charts import all_charts  # matplotlib only when charts are asked for

    paths = []
    alt = {}
    for chart in all_charts(report, lang):
        path = out / f"{chart.name}.png"
        path.write_bytes(chart.png)
        alt[path.name] = {"title": chart.title, "alt": chart.alt}
        paths.append(path)
    (out / "charts.json").write_text(json.dumps(alt, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return paths + [out / "charts.json"]
