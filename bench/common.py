"""Shared set-up for benchmarks: a real Veille over HTTP with the Slack stand-in."""

from __future__ import annotations

import statistics
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from bot.clock import RealClock
from bot.config import Settings, parse_config
from bot.slack.standin import SlackStandIn
from storage.db import Database
from storage.models import Conversation, Message, SlaClock

SIGNING, INGEST = "bench-signing", "bench-ingest"


def bench_database(url: str | None, name: str):
    """(database URL, cleanup): a fresh SQLite file when `url` is None, else a schema of its own
    in that PostgreSQL database, dropped by cleanup (a bench never touches existing tables)."""
    if url is None:
        tmp = Path(tempfile.mkdtemp(prefix=f"veille-{name}-bench-"))
        return f"sqlite:///{tmp / 'bench.db'}", lambda: None
    schema = f"veille_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in url else "?"

    def drop() -> None:
        with admin.begin() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    return f"{url}{sep}options=-csearch_path%3D{schema}", drop


def make_veille(db_url: str | None = None):
    from bot.app import build_app, build_services

    tmp = Path(tempfile.mkdtemp(prefix="veille-bench-"))
    clock = RealClock()
    standin = SlackStandIn(clock=clock, rate_limits=False, channels=["C0ACME", "C0SOCIAL"]).start()
    settings = Settings(_env_file=None, SLACK_BOT_TOKEN=standin.token, SLACK_SIGNING_SECRET=SIGNING,
                        SLACK_API_URL=standin.api_url, DATABASE_URL=db_url or f"sqlite:///{tmp / 'bench.db'}",
                        VEILLE_INGEST_SECRET=INGEST)
    cfg = parse_config({"team": {"approvers": ["U0BOB"]},
                        "accounts": [{"key": "acme", "network": "x", "handle": "@acme", "channel": "C0ACME"}]})
    db = Database(settings.database_url)
    db.migrate()
    svc = build_services(settings, cfg, clock, db=db, env={})
    return svc, build_app(svc), standin


def seed_alerted(db: Database, account: str, channel: str, ts: str, key: str, due: int) -> int:
    """One conversation whose alert is already in Slack (at `ts`), opened an hour before `due`,
    with its first-response clock falling due at `due`. Returns the clock id."""
    with db.session() as s:
        conv = Conversation(account=account, network="x", kind="mention", thread_key=key, status="open",
                            author_id=key, author_handle=f"@{key}", first_inbound_at=due - 3600,
                            last_inbound_at=due - 3600, message_count=1, slack_channel=channel, slack_ts=ts,
                            created_at=due - 3600, updated_at=due - 3600)
        s.add(conv)
        s.flush()
        s.add(Message(conversation_id=conv.id, network="x", external_id=key, account=account, kind="mention",
                      direction="in", text="Where is my order?", created_at=due - 3600, received_at=due - 3600))
        clock = SlaClock(conversation_id=conv.id, metric="first_response", cycle=1, start_at=due - 3600, due_at=due,
                         warn_at=[], next_check_at=due, state="running", policy="default", applied_at=due - 3600)
        s.add(clock)
        s.flush()
        return clock.id


def store_open_conversations(db: Database, n: int, now: int) -> None:
    """n open conversations with one message and a running clock each, inserted in bulk."""
    convs = [dict(account="acme", network="x", kind="mention", thread_key=f"seed-{i}", status="open",
                  priority="normal", author_id=f"a{i}", author_handle=f"@a{i}", author_name="", first_inbound_at=now,
                  last_inbound_at=now, message_count=1, slack_channel="C0ACME", slack_ts=f"{now}.{i:06d}",
                  created_at=now, updated_at=now) for i in range(n)]
    with db.session() as s:
        s.execute(insert(Conversation), convs)
        ids = [r[0] for r in s.query(Conversation.id).order_by(Conversation.id)]
        s.execute(insert(Message), [dict(conversation_id=c, network="x", external_id=f"seed-{c}", account="acme",
                                         kind="mention", direction="in", text="hello", meta={}, created_at=now,
                                         received_at=now) for c in ids])
        s.execute(insert(SlaClock), [dict(conversation_id=c, metric="first_response", cycle=1, start_at=now,
                                          due_at=now + 3600 + (c % 3600), warn_at=[], next_check_at=now + 3600,
                                          state="running") for c in ids])


def percentiles(samples: list[float]) -> tuple[float, float]:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return qs[49], qs[98]
