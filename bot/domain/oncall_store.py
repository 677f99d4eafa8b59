"""On-call overrides made from Slack, kept in the database, and who is on call at an instant
(the `[oncall]` rotation of veille.toml with those overrides on top: bot/domain/oncall.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import audit
from bot.domain.oncall import OnCall, Override, Rotation
from bot.domain.outbox import enqueue_slack
from storage.models import OncallOverride

HORIZON = 60 * 86400  # overrides that ended longer ago than this cannot change any answer we give


class OverrideTooLong(ValueError):
    def __init__(self, limit: int):
        super().__init__(f"an override may last at most {limit} seconds")
        self.limit = limit


def add_override(s: Session, now: float, member: str, until: int, actor: str, layer: str = "primary",
                 start: int | None = None, max_seconds: int | None = None) -> OncallOverride:
    """`max_seconds`: the longest override allowed ([oncall] max_override); longer raises
    OverrideTooLong and stores nothing."""
    begin = int(now) if start is None else start
    if max_seconds is not None and until - begin > max_seconds:
        raise OverrideTooLong(max_seconds)
    row = OncallOverride(member=member, layer=layer, start_at=begin, end_at=until, created_by=actor,
                         created_at=int(now))
    s.add(row)
    s.flush()
    audit.record(s, now, actor, "oncall_override", "oncall", row.id, member=member, layer=layer,
                 start=begin, end=until)
    return row


def displaced(s: Session, rotation: Rotation | None, at: float, layer: str = "primary") -> str | None:
    """Who holds `layer` at `at` (before an override is added): the member an override displaces."""
    current = on_call(s, rotation, at)
    if current is None:
        return None
    return current.backup if layer == "backup" else current.primary


def tell(s: Session, now: float, row: OncallOverride, texts: dict[str, str]) -> None:
    """DMs about the override `row`, through the outbox, in the same transaction: {member: text}."""
    for user, text in texts.items():
        enqueue_slack(s, now, user, "dm", f"oncall_override:{row.id}:{user}", user=user, text=text)


def upcoming(s: Session, now: float) -> list[OncallOverride]:
    """Overrides still running or to come, soonest first."""
    return list(s.scalars(select(OncallOverride).where(OncallOverride.end_at > int(now))
                          .order_by(OncallOverride.start_at, OncallOverride.id)))


def overrides(s: Session, now: float) -> list[Override]:
    rows = s.scalars(select(OncallOverride).where(OncallOverride.end_at > int(now) - HORIZON)
                     .order_by(OncallOverride.created_at, OncallOverride.id))
    return [Override(r.member, r.start_at, r.end_at, r.layer, r.created_at) for r in rows]


def on_call(s: Session, rotation: Rotation | None, now: float) -> OnCall | None:
    """Who is on call at `now`. With no rotation configured, an override alone still names
    someone; None when nobody is."""
    found = overrides(s, now)
    if rotation is None:
        if not found:
            return None
        active = Rotation().who_at(int(now), found)
        return active if active.primary or active.backup else None
    return rotation.who_at(int(now), found)


def next_on_call(s: Session, rotation: Rotation | None, now: float) -> OnCall | None:
    current = on_call(s, rotation, now)
    if current is None or current.until is None:
        return None
    return on_call(s, rotation, current.until)
