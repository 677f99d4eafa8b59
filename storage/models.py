"""SQLAlchemy 2 typed models. Every instant is a UTC epoch integer (seconds): the detector and
the lease loop compare integers with now, and both databases agree on integers."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

# 64-bit everywhere, but SQLite only auto-increments a column spelled INTEGER.
BigInt = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, int: BigInt}


class Conversation(Base):
    """What one customer says to one brand account on one network thread (DMs linked to it)."""

    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("account", "thread_key"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(100))
    network: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(20))
    thread_key: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    priority: Mapped[str] = mapped_column(String(20), default="normal")
    assignee: Mapped[str | None] = mapped_column(String(40), default=None)
    acknowledged_at: Mapped[int | None] = mapped_column(default=None)
    author_id: Mapped[str] = mapped_column(String(200), default="")
    author_handle: Mapped[str] = mapped_column(String(200), default="")
    author_name: Mapped[str] = mapped_column(String(200), default="")
    first_inbound_at: Mapped[int] = mapped_column()
    last_inbound_at: Mapped[int] = mapped_column()
    last_reply_at: Mapped[int | None] = mapped_column(default=None)
    message_count: Mapped[int] = mapped_column(default=0)
    slack_channel: Mapped[str | None] = mapped_column(String(40), default=None)
    slack_ts: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[int] = mapped_column()
    updated_at: Mapped[int] = mapped_column()
    # Burst cards (bot/domain/bursts.py): the burst this conversation was folded into (kept after
    # it unfolds, so the card's counts stay exact), and whether it is still folded (no own alert).
    burst_id: Mapped[int | None] = mapped_column(default=None, index=True)
    folded: Mapped[bool] = mapped_column(default=False)


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (UniqueConstraint("network", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"), index=True)
    network: Mapped[str] = mapped_column(String(30))
    external_id: Mapped[str] = mapped_column(String(400))
    account: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(3))  # "in" (customer) or "out" (the brand)
    author_id: Mapped[str] = mapped_column(String(200), default="")
    author_handle: Mapped[str] = mapped_column(String(200), default="")
    author_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    thread_id: Mapped[str | None] = mapped_column(String(400), default=None)
    in_reply_to: Mapped[str | None] = mapped_column(String(400), default=None, index=True)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[int] = mapped_column()  # platform timestamp
    received_at: Mapped[int] = mapped_column()
    # Triage at ingest (bot/triage, issue 9): "" / 0 for rows stored before it, and for our replies.
    language: Mapped[str] = mapped_column(String(12), default="")
    sentiment: Mapped[str] = mapped_column(String(10), default="")  # negative | neutral | positive
    sentiment_score: Mapped[float] = mapped_column(Float, default=0.0)
    bot_score: Mapped[float] = mapped_column(Float, default=0.0)
    bot_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    text_fingerprint: Mapped[str] = mapped_column(String(16), default="", index=True)  # same text, many authors


class Draft(Base):
    """Content that needs approval before publication: a reply to a conversation, or a post."""

    __tablename__ = "draft"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))  # reply | post
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id"), default=None, index=True)
    account: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), index=True)
    author: Mapped[str] = mapped_column(String(40))
    approved_by: Mapped[str | None] = mapped_column(String(40), default=None)
    approved_at: Mapped[int | None] = mapped_column(default=None)
    rejected_by: Mapped[str | None] = mapped_column(String(40), default=None)
    reject_reason: Mapped[str | None] = mapped_column(Text, default=None)
    scheduled_at: Mapped[int | None] = mapped_column(default=None, index=True)
    external_id: Mapped[str | None] = mapped_column(String(400), default=None)
    url: Mapped[str | None] = mapped_column(String(2000), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    slack_channel: Mapped[str | None] = mapped_column(String(40), default=None)
    slack_ts: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[int] = mapped_column()
    updated_at: Mapped[int] = mapped_column()
    # Approval workflow (bot/domain/workflows.py): the steps in force when this version was
    # submitted (None: one step, the team's approvers; []: no approval) and the step now open.
    workflow: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    workflow_step: Mapped[int] = mapped_column(default=0)
    edited_by: Mapped[str | None] = mapped_column(String(40), default=None)  # last editor (no self-approval)
    batch: Mapped[str | None] = mapped_column(String(40), default=None, index=True)  # one submit, several accounts
    published_at: Mapped[int | None] = mapped_column(default=None)


class Approval(Base):
    """One decision on one exact version of a draft (append-only)."""

    __tablename__ = "approval"
    __table_args__ = (UniqueConstraint("draft_id", "version", "approver", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"), index=True)
    version: Mapped[int] = mapped_column()
    step: Mapped[int] = mapped_column(default=1)
    approver: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(20))  # approved | rejected | changes_requested
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    at: Mapped[int] = mapped_column()


class OutboxState(StrEnum):
    """Where an outbox row is. The values are the strings stored (and written by older code)."""

    PENDING = "pending"  # due at run_at; claimable once its parent is posted and its lane is free
    SENDING = "sending"  # leased by one worker, which may be calling out right now
    UNKNOWN = "unknown"  # the call may have happened (timeout, 5xx, lease lost): reconcile first
    RECONCILING = "reconciling"  # leased to look the effect up before any resend
    DONE = "done"
    FAILED = "failed"  # refused for good by the other side
    SKIPPED = "skipped"  # nothing to send (its parent was given up, the subject is gone)
    CANCELLED = "cancelled"  # withdrawn before anyone took it (an edited or cancelled post)
    NEEDS_HUMAN = "needs_human"  # a publication nobody can look up: a person decides
    DEAD = "dead"  # dead letter: kept failing for a reason that is not the other side's
    BLOCKED = "blocked"  # kept, waiting for channel access (invite) or a valid token
    HELD = "held"  # a scheduled post held by an open incident: a member publishes it anyway or moves it


S = OutboxState
# The one transition table. A leased row (sending, reconciling) ends in an outcome; `unknown` is
# where an expired lease lands; `blocked` rows go back to `pending` on an invite or a fixed token.
OUTBOX_TRANSITIONS: dict[OutboxState, frozenset[OutboxState]] = {
    S.PENDING: frozenset({S.SENDING, S.CANCELLED, S.BLOCKED, S.SKIPPED, S.DONE}),
    S.SENDING: frozenset({S.DONE, S.FAILED, S.SKIPPED, S.CANCELLED, S.NEEDS_HUMAN, S.DEAD, S.BLOCKED,
                          S.PENDING, S.UNKNOWN, S.HELD}),
    S.UNKNOWN: frozenset({S.RECONCILING, S.BLOCKED, S.CANCELLED}),
    S.RECONCILING: frozenset({S.DONE, S.FAILED, S.SKIPPED, S.CANCELLED, S.NEEDS_HUMAN, S.DEAD, S.BLOCKED,
                              S.PENDING, S.UNKNOWN}),
    S.BLOCKED: frozenset({S.PENDING}),
    S.HELD: frozenset({S.PENDING, S.CANCELLED}),
    S.DONE: frozenset(), S.FAILED: frozenset(), S.SKIPPED: frozenset(), S.CANCELLED: frozenset(),
    S.NEEDS_HUMAN: frozenset(), S.DEAD: frozenset(),
}
OUTBOX_FINAL = frozenset(s for s, nxt in OUTBOX_TRANSITIONS.items() if not nxt)
del S


class IllegalTransition(ValueError):
    pass


def check_outbox_transition(old: str | None, new: str) -> OutboxState:
    """The table, enforced: raises IllegalTransition for a move it does not list."""
    target = OutboxState(new)
    if old is None or OutboxState(old) == target:
        return target
    if target not in OUTBOX_TRANSITIONS[OutboxState(old)]:
        raise IllegalTransition(f"outbox row cannot go from {old} to {new}")
    return target


class Outbox(Base):
    """Every side effect leaves through here: Slack posts and network publications.
    `lane` serialises what must stay in order (one Slack channel, one brand account); `priority`
    (smaller first) orders what a lane sends next; `parent_key` names the row (idempotency key)
    that must be done before this one may go (an alert before its notes)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "run_at"), Index("ix_outbox_lane", "lane", "state"),
                      Index("ix_outbox_parent", "parent_key"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String(10))  # slack | network | pagerduty
    op: Mapped[str] = mapped_column(String(40))
    lane: Mapped[str] = mapped_column(String(140))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    run_at: Mapped[int] = mapped_column()
    lease_owner: Mapped[str | None] = mapped_column(String(80), default=None)
    lease_token: Mapped[str | None] = mapped_column(String(40), default=None)
    lease_until: Mapped[int | None] = mapped_column(default=None)
    external_id: Mapped[str | None] = mapped_column(String(400), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[int] = mapped_column()
    updated_at: Mapped[int] = mapped_column()
    priority: Mapped[int] = mapped_column(default=50)
    parent_key: Mapped[str | None] = mapped_column(String(200), default=None)

    @validates("state")
    def _check_state(self, _key: str, value: str) -> str:
        # ORM writes go through the table too (bulk UPDATEs go through bot/jobs/lease.py).
        check_outbox_transition(self.state if self.id is not None else None, value)
        return str(value)


class Lane(Base):
    """Pacing per Slack channel / account: nothing in the lane goes out before `next_at` (Slack's
    Retry-After). `tokens`/`refilled_at` are the lane's token bucket, taken when a row is claimed."""

    __tablename__ = "lane"

    name: Mapped[str] = mapped_column(String(140), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float, default=0.0)
    tokens: Mapped[float] = mapped_column(Float, default=0.0)
    refilled_at: Mapped[float] = mapped_column(Float, default=0.0)


class SlaClock(Base):
    __tablename__ = "sla_clock"
    __table_args__ = (
        UniqueConstraint("conversation_id", "metric", "cycle"),
        Index("ix_sla_clock_next", "state", "next_check_at"),
        Index("ix_sla_clock_conversation", "conversation_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"))
    metric: Mapped[str] = mapped_column(String(20))
    cycle: Mapped[int] = mapped_column(default=1)
    policy: Mapped[str] = mapped_column(String(100), default="default")
    policy_version: Mapped[int] = mapped_column(default=1)
    start_at: Mapped[int] = mapped_column()
    due_at: Mapped[int] = mapped_column()
    warn_at: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[level, epoch], ...]
    next_check_at: Mapped[int | None] = mapped_column(default=None)  # next warning or due, None when done
    paused_since: Mapped[int | None] = mapped_column(default=None)
    paused_seconds: Mapped[int] = mapped_column(default=0)
    fulfilled_at: Mapped[int | None] = mapped_column(default=None)
    breached_at: Mapped[int | None] = mapped_column(default=None)
    state: Mapped[str] = mapped_column(String(20), default="running")  # running|paused|met|breached|fulfilled_late|cancelled
    warned_level: Mapped[int] = mapped_column(default=0)
    escalation_level: Mapped[int] = mapped_column(default=0)
    # Which revision of the policy computed the deadlines: a different one at start-up re-applies.
    policy_fingerprint: Mapped[str] = mapped_column(String(40), default="")
    escalate_after: Mapped[int | None] = mapped_column(default=None)  # seconds after the breach
    applied_at: Mapped[int] = mapped_column(default=0)  # when the row was written (late ingestion)
    # Reports (issue 10): the time the clock ran when it stopped, as its target counts it
    # (business seconds, pauses left out); None on rows stopped before this column existed.
    elapsed_s: Mapped[int | None] = mapped_column(default=None)
    # The conversation's, copied at start (they never change): a report groups a month of clocks
    # from one index, without visiting each conversation (bench/report.py).
    account: Mapped[str] = mapped_column(String(100), default="")
    network: Mapped[str] = mapped_column(String(30), default="")
    kind: Mapped[str] = mapped_column(String(20), default="")


class SlaEvent(Base):
    """Unique per (clock, type, level): only the writer whose insert wins sends the alert."""

    __tablename__ = "sla_event"
    __table_args__ = (UniqueConstraint("clock_id", "type", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("sla_clock.id"), index=True)
    conversation_id: Mapped[int] = mapped_column(index=True)
    type: Mapped[str] = mapped_column(String(30))
    level: Mapped[int] = mapped_column(default=0)
    at: Mapped[int] = mapped_column()
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (Index("ix_job_due", "state", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    run_at: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(80), default=None)
    lease_token: Mapped[str | None] = mapped_column(String(40), default=None)
    lease_until: Mapped[int | None] = mapped_column(default=None)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)


class ProcessedEvent(Base):
    """Slack event_ids (and other deliveries) already taken: a retry is acked and dropped."""

    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("source", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(30))
    event_id: Mapped[str] = mapped_column(String(200))
    at: Mapped[int] = mapped_column()


class AuditLog(Base):
    """Append-only: who did what to which subject, and when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[int] = mapped_column()
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column()
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SlackUser(Base):
    """users.info cache: timezone and locale drive how we speak to each member."""

    __tablename__ = "slack_user"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    tz: Mapped[str] = mapped_column(String(60), default="UTC")
    locale: Mapped[str] = mapped_column(String(20), default="en-US")
    fetched_at: Mapped[int] = mapped_column()


class ConnectorState(Base):
    __tablename__ = "connector_state"

    account: Mapped[str] = mapped_column(String(100), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text, default=None)
    health: Mapped[dict[str, Any]] = mapped_column(default=dict)
    next_poll_at: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[int] = mapped_column(default=0)
    # The poll in progress: one replica at a time holds it (compare-and-set in bot/jobs/poller.py).
    lease_owner: Mapped[str | None] = mapped_column(String(80), default=None)
    lease_token: Mapped[str | None] = mapped_column(String(40), default=None)
    lease_until: Mapped[int | None] = mapped_column(default=None)


class OncallOverride(Base):
    """`member` is on call for `layer` (primary|backup) during [start_at, end_at), set from Slack."""

    __tablename__ = "oncall_override"
    __table_args__ = (Index("ix_oncall_override_end", "end_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    member: Mapped[str] = mapped_column(String(40))
    layer: Mapped[str] = mapped_column(String(10), default="primary")
    start_at: Mapped[int] = mapped_column()
    end_at: Mapped[int] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[int] = mapped_column()


# ---- spike detection and crisis mode (issue 8 item 3: bot/domain/crisis.py, bot/jobs/crisis.py) ----


class TrafficBucket(Base):
    """Inbound messages per scope ("acct:<account>" or "kw:<account>:<keyword>") and bucket:
    10-second buckets for the current rate (pruned after an hour), hourly ones for the baseline."""

    __tablename__ = "traffic_bucket"
    __table_args__ = (Index("ix_traffic_bucket_age", "seconds", "start"),)

    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(default=0)


class TrafficCursor(Base):
    """How far the roll-up of `message` rows into traffic buckets went (compare-and-set)."""

    __tablename__ = "traffic_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_message_id: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[int] = mapped_column(default=0)


class Incident(Base):
    """A crisis on one account. `open_account` holds the account while open and NULL once closed:
    its unique constraint keeps at most one open incident per account across replicas."""

    __tablename__ = "incident"
    __table_args__ = (UniqueConstraint("open_account"), Index("ix_incident_account", "account", "started_at"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(100))
    open_account: Mapped[str | None] = mapped_column(String(100), default=None)
    state: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    trigger: Mapped[str] = mapped_column(String(10))  # spike | manual
    scope: Mapped[str] = mapped_column(String(200), default="")  # what spiked (account or keyword)
    opened_by: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[int] = mapped_column()
    ended_at: Mapped[int | None] = mapped_column(default=None)
    ended_by: Mapped[str | None] = mapped_column(String(40), default=None)
    calm_since: Mapped[int | None] = mapped_column(default=None)  # volume normal again since
    slack_channel: Mapped[str | None] = mapped_column(String(40), default=None)
    sla_policy: Mapped[str | None] = mapped_column(String(100), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # rate, normal, top words, samples


class Burst(Base):
    """One live card per account while its channel gets more new conversations than it can show
    one by one: ordinary conversations fold into it (conversation.burst_id) instead of each
    posting an alert. Rendered from the database when sent, so its counts are exact."""

    __tablename__ = "burst"
    # One open burst per account: two replicas folding at once collide here and ingest retries.
    __table_args__ = (Index("ix_burst_account_open", "account", "closed_at"),
                      Index("uq_burst_open_account", "account", unique=True, sqlite_where=text("closed_at IS NULL"),
                            postgresql_where=text("closed_at IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(100))
    slack_channel: Mapped[str] = mapped_column(String(40))
    slack_ts: Mapped[str | None] = mapped_column(String(40), default=None)
    opened_at: Mapped[int] = mapped_column()
    last_folded_at: Mapped[int] = mapped_column()
    closed_at: Mapped[int | None] = mapped_column(default=None)  # no new folded conversation for a while
    refreshed_at: Mapped[int] = mapped_column(default=0)  # when a card refresh was last queued
    fingerprint: Mapped[str] = mapped_column(String(64), default="")  # the counts the last refresh showed
    lang: Mapped[str] = mapped_column(String(5), default="en")  # the card's language (the account's)


class Installation(Base):
    """One row: this installation's id, generated once. It is part of every publish idempotency key,
    so two installations (or a restored database) never send a bridge a key it already answered."""

    __tablename__ = "installation"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    installation_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[int] = mapped_column()


class MutedAuthor(Base):
    """An author a member muted on one network (issue 9): labelled on alerts and left out of spike
    counts. Muting is always a member's decision; the bot score only suggests it."""

    __tablename__ = "muted_author"
    __table_args__ = (UniqueConstraint("network", "handle"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    network: Mapped[str] = mapped_column(String(30))
    handle: Mapped[str] = mapped_column(String(200))  # lower case, without the leading @
    author_id: Mapped[str] = mapped_column(String(200), default="")  # when a message of theirs was seen
    muted_by: Mapped[str] = mapped_column(String(40))
    muted_at: Mapped[int] = mapped_column()


# ---- reports (issue 10: bot/domain/reports.py) ----
# A period's report filters each table on its own time column; without these, a month out of a
# year is a full scan (bench/report.py).
# Each covers every column its queries read: a month is one index range scan, no table visits.
Index("ix_report_conversation_first_inbound", Conversation.first_inbound_at, Conversation.account,
      Conversation.network, Conversation.kind)
Index("ix_report_message_created", Message.created_at, Message.direction, Message.account, Message.network,
      Message.kind)
Index("ix_report_sla_clock_start", SlaClock.start_at, SlaClock.metric, SlaClock.state, SlaClock.account,
      SlaClock.network, SlaClock.kind, SlaClock.elapsed_s)
Index("ix_report_sla_event_at", SlaEvent.type, SlaEvent.at)
Index("ix_report_draft_published", Draft.published_at)


class ReportRun(Base):
    """One scheduled report per period: the unique key makes it go out once across replicas."""

    __tablename__ = "report_run"

    period_key: Mapped[str] = mapped_column(String(60), primary_key=True)  # e.g. "monthly:2026-11"
    channel: Mapped[str] = mapped_column(String(40))
    owner: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[int] = mapped_column()
