"""The audit log as the console reads it (R-50): filtered by who, what and when (days of the operator's
calendar), each record with the names of the staff member or subscriber who acted and whom it is about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from videophone.common.deps import Deps
from videophone.identity.domain.audit_actions import ACTIONS
from videophone.identity.store import audit_records as store
from videophone.identity.store.audit_records import AuditFilter, NamedAuditRecord
from videophone.kernel.errors import FieldError, ValidationFailed

__all__ = ["AuditLogService", "AuditQuery", "NamedAuditRecord", "StaffName"]

MAX_PAGE = 200


@dataclass(frozen=True)
class AuditQuery:
    """The console's filters as the operator gives them (days, not instants)."""

    subject_type: str | None = None
    subject_id: str | None = None
    action: str | None = None
    actor_type: str | None = None
    actor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class StaffName:
    id: int
    username: str
    display_name: str


class AuditLogService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _start_of(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.deps.operator_tz)

    def _filter(self, q: AuditQuery) -> AuditFilter:
        errors: list[FieldError] = []
        if q.action and q.action not in ACTIONS:
            errors.append(FieldError("action", "invalid_choice"))
        if q.date_from and q.date_to and q.date_to < q.date_from:
            errors.append(FieldError("date_to", "audit_dates_reversed"))
        if errors:
            raise ValidationFailed(errors)
        return AuditFilter(
            subject_type=q.subject_type or None,
            subject_id=q.subject_id or None,
            action=q.action or None,
            actor_type=q.actor_type or None,
            actor_id=q.actor_id,
            since=self._start_of(q.date_from) if q.date_from else None,
            until=self._start_of(q.date_to + timedelta(days=1)) if q.date_to else None,
        )

    async def search(self, q: AuditQuery, *, offset: int = 0, limit: int = 50) -> tuple[int, list[NamedAuditRecord]]:
        """Newest first; ``date_to`` is the last day included."""
        f = self._filter(q)
        async with self.deps.uow() as uow:
            return await store.search_named(uow.session, f, offset=offset, limit=max(1, min(limit, MAX_PAGE)))

    async def staff(self) -> list[StaffName]:
        """Everyone who can appear as the acting staff member."""
        async with self.deps.uow() as uow:
            return [StaffName(s.id, s.username, s.display_name) for s in await store.staff_members(uow.session)]
