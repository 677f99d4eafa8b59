"""A local web server publishing RSS / Atom documents the way news sites and blogs do: an ETag and
a Last-Modified on every answer, and 304 Not Modified to a matching conditional GET. Failures on
demand come from `FakeServer.fail(...)`: a stall past the client's timeout, a dropped connection,
or an error status (429 and 503 carry Retry-After: 120).

Usage:
    with FeedServer() as feeds:
        feeds.publish("/news.xml", rss_document, content_type="application/rss+xml")
        url = feeds.base_url + "/news.xml"
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from tests.fakes import FakeServer, Reply, Request


@dataclass
class Document:
    body: bytes
    content_type: str
    etag: str
    last_modified: str


class FeedServer(FakeServer):
    def __init__(self, clock: Any = None):
        super().__init__(clock)
        self.documents: dict[str, Document] = {}
        self.not_modified = 0  # 304 answers sent

    def publish(self, path: str, body: str | bytes, content_type: str = "application/rss+xml") -> None:
        data = body.encode() if isinstance(body, str) else body
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        with self.lock:
            self.documents[path] = Document(data, content_type, etag, formatdate(time.time(), usegmt=True))

    def handle(self, request: Request) -> Reply:
        with self.lock:
            doc = self.documents.get(request.path)
        if request.method != "GET" or doc is None:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        validators = {"ETag": doc.etag, "Last-Modified": doc.last_modified}
        if_none_match = request.headers.get("if-none-match")
        if if_none_match == doc.etag or (
            if_none_match is None and request.headers.get("if-modified-since") == doc.last_modified
        ):
            with self.lock:
                self.not_modified += 1
            return Reply(304, b"", validators)
        return Reply(200, doc.body, {"Content-Type": doc.content_type, **validators})

    def error_reply(self, status: int) -> Reply:
        headers = {"Content-Type": "text/plain"}
        if status in (429, 503):
            headers["Retry-After"] = "120"
        return Reply(status, b"busy", headers)
