"""Rich-text facets for AT Protocol posts: @mentions and links, located by UTF-8 BYTE offsets.

Bluesky does not parse post text: a mention or a link is only clickable if the record carries a
facet saying which bytes of the UTF-8 encoded text it covers. Offsets in Python characters are
wrong as soon as the text holds "é" (2 bytes) or an emoji (4 bytes), hence this module.
The rules follow Bluesky's own detection (social-app's RichText): a mention or a link starts at
the beginning of the text, after whitespace or after "("; trailing punctuation is not part of a link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regex

MAX_GRAPHEMES = 300  # app.bsky.feed.post text limit, in grapheme clusters
MAX_TEXT_BYTES = 3000  # ... and in UTF-8 bytes

_MENTION = regex.compile(r"(?:^|(?<=[\s(]))@([a-zA-Z0-9.-]+)")
_LINK = regex.compile(r"(?:^|(?<=[\s(]))(https?://\S+)", regex.IGNORECASE)
_HANDLE = regex.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)
_TRAILING_PUNCT = ".,;:!?\"'"


@dataclass(frozen=True)
class Span:
    """A piece of the text: `start`/`end` are UTF-8 byte offsets (end exclusive)."""

    start: int
    end: int
    value: str  # the handle (without "@") or the URL


def grapheme_len(text: str) -> int:
    """What Bluesky counts against its 300 limit: user-perceived characters, not code points."""
    return len(regex.findall(r"\X", text))


def byte_offset(text: str, char_index: int) -> int:
    return len(text[:char_index].encode("utf-8"))


def _span(text: str, char_start: int, char_end: int, value: str) -> Span:
    return Span(byte_offset(text, char_start), byte_offset(text, char_end), value)


def is_valid_handle(handle: str) -> bool:
    return len(handle) <= 253 and bool(_HANDLE.match(handle))


def find_mentions(text: str) -> list[Span]:
    spans = []
    for m in _MENTION.finditer(text):
        handle = m.group(1).rstrip(".")  # "thanks @brand.com." ends a sentence, not the handle
        if not is_valid_handle(handle):
            continue
        start = m.start()  # the "@" is part of the facet, as Bluesky's app does it
        spans.append(_span(text, start, m.start(1) + len(handle), handle))
    return spans


def _trim_link(url: str) -> str:
    url = url.rstrip(_TRAILING_PUNCT)
    # "(see https://x.y/a)" : the closing parenthesis belongs to the sentence, not the URL
    if url.endswith(")") and "(" not in url:
        url = url[:-1].rstrip(_TRAILING_PUNCT)
    return url


def find_links(text: str) -> list[Span]:
    spans = []
    for m in _LINK.finditer(text):
        url = _trim_link(m.group(1))
        if "." not in url.split("://", 1)[1]:  # "http://" alone or a host without a dot
            continue
        spans.append(_span(text, m.start(1), m.start(1) + len(url), url))
    return spans


def build_facets(text: str, resolve_handle: Callable[[str], str | None]) -> list[dict[str, Any]]:
    """Facets for every link and every mention whose handle resolves to a DID.

    An unknown handle stays plain text (Bluesky does the same) rather than failing the post."""
    facets: list[dict[str, Any]] = []
    for span in find_mentions(text):
        did = resolve_handle(span.value)
        if did:
            facets.append(_facet(span, {"$type": "app.bsky.richtext.facet#mention", "did": did}))
    for span in find_links(text):
        facets.append(_facet(span, {"$type": "app.bsky.richtext.facet#link", "uri": span.value}))
    facets.sort(key=lambda f: f["index"]["byteStart"])
    return facets


def _facet(span: Span, feature: dict[str, Any]) -> dict[str, Any]:
    return {"index": {"byteStart": span.start, "byteEnd": span.end}, "features": [feature]}


def facet_text(text: str, facet: dict[str, Any]) -> str:
    """The text a facet covers (for checks and tests): slices the UTF-8 bytes, not the string."""
    index = facet["index"]
    return text.encode("utf-8")[index["byteStart"] : index["byteEnd"]].decode("utf-8")
