"""Untrusted text on its way to Slack. Slack's mrkdwn gives meaning to only three characters:
escaping &, < and > means `<!channel>` in a tweet pings nobody and `<https://evil|bank>`
shows as typed. Names also lose bidi and zero-width controls (spoofing), and everything is cut
to Block Kit's limits so a long post never makes Slack refuse the alert."""

from __future__ import annotations

import re

_CONTROLS = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clean_name(name: str, limit: int = 80) -> str:
    """A display name or handle: no control, bidi or zero-width characters, one line."""
    cleaned = _CONTROLS.sub("", name).replace("\n", " ").strip()
    return truncate(cleaned, limit)


def clean_text(text: str) -> str:
    """Untrusted text without bidi, zero-width or control characters (newlines stay): what a
    notification's `text` shows, like the blocks' quote."""
    return _CONTROLS.sub("", text)


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + "…"


def escaped(text: str, limit: int) -> str:
    """Escape then fit in `limit` characters without cutting an entity in half."""
    out = escape(text)
    if len(out) <= limit:
        return out
    cut = out[: max(0, limit - 1)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def quote(text: str, limit: int = 2900) -> str:
    """Untrusted multi-line text as a Slack quote block, escaped."""
    body = escaped(_CONTROLS.sub("", text).strip() or " ", limit)
    return "\n".join("&gt; " + line for line in body.split("\n"))


def link(url: str, label: str) -> str:
    """A link whose label is untrusted; the URL must be http(s) or it is shown as text."""
    if not re.match(r"^https?://[^\s<>|]+$", url or ""):
        return escape(label)
    return f"<{url}|{escape(label).replace('|', '¦')}>"
