"""Mastodon text rules: status HTML -> plain text, the 500-character count, reply mentions."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Mastodon counts every URL as 23 characters and a remote mention by its local part only.
URL_LENGTH = 23
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@(\w+)@[\w.-]+\w", re.UNICODE)
_ANY_MENTION = re.compile(r"(?<![\w@])@\w+(?:@[\w.-]+\w)?", re.UNICODE)


class _PlainText(HTMLParser):
    """Keeps the text, turns <br> into a line break and paragraphs into blank-line separations."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(content: str) -> str:
    """Status `content` HTML as plain text: tags stripped, entities decoded, line breaks kept."""
    parser = _PlainText()
    parser.feed(content or "")
    parser.close()
    lines = "".join(parser.parts).split("\n")
    return "\n".join(line.strip() for line in lines).strip()


def status_length(text: str) -> int:
    """Characters as Mastodon counts them against its limit."""
    counted = _URL.sub("x" * URL_LENGTH, text)
    counted = _MENTION.sub(lambda m: "@" + m.group(1), counted)
    return len(counted)


def with_mention(text: str, acct: str) -> str:
    """Prefix `@acct` unless the text already mentions that account (a reply must, or the person
    answered is not notified and a direct reply would reach nobody)."""
    if not acct:
        return text
    username = acct.split("@")[0]
    for found in _ANY_MENTION.finditer(text):
        mentioned = found.group(0)[1:].lower()
        if mentioned in (acct.lower(), username.lower()):
            return text
    return f"@{acct} {text}"


def comparable(text: str) -> str:
    """Text reduced to what survives Mastodon's rendering: mentions dropped (rendered as @username
    only), whitespace collapsed. Used to recognise a status we published."""
    return " ".join(_ANY_MENTION.sub(" ", text).split())
