"""Why a publication failed or waits for a person, stored so it can be shown in each reader's
language: our own reasons are a key and parameters (rendered with bot/i18n.py `reason_<key>`);
what a network or a bridge answered is stored as its own text and shown as it is."""

from __future__ import annotations

import json

PREFIX = "veille:"


def reason(key: str, **params: object) -> str:
    return PREFIX + json.dumps({"key": key, **params}, ensure_ascii=False, separators=(",", ":"))


def parse(stored: str | None) -> tuple[str, dict] | None:
    """(key, params) for one of our reasons; None for a network's own text."""
    if not stored or not stored.startswith(PREFIX):
        return None
    try:
        data = json.loads(stored[len(PREFIX):])
    except ValueError:
        return None
    key = data.pop("key", None)
    return (key, data) if isinstance(key, str) else None


def as_text(stored: str, lang: str = "en") -> str:
    """Plain text (logs, the command line): our reasons in `lang`, anything else as it is."""
    from bot.i18n import t

    found = parse(stored)
    return stored if found is None else t(lang, f"reason_{found[0]}", **found[1])
