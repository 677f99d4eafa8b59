"""A channel as a person reads it in Slack, as plain text: sender and time, blocks drawn as text,
mrkdwn turned into what the reader sees (names for mentions, dates in the reader's zone, link
labels, entities unescaped), thread replies indented under their parent.

    14:02 Veille
      NEW MENTION ON BLUESKY
      @ana wrote: "where is my order?" · due 14:32
      [Reply] [Assign to me]
        ↳ 14:03 Alice Martin: on it
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

TOKEN = re.compile(r"<([^<>\n]+)>")
DATE_FORMAT_TOKEN = re.compile(r"\{(\w+)\}")
PINGS = {"channel": "@channel", "here": "@here", "everyone": "@everyone"}
DIVIDER = "─" * 24


def unescape(text: str) -> str:
    # &amp; last, so "&amp;lt;" stays the literal "&lt;" it stands for.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")
FR_SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
RELATIVE_DAYS = {"en": ("yesterday", "today", "tomorrow"), "fr": ("hier", "aujourd'hui", "demain")}


def format_date_token(epoch: int, fmt: str, tz: str, now: float, lang: str = "en") -> str:
    """Slack's <!date^...> format tokens, as a reader in `tz` sees them (24-hour clock), in the
    reader's Slack language (`lang`: "en" or "fr"), as Slack's clients do."""
    zone = ZoneInfo(tz)
    when = datetime.fromtimestamp(epoch, zone)
    today = datetime.fromtimestamp(now, zone).date()
    words = RELATIVE_DAYS["fr" if lang == "fr" else "en"]
    relative = {today: words[1], today - timedelta(days=1): words[0],
                today + timedelta(days=1): words[2]}.get(when.date())

    def date_text(kind: str) -> str:
        if kind == "date_num":
            return when.strftime("%Y-%m-%d")
        if kind.endswith("_pretty") and relative:
            return relative
        kind = kind.removesuffix("_pretty")
        if lang == "fr":
            month = FR_MONTHS[when.month - 1]
            if kind == "date_short":
                return f"{when.day} {FR_SHORT_MONTHS[when.month - 1]} {when.year}"
            if kind == "date_long":
                return f"{FR_DAYS[when.weekday()]} {when.day} {month} {when.year}"
            return f"{when.day} {month} {when.year}"
        if kind == "date_short":
            return f"{when:%b} {when.day}, {when.year}"
        if kind == "date_long":
            return f"{when:%A, %B} {_ordinal(when.day)}, {when.year}"
        return f"{when:%B} {_ordinal(when.day)}, {when.year}"

    def token(match: re.Match) -> str:
        kind = match.group(1)
        if kind.startswith("date"):
            return date_text(kind)
        if kind == "time":
            return when.strftime("%H:%M")
        if kind == "time_secs":
            return when.strftime("%H:%M:%S")
        if kind == "ago":
            minutes = int((now - epoch) // 60)
            if lang == "fr":
                return f"il y a {minutes} minutes" if minutes >= 0 else f"dans {-minutes} minutes"
            return f"{minutes} minutes ago" if minutes >= 0 else f"in {-minutes} minutes"
        return match.group(0)

    return DATE_FORMAT_TOKEN.sub(token, fmt)


class Reader:
    """Renders mrkdwn and blocks for one reader (their zone) against the stand-in's directory."""

    def __init__(self, standin=None, tz: str = "UTC", lang: str = "en", now: float | None = None):
        """`now`: the instant relative dates are read at (default: the stand-in's clock)."""
        self.standin = standin
        self.tz = tz
        self.lang = lang
        if now is None:
            now = standin.clock.now() if standin is not None else datetime.now().timestamp()
        self.now = now

    def _user(self, user_id: str) -> str:
        return self.standin.user_name(user_id) if self.standin is not None else user_id

    def _channel(self, channel_id: str) -> str:
        if self.standin is None:
            return channel_id
        found = self.standin.state.channels.get(channel_id)
        return found["name"] if found else channel_id

    def _token(self, match: re.Match) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (unescape(label) if label else self._user(target[1:]))
        if target.startswith("#"):
            return "#" + (unescape(label) if label else self._channel(target[1:]))
        if target.startswith("!"):
            return self._special(target[1:], label)
        return f"{unescape(label)} ({unescape(target)})" if label else unescape(target)

    def _special(self, target: str, label: str) -> str:
        if target in PINGS:
            return PINGS[target]
        if target.startswith("subteam^"):
            if label:
                return unescape(label)
            group = self.standin.state.usergroups.get(target.split("^", 1)[1]) if self.standin else None
            return "@" + (group["handle"] if group else target.split("^", 1)[1])
        if target.startswith("date^"):
            parts = target.split("^")
            try:
                return format_date_token(int(parts[1]), unescape(parts[2]), self.tz, self.now, self.lang)
            except (IndexError, ValueError):
                return unescape(label)
        return unescape(label) if label else f"<!{target}>"

    def mrkdwn(self, text: str) -> str:
        """Tokens are parsed in the escaped text, so an escaped "&lt;!channel&gt;" reads as the
        literal "<!channel>" and is no ping; everything else is unescaped for display."""
        out, last = [], 0
        for match in TOKEN.finditer(text or ""):
            out.append(unescape(text[last:match.start()]))
            out.append(self._token(match))
            last = match.end()
        out.append(unescape((text or "")[last:]))
        return "".join(out)

    def text_object(self, obj: Any) -> str:
        if not isinstance(obj, dict):
            return ""
        text = obj.get("text", "")
        return self.mrkdwn(text) if obj.get("type") == "mrkdwn" else text

    def element(self, element: dict[str, Any]) -> str:
        kind = element.get("type")
        if kind == "button":
            return f"[{self.text_object(element.get('text'))}]"
        if kind == "image":
            return f"[image: {element.get('alt_text', '')}]"
        if kind in ("plain_text", "mrkdwn"):
            return self.text_object(element)
        if kind == "overflow":
            return "[⋯]"
        if kind == "datepicker":
            return f"[{element.get('initial_date') or self.text_object(element.get('placeholder')) or 'date'} ▾]"
        if kind in ("plain_text_input", "number_input", "email_text_input", "url_text_input"):
            return f"[{element.get('initial_value') or '_' * 12}]"
        initial = element.get("initial_option")
        label = self.text_object(initial["text"]) if initial else self.text_object(element.get("placeholder"))
        return f"[{label or 'Select'} ▾]"

    def block(self, block: dict[str, Any]) -> list[str]:
        kind = block.get("type")
        if kind == "header":
            return [self.text_object(block.get("text")).upper()]
        if kind == "divider":
            return [DIVIDER]
        if kind == "image":
            return [f"[image: {block.get('alt_text', '')}]"]
        if kind == "context":
            return [" · ".join(self.element(e) for e in block.get("elements") or [])]
        if kind == "actions":
            return [" ".join(self.element(e) for e in block.get("elements") or [])]
        if kind == "input":
            label = self.text_object(block.get("label"))
            return [f"{label}: {self.element(block.get('element') or {})}"]
        if kind == "section":
            lines = self.mrkdwn_lines(block.get("text"))
            fields = [self.text_object(f) for f in block.get("fields") or []]
            for i in range(0, len(fields), 2):
                lines.append(" | ".join(f.replace("\n", " ") for f in fields[i:i + 2]))
            if isinstance(block.get("accessory"), dict):
                lines.append(self.element(block["accessory"]))
            return lines
        if kind in ("markdown",):
            return (block.get("text") or "").splitlines()
        if kind == "rich_text":
            return ["".join(e.get("text", "") for s in block.get("elements") or [] for e in s.get("elements") or [])]
        return [f"[{kind} block]"]

    def mrkdwn_lines(self, obj: Any) -> list[str]:
        return self.text_object(obj).splitlines() if obj else []

    def blocks(self, blocks: list[dict[str, Any]]) -> list[str]:
        return [line for block in blocks for line in self.block(block)]

    def time(self, ts: str) -> str:
        return datetime.fromtimestamp(float(ts), ZoneInfo(self.tz)).strftime("%H:%M")

    def sender(self, message: dict[str, Any]) -> str:
        if message.get("bot_id"):
            return (message.get("bot_profile") or {}).get("name") or "Veille"
        return self._user(message.get("user", "?"))

    def body(self, message: dict[str, Any]) -> list[str]:
        if message.get("blocks"):
            return self.blocks(message["blocks"])
        return self.mrkdwn(message.get("text", "")).splitlines() or [""]


def render_message(message: dict[str, Any], standin=None, tz: str = "UTC", indent: str = "  ",
                   note: str = "", lang: str = "en") -> str:
    """One message: "HH:MM Sender" then its content, each line indented. An ephemeral reads as
    it did when it was sent (its `sent_at`): stamped then, its relative dates as of then."""
    sent_at = message.get("sent_at")
    reader = Reader(standin, tz, lang, now=sent_at)
    head = f"{reader.time(str(sent_at) if sent_at is not None else message['ts'])} {reader.sender(message)}"
    if message.get("edited"):
        head += " (edited)"
    if note:
        head += f" {note}"
    return "\n".join([head] + [indent + line for line in reader.body(message)])


def _reply(reader: Reader, message: dict[str, Any]) -> list[str]:
    lines = reader.body(message)
    edited = " (edited)" if message.get("edited") else ""
    head = f"    ↳ {reader.time(message['ts'])} {reader.sender(message)}{edited}: {lines[0] if lines else ''}"
    return [head] + ["      " + line for line in lines[1:]]


def render_channel(standin, channel: str, tz: str = "UTC", include_ephemeral_for: str | None = None,
                   lang: str = "en") -> str:
    """The channel as a person in `tz` reads it, their Slack in `lang`; with include_ephemeral_for,
    that person's ephemeral messages too, marked "(only visible to you)"."""
    reader = Reader(standin, tz, lang)
    found = standin.state.resolve_channel(channel)
    channel_id = found["id"] if found else channel
    messages = standin.messages(channel_id)
    top = [m for m in messages
           if not m.get("thread_ts") or m["thread_ts"] == m["ts"] or m.get("subtype") == "thread_broadcast"]
    entries: list[tuple[float, str]] = []
    for message in top:
        note = "replied to a thread:" if message.get("subtype") == "thread_broadcast" else ""
        lines = [render_message(message, standin, tz, note=note, lang=lang)]
        if not note:
            for reply in messages:
                if reply.get("thread_ts") == message["ts"] and reply["ts"] != message["ts"]:
                    lines.extend(_reply(reader, reply))
        entries.append((float(message["ts"]), "\n".join(lines)))
    if include_ephemeral_for:
        for ephemeral in standin.ephemerals(include_ephemeral_for, channel_id):
            shown = dict(ephemeral, bot_id="ephemeral")
            entries.append((float(ephemeral["ts"]),
                            render_message(shown, standin, tz, note="(only visible to you)", lang=lang)))
    name = found["name"] if found and not found["is_im"] else channel_id
    return "\n".join([f"#{name}"] + [text for _, text in sorted(entries, key=lambda e: e[0])]) + "\n"


def render_view(standin, view: dict[str, Any], tz: str = "UTC", lang: str = "en") -> str:
    """A modal or home tab: title, blocks, then the submit/close buttons."""
    reader = Reader(standin, tz, lang)
    lines = []
    if view.get("title"):
        lines.append(f"== {reader.text_object(view['title'])} ==")
    lines.extend(reader.blocks(view.get("blocks") or []))
    buttons = [f"[{reader.text_object(view[k])}]" for k in ("close", "submit") if view.get(k)]
    if buttons:
        lines.append(" ".join(buttons))
    return "\n".join(lines) + "\n"
