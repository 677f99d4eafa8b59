"""What `fetch` has already delivered, kept in the cursor string the caller persists.

Bluesky lists notifications and author feeds newest first, and its own paging cursor only walks
towards older items, so it cannot say "what is new since last time". We keep a watermark
instead: the newest sort time delivered, plus short hashes of the items delivered within an
overlap window before it. An item's sort time is min(createdAt, indexedAt), the AppView's own,
so a post written on a device whose clock runs late sorts in the past: the overlap catches
those (up to `overlap` seconds late) without ever delivering anything twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

_VERSION = "bsky1"


def short_hash(item_id: str) -> str:
    # 48 bits: collisions among the few thousand ids of one window are vanishingly unlikely
    return hashlib.sha256(item_id.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Watermark:
    at: float  # newest sort time delivered (epoch seconds)
    seen: frozenset[str] = field(default_factory=frozenset)  # short hashes within the overlap
    floor: float | None = None  # nothing older is delivered (set where the first fetch stopped)

    def lowest(self, overlap: float) -> float:
        """The oldest sort time still worth listing."""
        window = self.at - overlap
        return window if self.floor is None else max(window, self.floor)

    def to_json(self) -> list[Any]:
        out: list[Any] = [round(self.at, 3), sorted(self.seen)]
        return out if self.floor is None else [*out, round(self.floor, 3)]

    @classmethod
    def from_json(cls, value: Any) -> Watermark | None:
        if value is None:
            return None
        at, seen, *rest = value
        return cls(float(at), frozenset(str(s) for s in seen), float(rest[0]) if rest else None)


@dataclass(frozen=True)
class FetchCursor:
    """One watermark per listing: notifications ("n") and our own posts ("f")."""

    notifications: Watermark | None = None
    own_posts: Watermark | None = None

    def encode(self) -> str:
        body = {"n": _dump(self.notifications), "f": _dump(self.own_posts)}
        return f"{_VERSION}:{json.dumps(body, separators=(',', ':'))}"

    @classmethod
    def decode(cls, cursor: str | None) -> FetchCursor:
        if not cursor:
            return cls()
        try:
            version, _, body = cursor.partition(":")
            if version != _VERSION:
                raise ValueError(f"unknown cursor version {version!r}")
            data = json.loads(body)
            return cls(Watermark.from_json(data.get("n")), Watermark.from_json(data.get("f")))
        except (ValueError, TypeError, KeyError) as exc:
            # Starting over re-delivers at most the backfill, which ingest dedupes by id.
            log.warning("bluesky: unreadable fetch cursor (%s); starting over", exc)
            return cls()


def _dump(mark: Watermark | None) -> list[Any] | None:
    return mark.to_json() if mark else None


# A page of a listing: (items, next page cursor or None)
Page = tuple[list[dict[str, Any]], str | None]


def collect_new(
    pages: Callable[[str | None], Page],
    mark: Watermark | None,
    sort_time: Callable[[dict[str, Any]], float],
    item_id: Callable[[dict[str, Any]], str],
    overlap: float,
    backfill: int,
    max_pages: int = 1000,
) -> tuple[list[dict[str, Any]], Watermark | None]:
    """Walk a newest-first listing down to the watermark's overlap window; return the items not
    delivered yet (in listing order) and the watermark to store once they are handed over.
    With no watermark (first fetch) only the newest `backfill` items are taken."""
    floor = None if mark is None else mark.lowest(overlap)
    listed: list[dict[str, Any]] = []
    listed_ids: set[str] = set()
    truncated = False
    for items in _walk(pages, max_pages):
        for item in items:  # a page boundary may repeat an item
            if item_id(item) not in listed_ids:
                listed_ids.add(item_id(item))
                listed.append(item)
        if mark is None and len(listed) >= backfill:
            truncated, listed = True, listed[:backfill]
            break
        if floor is not None and items and min(sort_time(i) for i in items) < floor:
            break
    if floor is not None:
        listed = [i for i in listed if sort_time(i) >= floor]
    seen = mark.seen if mark else frozenset()
    new = [i for i in listed if short_hash(item_id(i)) not in seen]
    if not listed:
        # An empty first listing still starts the watermark: all that shows up later is new.
        return new, mark or Watermark(0.0)
    times = [sort_time(i) for i in listed]
    at = max(times + ([mark.at] if mark else []))
    # everything listed inside the new window has now been delivered, once
    keep = frozenset(short_hash(item_id(i)) for i in listed if sort_time(i) >= at - overlap)
    new_floor = min(times) if truncated else (mark.floor if mark else None)
    return new, Watermark(at, keep, new_floor)


def _walk(pages: Callable[[str | None], Page], max_pages: int) -> Iterator[list[dict[str, Any]]]:
    page_cursor: str | None = None
    for _ in range(max_pages):
        items, page_cursor = pages(page_cursor)
        yield items
        if not page_cursor or not items:
            return
    log.warning("bluesky: stopped paging after %d pages", max_pages)

