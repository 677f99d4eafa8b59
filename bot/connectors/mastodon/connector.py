"""The Mastodon connector: see the package docstring for options and scopes."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.connectors.base import (
    Author,
    ConnectorError,
    FetchResult,
    Health,
    InboundMessage,
    PublishRejected,
    PublishRequest,
    PublishResult,
)
from bot.connectors.http_errors import ApiSession
from bot.connectors.mastodon.text import comparable, html_to_text, status_length, with_mention

NETWORK = "mastodon"
NOTIFICATIONS = "/api/v1/notifications"
STATUSES = "/api/v1/statuses"
EMPTY = "0"  # the cursor of a listing that was empty: every id is above it, so all later items are new


def _id_key(value: str) -> tuple[int, str]:
    # Mastodon ids are numeric strings of growing length: compare by length, then lexically.
    return (len(value), value)


def _epoch(iso: str | None) -> int:
    if not iso:
        return 0
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def _link(header: str, rel: str) -> str | None:
    """The URL of one relation in an RFC 8288 Link header."""
    for part in header.split(","):
        if f'rel="{rel}"' in part and "<" in part:
            return part[part.index("<") + 1 : part.index(">")]
    return None


def _link_param(header: str, rel: str, name: str) -> str | None:
    url = _link(header, rel)
    if url is None:
        return None
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None


class MastodonConnector:
    network = NETWORK

    def __init__(self, account: str, handle: str, session: ApiSession, options: Mapping[str, Any]):
        self.account = account
        self.handle = handle
        self._session = session
        self._account_id: str | None = str(options["account_id"]) if options.get("account_id") else None
        self.visibility = str(options.get("visibility", "public"))
        if self.visibility not in ("public", "unlisted", "private"):
            raise ConnectorError(f"mastodon: option visibility={self.visibility!r} is not one of public, unlisted, private")
        self.max_chars = int(options.get("max_chars", 500))
        self.page_size = int(options.get("page_size", 40))
        self.max_pages = int(options.get("max_pages", 10))
        self.backfill = max(1, int(options.get("backfill", 100)))
        self.own_replies = bool(options.get("own_replies", True))
        self.thread_lookups = int(options.get("thread_lookups", 5))

    # -- identity ---------------------------------------------------------------------------------

    def account_id(self) -> str:
        if self._account_id is None:
            me = self._session.request("GET", "/api/v1/accounts/verify_credentials").json()
            self._account_id = str(me["id"])
        return self._account_id

    def health(self) -> Health:
        return self._session.health()

    # -- fetch ------------------------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        """New mentions and DMs (notifications), plus our own replies written outside Veille."""
        state = json.loads(cursor) if cursor else {}
        me = self.account_id()
        notifications, newest_n = self._collect(NOTIFICATIONS, {"types[]": "mention"}, state.get("n"))
        messages = [self._from_status(n["status"], me, notification_id=n["id"]) for n in notifications if n.get("status")]
        newest_s = state.get("s")
        if self.own_replies:
            statuses, newest_s = self._collect(
                f"/api/v1/accounts/{me}/statuses", {"exclude_reblogs": "true"}, state.get("s")
            )
            messages += [
                self._from_status(s, me)
                for s in statuses
                if s.get("in_reply_to_id") and str(s.get("in_reply_to_account_id")) != me
            ]
        messages.sort(key=lambda m: (m.created_at, _id_key(m.id)))
        messages = self._with_threads(messages)
        return FetchResult(messages, json.dumps({"n": newest_n, "s": newest_s}, separators=(",", ":")))

    def _collect(self, path: str, params: dict[str, str], since: str | None) -> tuple[list[dict], str]:
        """Items newer than `since`, walking forward with min_id (the Link header's "prev" page) so
        a backlog longer than `max_pages` is resumed next time, never skipped. Without a cursor
        (first fetch ever), the newest `backfill` items: no backfill of the whole history."""
        if not since:
            return self._recent(path, params)
        items: dict[str, dict] = {}
        query: dict[str, str] = {**params, "limit": str(self.page_size), "min_id": since}
        for _ in range(self.max_pages):
            response = self._session.request("GET", path, params=query)
            page = response.json()
            for item in page:
                items[str(item["id"])] = item
            newer = _link_param(response.headers.get("link", ""), "prev", "min_id")
            if not page or len(page) < self.page_size or not newer:
                break
            query = {**query, "min_id": newer}
        newest = max(items, key=_id_key) if items else since
        return list(items.values()), newest

    def _recent(self, path: str, params: dict[str, str]) -> tuple[list[dict], str]:
        """The newest `backfill` items, paging back (the Link header's "next" page, max_id): a
        first burst longer than a page arrives whole. The cursor is the newest id, or EMPTY when
        there is nothing yet, so the next fetch walks forward from here instead of starting over."""
        items: dict[str, dict] = {}
        query: dict[str, str] = {**params, "limit": str(self.page_size)}
        for _ in range(self.max_pages):
            response = self._session.request("GET", path, params=query)
            page = response.json()
            for item in page:
                items[str(item["id"])] = item
            older = _link_param(response.headers.get("link", ""), "next", "max_id")
            if len(items) >= self.backfill or not page or len(page) < self.page_size or not older:
                break
            query = {**query, "max_id": older}
        newest_first = sorted(items, key=_id_key, reverse=True)[: self.backfill]
        return [items[i] for i in newest_first], (newest_first[0] if newest_first else EMPTY)

    def _from_status(self, status: dict, me: str, notification_id: str | None = None) -> InboundMessage:
        author = status.get("account") or {}
        from_brand = str(author.get("id")) == me
        if status.get("visibility") == "direct":
            kind = "dm"
        elif from_brand or str(status.get("in_reply_to_account_id")) == me:
            kind = "comment"
        else:
            kind = "mention"
        in_reply_to = status.get("in_reply_to_id")
        meta = {"visibility": status.get("visibility"), "uri": status.get("uri")}
        if notification_id:
            meta["notification_id"] = str(notification_id)
        if status.get("in_reply_to_account_id"):
            meta["in_reply_to_account_id"] = str(status["in_reply_to_account_id"])
        if status.get("spoiler_text"):
            meta["spoiler_text"] = status["spoiler_text"]
        return InboundMessage(
            id=str(status["id"]),
            network=NETWORK,
            account=self.account,
            kind=kind,
            author=Author(
                id=str(author.get("id", "")),
                handle=author.get("acct", ""),
                name=author.get("display_name") or author.get("username", ""),
            ),
            text=html_to_text(status.get("content", "")),
            url=status.get("url") or status.get("uri") or "",
            created_at=_epoch(status.get("created_at")),
            thread_id=None if in_reply_to else str(status["id"]),
            in_reply_to=str(in_reply_to) if in_reply_to else None,
            from_brand=from_brand,
            meta=meta,
        )

    def _with_threads(self, messages: list[InboundMessage]) -> list[InboundMessage]:
        """Thread roots: a status that replies to nothing is its own root; a reply inherits its
        parent's root when the parent is in the batch; otherwise ask the context endpoint, for at
        most `thread_lookups` replies per fetch (each costs a request from the rate limit)."""
        roots = {m.id: m.thread_id for m in messages if m.thread_id}
        budget = self.thread_lookups
        result = []
        for message in messages:
            root = message.thread_id or roots.get(message.in_reply_to or "")
            if root is None and budget > 0:
                budget -= 1
                context = self._session.request("GET", f"{STATUSES}/{message.id}/context").json()
                ancestors = context.get("ancestors") or []
                root = str(ancestors[0]["id"]) if ancestors else None
            if root is not None:
                roots[message.id] = root
                message = dataclasses.replace(message, thread_id=root)
            result.append(message)
        return result

    # -- publish ----------------------------------------------------------------------------------

    def _compose(self, req: PublishRequest) -> tuple[str, str, str | None]:
        """(text, visibility, in_reply_to_id) exactly as they will be sent."""
        target = req.in_reply_to
        if target is None:
            return req.text, self.visibility, None
        text = req.text if target.from_brand else with_mention(req.text, target.author.handle)
        parent_visibility = target.meta.get("visibility")
        if target.kind == "dm" or parent_visibility == "direct":
            visibility = "direct"
        elif parent_visibility == "private":
            visibility = "private"  # never widen a followers-only conversation
        else:
            visibility = self.visibility
        return text, visibility, target.id

    def publish_reply(self, req: PublishRequest) -> PublishResult:
        if req.in_reply_to is None:
            raise PublishRejected("mastodon: publish_reply needs the message being answered")
        return self._publish(req)

    def publish_post(self, req: PublishRequest) -> PublishResult:
        return self._publish(req)

    def _publish(self, req: PublishRequest) -> PublishResult:
        text, visibility, in_reply_to_id = self._compose(req)
        length = status_length(text)
        if length > self.max_chars:
            raise PublishRejected(f"mastodon: the text is {length} characters; the limit is {self.max_chars}")
        if not text.strip():
            raise PublishRejected("mastodon: the text is empty")
        form = {"status": text, "visibility": visibility}
        if in_reply_to_id:
            form["in_reply_to_id"] = in_reply_to_id
        # Mastodon keeps Idempotency-Key for an hour: a retry returns the first status, no double.
        response = self._session.request(
            "POST", STATUSES, publishing=True, data=form, headers={"Idempotency-Key": req.idempotency_key}
        )
        status = response.json()
        return PublishResult(external_id=str(status["id"]), url=status.get("url") or status.get("uri") or "")

    def lookup(self, req: PublishRequest) -> PublishResult | None:
        """Find the status a publish produced among our recent ones: same in_reply_to and the same
        text as Mastodon renders it. Nothing is stored; the match is by content."""
        text, _, in_reply_to_id = self._compose(req)
        wanted = comparable(text)
        me = self.account_id()
        query = {"limit": str(self.page_size), "exclude_reblogs": "true"}
        for _ in range(2):  # the idempotency window is an hour: two pages of our statuses suffice
            response = self._session.request("GET", f"/api/v1/accounts/{me}/statuses", params=query)
            page = response.json()
            for status in page:
                parent = status.get("in_reply_to_id")
                if (str(parent) if parent else None) != in_reply_to_id:
                    continue
                if comparable(html_to_text(status.get("content", ""))) == wanted:
                    return PublishResult(str(status["id"]), status.get("url") or status.get("uri") or "")
            older = _link_param(response.headers.get("link", ""), "next", "max_id")
            if not page or not older:
                break
            query = {**query, "max_id": older}
        return None
