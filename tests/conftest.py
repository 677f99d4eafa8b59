"""Fixtures. The database is SQLite by default; CI runs the suite again with
VEILLE_TEST_DATABASE_URL=postgresql+psycopg://127.0.0.1:5432/test (one schema per run)."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from bot.clock import TestClock
from bot.connectors.webhook_target import PublishTarget
from bot.slack.standin import SlackStandIn
from tests.support.harness import APPROVER, AUTHOR, OUTSIDER, PUBLISH_SECRET, Veille

PG_URL = os.environ.get("VEILLE_TEST_DATABASE_URL", "")
START = 1_795_424_400  # Monday 2026-11-23 09:00 UTC


@pytest.fixture(scope="session")
def pg_schema_url():
    if not PG_URL:
        yield None
        return
    schema = f"veille_t{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    from storage.db import Database

    db = Database(url)
    db.migrate()
    db.dispose()
    yield url
    with admin.begin() as c:
        c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def db_url(tmp_path, pg_schema_url):
    if pg_schema_url is None:
        return f"sqlite:///{tmp_path / 'veille.db'}"
    from storage.models import Base

    eng = create_engine(pg_schema_url)
    with eng.begin() as c:
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        c.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    eng.dispose()
    return pg_schema_url


@pytest.fixture
def clock():
    return TestClock(START)


USERS = [
    {"id": AUTHOR, "name": "alice", "real_name": "Alice Martin", "tz": "Europe/Paris", "locale": "en-US"},
    {"id": APPROVER, "name": "bob", "real_name": "Bob Smith", "tz": "America/New_York", "locale": "en-US"},
    {"id": "U0CAROL", "name": "carol", "real_name": "Carole Dupont", "tz": "Europe/Paris", "locale": "fr-FR"},
    {"id": OUTSIDER, "name": "dan", "real_name": "Dan Brown", "tz": "UTC", "locale": "en-GB"},
]


@pytest.fixture
def standin(clock):
    s = SlackStandIn(clock=clock, channels=["C0ACME", "C0ACMEFR", "C0SOCIAL"], users=USERS,
                     usergroups={"S0APPROVERS": ["U0CAROL"]})
    s.start()
    yield s
    s.stop()


@pytest.fixture
def target(clock):
    t = PublishTarget(PUBLISH_SECRET, clock).start()
    yield t
    t.stop()


@pytest.fixture
def veille(db_url, clock, standin, target):
    v = Veille(db_url, clock, standin, target)
    yield v
    v.close()
