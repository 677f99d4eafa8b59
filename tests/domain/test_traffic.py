"""Traffic buckets (bot/domain/traffic.py): inbound messages counted once per account and per
watched keyword, in 10-second and hourly buckets, by whichever replica moves the cursor first."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import insert, select

from bot.domain import traffic
from storage.db import Database
from storage.models import Conversation, Message, TrafficBucket
from tests.conftest import START

KEYWORDS = {"acme": ["Boycott"], "acme_fr": []}


@pytest.fixture
def db(db_url):
    d = Database(db_url)
    d.migrate()
    yield d
    d.dispose()


def _store(db, texts: list[tuple[str, str, int]], direction: str = "in") -> None:
    with db.session() as s:
        conv = s.scalar(select(Conversation.id).limit(1))
        if conv is None:
            s.execute(insert(Conversation), [dict(account="acme", network="x", kind="mention", thread_key="t",
                                                  first_inbound_at=START, last_inbound_at=START, created_at=START,
                                                  updated_at=START)])
            conv = s.scalar(select(Conversation.id).limit(1))
        n = s.scalar(select(Message.id).order_by(Message.id.desc()).limit(1)) or 0
        s.execute(insert(Message), [dict(conversation_id=conv, network="x", external_id=f"m{n + i}", account=account,
                                         kind="mention", direction=direction, text=text, meta={}, created_at=at,
                                         received_at=at) for i, (account, text, at) in enumerate(texts)])


def _buckets(db) -> dict[tuple[str, int, int], int]:
    with db.session() as s:
        return {(b.scope, b.seconds, b.start): b.count for b in s.scalars(select(TrafficBucket))}


def test_messages_are_counted_per_account_and_per_keyword_in_both_bucket_sizes(db):
    _store(db, [("acme", "Appel au BOYCOTT !", START + 1), ("acme", "hello", START + 12),
                ("acme_fr", "boycott aussi", START + 13)])
    _store(db, [("acme", "our own reply", START + 14)], direction="out")  # the brand's replies are not volume
    with db.session() as s:
        assert traffic.roll_up(s, START + 20, KEYWORDS.get) == 3
    got = _buckets(db)
    assert got[("acct:acme", 10, START)] == 1 and got[("acct:acme", 10, START + 10)] == 1
    assert got[("acct:acme", 3600, START)] == 2 and got[("acct:acme_fr", 3600, START)] == 1
    assert got[("kw:acme:boycott", 10, START)] == 1
    assert ("kw:acme_fr:boycott", 3600, START) not in got  # the keyword is watched on acme only
    with db.session() as s:
        assert traffic.roll_up(s, START + 21, KEYWORDS.get) == 0  # nothing is counted twice
        assert traffic.window_counts(s, START + 20, [10, 60])["acct:acme"] == {10: 1, 60: 2}


def test_two_replicas_rolling_up_at_once_count_every_message_once(db, db_url):
    _store(db, [("acme", f"m{i}", START + i % 50) for i in range(3000)])
    replicas = [Database(db_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(replica):
        try:
            barrier.wait()
            for _ in range(100):
                try:
                    with replica.session() as s:
                        if traffic.roll_up(s, START + 60, KEYWORDS.get, batch=250) == 0:
                            return
                except traffic.LostRace:
                    pass  # the other replica counted that batch: look again
        except BaseException as e:  # the test fails on any error a replica meets
            errors.append(e)

    threads = [threading.Thread(target=run, args=(r,)) for r in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for r in replicas:
        r.dispose()
    assert errors == []
    assert _buckets(db)[("acct:acme", 3600, START)] == 3000
