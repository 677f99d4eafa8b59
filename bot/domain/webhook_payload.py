"""The generic webhook's JSON contract: one message or an array of up to 500. Every bad field is
reported (with its index) and nothing is stored unless the whole body is valid.

What no database or clock can take is refused here with a 400 naming the field, never left to fail
later as a 500 that a sender retries forever: lone surrogates and NUL characters in strings,
numbers longer than any id, nesting deeper than a message has, dates outside
[2006-01-01, now + 5 minutes] (nothing older is a conversation to answer; a future date would
start a clock that cannot run), and a `network` that is not the account's own."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from bot.connectors.base import Author, InboundMessage

MAX_BATCH = 500
KINDS = ("mention", "dm", "comment")
_MAX_TEXT = 40_000
MAX_DEPTH = 8  # a message is at most 3 deep (batch, message, author): room for senders' extras
MAX_NUMBER_DIGITS = 40  # JSON numbers past this are no id or flag of ours (and int() refuses >4,300)
EARLIEST = int(datetime(2006, 1, 1, tzinfo=UTC).timestamp())  # before the networks we answer existed
MAX_FUTURE = 300  # seconds of sender clock skew tolerated, as for the signature
GENERIC_NETWORKS = ("webhook",)  # an account fed by any tool: whatever network the message says


class _LongNumber(str):
    """A JSON number too long to be anything we read: kept as a marker, so the field is named."""


class PayloadError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def parse_webhook_body(body: bytes, known_accounts: Collection[str] | Mapping[str, str],
                       now: float | None = None) -> list[InboundMessage]:
    """`known_accounts`: the account keys, or a mapping key -> network (then a message's network
    must be its account's). `now`: the clock that bounds `created_at` (None: no upper bound)."""
    try:
        data = json.loads(body, parse_int=_int_or_marker)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise PayloadError([f"body: not valid JSON ({e.msg if hasattr(e, 'msg') else e})"]) from None
    except RecursionError:
        raise PayloadError([f"body: nested deeper than {MAX_DEPTH} levels"]) from None
    if _depth(data) > MAX_DEPTH:
        raise PayloadError([f"body: nested deeper than {MAX_DEPTH} levels"])
    items = data if isinstance(data, list) else [data]
    if not items:
        raise PayloadError(["body: empty array"])
    if len(items) > MAX_BATCH:
        raise PayloadError([f"body: {len(items)} messages; at most {MAX_BATCH} per request"])
    errors: list[str] = []
    out: list[InboundMessage] = []
    for i, item in enumerate(items):
        prefix = f"[{i}]." if isinstance(data, list) else ""
        msg = _parse_one(item, prefix, known_accounts, errors, now)
        if msg is not None:
            out.append(msg)
    if errors:
        raise PayloadError(errors)
    return out


def _int_or_marker(digits: str) -> int | str:
    return _LongNumber(digits) if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS else int(digits)


def _depth(node: Any) -> int:
    """How deep the parsed body nests, stopping as soon as it is too deep."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((v, level + 1) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def string_problem(value: str) -> str | None:
    """Why a string cannot be stored as text, or None. A lone surrogate (`\\ud83d`) is valid JSON
    but no UTF-8; PostgreSQL refuses NUL in text."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode (a lone surrogate)"
    return None


def _parse_one(item: Any, p: str, accounts: Collection[str] | Mapping[str, str], errors: list[str],
               now: float | None = None) -> InboundMessage | None:
    if not isinstance(item, dict):
        errors.append(f"{p or 'body'}: must be an object")
        return None
    start = len(errors)

    def text_field(name: str, required: bool = True, limit: int = 400) -> str:
        v = item.get(name)
        if v is None or v == "":
            if required:
                errors.append(f"{p}{name}: required")
            return ""
        if not isinstance(v, str) or isinstance(v, _LongNumber):
            errors.append(f"{p}{name}: must be a string")
            return ""
        if len(v) > limit:
            errors.append(f"{p}{name}: longer than {limit} characters")
        problem = string_problem(v)
        if problem:
            errors.append(f"{p}{name}: {problem}")
            return ""
        return v

    mid = text_field("id")
    network = text_field("network", limit=30)
    account = text_field("account", limit=100)
    if account and account not in accounts:
        errors.append(f"{p}account: unknown account {account!r}")
    elif account and network and isinstance(accounts, Mapping):
        own = accounts[account]
        if own not in GENERIC_NETWORKS and network != own:
            errors.append(f"{p}network: account {account!r} is on {own}, not {network!r}")
    kind = text_field("kind", limit=20)
    if kind and kind not in KINDS:
        errors.append(f"{p}kind: must be one of {', '.join(KINDS)}")
    text = text_field("text", limit=_MAX_TEXT)
    url = text_field("url", required=False, limit=2000)
    if url and not url.startswith(("https://", "http://")):
        errors.append(f"{p}url: must be an http(s) URL")
    created_raw = text_field("created_at", limit=64)
    created_at = 0
    if created_raw:
        try:
            dt = datetime.fromisoformat(created_raw.replace("Z", "+00:00"))
            if dt.tzinfo is None:
                errors.append(f"{p}created_at: needs a timezone (e.g. 2026-11-23T10:00:00Z)")
            else:
                created_at = int(dt.timestamp())
                if created_at < EARLIEST:
                    errors.append(f"{p}created_at: before 2006-01-01, not a date a conversation starts")
                elif now is not None and created_at > now + MAX_FUTURE:
                    errors.append(f"{p}created_at: more than {MAX_FUTURE // 60} minutes in the future")
        except (ValueError, OverflowError):
            errors.append(f"{p}created_at: not an ISO 8601 date-time")
    thread_id = text_field("thread_id", required=False) or None
    in_reply_to = text_field("in_reply_to", required=False) or None
    author = item.get("author")
    a = Author(id="")
    facts: dict = {}
    if not isinstance(author, dict):
        errors.append(f"{p}author: required object with id, handle, name")
    else:
        aid, handle, name = author.get("id"), author.get("handle", ""), author.get("name", "")
        if not isinstance(aid, str) or isinstance(aid, _LongNumber) or not aid:
            errors.append(f"{p}author.id: required")
        for key, v in (("id", aid), ("handle", handle), ("name", name)):
            if key != "id" and (not isinstance(v, str) or isinstance(v, _LongNumber)):
                errors.append(f"{p}author.{key}: must be a string")
            elif isinstance(v, str) and string_problem(v):
                errors.append(f"{p}author.{key}: {string_problem(v)}")
        if not errors[start:]:
            a = Author(id=aid, handle=handle or "", name=name or "")
        facts = _author_facts(author, p, errors)
    # Our own account's posts (a reply made natively on the network), flagged by the sender:
    # `automated` ones (auto-acknowledgements, bots) never stop a clock; `deleted` reports removal.
    flags = {}
    for name in ("from_brand", "automated", "deleted"):
        value = item.get(name, False)
        if not isinstance(value, bool):
            errors.append(f"{p}{name}: must be true or false")
        flags[name] = value is True
    if errors[start:]:
        return None
    meta: dict = {k: True for k in ("automated", "deleted") if flags[k]}
    if facts:
        meta["author"] = facts  # what the network says of the author: the bot score reads it (bot/triage)
    return InboundMessage(
        id=mid, network=network, account=account, kind=kind, author=a, text=text, url=url,
        created_at=created_at, thread_id=thread_id, in_reply_to=in_reply_to,
        from_brand=flags["from_brand"], meta=meta,
    )


def _author_facts(author: dict, p: str, errors: list[str]) -> dict:
    """Optional `author.followers|following|posts` (counts), `author.bot` (the network's own
    automated-account flag) and `author.created_at` (ISO 8601, when the account was created)."""
    facts: dict = {}
    for key in ("followers", "following", "posts"):
        v = author.get(key)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            errors.append(f"{p}author.{key}: must be a count (a whole number, 0 or more)")
        else:
            facts[key] = v
    if "bot" in author:
        if not isinstance(author["bot"], bool):
            errors.append(f"{p}author.bot: must be true or false")
        else:
            facts["bot"] = author["bot"]
    raw = author.get("created_at")
    if raw is not None:
        try:
            dt = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
            if dt.tzinfo is None:
                raise ValueError
            facts["created_at"] = int(dt.timestamp())
        except ValueError:
            errors.append(f"{p}author.created_at: not an ISO 8601 date-time with a timezone")
    return facts
