"""The audit records: those about a subscriber, as the subscriber's data export reads them, and the
console's audit log with the names of staff and subscribers (the table is the shared audit log of
``common``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, String, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from videophone.adapters.db.models import AuditRecord, StaffUser, Subscriber


async def history_of_subscriber(s: AsyncSession, subscriber_id: int) -> Sequence[AuditRecord]:
    """In no particular order."""
    return (
        await s.scalars(
            select(AuditRecord).where(
                AuditRecord.subject_type == "subscriber", AuditRecord.subject_id == str(subscriber_id)
            )
        )
    ).all()


@dataclass(frozen=True)
class AuditFilter:
    """What the console's audit log is narrowed to; ``since`` inclusive, ``until`` exclusive."""

    subject_type: str | None = None
    subject_id: str | None = None
    action: str | None = None
    actor_type: str | None = None
    actor_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class NamedAuditRecord:
    """An audit record with the names of who did it and whom it is about (staff by username and
    display name, subscribers by number and name), as far as they are staff or subscribers."""

    record: AuditRecord
    actor_username: str | None
    actor_display_name: str | None
    actor_number: str | None
    actor_name: str | None
    subject_username: str | None
    subject_display_name: str | None
    subject_number: str | None
    subject_name: str | None


def _filtered(f: AuditFilter) -> Select[int]:
    query = select(AuditRecord.id)
    if f.subject_type:
        query = query.where(AuditRecord.subject_type == f.subject_type)
    if f.subject_id:
        query = query.where(AuditRecord.subject_id == f.subject_id)
    if f.action:
        query = query.where(AuditRecord.action == f.action)
    if f.actor_type:
        query = query.where(AuditRecord.actor_type == f.actor_type)
    if f.actor_id is not None:
        query = query.where(AuditRecord.actor_id == f.actor_id)
    if f.since is not None:
        query = query.where(AuditRecord.at >= f.since)
    if f.until is not None:
        query = query.where(AuditRecord.at < f.until)
    return query


async def search_named(
    s: AsyncSession, f: AuditFilter, *, offset: int, limit: int
) -> tuple[int, list[NamedAuditRecord]]:
    """Newest first, one page, with the names joined in the same statement (no query per row)."""
    filtered = _filtered(f)
    total = await s.scalar(select(func.count()).select_from(filtered.subquery()))
    page = filtered.order_by(AuditRecord.id.desc()).offset(offset).limit(limit).subquery()
    actor_staff, subject_staff = aliased(StaffUser), aliased(StaffUser)
    actor_sub, subject_sub = aliased(Subscriber), aliased(Subscriber)
    query = (
        select(
            AuditRecord,
            actor_staff.username,
            actor_staff.display_name,
            actor_sub.number,
            actor_sub.name,
            subject_staff.username,
            subject_staff.display_name,
            subject_sub.number,
            subject_sub.name,
        )
        .join(page, page.c.id == AuditRecord.id)
        .outerjoin(actor_staff, and_(AuditRecord.actor_type == "staff", actor_staff.id == AuditRecord.actor_id))
        .outerjoin(actor_sub, and_(AuditRecord.actor_type == "subscriber", actor_sub.id == AuditRecord.actor_id))
        .outerjoin(
            subject_staff,
            and_(AuditRecord.subject_type == "staff", cast(subject_staff.id, String) == AuditRecord.subject_id),
        )
        .outerjoin(
            subject_sub,
            and_(AuditRecord.subject_type == "subscriber", cast(subject_sub.id, String) == AuditRecord.subject_id),
        )
        .order_by(AuditRecord.id.desc())
    )
    rows = (await s.execute(query)).all()
    return int(total or 0), [NamedAuditRecord(*row) for row in rows]


async def staff_members(s: AsyncSession) -> Sequence[StaffUser]:
    """Every staff account (active or not: a former colleague's actions stay in the log), by username."""
    return (await s.scalars(select(StaffUser).order_by(StaffUser.username))).all()
