"""The report's charts as PNG bytes (matplotlib, Agg: no display needed). Made to be read on a
phone: a 6.4 x 4 inch figure at 150 dpi, large fonts, few ticks, and a title that says what it
shows. Each chart comes with its alt text, in the member's language."""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # before pyplot: render to bytes, never to a window

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from bot.domain.sla.config import format_duration  # noqa: E402
from bot.i18n import t  # noqa: E402

FONT = {"font.size": 15, "axes.titlesize": 17, "axes.titleweight": "bold", "xtick.labelsize": 13,
        "ytick.labelsize": 13}
COLOR = "#1264a3"


@dataclass(frozen=True)
class Chart:
    name: str  # file name without extension, e.g. "volume_per_day"
    title: str
    alt: str
    png: bytes


def all_charts(report: dict, lang: str = "en") -> list[Chart]:
    return [response_histogram(report, lang), volume_per_day(report, lang), sla_per_week(report, lang),
            hours_heatmap(report, lang)]


def _duration(seconds: int | None, lang: str) -> str:
    return t(lang, "report_none") if seconds is None else format_duration(int(seconds))


def _span(report: dict) -> dict:
    return {"start": report["period"]["from"], "end": report["period"]["to"]}


def _render(fig) -> bytes:
    buf = io.BytesIO()
    # Fixed margins rather than tight_layout(), which draws the figure twice (half the time).
    fig.subplots_adjust(left=0.13, right=0.97, top=0.88, bottom=0.2)
    fig.savefig(buf, format="png", dpi=150)
    plt.close(fig)
    return buf.getvalue()


def _figure(title: str):
    with plt.rc_context(FONT):
        fig, ax = plt.subplots(figsize=(6.4, 4))
        ax.set_title(title)
        ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def response_histogram(report: dict, lang: str = "en") -> Chart:
    title = t(lang, "chart_histogram_title")
    with plt.rc_context(FONT):
        fig, ax = _figure(title)
        bins = report["response_histogram"]
        labels = [("<" + format_duration(b["to_s"])) if b["to_s"] else (">" + format_duration(b["from_s"])) for b in bins]
        ax.bar(range(len(bins)), [b["count"] for b in bins], color=COLOR)
        ax.set_xticks(range(len(bins)), labels, rotation=45, ha="right")
        ax.yaxis.set_major_locator(MaxNLocator(4, integer=True))
        png = _render(fig)
    fr = report["first_response"]
    alt = t(lang, "chart_histogram_alt", median=_duration(fr["median_s"], lang), p90=_duration(fr["p90_s"], lang),
            **_span(report))
    return Chart("response_time_histogram", title, alt, png)


def volume_per_day(report: dict, lang: str = "en") -> Chart:
    title = t(lang, "chart_volume_title")
    days = report["volume_by_day"]
    with plt.rc_context(FONT):
        fig, ax = _figure(title)
        values = [d["messages_in"] for d in days]
        ax.bar(range(len(days)), values, color=COLOR)
        step = max(1, len(days) // 5)  # about five dates on the axis
        ticks = list(range(0, len(days), step))
        ax.set_xticks(ticks, [days[i]["day"][5:] for i in ticks])
        ax.yaxis.set_major_locator(MaxNLocator(4, integer=True))
        png = _render(fig)
    busiest = max(days, key=lambda d: d["messages_in"], default={"day": "-", "messages_in": 0})
    alt = t(lang, "chart_volume_alt", total=sum(d["messages_in"] for d in days), day=busiest["day"],
            max=busiest["messages_in"], **_span(report))
    return Chart("volume_per_day", title, alt, png)


def sla_per_week(report: dict, lang: str = "en") -> Chart:
    title = t(lang, "chart_sla_title")
    weeks = report["sla_by_week"]
    with plt.rc_context(FONT):
        fig, ax = _figure(title)
        values = [round(100 * w["attainment"]) if w["attainment"] is not None else 0 for w in weeks]
        ax.bar(range(len(weeks)), values, color=COLOR)
        ax.set_xticks(range(len(weeks)), [w["week_of"][5:] for w in weeks])
        ax.set_ylim(0, 100)
        ax.set_yticks([0, 50, 100])
        for i, v in enumerate(values):
            ax.text(i, v + 2, f"{v}%", ha="center")
        png = _render(fig)
    parts = ", ".join(f"{t(lang, 'chart_week_of', day=w['week_of'])} {v}%" for w, v in zip(weeks, values, strict=True))
    alt = t(lang, "chart_sla_alt", weeks=parts or t(lang, "report_none"), **_span(report))
    return Chart("sla_per_week", title, alt, png)


def hours_heatmap(report: dict, lang: str = "en") -> Chart:
    title = t(lang, "chart_heatmap_title")
    days = t(lang, "weekdays_short").split()
    with plt.rc_context(FONT):
        fig, ax = _figure(title)
        ax.imshow(report["hours_of_week"], aspect="auto", cmap="Blues")
        ax.set_yticks(range(7), days)
        ax.set_xticks([0, 6, 12, 18, 23], ["0h", "6h", "12h", "18h", "23h"])
        png = _render(fig)
    busiest = ", ".join(f"{days[b['weekday']]} {b['hour']}h ({b['messages_in']})" for b in report["busiest_hours"][:3])
    alt = t(lang, "chart_heatmap_alt", busiest=busiest or t(lang, "report_none"), **_span(report))
    return Chart("hours_of_week", title, alt, png)
