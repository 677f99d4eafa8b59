"""A polling cursor for networks that can only be asked "what is newer than T": the newest
timestamp seen, plus the ids seen at that very second (several items can share it), as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.connectors.base import InboundMessage

MAX_IDS_AT_WATERMARK = 200


@dataclass(frozen=True)
class Watermark:
    since: int
    ids: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def load(cls, cursor: str | None, default_since: int) -> Watermark:
        if not cursor:
            return cls(default_since)
        try:
            doc = json.loads(cursor)
            if isinstance(doc, int | float):
                return cls(int(doc))  # a bare epoch also works
            return cls(int(doc["t"]), frozenset(doc.get("ids", [])))
        except (ValueError, KeyError, TypeError):
            return cls(default_since)  # an unreadable cursor: start over, ingest dedupes by id

    def is_new(self, ts: int, msg_id: str) -> bool:
        return ts > self.since or (ts == self.since and msg_id not in self.ids)

    def advanced(self, messages: Iterable[InboundMessage]) -> Watermark:
        t, ids = self.since, set(self.ids)
        for m in messages:
            if m.created_at > t:
                t, ids = m.created_at, {m.id}
            elif m.created_at == t:
                ids.add(m.id)
        return Watermark(t, frozenset(sorted(ids)[:MAX_IDS_AT_WATERMARK]))

    def dump(self) -> str:
        return json.dumps({"t": self.since, "ids": sorted(self.ids)})
