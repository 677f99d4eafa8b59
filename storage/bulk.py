"""Many rows into one table through the driver's own executemany: the hot path of ingest under a
burst. SQLAlchemy's Core executemany spends ~10-15 us per row building and processing parameters
(profiled with cProfile: more than the database's own work), and a mention writes seven rows.
Here the statement is built once per table and columns, JSON columns are serialised once, and the
rows go to the driver as tuples. Same SQL on SQLite and PostgreSQL; no RETURNING (SQLite answers it
one row per statement): callers read new ids back by a unique key."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Connection, Table


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT every row (all rows carry the same keys). Column defaults are not applied: pass every
    NOT NULL value."""
    if not rows:
        return
    cols = tuple(rows[0])
    sql, json_cols = _statement(table, cols, conn.dialect)
    if json_cols:
        data = [tuple(json.dumps(r[c]) if c in json_cols and r[c] is not None else r[c] for c in cols) for r in rows]
    else:
        data = [tuple(r[c] for c in cols) for r in rows]
    conn.exec_driver_sql(sql, data)


@lru_cache(maxsize=64)
def _statement(table: Table, cols: tuple[str, ...], dialect) -> tuple[str, frozenset[str]]:
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(table.c[c].name) for c in cols)
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join(mark for _ in cols)})"
    return sql, frozenset(c for c in cols if isinstance(table.c[c].type, JSON))
