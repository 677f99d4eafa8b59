"""Store inbound messages once, thread them into conversations, start their clocks and queue
their Slack alerts. Plain Python over storage: no Slack, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import AccountConfig, VeilleConfig
from bot.connectors.base import InboundMessage
from bot.domain import bursts, clocks, statuses
from bot.domain.outbox import enqueue_refresh, enqueue_slack, enqueue_slack_many
from bot.domain.triage_ingest import triage_fields, triage_run
from bot.domain.triage_priority import is_negative
from bot.domain.urgency import alert_priority
from storage.bulk import insert_rows
from storage.models import Conversation, Message


class Outcome(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


STORED, DUPLICATE, IGNORED = Outcome.STORED, Outcome.DUPLICATE, Outcome.IGNORED

@dataclass
class IngestResult:
    stored: list[str] = field(default_factory=list)  # "network:id" of newly stored messages
    duplicates: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # e.g. our own posts outside any conversation
    conversations: set[int] = field(default_factory=set)
    # What became of each input message, by its position in the input list: lets a group commit
    # (bot/group_commit.py) hand every request its own answer, duplicates across requests included.
    outcomes: dict[int, Outcome] = field(default_factory=dict)

    def add(self, index: int, m: InboundMessage, outcome: Outcome) -> None:
        self.outcomes[index] = outcome
        {STORED: self.stored, DUPLICATE: self.duplicates, IGNORED: self.ignored}[outcome].append(f"{m.network}:{m.id}")


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
    run: list[tuple[int, InboundMessage, AccountConfig]] = []  # consecutive customer messages, stored together
    # Oldest first so a reply that arrives in the same batch as its parent threads under it
    # (a stable sort: with equal times, the first sent is the one stored, the next a duplicate).
    for i, m in sorted(enumerate(messages), key=lambda im: im[1].created_at):
        key = (m.network, m.id)
        if key in existing or key in seen:
            if m.meta.get("deleted") and m.from_brand:
                _reply_deleted(s, m, now)  # our reply removed on the network: the clock stays met
            result.add(i, m, DUPLICATE)
            continue
        seen.add(key)
        account = cfg.account(m.account)
        if account is None:
            result.add(i, m, IGNORED)
        elif not m.from_brand:
            run.append((i, m, account))
        else:
            # Our own reply: everything before it is stored first, so clocks see the true order.
            _ingest_customer_messages(s, rules, now, run, result, cfg)
            run = []
            _ingest_brand_reply(s, rules, now, i, m, result)
    _ingest_customer_messages(s, rules, now, run, result, cfg)
    return result


@dataclass
class _NewConversation:
    """A conversation this run creates: plain attributes (what SLA rules match on) until it is
    written with the others in one multi-row INSERT; the ORM's unit of work per object was most
    of ingest's time under a burst (profiled: ~70 % of a 500-mention batch)."""

    account: str
    network: str
    kind: str
    thread_key: str
    author_id: str
    author_handle: str
    author_name: str
    first_inbound_at: int
    last_inbound_at: int
    slack_channel: str
    created_at: int
    updated_at: int
    message_count: int = 1
    status: str = "open"
    priority: str = "normal"
    burst_id: int | None = None  # set by bursts.fold_new before the INSERT
    folded: bool = False
    id: int | None = None
    last_reply_at: int | None = None

    def row(self) -> dict:
        return {k: v for k, v in vars(self).items() if k not in ("id", "last_reply_at")}


def _ingest_customer_messages(s: Session, rules: clocks.SlaRules, now: float,
                              run: list[tuple[int, InboundMessage, AccountConfig]], result: IngestResult,
                              cfg: VeilleConfig | None = None) -> None:
    """Set-based: a handful of statements for the whole run, whatever its size (a burst of
    mentions is exactly when ingest must keep up)."""
    if not run:
        return
    by_ref = _conversations_holding(s, {(m.network, m.in_reply_to) for _, m, _ in run if m.in_reply_to})
    by_key = _conversations_by_key(s, {(m.account, _thread_key(m)) for _, m, _ in run})
    placed: list[tuple[int, InboundMessage, Conversation | _NewConversation, bool]] = []
    created: list[_NewConversation] = []
    triaged = triage_run(s, now, [m for _, m, _ in run])  # language, sentiment, bot score
    for i, m, account in run:
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
        placed.append((i, m, conv, first))
    s.flush()  # touched conversations that already existed
    # More new conversations than the channel can show one by one fold into a burst card (decided
    # before they are written, so the rows carry it).
    alerted = bursts.fold_new(s, rules, now, created, cfg)
    c = s.connection()
    # Core executemany, not ORM objects nor RETURNING (SQLite answers RETURNING one row per
    # statement); new ids are read back by their unique keys.
    if created:
        insert_rows(c, Conversation.__table__, [conv.row() for conv in created])
        ids = _conversation_ids(c, {(conv.account, conv.thread_key) for conv in created})
        for conv in created:
            conv.id = ids[(conv.account, conv.thread_key)]
    rows = [{**_message_row(conv.id, m, now, "in"), **triage_fields(triaged[(m.network, m.id)])}
            for _, m, conv, _ in placed]
    insert_rows(c, Message.__table__, rows)
    later = [(m.network, m.id) for _, m, _, first in placed if not first]  # only these need their id
    msg_ids = _message_ids(c, set(later)) if later else {}
    clocks.start_new_conversations(s, rules, [(conv, m.text) for _, m, conv, first in placed if first], now)
    # Alerts are queued before the thread notes of this run: a channel's lane keeps that order.
    negative = {id(conv) for _, m, conv, first in placed
                if first and is_negative(triaged[(m.network, m.id)][0].sentiment)}
    enqueue_slack_many(s, now, [(c.slack_channel, "alert_post", f"alert:{c.id}", {"conversation_id": c.id},
                                 alert_priority(rules, c, id(c) in negative)) for c in alerted])
    new_ids = {c.id for c in created}
    for (i, m, conv, first), row in zip(placed, rows, strict=True):
        if not first:
            msg_id = msg_ids[(m.network, m.id)]
            if conv.id not in new_ids:  # a conversation new in this run already has its clocks
                clocks.on_inbound(s, rules, conv, _StoredMessage(msg_id, row["created_at"]), now)
            _note_in_thread(s, conv, now, "inbound", m, msg_id)
        result.add(i, m, STORED)
        result.conversations.add(conv.id)


@dataclass(frozen=True)
class _StoredMessage:
    """What the clocks read of a message just written in bulk (its id and platform time)."""

    id: int
    created_at: int


def _ingest_brand_reply(s: Session, rules: clocks.SlaRules, now: float, index: int, m: InboundMessage,
                        result: IngestResult) -> None:
    conv = _conversation_of_reply(s, m)
    if conv is None:
        result.add(index, m, IGNORED)
        return
    msg = _message(conv, m, now, "out")
    s.add(msg)
    s.flush()
    clocks.on_reply(s, rules, conv, at=msg.created_at, now=now,
                    via="network", actor=f"network:{m.author.handle or m.author.id}",
                    automated=bool(m.meta.get("automated")))  # auto-acks never stop a clock
    _note_in_thread(s, conv, now, "native_reply", m, msg.id)
    result.add(index, m, STORED)
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
                         .where(_pair_in(Message.network, Message.external_id, chunk)))
        found.update((r[0], r[1]) for r in rows if (r[0], r[1]) in keys)
    return found


def _conversation_ids(c, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for chunk in _chunks(list(keys)):
        found.update({(r[1], r[2]): r[0] for r in c.execute(
            select(Conversation.id, Conversation.account, Conversation.thread_key)
            .where(_pair_in(Conversation.account, Conversation.thread_key, chunk))) if (r[1], r[2]) in keys})
    return found


def _message_ids(c, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for chunk in _chunks(list(keys)):
        found.update({(r[1], r[2]): r[0] for r in c.execute(
            select(Message.id, Message.network, Message.external_id)
            .where(_pair_in(Message.network, Message.external_id, chunk))) if (r[1], r[2]) in keys})
    return found


def _pair_in(first, second, pairs: list[tuple[str, str]]):
    """`(first, second) IN pairs` spelled so that SQLite uses the unique index on both columns: it
    answers a row-value IN with a scan of the whole table (ingest slowed down as the tables grew).
    It may match a few extra rows (a cross product); callers keep only the pairs they asked for."""
    return and_(first.in_({a for a, _ in pairs}), second.in_({b for _, b in pairs}))


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
                         .where(_pair_in(Message.network, Message.external_id, chunk)))
        pairs.update({(r[0], r[1]): r[2] for r in rows if (r[0], r[1]) in refs})
    convs = {c.id: c for c in s.scalars(select(Conversation).where(Conversation.id.in_(set(pairs.values()))))}
    return {ref: convs[cid] for ref, cid in pairs.items()}


def _conversations_by_key(s: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Conversation]:
    found: dict[tuple[str, str], Conversation] = {}
    for chunk in _chunks(list(keys)):
        for c in s.scalars(select(Conversation).where(_pair_in(Conversation.account, Conversation.thread_key, chunk))):
            if (c.account, c.thread_key) in keys:
                found[(c.account, c.thread_key)] = c
    return found


def _chunks(items: list, size: int = 400):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _new_conversation(m: InboundMessage, channel: str, now: float) -> _NewConversation:
    at = _platform_time(m, now)
    return _NewConversation(
        account=m.account, network=m.network, kind=m.kind, thread_key=_thread_key(m),
        author_id=m.author.id, author_handle=m.author.handle, author_name=m.author.name,
        first_inbound_at=at, last_inbound_at=at, slack_channel=channel, created_at=int(now), updated_at=int(now))


def _touch(conv: Conversation, m: InboundMessage, now: float) -> None:
    conv.last_inbound_at = max(conv.last_inbound_at, _platform_time(m, now))
    conv.message_count += 1
    conv.updated_at = int(now)
    if conv.status in ("resolved", "pending", "on_hold"):
        conv.status = "open"  # a customer message re-opens (as Zendesk does for on-hold tickets too)


def _platform_time(m: InboundMessage, now: float) -> int:
    # Clamped to now: a clock never starts in the future because of a skewed platform clock.
    return min(m.created_at or int(now), int(now))


def _message_row(conversation_id: int, m: InboundMessage, now: float, direction: str) -> dict:
    return dict(
        conversation_id=conversation_id, network=m.network, external_id=m.id, account=m.account, kind=m.kind,
        direction=direction, author_id=m.author.id, author_handle=m.author.handle, author_name=m.author.name,
        text=m.text, url=m.url, thread_id=m.thread_id, in_reply_to=m.in_reply_to, meta=dict(m.meta),
        created_at=_platform_time(m, now), received_at=int(now))


def _message(conv: Conversation, m: InboundMessage, now: float, direction: str) -> Message:
    return Message(**_message_row(conv.id, m, now, direction))


def _note_in_thread(s: Session, conv: Conversation, now: float, kind: str, m: InboundMessage,
                    message_id: int | None = None) -> None:
    if conv.folded:  # counted on its burst card; posted into its own thread if it unfolds
        return
    enqueue_slack(s, now, conv.slack_channel, "thread_note", f"{kind}:{m.network}:{m.id}",
                  conversation_id=conv.id, note=kind, message_id=message_id)
    enqueue_refresh(s, now, conv.slack_channel, "alert_refresh", "conversation_id", conv.id)
