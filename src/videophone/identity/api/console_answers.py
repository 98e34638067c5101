"""Answers of the operator console's routes (``web/api/console.py``): staff, identity review,
subscribers, policy, audit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from videophone.adapters.db.models import NumberChange, PolicyVersion, ReviewDecision
from videophone.edge.answers.fields import FROM_VIEW, IsoInstant
from videophone.identity.api.me_answers import Account, IdentityDocument
from videophone.identity.api.public_answers import PolicyAnswer, PolicyValue
from videophone.identity.domain.agreement import ParagraphKind
from videophone.identity.domain.kyc import ReviewAction, ReviewState
from videophone.identity.domain.staff import Permission, StaffRole
from videophone.identity.domain.subscriber import SubscriberKind
from videophone.identity.services.agreement import PolicyPreview
from videophone.identity.services.audit_log import NamedAuditRecord
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
    staff_username: str | None = Field(description="The reviewer's username")
    at: IsoInstant

    @classmethod
    def of(cls, row: ReviewDecision, usernames: Mapping[int, str]) -> IdentityDecision:
        return cls.model_validate(
            {
                "action": row.action,
                "from": row.from_state,
                "to": row.to_state,
                "reason": row.reason,
                "staff_id": row.staff_id,
                "staff_username": usernames.get(row.staff_id),
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
    """One entry of a subscriber's single timeline: an audit record about them (``source: audit``,
    ``action`` an audit action code, who did it by name) or an account event (``source: account``,
    ``action`` its kind: payments, restrictions, disputes, credit-limit changes; no actor)."""

    at: IsoInstant
    source: Literal["audit", "account"]
    action: str
    actor_type: ActorType | None
    actor_id: int | None
    actor_username: str | None
    actor_display_name: str | None
    actor_number: str | None
    actor_name: str | None
    details: dict[str, Any]

    @classmethod
    def of_audit(cls, n: NamedAuditRecord) -> HistoryEntry:
        r = n.record
        return cls(
            at=r.at,
            source="audit",
            action=r.action,
            actor_type=r.actor_type,
            actor_id=r.actor_id,
            actor_username=n.actor_username,
            actor_display_name=n.actor_display_name,
            actor_number=n.actor_number,
            actor_name=n.actor_name,
            details=r.details,
        )

    @classmethod
    def of_event(cls, at: datetime, kind: str, params: dict[str, Any]) -> HistoryEntry:
        return cls(
            at=at,
            source="account",
            action=kind,
            actor_type=None,
            actor_id=None,
            actor_username=None,
            actor_display_name=None,
            actor_number=None,
            actor_name=None,
            details=params,
        )

    @classmethod
    def timeline(cls, entries: Sequence[HistoryEntry]) -> list[HistoryEntry]:
        """Newest first (an account event before the audit record of the same moment)."""
        return sorted(entries, key=lambda e: (e.at, e.source == "account"), reverse=True)


class SubscriberDetail(BaseModel):
    """One subscriber for staff: the account (masked), review decisions, documents, number changes
    and one history: the latest 100 audit records about them and 100 account events, merged."""

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


class PlanChoice(BaseModel):
    """A plan of the tariff catalogue, as the default plan's select offers it."""

    model_config = FROM_VIEW

    code: str
    name_zh: str
    name_en: str
    active: bool


class ConsolePolicy(PolicyAnswer):
    """The policy for its editor: values, descriptions, and the plans the default plan may be."""

    plans: list[PlanChoice]


class SegmentAnswer(BaseModel):
    model_config = FROM_VIEW

    text: str
    changed: bool = Field(description="A policy value the change alters")


class ClauseAnswer(BaseModel):
    """A paragraph of the agreement that quotes a changed value: now, and after the change."""

    model_config = FROM_VIEW

    kind: ParagraphKind
    parameters: list[str]
    before: str
    after: list[SegmentAnswer]


class PolicyPreviewAnswer(BaseModel):
    """A policy change, validated and not saved, with its effect on the agreement in force."""

    policy_version: int
    agreement_version: int
    changes: dict[str, PolicyValueChange]
    clauses: list[ClauseAnswer]

    @classmethod
    def of(cls, p: PolicyPreview) -> PolicyPreviewAnswer:
        return cls(
            policy_version=p.policy_version,
            agreement_version=p.agreement_version,
            changes={k: PolicyValueChange.model_validate(v) for k, v in p.changes.items()},
            clauses=[ClauseAnswer.model_validate(c) for c in p.clauses],
        )


class PolicyChange(BaseModel):
    """A policy version with what changed from the one before it (nothing for the first)."""

    version: int
    changed_by: int | None
    changed_by_username: str | None = Field(description="The staff member's username (null: installation)")
    changed_at: IsoInstant
    reason: str
    changes: dict[str, PolicyValueChange]

    @classmethod
    def history(cls, rows: Sequence[PolicyVersion], usernames: Mapping[int, str]) -> list[PolicyChange]:
        """``rows`` newest first, as ``services.policy.history`` gives them; ``usernames`` by staff id."""
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
                    changed_by_username=None if row.changed_by is None else usernames.get(row.changed_by),
                    changed_at=row.changed_at,
                    reason=row.reason,
                    changes=changes,
                )
            )
        return out


class AuditEntry(BaseModel):
    """An audit record with the names behind its ids: a staff member by username and display name, a
    subscriber by number and name (null when the actor or subject is neither, or no longer exists)."""

    model_config = FROM_VIEW

    id: int
    at: IsoInstant
    actor_type: ActorType
    actor_id: int | None
    actor_username: str | None
    actor_display_name: str | None
    actor_number: str | None
    actor_name: str | None
    action: str
    subject_type: str
    subject_id: str
    subject_username: str | None
    subject_display_name: str | None
    subject_number: str | None
    subject_name: str | None
    details: dict[str, Any]
    ip: str

    @classmethod
    def of(cls, n: NamedAuditRecord) -> AuditEntry:
        r = n.record
        return cls(
            id=r.id,
            at=r.at,
            actor_type=r.actor_type,
            actor_id=r.actor_id,
            actor_username=n.actor_username,
            actor_display_name=n.actor_display_name,
            actor_number=n.actor_number,
            actor_name=n.actor_name,
            action=r.action,
            subject_type=r.subject_type,
            subject_id=r.subject_id,
            subject_username=n.subject_username,
            subject_display_name=n.subject_display_name,
            subject_number=n.subject_number,
            subject_name=n.subject_name,
            details=r.details,
            ip=r.ip,
        )


class AuditPage(BaseModel):
    total: int
    items: list[AuditEntry]

    @classmethod
    def of(cls, total: int, rows: Sequence[NamedAuditRecord]) -> AuditPage:
        return cls(total=total, items=[AuditEntry.of(r) for r in rows])


class AuditActor(BaseModel):
    model_config = FROM_VIEW

    id: int
    username: str
    display_name: str


class AuditFilters(BaseModel):
    """What the audit log can be narrowed to: the staff who may have acted, and every action code."""

    staff: list[AuditActor]
    actions: list[str]
