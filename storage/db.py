"""Engine and sessions. SQLite is the embedded default (one process: WAL, BEGIN IMMEDIATE);
PostgreSQL is the scale-out target (several replicas on one database)."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker


class StorageError(RuntimeError):
    pass


class Database:
    def __init__(self, url: str):
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self.engine: Engine = _make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._lock_file = None
        self._local = threading.local()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on error. On SQLite a second
        transaction opened by the same thread inside the first would wait for itself (BEGIN
        IMMEDIATE) until busy_timeout: refuse it at once instead."""
        if self.is_sqlite and getattr(self._local, "depth", 0):
            raise StorageError("nested database transaction in one thread (it would deadlock on SQLite)")
        self._local.depth = getattr(self._local, "depth", 0) + 1
        try:
            with self._sessions() as s, s.begin():
                yield s
        finally:
            self._local.depth -= 1

    def ping(self) -> bool:
        try:
            with self.engine.connect() as c:
                c.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def migrate(self) -> None:
        from storage.migrate import upgrade

        upgrade(self.engine)

    def claim_process_lock(self) -> None:
        """SQLite serves one process: a second `veille run` on the same file is refused."""
        if not self.is_sqlite:
            return
        path = sqlite_path(self.url)
        if path is None:
            return
        lock_path = f"{path}.lock"
        f = open(lock_path, "a+")  # noqa: SIM115 - held for the life of the process
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            raise StorageError(
                f"{path} is already used by another Veille process. SQLite serves one process; "
                "to run several replicas, use PostgreSQL (DATABASE_URL=postgresql+psycopg://...)."
            ) from None
        f.truncate(0)
        f.write(str(os.getpid()))
        f.flush()
        self._lock_file = f

    def dispose(self) -> None:
        self.engine.dispose()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


def normalise_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_path(url: str) -> str | None:
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    if not rest or rest.startswith(":memory:"):
        return None
    return str(Path(rest.split("?", 1)[0]).resolve())


def _make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        # No pool_pre_ping: it cost a round trip per transaction (~13 % of a publishing replica's
        # busy time, bench/publish.py). Connections are recycled before servers or proxies drop
        # idle ones; one cut anyway (a database restart) fails its transaction, SQLAlchemy
        # discards the pool, and the loops retry on a fresh connection.
        return create_engine(url, pool_size=10, max_overflow=10, pool_recycle=300)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every sqlite test
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # IMMEDIATE takes the write lock up front: no deadlock upgrading a read to a write.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
