"""Answers of the operator console's routes (``web/api/console.py``): staff, identity review,
subscribers, policy, audit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from videophone.adapters.db.models import AuditRecord, NumberChange, PolicyVersion, ReviewDecision
from videophone.edge.answers.fields import FROM_VIEW, IsoInstant
from videophone.identity.api.me_answers import Account, IdentityDocument
from videophone.identity.api.public_answers import PolicyValue
from videophone.identity.domain.kyc import ReviewAction, ReviewState
from videophone.identity.domain.staff import Permission, StaffRole
from videophone.identity.domain.subscriber import SubscriberKind
from videophone.identity.services.staff import StaffView

ActorType = Literal["staff", "subscriber", "system"]


class Staff(BaseModel):
    """A staff account."""

    model_config = FROM_VIEW

    id: int
    username: str
    display_name: str
    roles: list[StaffRole]
    active: bool
    created_at: datetime


class StaffMe(Staff):
    """The logged-in staff member with the permissions of their roles."""

    permissions: list[Permission]

    @classmethod
    def of(cls, view: StaffView, permissions: Sequence[str]) -> StaffMe:
        return cls.model_validate({**Staff.model_validate(view).model_dump(), "permissions": list(permissions)})


class QueueItem(BaseModel):
    model_config = FROM_VIEW

    subscriber_id: int
    number: str
    kind: SubscriberKind
    name: str
    id_type: str
    id_number: str = Field(description="Masked")
    review_state: ReviewState
    registered_at: datetime
    documents: int


class ReviewQueue(BaseModel):
    """Registrations waiting for review (and requested documents that have arrived), oldest first."""

    total: int
    items: list[QueueItem]


class ReviewOutcome(BaseModel):
    review_state: ReviewState


class Subscribers(BaseModel):
    total: int
    items: list[Account]


class IdentityDecision(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    action: ReviewAction
    from_state: ReviewState = Field(alias="from")
    to_state: ReviewState = Field(alias="to")
    reason: str
    staff_id: int
    at: IsoInstant

    @classmethod
    def of(cls, row: ReviewDecision) -> IdentityDecision:
        return cls.model_validate(
            {
                "action": row.action,
                "from": row.from_state,
                "to": row.to_state,
                "reason": row.reason,
                "staff_id": row.staff_id,
                "at": row.at,
            }
        )


class NumberChangeAnswer(BaseModel):
    old: str
    new: str
    reason: str
    note: str
    at: IsoInstant

    @classmethod
    def of(cls, row: NumberChange) -> NumberChangeAnswer:
        return cls(old=row.old_number, new=row.new_number, reason=row.reason, note=row.note, at=row.at)


class HistoryEntry(BaseModel):
    model_config = FROM_VIEW

    at: IsoInstant
    action: str
    actor_type: ActorType
    actor_id: int | None


class SubscriberDetail(BaseModel):
    """One subscriber for staff: the account (masked), review decisions, documents, number changes
    and the latest 100 audit records about them."""

    subscriber: Account
    review_decisions: list[IdentityDecision]
    documents: list[IdentityDocument]
    number_changes: list[NumberChangeAnswer]
    history: list[HistoryEntry]


class Revealed(BaseModel):
    field: Literal["id_number", "birth_date", "address", "employer"]
    value: str


class NumberAnswer(BaseModel):
    number: str


class PolicyValueChange(BaseModel):
    before: PolicyValue | None
    after: PolicyValue


class PolicyChange(BaseModel):
    """A policy version with what changed from the one before it (nothing for the first)."""

    version: int
    changed_by: int | None
    changed_at: IsoInstant
    reason: str
    changes: dict[str, PolicyValueChange]

    @classmethod
    def history(cls, rows: Sequence[PolicyVersion]) -> list[PolicyChange]:
        """``rows`` newest first, as ``services.policy.history`` gives them."""
        out = []
        for i, row in enumerate(rows):
            previous: dict[str, Any] = rows[i + 1].values if i + 1 < len(rows) else {}
            changes = {
                k: PolicyValueChange(before=previous.get(k), after=v)
                for k, v in row.values.items()
                if previous and previous.get(k) != v
            }
            out.append(
                cls(
                    version=row.version,
                    changed_by=row.changed_by,
                    changed_at=row.changed_at,
                    reason=row.reason,
                    changes=changes,
                )
            )
        return out


class AuditEntry(BaseModel):
    model_config = FROM_VIEW

    id: int
    at: IsoInstant
    actor_type: ActorType
    actor_id: int | None
    action: str
    subject_type: str
    subject_id: str
    details: dict[str, Any]
    ip: str


class AuditPage(BaseModel):
    total: int
    items: list[AuditEntry]

    @classmethod
    def of(cls, total: int, rows: Sequence[AuditRecord]) -> AuditPage:
        return cls(total=total, items=[AuditEntry.model_validate(r) for r in rows])
