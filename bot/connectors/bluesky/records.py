"""AT Protocol identifiers and record shapes: TIDs, record keys, at-uris, bsky.app links, times.

`app.bsky.feed.post` records must have a TID as record key (the PDS refuses anything else), so
the deterministic key of a publish is a TID computed from its idempotency key: a retry writes to
the same key, which the PDS refuses to overwrite, and `lookup` reads it back with getRecord.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

POST_COLLECTION = "app.bsky.feed.post"
_B32 = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable, the TID alphabet
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
# Hash-derived TIDs carry a timestamp between 2023-01-01 and ~2040: plausible, and sortable.
_TID_EPOCH_US = 1_672_531_200_000_000
_TID_SPAN_US = 1 << 49


def make_tid(micros: int, clock_id: int = 0) -> str:
    """A TID: 53 bits of microseconds since 1970, 10 bits of clock id, base32-sortable."""
    value = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    return "".join(_B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def is_tid(value: str) -> bool:
    return bool(_TID.match(value))


def rkey_for(idempotency_key: str) -> str:
    """The record key a publish with this idempotency key writes to. A key that already is a TID
    is used as is (the outbox may mint TIDs with `make_tid`); anything else is hashed into one."""
    if is_tid(idempotency_key):
        return idempotency_key
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode("utf-8")).digest()[:8], "big")
    return make_tid(_TID_EPOCH_US + (digest >> 10) % _TID_SPAN_US, digest & 0x3FF)


@dataclass(frozen=True)
class AtUri:
    repo: str  # a DID (or a handle, in uris written by hand)
    collection: str
    rkey: str

    @classmethod
    def parse(cls, uri: str) -> AtUri:
        parts = uri.removeprefix("at://").split("/")
        if not uri.startswith("at://") or len(parts) != 3 or not all(parts):
            raise ValueError(f"not a record at-uri: {uri!r}")
        return cls(*parts)

    def __str__(self) -> str:
        return f"at://{self.repo}/{self.collection}/{self.rkey}"


def post_url(handle: str, did: str, uri: str) -> str:
    """The public web link of a post. bsky.app also accepts the DID when the handle is invalid."""
    who = handle if handle and handle != "handle.invalid" else did
    return f"https://bsky.app/profile/{who}/post/{AtUri.parse(uri).rkey}"


def iso_z(epoch: float) -> str:
    """`createdAt` as Bluesky writes it: UTC, milliseconds, 'Z'."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: str | None) -> float | None:
    """An AT Protocol datetime (RFC 3339, any precision) as epoch seconds; None if unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def strong_ref(uri: str, cid: str) -> dict[str, str]:
    return {"uri": uri, "cid": cid}
