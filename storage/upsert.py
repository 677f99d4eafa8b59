"""INSERT ... ON CONFLICT DO NOTHING for both databases: the winner of a race is whoever inserts.
This is how replicas agree on who alerts, publishes or processes an event exactly once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, model: type, values: dict[str, Any]) -> int | None:
    """Insert a row unless it breaks a unique constraint; return its id, or None if it existed."""
    dialect = session.get_bind().dialect.name
    ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = ins(model).values(**values).on_conflict_do_nothing().returning(model.id)
    return session.execute(stmt).scalar_one_or_none()
