"""The audit log: every staff action and every change to a subscriber's rights or data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from videophone.adapters.db.models import AuditRecord
from videophone.adapters.db.uow import UnitOfWork
from videophone.common.deps import Actor, Deps


def record(
    uow: UnitOfWork,
    at: datetime,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: object,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an audit record to the current transaction: it commits (or not) with the change itself."""
    uow.session.add(
        AuditRecord(
            at=at,
            actor_type=actor.type,
            actor_id=actor.id,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            details=details or {},
            ip=actor.ip,
        )
    )


class AuditService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def search(
        self,
        *,
        subject_type: str | None = None,
        subject_id: str | None = None,
        action: str | None = None,
        actor_type: str | None = None,
        actor_id: int | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[int, list[AuditRecord]]:
        query = select(AuditRecord)
        if subject_type:
            query = query.where(AuditRecord.subject_type == subject_type)
        if subject_id:
            query = query.where(AuditRecord.subject_id == subject_id)
        if action:
            query = query.where(AuditRecord.action == action)
        if actor_type:
            query = query.where(AuditRecord.actor_type == actor_type)
        if actor_id is not None:
            query = query.where(AuditRecord.actor_id == actor_id)
        async with self.deps.uow() as uow:
            total = await uow.session.scalar(select(func.count()).select_from(query.subquery()))
            rows = await uow.session.scalars(
                query.order_by(AuditRecord.id.desc()).offset(offset).limit(min(limit, 200))
            )
            return int(total or 0), list(rows)
