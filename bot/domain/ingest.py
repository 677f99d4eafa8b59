"""Store inbound messages once, thread them into conversations, start their clocks and queue
their Slack alerts. Plain Python over storage: no Slack, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import VeilleConfig
from bot.connectors.base import InboundMessage
from bot.domain import clocks, statuses
from bot.domain.outbox import enqueue_refresh, enqueue_slack
from storage.models import Conversation, Message


@dataclass
class IngestResult:
    stored: list[str] = field(default_factory=list)  # "network:id" of newly stored messages
    duplicates: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # e.g. our own posts outside any conversation
    conversations: set[int] = field(default_factory=set)


def ingest(db, cfg: VeilleConfig, rules: clocks.SlaRules, now: float, messages: list[InboundMessage]) -> IngestResult:
    """One transaction for the batch. Two replicas racing on the same message: the loser's
    unique-constraint error makes it retry once, and the retry sees the message as a duplicate."""
    for attempt in (1, 2):
        try:
            with db.session() as s:
                return _ingest(s, cfg, rules, now, messages)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _ingest(s: Session, cfg: VeilleConfig, rules: clocks.SlaRules, now: float,
            messages: list[InboundMessage]) -> IngestResult:
    result = IngestResult()
    keys = {(m.network, m.id) for m in messages}
    existing = _existing(s, keys)
    seen: set[tuple[str, str]] = set()
    # Oldest first so a reply that arrives in the same batch as its parent threads under it.
    for m in sorted(messages, key=lambda m: m.created_at):
        key = (m.network, m.id)
        label = f"{m.network}:{m.id}"
        if key in existing or key in seen:
            if m.meta.get("deleted") and m.from_brand:
                _reply_deleted(s, m, now)  # our reply removed on the network: the clock stays met
            result.duplicates.append(label)
            continue
        seen.add(key)
        account = cfg.account(m.account)
        if account is None:
            result.ignored.append(label)
            continue
        if m.from_brand:
            conv = _conversation_of_reply(s, m)
            if conv is None:
                result.ignored.append(label)
                continue
            msg = _store(s, conv, m, now, direction="out")
            clocks.on_reply(s, rules, conv, at=msg.created_at, now=now,
                            via="network", actor=f"network:{m.author.handle or m.author.id}",
                            automated=bool(m.meta.get("automated")))  # auto-acks never stop a clock
            _note_in_thread(s, conv, now, "native_reply", m, msg.id)
        else:
            conv, is_new = _thread(s, m, account.channel, now)
            msg = _store(s, conv, m, now, direction="in")
            clocks.on_inbound(s, rules, conv, msg, now)
            if is_new:
                enqueue_slack(s, now, conv.slack_channel, "alert_post", f"alert:{conv.id}", conversation_id=conv.id)
            else:
                _note_in_thread(s, conv, now, "inbound", m, msg.id)
        result.stored.append(label)
        result.conversations.add(conv.id)
    return result


def _reply_deleted(s: Session, m: InboundMessage, now: float) -> None:
    conv_id = s.scalar(select(Message.conversation_id).where(Message.network == m.network,
                                                             Message.external_id == m.id))
    conv = s.get(Conversation, conv_id) if conv_id is not None else None
    if conv is not None:
        statuses.reply_deleted(s, conv, now, m.id)


def _existing(s: Session, keys: set[tuple[str, str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    items = list(keys)
    for i in range(0, len(items), 400):
        chunk = items[i : i + 400]
        rows = s.execute(select(Message.network, Message.external_id)
                         .where(tuple_(Message.network, Message.external_id).in_(chunk)))
        found.update((r[0], r[1]) for r in rows)
    return found


def _thread_key(m: InboundMessage) -> str:
    if m.kind == "dm":
        return f"dm:{m.author.id}"
    return m.thread_id or m.id


def _conversation_of_reply(s: Session, m: InboundMessage) -> Conversation | None:
    for ref in (m.in_reply_to, m.thread_id):
        if not ref:
            continue
        conv_id = s.scalar(select(Message.conversation_id).where(
            Message.network == m.network, Message.external_id == ref))
        if conv_id is not None:
            return s.get(Conversation, conv_id)
    if m.kind == "dm" and m.thread_id:
        return s.scalar(select(Conversation).where(Conversation.account == m.account,
                                                   Conversation.thread_key == f"dm:{m.thread_id}"))
    return None


def _thread(s: Session, m: InboundMessage, channel: str, now: float) -> tuple[Conversation, bool]:
    # A reply to a message we already hold joins that message's conversation.
    if m.in_reply_to:
        parent = s.scalar(select(Message.conversation_id).where(
            Message.network == m.network, Message.external_id == m.in_reply_to))
        if parent is not None:
            conv = s.get(Conversation, parent)
            _touch(conv, m, now)
            return conv, False
    key = _thread_key(m)
    conv = s.scalar(select(Conversation).where(Conversation.account == m.account, Conversation.thread_key == key))
    if conv is not None:
        _touch(conv, m, now)
        return conv, False
    at = _platform_time(m, now)
    conv = Conversation(
        account=m.account, network=m.network, kind=m.kind, thread_key=key, status="open",
        author_id=m.author.id, author_handle=m.author.handle, author_name=m.author.name,
        first_inbound_at=at, last_inbound_at=at, message_count=1, slack_channel=channel,
        created_at=int(now), updated_at=int(now))
    s.add(conv)
    s.flush()
    return conv, True


def _touch(conv: Conversation, m: InboundMessage, now: float) -> None:
    conv.last_inbound_at = max(conv.last_inbound_at, _platform_time(m, now))
    conv.message_count += 1
    conv.updated_at = int(now)
    if conv.status in ("resolved", "pending"):
        conv.status = "open"  # an inbound message re-opens


def _platform_time(m: InboundMessage, now: float) -> int:
    # Clamped to now: a clock never starts in the future because of a skewed platform clock.
    return min(m.created_at or int(now), int(now))


def _store(s: Session, conv: Conversation, m: InboundMessage, now: float, direction: str) -> Message:
    msg = Message(
        conversation_id=conv.id, network=m.network, external_id=m.id, account=m.account, kind=m.kind,
        direction=direction, author_id=m.author.id, author_handle=m.author.handle, author_name=m.author.name,
        text=m.text, url=m.url, thread_id=m.thread_id, in_reply_to=m.in_reply_to, meta=dict(m.meta),
        created_at=_platform_time(m, now), received_at=int(now))
    s.add(msg)
    s.flush()
    return msg


def _note_in_thread(s: Session, conv: Conversation, now: float, kind: str, m: InboundMessage,
                    message_id: int | None = None) -> None:
    enqueue_slack(s, now, conv.slack_channel, "thread_note", f"{kind}:{m.network}:{m.id}",
                  conversation_id=conv.id, note=kind, message_id=message_id)
    enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)
