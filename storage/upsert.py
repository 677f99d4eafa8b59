"""INSERT ... ON CONFLICT DO NOTHING for both databases: the winner of a race is whoever inserts.
This is how replicas agree on who alerts, publishes or processes an event exactly once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, model: type, values: dict[str, Any]) -> int | None:
    """Insert a row unless it breaks a unique constraint; return its id, or None if it existed."""
    stmt = _insert(session, model).values(**values).on_conflict_do_nothing().returning(model.id)
    return session.execute(stmt).scalar_one_or_none()


def insert_ignore_many(session: Session, model: type, rows: list[dict[str, Any]]) -> None:
    """The same for many rows in one statement: rows that already exist are skipped."""
    if rows:  # executemany of one cached statement: compiling a 500-row VALUES costs more than running it
        # On the session's connection (Core): the ORM's bulk-insert path costs more per row than the insert.
        session.connection().execute(_insert(session, model).on_conflict_do_nothing(), rows)


def _insert(session: Session, model: type):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
