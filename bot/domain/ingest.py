"""Store inbound messages once, thread them into conversations, start their clocks and queue
their Slack alerts. Plain Python over storage: no Slack, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import AccountConfig, VeilleConfig
from bot.connectors.base import InboundMessage
from bot.domain import clocks, statuses
from bot.domain.outbox import enqueue_refresh, enqueue_slack, enqueue_slack_many
from bot.domain.triage_ingest import annotate, triage_run
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
    existing = _existing(s, {(m.network, m.id) for m in messages})
    seen: set[tuple[str, str]] = set()
    run: list[tuple[InboundMessage, AccountConfig]] = []  # consecutive customer messages, stored together
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
        elif not m.from_brand:
            run.append((m, account))
        else:
            # Our own reply: everything before it is stored first, so clocks see the true order.
            _ingest_customer_messages(s, rules, now, run, result)
            run = []
            _ingest_brand_reply(s, rules, now, m, result)
    _ingest_customer_messages(s, rules, now, run, result)
    return result


def _ingest_customer_messages(s: Session, rules: clocks.SlaRules, now: float,
                              run: list[tuple[InboundMessage, AccountConfig]], result: IngestResult) -> None:
    """Set-based: a handful of statements for the whole run, whatever its size (a burst of
    mentions is exactly when ingest must keep up)."""
    if not run:
        return
    by_ref = _conversations_holding(s, {(m.network, m.in_reply_to) for m, _ in run if m.in_reply_to})
    by_key = _conversations_by_key(s, {(m.account, _thread_key(m)) for m, _ in run})
    placed: list[tuple[InboundMessage, Conversation, bool]] = []
    created: list[Conversation] = []
    triaged = triage_run(s, now, [m for m, _ in run])  # language, sentiment, bot score (issue 9)
    for m, account in run:
        # A reply to a message we hold (or one earlier in this run) joins that message's conversation.
        conv = by_ref.get((m.network, m.in_reply_to)) if m.in_reply_to else None
        conv = conv or by_key.get((m.account, _thread_key(m)))
        first = conv is None
        if first:
            conv = _new_conversation(m, account.channel_for(triaged[(m.network, m.id)][0].language), now)
            by_key[(m.account, conv.thread_key)] = conv
            created.append(conv)
        else:
            _touch(conv, m, now)
        by_ref[(m.network, m.id)] = conv
        placed.append((m, conv, first))
    s.add_all(created)
    s.flush()
    stored = [_message(conv, m, now, "in") for m, conv, _ in placed]
    for msg, (m, _, _) in zip(stored, placed, strict=True):
        annotate(msg, triaged[(m.network, m.id)])
    s.add_all(stored)
    s.flush()
    clocks.start_new_conversations(s, rules, [(conv, m.text) for m, conv, first in placed if first], now)
    # Alerts are queued before the thread notes of this run: a channel's lane keeps that order.
    enqueue_slack_many(s, now, [(c.slack_channel, "alert_post", f"alert:{c.id}", {"conversation_id": c.id})
                                for c in created])
    new_ids = {c.id for c in created}
    for (m, conv, first), msg in zip(placed, stored, strict=True):
        if not first:
            if conv.id not in new_ids:  # a conversation new in this run already has its clocks
                clocks.on_inbound(s, rules, conv, msg, now)
            _note_in_thread(s, conv, now, "inbound", m, msg.id)
        result.stored.append(f"{m.network}:{m.id}")
        result.conversations.add(conv.id)


def _ingest_brand_reply(s: Session, rules: clocks.SlaRules, now: float, m: InboundMessage,
                        result: IngestResult) -> None:
    conv = _conversation_of_reply(s, m)
    if conv is None:
        result.ignored.append(f"{m.network}:{m.id}")
        return
    msg = _message(conv, m, now, "out")
    s.add(msg)
    s.flush()
    clocks.on_reply(s, rules, conv, at=msg.created_at, now=now,
                    via="network", actor=f"network:{m.author.handle or m.author.id}",
                    automated=bool(m.meta.get("automated")))  # auto-acks never stop a clock
    _note_in_thread(s, conv, now, "native_reply", m, msg.id)
    result.stored.append(f"{m.network}:{m.id}")
    result.conversations.add(conv.id)


def _reply_deleted(s: Session, m: InboundMessage, now: float) -> None:
    conv_id = s.scalar(select(Message.conversation_id).where(Message.network == m.network,
                                                             Message.external_id == m.id))
    conv = s.get(Conversation, conv_id) if conv_id is not None else None
    if conv is not None:
        statuses.reply_deleted(s, conv, now, m.id)


def _existing(s: Session, keys: set[tuple[str, str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for chunk in _chunks(list(keys)):
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


def _conversations_holding(s: Session, refs: set[tuple[str, str]]) -> dict[tuple[str, str], Conversation]:
    """(network, message id) -> the conversation holding that message."""
    pairs: dict[tuple[str, str], int] = {}
    for chunk in _chunks(list(refs)):
        rows = s.execute(select(Message.network, Message.external_id, Message.conversation_id)
                         .where(tuple_(Message.network, Message.external_id).in_(chunk)))
        pairs.update({(r[0], r[1]): r[2] for r in rows})
    convs = {c.id: c for c in s.scalars(select(Conversation).where(Conversation.id.in_(set(pairs.values()))))}
    return {ref: convs[cid] for ref, cid in pairs.items()}


def _conversations_by_key(s: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Conversation]:
    found: dict[tuple[str, str], Conversation] = {}
    for chunk in _chunks(list(keys)):
        for c in s.scalars(select(Conversation).where(tuple_(Conversation.account, Conversation.thread_key).in_(chunk))):
            found[(c.account, c.thread_key)] = c
    return found


def _chunks(items: list, size: int = 400):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _new_conversation(m: InboundMessage, channel: str, now: float) -> Conversation:
    at = _platform_time(m, now)
    return Conversation(
        account=m.account, network=m.network, kind=m.kind, thread_key=_thread_key(m), status="open",
        priority="normal", author_id=m.author.id, author_handle=m.author.handle, author_name=m.author.name,
        first_inbound_at=at, last_inbound_at=at, message_count=1, slack_channel=channel,
        created_at=int(now), updated_at=int(now))


def _touch(conv: Conversation, m: InboundMessage, now: float) -> None:
    conv.last_inbound_at = max(conv.last_inbound_at, _platform_time(m, now))
    conv.message_count += 1
    conv.updated_at = int(now)
    if conv.status in ("resolved", "pending", "on_hold"):
        conv.status = "open"  # a customer message re-opens (as Zendesk does for on-hold tickets too)


def _platform_time(m: InboundMessage, now: float) -> int:
    # Clamped to now: a clock never starts in the future because of a skewed platform clock.
    return min(m.created_at or int(now), int(now))


def _message(conv: Conversation, m: InboundMessage, now: float, direction: str) -> Message:
    return Message(
        conversation_id=conv.id, network=m.network, external_id=m.id, account=m.account, kind=m.kind,
        direction=direction, author_id=m.author.id, author_handle=m.author.handle, author_name=m.author.name,
        text=m.text, url=m.url, thread_id=m.thread_id, in_reply_to=m.in_reply_to, meta=dict(m.meta),
        created_at=_platform_time(m, now), received_at=int(now))


def _note_in_thread(s: Session, conv: Conversation, now: float, kind: str, m: InboundMessage,
                    message_id: int | None = None) -> None:
    enqueue_slack(s, now, conv.slack_channel, "thread_note", f"{kind}:{m.network}:{m.id}",
                  conversation_id=conv.id, note=kind, message_id=message_id)
    enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)
