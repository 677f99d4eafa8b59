"""Burst cards: when a channel gets more new conversations than it can show one by one (Slack
posts about one message a second per channel), new ORDINARY conversations of that account fold
into one live card instead of each posting an alert. Priority conversations never fold.

Decided at ingest, in the same transaction that creates the conversations: the backlog of new
ordinary alerts already queued in the channel is known there (one indexed count), nothing is
queued that would later have to be withdrawn, and the card's counts read the same rows.

- A burst opens when the channel's backlog of queued new ordinary alerts reaches FOLD_BACKLOG
  (about FOLD_BACKLOG seconds to drain at one post a second). While it is open, every new ordinary
  conversation of the account folds into it.
- It ends after QUIET_SECONDS without a new folded conversation (`tick`). Its card then says so
  and keeps listing what is still open, with its Triage button: a community team wants one list
  to work through, not 300 alerts at once. If only a few are left (<= UNFOLD_AT_END), they get
  their own alerts, as a channel can show that many at once.
- A folded conversation unfolds (gets its own alert, then its thread) when a member opens or
  answers it from Triage, when it becomes priority, or when its deadline breaches (the breach
  note then goes in its own thread, where escalation follows). Its SLA clocks run as for any
  conversation; it is listed in `/veille queue` and counted on the card (at risk, breached).
- Warnings and thread notes of a folded conversation are not posted (the card counts them);
  the follow-up messages are posted into its thread when it unfolds.

Plain Python over storage: no Slack."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.outbox import (
    Op,
    Priority,
    SideLane,
    enqueue_refresh,
    enqueue_slack_many,
    side_lane,
    slack_lane,
)
from bot.domain.urgency import alert_priority
from bot.i18n import channel_lang
from storage.models import Burst, Conversation, Message, Outbox, SlaClock

FOLD_BACKLOG = 5  # queued new ordinary alerts (about seconds at 1 post/s) before folding starts
QUIET_SECONDS = 300  # a burst ends after this long without a new folded conversation
REFRESH_EVERY = 5  # seconds between two updates of one card (chat.update is Tier 3: 50/min/workspace)
BREACH_UNFOLD_BACKLOG = 2 * FOLD_BACKLOG  # a breach is worth a deeper queue than a new conversation
UNFOLD_AT_END = 5  # at the end of a burst, this few remaining open conversations get their own alerts
KEEP_REFRESHING = 24 * 3600  # an ended card still follows triage for a day
FOLDED_NOTE_OPS = ("alert_refresh", "thread_note")  # rows about a conversation's own alert
ALERT_BACKLOG_STATES = ("pending", "sending", "unknown", "reconciling")
OPEN_STATUSES = ("open",)  # not yet handled: assigned or not; pending/on_hold/resolved are handled

BURST_CARD, BURST_REFRESH, BURST_BREACHES = Op.BURST_CARD, Op.BURST_REFRESH, Op.BURST_BREACHES

# -- priority -----------------------------------------------------------------------------------


def is_priority(conv: Conversation, rules=None) -> bool:
    """Never folded: what the outbox sends first (DMs, VIP authors, a raised priority, and any
    later signal bot/domain/urgency.py adds)."""
    return alert_priority(rules, conv) == Priority.URGENT


# -- folding at ingest ----------------------------------------------------------------------------


def fold_new(s: Session, rules, now: float, created: list[Conversation], cfg=None) -> list[Conversation]:
    """Fold what must fold among conversations this ingest transaction is about to write (it
    reads their account, channel and priority, and sets `burst_id` and `folded` on the folded
    ones before they are inserted); returns those that still get their own alert, in order."""
    ordinary = [c for c in created if c.slack_channel and not is_priority(c, rules)]
    if not ordinary:
        return created
    backlog = {ch: _alert_backlog(s, ch) for ch in {c.slack_channel for c in ordinary}}
    bursts: dict[str, Burst | None] = {a: open_burst(s, a) for a in {c.account for c in ordinary}}
    folded: set[int] = set()  # by identity: the new conversations have no id yet
    for c in ordinary:
        burst = bursts[c.account]
        if burst is None and backlog[c.slack_channel] >= FOLD_BACKLOG:
            burst = bursts[c.account] = _open(s, c, now, channel_lang(cfg, c.account))
        if burst is None:
            backlog[c.slack_channel] += 1
            continue
        c.burst_id, c.folded = burst.id, True
        burst.last_folded_at = int(now)
        folded.add(id(c))
    return [c for c in created if id(c) not in folded]


def card_lane(burst: Burst) -> str:
    """The card's rows (post, refreshes, breach notes) keep their own order in their own lane, so
    its updates (chat.update, outside the channel's posting budget) never wait behind the
    channel's alerts, and a refresh never overtakes the card's post. Passed where the enqueue
    helpers take a channel: they only make the lane name from it; the call reads the burst's."""
    return side_lane(burst.slack_channel, SideLane.BURST).removeprefix("slack:")


def open_burst(s: Session, account: str) -> Burst | None:
    return s.scalar(select(Burst).where(Burst.account == account, Burst.closed_at.is_(None))
                    .order_by(Burst.id.desc()).limit(1))


def _alert_backlog(s: Session, channel: str) -> int:
    return s.scalar(select(func.count()).select_from(Outbox).where(
        Outbox.lane == slack_lane(channel), Outbox.state.in_(ALERT_BACKLOG_STATES), Outbox.op == "alert_post")) or 0


def _open(s: Session, first: Conversation, now: float, lang: str) -> Burst:
    burst = Burst(account=first.account, slack_channel=first.slack_channel, opened_at=int(now),
                  last_folded_at=int(now), refreshed_at=int(now), lang=lang)
    s.add(burst)
    s.flush()
    _queue_card(s, burst, now)
    return burst


def _queue_card(s: Session, burst: Burst, now: float) -> None:
    """The card's post: rendered when sent, and not sent if by then nothing is folded any more
    (tick queues it again if something folds later)."""
    enqueue_refresh(s, now, card_lane(burst), BURST_CARD, "burst_id", burst.id)


def _card_in_flight(s: Session, burst: Burst) -> bool:
    return s.scalar(select(Outbox.id).where(Outbox.lane == slack_lane(card_lane(burst)), Outbox.op == BURST_CARD,
                                            Outbox.state.in_(ALERT_BACKLOG_STATES)).limit(1)) is not None


def still_folded(s: Session, burst_id: int) -> int:
    return s.scalar(select(func.count()).select_from(Conversation).where(Conversation.burst_id == burst_id,
                                                                         Conversation.folded)) or 0


# -- unfolding ----------------------------------------------------------------------------------


def unfold(s: Session, conv: Conversation, now: float) -> bool:
    """Give a folded conversation its own alert, then its follow-ups in its thread (they were
    counted on the card, not posted). Queued before whatever the caller queues next (a breach
    note), so the alert leaves first. False if it was not folded."""
    if not conv.folded:
        return False
    conv.folded = False
    conv.updated_at = int(now)
    later = list(s.scalars(select(Message).where(Message.conversation_id == conv.id).order_by(Message.created_at,
                                                                                              Message.id)))[1:]
    enqueue_slack_many(s, now, [(conv.slack_channel, "alert_post", f"alert:{conv.id}", {"conversation_id": conv.id})]
                       + [(conv.slack_channel, "thread_note", f"unfold:{conv.id}:{m.id}",
                           {"conversation_id": conv.id, "note": "inbound" if m.direction == "in" else "native_reply",
                            "message_id": m.id}) for m in later[-20:]])
    return True


def on_breach(s: Session, conv: Conversation, now: float) -> bool:
    """A folded conversation's deadline passed. While its channel's queue of new alerts would still
    drain within about ten seconds, it unfolds: its own alert, then the breach note in its thread (returns False: the caller queues
    that note). When many breach at once (a burst an hour ago), they stay folded and one note in
    the card's thread lists them, rendered when sent (returns True)."""
    if not conv.folded:
        return False
    if _alert_backlog(s, conv.slack_channel) < BREACH_UNFOLD_BACKLOG:
        unfold(s, conv, now)
        return False
    burst = s.get(Burst, conv.burst_id)
    enqueue_refresh(s, now, card_lane(burst), BURST_BREACHES, "burst_id", burst.id)
    return True


def breached_waiting(s: Session, burst_id: int, limit: int = 40) -> tuple[list[int], int]:
    """Folded conversations of this burst, still open, whose response deadline has passed."""
    q = (select(Conversation.id).join(SlaClock, SlaClock.conversation_id == Conversation.id)
         .where(Conversation.burst_id == burst_id, Conversation.folded, Conversation.status.in_(OPEN_STATUSES),
                SlaClock.state == "breached", SlaClock.metric != "resolution").distinct())
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    return list(s.scalars(q.order_by(Conversation.id).limit(limit))), total


def unfold_if_priority(s: Session, rules, conv: Conversation, now: float) -> bool:
    return is_priority(conv, rules) and unfold(s, conv, now)


# -- the loop: refresh cards, end quiet bursts ----------------------------------------------------


def tick(db, now: float) -> int:
    """Run about once a second (the detector loop): end bursts that went quiet, and queue one card
    refresh per burst whose counts changed, at most every REFRESH_EVERY seconds. Returns how many
    rows were queued."""
    queued = 0
    with db.session() as s:
        live = list(s.scalars(select(Burst).where(
            (Burst.closed_at.is_(None)) | (Burst.closed_at > int(now) - KEEP_REFRESHING))))
        for burst in live:
            if burst.closed_at is None and burst.last_folded_at + QUIET_SECONDS <= now:
                burst.closed_at = int(now)
                queued += _unfold_few_left(s, burst, now)
            if burst.refreshed_at + REFRESH_EVERY > now and burst.closed_at != int(now):
                continue
            if not burst.slack_ts:
                if not _card_in_flight(s, burst) and still_folded(s, burst.id):
                    _queue_card(s, burst, now)
                    burst.refreshed_at = int(now)
                    queued += 1
                continue
            fp = _fingerprint(s, burst)
            if fp != burst.fingerprint:
                burst.fingerprint, burst.refreshed_at = fp, int(now)
                enqueue_refresh(s, now, card_lane(burst), BURST_REFRESH, "burst_id", burst.id)
                queued += 1
    return queued


def _unfold_few_left(s: Session, burst: Burst, now: float) -> int:
    left = list(s.scalars(select(Conversation).where(Conversation.burst_id == burst.id, Conversation.folded,
                                                     Conversation.status.in_(OPEN_STATUSES))
                          .limit(UNFOLD_AT_END + 1)))
    if len(left) > UNFOLD_AT_END:
        return 0
    return sum(unfold(s, c, now) for c in left)


def _fingerprint(s: Session, burst: Burst) -> str:
    f = facts(s, burst, samples=0, words=0)
    raw = repr((f.total, sorted(f.status.items()), f.unfolded, f.assigned, f.at_risk, f.breached,
                f.last_at, burst.closed_at))
    return hashlib.sha1(raw.encode()).hexdigest()


# -- what the card shows ------------------------------------------------------------------------


@dataclass
class Sample:
    conversation_id: int
    network: str
    author: str
    text: str
    url: str


@dataclass
class BurstFacts:
    burst: Burst
    total: int = 0  # every conversation ever folded into it
    status: dict[str, int] = field(default_factory=dict)  # folded ones by status (open, resolved...)
    unfolded: int = 0  # now with their own alert
    assigned: int = 0  # still folded and open, with an assignee
    at_risk: int = 0  # still folded: warned, not yet breached
    breached: int = 0
    networks: list[tuple[str, int]] = field(default_factory=list)
    kinds: list[tuple[str, int]] = field(default_factory=list)
    first_at: int = 0
    last_at: int = 0
    words: list[tuple[str, int]] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    words_over: int = 0  # how many first messages the top words were counted over

    @property
    def waiting(self) -> int:
        """Folded, open and nobody on it: what Triage is for."""
        return self.status.get("open", 0) - self.assigned


WORDS_OVER = 2000  # top words are counted over the latest first messages (the counts stay exact)


def facts(s: Session, burst: Burst, samples: int = 3, words: int = 8) -> BurstFacts:
    f = BurstFacts(burst)
    of_burst = Conversation.burst_id == burst.id
    for folded, status, n in s.execute(select(Conversation.folded, Conversation.status, func.count())
                                       .where(of_burst).group_by(Conversation.folded, Conversation.status)):
        f.total += n
        if folded:
            f.status[status] = f.status.get(status, 0) + n
        else:
            f.unfolded += n
    f.assigned = s.scalar(select(func.count()).select_from(Conversation).where(
        of_burst, Conversation.folded, Conversation.status == "open", Conversation.assignee.is_not(None))) or 0
    clock_states = (select(SlaClock.state, SlaClock.warned_level, func.count()).join(
        Conversation, Conversation.id == SlaClock.conversation_id)
        .where(of_burst, Conversation.folded, SlaClock.metric != "resolution",
               SlaClock.state.in_(("running", "breached")))
        .group_by(SlaClock.state, SlaClock.warned_level))
    for state, warned, n in s.execute(clock_states):
        if state == "breached":
            f.breached += n
        elif warned:
            f.at_risk += n
    f.networks = _counts(s, Conversation.network, of_burst)
    f.kinds = _counts(s, Conversation.kind, of_burst)
    f.first_at, f.last_at = s.execute(select(func.min(Conversation.created_at), func.max(Conversation.created_at))
                                      .where(of_burst)).one() if f.total else (burst.opened_at, burst.opened_at)
    if words or samples:
        firsts = _first_messages(s, burst.id, WORDS_OVER)
        f.words_over = len(firsts)
        f.words = top_words([m.text for m in firsts], words) if words else []
        f.samples = [Sample(m.conversation_id, m.network, m.author_handle or m.author_name, m.text, m.url)
                     for m in firsts[:samples]]
    return f


def _counts(s: Session, column, where) -> list[tuple[str, int]]:
    rows = s.execute(select(column, func.count()).where(where).group_by(column).order_by(func.count().desc(), column))
    return [(k, n) for k, n in rows]


def _first_messages(s: Session, burst_id: int, limit: int) -> list[Message]:
    """The first customer message of the latest folded conversations, newest first."""
    first_ids = (select(func.min(Message.id)).join(Conversation, Conversation.id == Message.conversation_id)
                 .where(Conversation.burst_id == burst_id, Message.direction == "in")
                 .group_by(Message.conversation_id).order_by(Message.conversation_id.desc()).limit(limit))
    return list(s.scalars(select(Message).where(Message.id.in_(first_ids)).order_by(Message.id.desc())))


# Words too common to say anything about a bad buzz, in the languages the teams write in.
STOPWORDS = frozenset(["a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from", "has", "have", "how", "i", "if", "in", "is", "it", "its", "just", "me", "my", "no", "not", "of", "on", "or", "our", "so", "that", "the", "their", "them", "they", "this", "to", "too", "was", "we", "what", "when", "why", "will", "with", "you", "your", "yours", "very", "all", "any", "am", "been", "did", "get", "got", "im", "dont", "cant", "more", "out", "up", "about", "than", "then", "there", "here", "who", "would", "could", "should", "le", "la", "les", "un", "une", "des", "du", "de", "et", "est", "en", "que", "qui", "pour", "pas", "ne", "je", "tu", "il", "elle", "nous", "vous", "ils", "elles", "on", "ce", "cette", "ces", "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "au", "aux", "avec", "sur", "dans", "par", "plus", "mais", "ou", "où", "donc", "car", "se", "sont", "été", "être", "avoir", "ai", "a", "as", "y", "moi", "toi", "lui", "leur", "leurs", "votre", "vos", "notre", "nos", "c", "j", "l", "d", "n", "s", "qu", "m", "t", "rt", "via", "amp", "https", "http", "www", "com", "co", "fr"])


def top_words(texts: list[str], n: int) -> list[tuple[str, int]]:
    """The n words most found across texts (each text counts a word once): lowercased, without
    mentions, links, numbers and stop words."""
    counts: Counter[str] = Counter()
    for text in texts:
        words = set()
        for raw in text.lower().split():
            if raw.startswith(("@", "http", "<")):
                continue
            w = raw.strip(".,;:!?¡¿\"'()[]{}«»“”‘’…-—*_~#")
            if len(w) > 2 and not w.isdigit() and w not in STOPWORDS:
                words.add(w)
        counts.update(words)
    return counts.most_common(n)


# -- what Triage lists ----------------------------------------------------------------------------


@dataclass
class TriageRow:
    conversation: Conversation
    first: Message | None
    due_at: int | None


def folded_open(s: Session, *, burst_id: int | None = None, account: str | None = None,
                channels: frozenset[str] | None = None):
    """Still folded and not yet handled, for one burst or one account (or every account), in
    `channels` (None: all, for admins)."""
    q = select(Conversation).where(Conversation.folded, Conversation.status.in_(OPEN_STATUSES))
    if channels is not None:
        q = q.where(Conversation.slack_channel.in_(channels))
    if burst_id is not None:
        q = q.where(Conversation.burst_id == burst_id)
    if account is not None:
        q = q.where(Conversation.account == account)
    return q


def triage_page(s: Session, offset: int, limit: int, *, burst_id: int | None = None,
                account: str | None = None, channels: frozenset[str] | None = None) -> tuple[list[TriageRow], int]:
    """One page of folded open conversations, soonest deadline first; and how many there are."""
    base = folded_open(s, burst_id=burst_id, account=account, channels=channels).subquery()
    total = s.scalar(select(func.count()).select_from(base)) or 0
    due = (select(SlaClock.conversation_id, func.min(SlaClock.due_at).label("due"))
           .where(SlaClock.state.in_(("running", "breached")), SlaClock.metric != "resolution")
           .group_by(SlaClock.conversation_id).subquery())
    rows = list(s.execute(select(Conversation, due.c.due).join(base, base.c.id == Conversation.id)
                          .outerjoin(due, due.c.conversation_id == Conversation.id)
                          .order_by(due.c.due.is_(None), due.c.due, Conversation.id).offset(offset).limit(limit)))
    ids = [c.id for c, _ in rows]
    firsts: dict[int, Message] = {}
    if ids:
        first_ids = select(func.min(Message.id)).where(Message.conversation_id.in_(ids), Message.direction == "in") \
            .group_by(Message.conversation_id)
        firsts = {m.conversation_id: m for m in s.scalars(select(Message).where(Message.id.in_(first_ids)))}
    return [TriageRow(c, firsts.get(c.id), d) for c, d in rows], total


def triage_first_text(s: Session, conversation_id: int) -> str:
    m = s.scalar(select(Message).where(Message.conversation_id == conversation_id, Message.direction == "in")
                 .order_by(Message.created_at, Message.id).limit(1))
    return m.text if m else ""
