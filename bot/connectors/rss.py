"""RSS 2.0 / RSS 1.0 / Atom feed connector: monitoring only (press, blogs, forums).

Each new entry whose title or summary matches a keyword becomes an InboundMessage of kind
"article": text = title + summary (HTML stripped), url = the entry's link, author from
dc:creator / author. Entries are deduplicated by guid / id across fetches (the cursor keeps the
most recent ids, bounded) and the feed is read with a conditional GET (ETag / Last-Modified; a 304
costs nothing).

Options (`[accounts.connector]` in veille.toml):
- `url`: the feed URL (required).
- `keywords`: list of words or phrases; case- and accent-insensitive, whole words ("cafe" matches
  "Café" but not "cafeteria"). Empty or absent: every entry.
- `max_seen` (1000): how many entry ids the cursor remembers.
- `max_bytes` (5 MiB): larger documents are refused.
- `timeout` (10): seconds per HTTP call.
No credentials. Documents with a DTD or entity declaration are refused (entity expansion attacks);
the standard library parser never fetches external resources.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any, NoReturn

import httpx

from bot.clock import Clock
from bot.connectors.backoff import Backoff
from bot.connectors.base import (
    Author,
    ConnectorError,
    FetchResult,
    Health,
    InboundMessage,
    PublishRejected,
    PublishRequest,
    PublishResult,
    RateLimited,
)

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
MAX_TEXT = 4000
DEFAULT_RETRY_SECONDS = 300.0


class RssConnector:
    network = "rss"
    can_reply = False  # monitoring only: the alert offers no Reply, `/veille post` refuses it
    can_post = False

    def __init__(
        self,
        *,
        account: str,
        handle: str,
        url: str,
        keywords: list[str],
        http: httpx.Client,
        clock: Clock,
        max_seen: int,
        max_bytes: int,
    ):
        self.account, self.handle, self.url = account, handle, url
        self._patterns = [_keyword_pattern(k) for k in keywords if k.strip()]
        self._http, self._clock = http, clock
        self._max_seen, self._max_bytes = max_seen, max_bytes
        self._health = Health()
        self._backoff = Backoff()

    def fetch(self, cursor: str | None) -> FetchResult:
        state = _load(cursor)
        headers = {"Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5"}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        try:
            with self._http.stream("GET", self.url, headers=headers) as resp:
                status, resp_headers = resp.status_code, resp.headers
                raw = self._read_capped(resp) if status == 200 else b""
        except httpx.HTTPError as e:
            self._fail(
                ConnectorError(f"cannot read the feed {self.url}: {type(e).__name__}: {e}"), transient=True
            )
        if status == 304:
            self._ok()
            return FetchResult([], cursor)
        if status in (429, 503):
            retry = _retry_after(resp_headers.get("Retry-After"))
            self._fail(RateLimited(retry, f"the feed {self.url} asks to slow down (HTTP {status})"))
        if status != 200:
            self._fail(ConnectorError(f"the feed {self.url} answered HTTP {status}"), transient=status >= 500)
        entries = self._parse(raw)

        seen = list(state.get("seen", []))
        known = set(seen)
        messages = [self._message(e) for e in entries if e["id"] not in known and self._matches(e)]
        current = [e["id"] for e in entries]
        # Ids still in the feed come first so they are never forgotten while the feed shows them.
        kept = list(dict.fromkeys(current + seen))[: max(self._max_seen, len(current))]
        new_state = {
            "seen": kept,
            "etag": resp_headers.get("ETag"),
            "last_modified": resp_headers.get("Last-Modified"),
        }
        self._ok()
        return FetchResult(messages, json.dumps(new_state))

    def _read_capped(self, resp: httpx.Response) -> bytes:
        chunks, size = [], 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                self._fail(
                    ConnectorError(f"the feed {self.url} is larger than {self._max_bytes} bytes; refused")
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _parse(self, raw: bytes) -> list[dict[str, Any]]:
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:4]:
            # The DTD check below reads bytes as ASCII; UTF-16/32 would slip past it.
            self._fail(
                ConnectorError(f"the feed {self.url} is UTF-16/32 encoded; only UTF-8 and 8-bit feeds")
            )
        if FORBIDDEN.search(raw):
            self._fail(
                ConnectorError(
                    f"the feed {self.url} declares a DTD or entities (<!DOCTYPE/<!ENTITY); refused to parse it"
                )
            )
        try:
            root = ET.fromstring(raw)
        except ET.ParseError as e:
            self._fail(ConnectorError(f"the feed {self.url} is not well-formed XML: {e}"))
        if root.tag == f"{ATOM}feed":
            return [_atom_entry(e) for e in root.findall(f"{ATOM}entry")]
        if root.tag == "rss":
            return [_rss_item(i) for i in root.findall("channel/item")]
        if root.tag == f"{RDF}RDF":
            return [_rss_item(i, ns=RSS1) for i in root.findall(f"{RSS1}item")]
        self._fail(ConnectorError(f"{self.url} is neither an RSS nor an Atom feed (root <{root.tag}>)"))

    def _matches(self, entry: dict[str, Any]) -> bool:
        if not self._patterns:
            return True
        haystack = _fold(f"{entry['title']}\n{entry['summary']}")
        return any(p.search(haystack) for p in self._patterns)

    def _message(self, e: dict[str, Any]) -> InboundMessage:
        text = e["title"] + ("\n\n" + e["summary"] if e["summary"] else "")
        return InboundMessage(
            id=e["id"],
            network=self.network,
            account=self.account,
            kind="article",
            author=Author(id=e["author"] or self.url, name=e["author"]),
            text=text[:MAX_TEXT],
            url=e["link"],
            created_at=e["published"],
            meta={"feed_url": self.url, "title": e["title"]},
        )

    def publish_reply(self, req: PublishRequest) -> PublishResult:
        raise PublishRejected("RSS is monitoring only")

    def publish_post(self, req: PublishRequest) -> PublishResult:
        raise PublishRejected("RSS is monitoring only")

    def lookup(self, req: PublishRequest) -> PublishResult | None:
        return None

    def health(self) -> Health:
        return Health(**vars(self._health))

    def close(self) -> None:
        self._http.close()

    def _ok(self) -> None:
        self._backoff.succeeded()
        self._health.ok, self._health.last_success, self._health.backoff_until = True, self._clock.now(), None

    def _fail(self, err: ConnectorError, transient: bool = False) -> NoReturn:
        """Record the failure; the poller waits until backoff_until (the server's Retry-After,
        exponential after timeouts and 5xx, none after a broken or refused document)."""
        now = self._clock.now()
        self._health.ok, self._health.last_error, self._health.last_error_at = False, str(err), now
        if isinstance(err, RateLimited):
            self._health.backoff_until = self._backoff.failed(now, err.retry_after)
        elif transient:
            self._health.backoff_until = self._backoff.failed(now)
        raise err


# -- entries ------------------------------------------------------------------------------------------


def _text(el: ET.Element | None) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _atom_entry(e: ET.Element) -> dict[str, Any]:
    link = ""
    for candidate in e.findall(f"{ATOM}link"):
        if candidate.get("rel", "alternate") == "alternate":
            link = candidate.get("href", "")
            break
    summary = e.find(f"{ATOM}summary")
    if summary is None:
        summary = e.find(f"{ATOM}content")
    title = _strip_html(_text(e.find(f"{ATOM}title")))
    author = _text(e.find(f"{ATOM}author/{ATOM}name"))
    published = _text(e.find(f"{ATOM}published")) or _text(e.find(f"{ATOM}updated"))
    return {
        "id": _text(e.find(f"{ATOM}id")) or link or _digest(title),
        "title": title,
        "summary": _strip_html(_text(summary)),
        "link": link,
        "author": author,
        "published": _iso_time(published),
    }


def _rss_item(i: ET.Element, ns: str = "") -> dict[str, Any]:
    title = _strip_html(_text(i.find(f"{ns}title")))
    link = _text(i.find(f"{ns}link"))
    description = _text(i.find(f"{ns}description")) or _text(i.find(f"{CONTENT}encoded"))
    guid = _text(i.find("guid")) or i.get(f"{RDF}about", "")
    author = _text(i.find(f"{DC}creator")) or _text(i.find("author"))
    published = _text(i.find("pubDate"))
    return {
        "id": guid or link or _digest(title + description),
        "title": title,
        "summary": _strip_html(description),
        "link": link,
        "author": author,
        "published": _rfc822_time(published) or _iso_time(_text(i.find(f"{DC}date"))),
    }


def _digest(text: str) -> str:
    return "sha1:" + hashlib.sha1(text.encode()).hexdigest()


def _rfc822_time(value: str) -> int:
    try:
        return int(parsedate_to_datetime(value).timestamp()) if value else 0
    except (TypeError, ValueError):
        return 0


def _iso_time(value: str) -> int:
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()) if value else 0
    except ValueError:
        return 0


class _TextOnly(HTMLParser):
    """Visible text of an HTML fragment; scripts and styles dropped, blocks separated."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in ("p", "br", "div", "li", "h1", "h2", "h3", "tr"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1


def _strip_html(value: str) -> str:
    parser = _TextOnly()
    parser.feed(value)
    parser.close()
    return " ".join("".join(parser.parts).split())


# -- keywords -----------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Case- and accent-insensitive form: "Café" -> "cafe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in _fold(keyword).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


# -- plumbing -----------------------------------------------------------------------------------------


def _load(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        doc = json.loads(cursor)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _retry_after(value: str | None) -> float:
    try:
        return max(1.0, float(value)) if value else DEFAULT_RETRY_SECONDS
    except ValueError:
        return DEFAULT_RETRY_SECONDS


def build(
    account: str,
    handle: str,
    options: dict[str, Any],
    env: Mapping[str, str],
    clock: Clock,
    transport: httpx.BaseTransport | None = None,
) -> RssConnector:
    url = str(options.get("url") or "")
    if not url.startswith(("http://", "https://")):
        raise ConnectorError(f"account {account}: options.url must be the feed's http(s) URL")
    keywords = options.get("keywords") or []
    if isinstance(keywords, str):
        keywords = [keywords]
    http = httpx.Client(
        transport=transport,
        timeout=float(options.get("timeout", 10.0)),
        follow_redirects=True,
        headers={"User-Agent": "Veille feed monitor"},
    )
    return RssConnector(
        account=account,
        handle=handle,
        url=url,
        keywords=[str(k) for k in keywords],
        http=http,
        clock=clock,
        max_seen=int(options.get("max_seen", 1000)),
        max_bytes=int(options.get("max_bytes", 5 * 1024 * 1024)),
    )
