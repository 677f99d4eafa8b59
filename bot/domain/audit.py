"""The append-only audit log: every human decision and every publication attempt."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditLog


def record(session: Session, now: float, actor: str, action: str, subject_type: str, subject_id: int,
           **detail: Any) -> None:
    session.add(AuditLog(at=int(now), actor=actor, action=action, subject_type=subject_type,
                         subject_id=subject_id, detail=detail))


def history(session: Session, subject_type: str, subject_id: int) -> list[AuditLog]:
    return list(session.scalars(
        select(AuditLog).where(AuditLog.subject_type == subject_type, AuditLog.subject_id == subject_id)
        .order_by(AuditLog.id)))
