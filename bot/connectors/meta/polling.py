"""The polling fallback: read Page feed comments, Messenger / Instagram conversations and Instagram
media comments newer than a watermark, as InboundMessages. Webhooks are the primary path; this
catches what a missed delivery dropped, over the most recent posts only (`posts_window`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.connectors.base import Author, InboundMessage
from bot.connectors.meta.graph import GraphClient, graph_time
from bot.connectors.watermark import Watermark

FEED_FIELDS = (
    "id,message,created_time,from,permalink_url,"
    "comments.filter(stream).order(reverse_chronological).limit(50)"
    "{id,message,created_time,from,parent{id},permalink_url}"
)
CONVERSATION_FIELDS = "id,updated_time,messages.limit(25){id,message,created_time,from,to}"
IG_MEDIA_FIELDS = (
    "id,caption,permalink,timestamp,"
    "comments.limit(50){id,text,timestamp,username,from,parent_id,"
    "replies{id,text,timestamp,username,from,parent_id}}"
)
MAX_CONVERSATION_PAGES = 5


@dataclass
class Source:
    graph: GraphClient
    network: str
    account: str
    handle: str
    page_id: str | None
    ig_user_id: str | None
    posts_window: int

    def ours(self, author: dict[str, Any]) -> bool:
        aid = str(author.get("id", ""))
        if aid and aid in (self.page_id, self.ig_user_id):
            return True
        return self.network == "instagram" and author.get("username") == self.handle.lstrip("@")


def page_feed(src: Source, mark: Watermark) -> list[InboundMessage]:
    """Comments (and visitor posts) on the Page's most recent posts."""
    data = src.graph.get(f"/{src.page_id}/feed", {"fields": FEED_FIELDS, "limit": src.posts_window})
    out: list[InboundMessage] = []
    for post in data.get("data", []):
        post_id = str(post["id"])
        author = post.get("from") or {}
        created = graph_time(post.get("created_time"))
        if author and not src.ours(author) and mark.is_new(created, post_id):
            out.append(
                _msg(
                    src,
                    post_id,
                    "mention",
                    author,
                    post.get("message", ""),
                    created,
                    url=post.get("permalink_url", ""),
                    thread_id=post_id,
                    meta={"post_id": post_id, "reply_to_id": post_id},
                )
            )
        for c in (post.get("comments") or {}).get("data", []):
            created = graph_time(c.get("created_time"))
            if not mark.is_new(created, str(c["id"])):
                continue
            parent = (c.get("parent") or {}).get("id")
            out.append(
                _msg(
                    src,
                    str(c["id"]),
                    "comment",
                    c.get("from") or {},
                    c.get("message", ""),
                    created,
                    url=c.get("permalink_url", ""),
                    thread_id=post_id,
                    in_reply_to=parent or post_id,
                    meta={"post_id": post_id, "reply_to_id": parent or str(c["id"])},
                )
            )
    return out


def conversations(src: Source, mark: Watermark, platform: str) -> list[InboundMessage]:
    """Messages in conversations updated since the watermark (newest conversations come first)."""
    out: list[InboundMessage] = []
    params: dict[str, Any] = {"platform": platform, "fields": CONVERSATION_FIELDS, "limit": 25}
    for _ in range(MAX_CONVERSATION_PAGES):
        data = src.graph.get(f"/{src.page_id}/conversations", params)
        stale = False
        for conv in data.get("data", []):
            if graph_time(conv.get("updated_time")) < mark.since:
                stale = True
                break
            for m in (conv.get("messages") or {}).get("data", []):
                created = graph_time(m.get("created_time"))
                if not mark.is_new(created, str(m["id"])):
                    continue
                author = m.get("from") or {}
                ours = src.ours(author)
                to = ((m.get("to") or {}).get("data") or [{}])[0]
                customer = str(to.get("id", "")) if ours else str(author.get("id", ""))
                out.append(
                    _msg(
                        src,
                        str(m["id"]),
                        "dm",
                        author,
                        m.get("message", ""),
                        created,
                        thread_id=f"dm:{customer}",
                        meta={"recipient_id": customer, "conversation_id": conv.get("id")},
                    )
                )
        after = ((data.get("paging") or {}).get("cursors") or {}).get("after")
        if stale or not after or not (data.get("paging") or {}).get("next"):
            break
        params = {**params, "after": after}
    return out


def instagram_media(src: Source, mark: Watermark) -> list[InboundMessage]:
    """Comments and replies on the account's most recent media."""
    data = src.graph.get(f"/{src.ig_user_id}/media", {"fields": IG_MEDIA_FIELDS, "limit": src.posts_window})
    out: list[InboundMessage] = []
    for media in data.get("data", []):
        media_id = str(media["id"])
        for c in (media.get("comments") or {}).get("data", []):
            nested = (c.get("replies") or {}).get("data", [])
            for item in [c, *nested]:
                created = graph_time(item.get("timestamp"))
                if not mark.is_new(created, str(item["id"])):
                    continue
                author = dict(item.get("from") or {})
                author.setdefault("username", item.get("username", ""))
                parent = item.get("parent_id") or (c["id"] if item is not c else None)
                out.append(
                    _msg(
                        src,
                        str(item["id"]),
                        "comment",
                        author,
                        item.get("text", ""),
                        created,
                        url=media.get("permalink", ""),
                        thread_id=media_id,
                        in_reply_to=str(parent) if parent else media_id,
                        meta={"media_id": media_id, "reply_to_id": str(parent or item["id"])},
                    )
                )
    return out


def _msg(
    src: Source,
    msg_id: str,
    kind: str,
    author: dict[str, Any],
    text: str,
    created: int,
    *,
    url: str = "",
    thread_id: str | None = None,
    in_reply_to: str | None = None,
    meta: dict[str, Any] | None = None,
) -> InboundMessage:
    return InboundMessage(
        id=msg_id,
        network=src.network,
        account=src.account,
        kind=kind,  # type: ignore[arg-type]
        author=Author(
            id=str(author.get("id", "")),
            handle=str(author.get("username", "")),
            name=str(author.get("name", "")),
        ),
        text=str(text or ""),
        url=str(url or ""),
        created_at=created,
        thread_id=thread_id,
        in_reply_to=in_reply_to,
        from_brand=src.ours(author),
        meta=meta or {},
    )
