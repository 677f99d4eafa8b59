"""Slack date tokens: every viewer sees the instant in their own timezone, and the fallback
(UTC) shows where the token cannot render (notifications, old clients)."""

from __future__ import annotations

from datetime import UTC, datetime


def date_token(epoch: float, fmt: str = "{date_short_pretty} {time}") -> str:
    e = int(epoch)
    fallback = datetime.fromtimestamp(e, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{e}^{fmt}|{fallback}>"


def relative_minutes(seconds: float) -> int:
    return max(0, int(seconds // 60))
