"""Bluesky views (notifications, feed items) -> Veille's `InboundMessage`."""

from __future__ import annotations

from typing import Any

from bot.connectors.base import Author, InboundMessage, Kind
from bot.connectors.bluesky.records import AtUri, parse_time, post_url, strong_ref

NETWORK = "bluesky"
# A reply to one of our posts is a comment; a mention or a quote of us starts a conversation.
KIND_BY_REASON: dict[str, Kind] = {"mention": "mention", "quote": "mention", "reply": "comment"}


def sort_time(view: dict[str, Any]) -> float:
    """The AppView's own ordering key: min(createdAt, indexedAt)."""
    indexed = parse_time(view.get("indexedAt")) or 0.0
    created = parse_time((view.get("record") or {}).get("createdAt"))
    return indexed if created is None else min(created, indexed)


def thread_refs(uri: str, cid: str, record: dict[str, Any]) -> tuple[dict, dict | None]:
    """(root, parent) strong refs of a post; a post that replies to nothing is its own root."""
    reply = record.get("reply") or {}
    root, parent = reply.get("root"), reply.get("parent")
    if root and parent:
        return strong_ref(root["uri"], root["cid"]), strong_ref(parent["uri"], parent["cid"])
    return strong_ref(uri, cid), None


def to_message(
    view: dict[str, Any], account: str, kind: Kind, from_brand: bool, extra: dict[str, Any] | None = None
) -> InboundMessage:
    """One post view (a notification or a feed item's `post`) as an inbound message."""
    uri, cid = view["uri"], view["cid"]
    record = view.get("record") or {}
    author = view.get("author") or {}
    did = author.get("did") or AtUri.parse(uri).repo
    handle = author.get("handle") or ""
    root, parent = thread_refs(uri, cid, record)
    created = parse_time(record.get("createdAt")) or parse_time(view.get("indexedAt")) or 0.0
    return InboundMessage(
        id=uri,
        network=NETWORK,
        account=account,
        kind=kind,
        author=Author(id=did, handle=handle, name=author.get("displayName") or ""),
        text=str(record.get("text") or ""),
        url=post_url(handle, did, uri),
        created_at=int(created),
        thread_id=root["uri"],
        in_reply_to=parent["uri"] if parent else None,
        from_brand=from_brand,
        meta={"uri": uri, "cid": cid, "root": root, "parent": parent, **(extra or {})},
    )


def notification_message(notification: dict[str, Any], account: str) -> InboundMessage | None:
    kind = KIND_BY_REASON.get(notification.get("reason", ""))
    if kind is None or not _is_post(notification):
        return None
    extra = {"reason": notification["reason"], "indexed_at": notification.get("indexedAt")}
    return to_message(notification, account, kind, from_brand=False, extra=extra)


def own_reply_message(item: dict[str, Any], account: str, our_did: str) -> InboundMessage | None:
    """A feed item that is our own reply to someone else (a native reply: it stops SLA clocks).
    Reposts, pins, our top-level posts and replies within our own threads to ourselves are not."""
    post = item.get("post") or {}
    if item.get("reason") or not _is_post(post) or (post.get("author") or {}).get("did") != our_did:
        return None
    parent = ((post.get("record") or {}).get("reply") or {}).get("parent") or {}
    if not parent.get("uri") or AtUri.parse(parent["uri"]).repo == our_did:
        return None
    return to_message(post, account, "comment", from_brand=True, extra={"indexed_at": post.get("indexedAt")})


def _is_post(view: dict[str, Any]) -> bool:
    record = view.get("record") or {}
    return record.get("$type") == "app.bsky.feed.post" and bool(view.get("uri")) and bool(view.get("cid"))
