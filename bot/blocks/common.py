"""Small pieces shared by the Block Kit builders. Builders are pure: data in, dicts out."""

from __future__ import annotations

from typing import Any

from bot.domain.reasons import parse as parse_reason
from bot.i18n import t
from bot.slack.escape import escaped

NETWORK_LABELS = {
    "x": ":bird: X", "mastodon": ":elephant: Mastodon", "bluesky": ":butterfly: Bluesky",
    "facebook": ":blue_book: Facebook", "instagram": ":camera: Instagram", "youtube": ":tv: YouTube",
    "rss": ":newspaper: RSS", "blog": ":newspaper: Blog", "webhook": ":satellite: Webhook", "linkedin": ":briefcase: LinkedIn",
}

SECTION_LIMIT = 3000


def reason_text(lang: str, stored: str | None, limit: int = 500) -> str:
    """Why something failed, in `lang`: our own reasons from their key (bot/domain/reasons.py), a
    network's or a bridge's answer as it said it. Escaped either way."""
    found = parse_reason(stored)
    if found is None:
        return escaped(stored or "?", limit)
    key, params = found
    return t(lang, f"reason_{key}", **{k: escaped(str(v), limit) for k, v in params.items()})


def network_label(network: str) -> str:
    return NETWORK_LABELS.get(network, escaped(network, 30))


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}
    if block_id:
        b["block_id"] = block_id
    return b


def context(*texts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t[:SECTION_LIMIT]} for t in texts if t][:10]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": text[:75], "emoji": True},
                         "action_id": action_id, "value": value[:2000]}
    if style:
        b["style"] = style
    return b


def actions(block_id: str, *buttons: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "block_id": block_id, "elements": list(buttons)}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def plain(text: str, limit: int = 150) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit], "emoji": True}
