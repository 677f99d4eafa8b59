"""Inbound volume per account and per watched keyword, kept as bucket counts so the spike
detector never scans `message`: a roll-up reads the messages stored since its cursor and adds
them to 10-second buckets (the current rate; kept an hour) and hourly buckets (the baseline).

Replicas may all run the roll-up: the cursor moves by compare-and-set in the same transaction
as the increments, so a batch is counted once (the loser's transaction is rolled back)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from sqlalchemy import delete, select, update

from bot.domain.mutes import muted_pairs
from bot.domain.spikes import HOUR, WEEK
from bot.triage import LIKELY_BOT
from storage.models import Message, TrafficBucket, TrafficCursor
from storage.upsert import insert_ignore_many

FINE = 10  # seconds: the current-rate buckets
KEEP_FINE = 2 * HOUR
CURSOR = "messages"


class LostRace(Exception):
    """Another replica rolled this batch up first."""


def account_scope(account: str) -> str:
    return f"acct:{account}"


def keyword_scope(account: str, keyword: str) -> str:
    return f"kw:{account}:{keyword.lower()}"[:200]


def scopes_of(account: str, text: str, keywords: Iterable[str]) -> list[str]:
    low = (text or "").lower()
    return [account_scope(account)] + [keyword_scope(account, k) for k in keywords if k and k.lower() in low]


def roll_up(s, now: float, keywords_of: Callable[[str], Iterable[str]], batch: int = 5000) -> int:
    """Count the inbound messages stored since the cursor. Returns how many were read; raises
    LostRace when another replica moved the cursor meanwhile (roll the transaction back)."""
    insert_ignore_many(s, TrafficCursor, [dict(name=CURSOR, last_message_id=0, updated_at=int(now))])
    last = s.scalar(select(TrafficCursor.last_message_id).where(TrafficCursor.name == CURSOR)) or 0
    rows = s.execute(select(Message.id, Message.account, Message.created_at, Message.text, Message.network,
                            Message.author_handle, Message.bot_score)
                     .where(Message.id > last, Message.direction == "in").order_by(Message.id).limit(batch)).all()
    if not rows:
        return 0
    moved = s.execute(update(TrafficCursor).where(TrafficCursor.name == CURSOR,
                                                  TrafficCursor.last_message_id == last)
                      .values(last_message_id=rows[-1].id, updated_at=int(now))).rowcount
    if moved != 1:
        raise LostRace()
    adds: dict[tuple[str, int, int], int] = defaultdict(int)
    muted = muted_pairs(s, {(r.network, r.author_handle) for r in rows})
    for r in rows:
        if r.bot_score >= LIKELY_BOT or (r.network, r.author_handle) in muted:
            continue  # likely bots and muted authors are not a crowd (issue 9); the cursor still moves
        for scope in scopes_of(r.account, r.text, keywords_of(r.account)):
            adds[(scope, FINE, r.created_at // FINE * FINE)] += 1
            adds[(scope, HOUR, r.created_at // HOUR * HOUR)] += 1
    _add(s, adds)
    return len(rows)


def _add(s, adds: Mapping[tuple[str, int, int], int]) -> None:
    # Only the cursor's winner gets here, so the insert-then-increment pair cannot race itself.
    insert_ignore_many(s, TrafficBucket, [dict(scope=k[0], seconds=k[1], start=k[2], count=0) for k in adds])
    for (scope, seconds, start), n in adds.items():
        s.execute(update(TrafficBucket).where(TrafficBucket.scope == scope, TrafficBucket.seconds == seconds,
                                              TrafficBucket.start == start)
                  .values(count=TrafficBucket.count + n))


def prune(s, now: float, weeks: int = 26) -> int:
    """10-second buckets after two hours; hourly ones once older than any baseline looks."""
    fine = s.execute(delete(TrafficBucket).where(TrafficBucket.seconds == FINE,
                                                 TrafficBucket.start < int(now) - KEEP_FINE)).rowcount
    return fine + s.execute(delete(TrafficBucket).where(TrafficBucket.seconds == HOUR,
                                                        TrafficBucket.start < int(now) - (weeks + 1) * WEEK)).rowcount


def window_counts(s, now: float, windows: Iterable[int]) -> dict[str, dict[int, int]]:
    """scope -> {window: messages in the last `window` seconds} for every scope seen lately."""
    windows = list(windows)
    oldest = int(now) - max(windows)
    out: dict[str, dict[int, int]] = defaultdict(lambda: dict.fromkeys(windows, 0))
    for scope, start, count in s.execute(select(TrafficBucket.scope, TrafficBucket.start, TrafficBucket.count)
                                         .where(TrafficBucket.seconds == FINE, TrafficBucket.start > oldest - FINE)):
        for w in windows:
            if start + FINE > int(now) - w:  # the bucket overlaps the window
                out[scope][w] += count
    return dict(out)


def hourly(s, scope: str, now: float, weeks: int) -> dict[int, int]:
    """The hourly counts of `scope` over the past `weeks` weeks (absent hours: none received)."""
    since = int(now) // HOUR * HOUR - weeks * WEEK - HOUR
    return {start: count for start, count in s.execute(
        select(TrafficBucket.start, TrafficBucket.count).where(
            TrafficBucket.scope == scope, TrafficBucket.seconds == HOUR, TrafficBucket.start >= since))}


def first_hour(s, scope: str) -> int | None:
    """The oldest hour this scope has any count for: before it, weeks are unknown, not quiet."""
    return s.scalar(select(TrafficBucket.start).where(TrafficBucket.scope == scope, TrafficBucket.seconds == HOUR)
                    .order_by(TrafficBucket.start).limit(1))
