"""Meta webhook helpers, pure functions: the subscription handshake, the X-Hub-Signature-256 check
and the payload -> InboundMessage translation. The lead wires them to HTTP routes.

Payloads handled:
- object "page", `changes` field "feed": comments (kind "comment") and visitor posts ("mention");
  field "mention": the Page was @mentioned in a post or comment ("mention").
- object "page" / "instagram", `messaging`: Messenger and Instagram Direct messages ("dm");
  echoes of what the Page itself sent come back with from_brand=True.
- object "instagram", `changes` field "comments" ("comment") and "mentions" ("mention").
Our own Page or Instagram account as author -> from_brand=True (a native reply stops clocks).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from bot.connectors.base import Author, InboundMessage

POST_ITEMS = frozenset({"post", "status", "photo", "video", "share"})


def verify_subscription(params: Mapping[str, str], verify_token: str) -> str | None:
    """The GET handshake: echo hub.challenge only for mode=subscribe and our verify token."""
    if not verify_token or params.get("hub.mode") != "subscribe":
        return None
    given = params.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode(), verify_token.encode()):
        return None
    challenge = params.get("hub.challenge")
    return challenge if challenge else None


def verify_signature(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """X-Hub-Signature-256 is "sha256=" + HMAC-SHA256(app secret, raw body) in hex."""
    if not header or not app_secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[len("sha256=") :].strip().lower().encode(), expected.encode())


def parse_webhook(payload: Mapping[str, Any], accounts_by_page_id: Mapping[str, str]) -> list[InboundMessage]:
    """Translate one webhook delivery. Entries for ids we do not manage are ignored.

    `accounts_by_page_id` maps a Facebook Page id or an Instagram account id to our account key."""
    obj = payload.get("object")
    if obj not in ("page", "instagram"):
        return []
    network = "facebook" if obj == "page" else "instagram"
    out: list[InboundMessage] = []
    for entry in _dicts(payload.get("entry")):
        own_id = str(entry.get("id", ""))
        account = accounts_by_page_id.get(own_id)
        if account is None:
            continue
        ctx = _Ctx(network, account, own_id, set(accounts_by_page_id))
        for event in _dicts(entry.get("messaging")):
            msg = _message_event(ctx, event)
            if msg:
                out.append(msg)
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            field = change.get("field")
            if network == "facebook" and field == "feed":
                msg = _feed_change(ctx, value, entry)
            elif network == "facebook" and field == "mention":
                msg = _page_mention(ctx, value, entry)
            elif network == "instagram" and field in ("comments", "live_comments"):
                msg = _ig_comment(ctx, value, entry)
            elif network == "instagram" and field == "mentions":
                msg = _ig_mention(ctx, value, entry)
            else:
                msg = None
            if msg:
                out.append(msg)
    return out


class _Ctx:
    def __init__(self, network: str, account: str, own_id: str, our_ids: set[str]):
        self.network, self.account, self.own_id, self.our_ids = network, account, own_id, our_ids

    def ours(self, author_id: str) -> bool:
        return author_id == self.own_id or author_id in self.our_ids


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _entry_time(entry: Mapping[str, Any]) -> int:
    t = entry.get("time")
    if not isinstance(t, int | float):
        return 0
    return int(t / 1000) if t > 10**11 else int(t)  # Messenger entries carry milliseconds


def _message_event(ctx: _Ctx, event: Mapping[str, Any]) -> InboundMessage | None:
    message = event.get("message")
    if not isinstance(message, dict) or not message.get("mid") or message.get("is_deleted"):
        return None  # deliveries, reads, reactions, postbacks: not messages
    sender = str((event.get("sender") or {}).get("id", ""))
    recipient = str((event.get("recipient") or {}).get("id", ""))
    from_brand = bool(message.get("is_echo")) or ctx.ours(sender)
    customer = recipient if from_brand else sender
    ts = event.get("timestamp")
    text = message.get("text") or _attachments_text(message.get("attachments"))
    return InboundMessage(
        id=str(message["mid"]),
        network=ctx.network,
        account=ctx.account,
        kind="dm",
        author=Author(id=sender),
        text=text,
        created_at=int(ts / 1000) if isinstance(ts, int | float) else 0,
        thread_id=f"dm:{customer}",
        in_reply_to=(message.get("reply_to") or {}).get("mid"),
        from_brand=from_brand,
        meta={"recipient_id": customer},
    )


def _attachments_text(attachments: Any) -> str:
    kinds = [str(a.get("type", "file")) for a in _dicts(attachments)]
    return " ".join(f"[{k}]" for k in kinds)


def _feed_change(ctx: _Ctx, v: Mapping[str, Any], entry: Mapping[str, Any]) -> InboundMessage | None:
    if v.get("verb") != "add":
        return None  # edits, hides and removals are not new messages
    author = v.get("from") or {}
    author_id = str(author.get("id", ""))
    post_id = str(v.get("post_id", ""))
    created = int(v.get("created_time") or _entry_time(entry))
    item = v.get("item")
    if item == "comment" and v.get("comment_id"):
        comment_id = str(v["comment_id"])
        parent_id = str(v.get("parent_id") or post_id)
        top_level = parent_id == post_id
        return InboundMessage(
            id=comment_id,
            network=ctx.network,
            account=ctx.account,
            kind="comment",
            author=Author(id=author_id, name=str(author.get("name", ""))),
            text=str(v.get("message", "")),
            url=f"https://www.facebook.com/{post_id}?comment_id={comment_id.rsplit('_', 1)[-1]}",
            created_at=created,
            thread_id=post_id or None,
            in_reply_to=parent_id or None,
            from_brand=ctx.ours(author_id),
            meta={"post_id": post_id, "reply_to_id": comment_id if top_level else parent_id},
        )
    if item in POST_ITEMS and post_id and not ctx.ours(author_id):
        return InboundMessage(  # a visitor post on our Page
            id=post_id,
            network=ctx.network,
            account=ctx.account,
            kind="mention",
            author=Author(id=author_id, name=str(author.get("name", ""))),
            text=str(v.get("message", "")),
            url=str((v.get("post") or {}).get("permalink_url") or f"https://www.facebook.com/{post_id}"),
            created_at=created,
            thread_id=post_id,
            meta={"post_id": post_id, "reply_to_id": post_id},
        )
    return None


def _page_mention(ctx: _Ctx, v: Mapping[str, Any], entry: Mapping[str, Any]) -> InboundMessage | None:
    if v.get("verb", "add") != "add" or not v.get("post_id"):
        return None
    post_id = str(v["post_id"])
    target = str(v.get("comment_id") or post_id)
    return InboundMessage(
        id=target,
        network=ctx.network,
        account=ctx.account,
        kind="mention",
        author=Author(id=str(v.get("sender_id", "")), name=str(v.get("sender_name", ""))),
        text=str(v.get("message", "")),
        url=f"https://www.facebook.com/{post_id}",
        created_at=int(v.get("created_time") or _entry_time(entry)),
        thread_id=post_id,
        from_brand=ctx.ours(str(v.get("sender_id", ""))),
        meta={"post_id": post_id, "reply_to_id": target},
    )


def _ig_comment(ctx: _Ctx, v: Mapping[str, Any], entry: Mapping[str, Any]) -> InboundMessage | None:
    if not v.get("id"):
        return None
    author = v.get("from") or {}
    author_id = str(author.get("id", ""))
    media_id = str((v.get("media") or {}).get("id", ""))
    parent_id = v.get("parent_id")
    return InboundMessage(
        id=str(v["id"]),
        network=ctx.network,
        account=ctx.account,
        kind="comment",
        author=Author(id=author_id, handle=str(author.get("username", ""))),
        text=str(v.get("text", "")),
        created_at=_entry_time(entry),
        thread_id=media_id or None,
        in_reply_to=str(parent_id) if parent_id else (media_id or None),
        from_brand=ctx.ours(author_id),
        # Instagram threads are one level deep: a reply to a reply goes on the top-level comment.
        meta={"media_id": media_id, "reply_to_id": str(parent_id or v["id"])},
    )


def _ig_mention(ctx: _Ctx, v: Mapping[str, Any], entry: Mapping[str, Any]) -> InboundMessage | None:
    # Meta sends only ids for @mentions; the text has to be read with the mentioned_comment /
    # mentioned_media fields of the IG user, so it stays empty here and meta says what to read.
    media_id = str(v.get("media_id", ""))
    comment_id = v.get("comment_id")
    if not media_id:
        return None
    return InboundMessage(
        id=str(comment_id or media_id),
        network=ctx.network,
        account=ctx.account,
        kind="mention",
        author=Author(id=""),
        text="",
        created_at=_entry_time(entry),
        thread_id=media_id,
        meta={"media_id": media_id, "comment_id": str(comment_id or ""), "needs_text": True},
    )
