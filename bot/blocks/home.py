"""The App Home tab: the queue, on a member's phone as on their desk."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import plain
from bot.blocks.queue import queue_message
from bot.domain.queue import QueueItem
from storage.models import Draft


def home_view(lang: str, items: list[QueueItem], drafts: list[Draft], now: float) -> dict[str, Any]:
    _, blocks = queue_message(lang, items, drafts, now)
    header = {"type": "header", "text": plain("Veille")}
    return {"type": "home", "blocks": [header, *blocks][:100]}
