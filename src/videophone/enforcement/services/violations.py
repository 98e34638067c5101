"""Violations of the agreement (R-30; rules in ``domain.violations``).

Staff with ``handle_violations`` take one measure at a time against a subscriber, always with a reason
and optionally evidence files (images / PDF, checked by content like identity documents, sealed in the
database, downloadable by staff): a warning (a notice only), outgoing calls barred or a suspension
(the ``violation`` restriction of ``services.restrictions``, scope ``outgoing`` / ``all``), a
value-added service withdrawn (its subscription ends today), or the operator's early termination for
serious breach (``services.termination.terminate_now``).  Each is audited, written to the account
history and notified to the subscriber with the reason, in the same transaction.  Restrictive
measures stay open until lifted (with a reason; audited; notified).  Calls in progress that the new
state forbids are ended at once by signaling: the measure publishes ``RestrictionChanged``, which
signaling's ``enforce`` hears after the commit (ADR 0007).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import structlog

from videophone.adapters import uploads
from videophone.adapters.db.models import Subscriber, ValueAddedService, VasSubscription
from videophone.adapters.db.models_enforcement import Violation, ViolationEvidence
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.domain.tariffs import vas_remove_end_date
from videophone.collections.public import termination
from videophone.common import audit
from videophone.common import policy as policy_service
from videophone.common.account_history import record_event
from videophone.common.deps import Actor, Deps
from videophone.enforcement.domain import violations as rules
from videophone.enforcement.services import restrictions
from videophone.enforcement.store import staff as staff_store
from videophone.enforcement.store import subscribers as subscriber_store
from videophone.enforcement.store import violations as store
from videophone.identity.domain.documents import check_upload
from videophone.kernel.errors import FieldError, InvalidState, NotFound, ValidationFailed
from videophone.kernel.events import FeatureStopped, RestrictionChanged
from videophone.notices.public import notifications

log = structlog.get_logger(__name__)

MAX_PAGE = 200
EVIDENCE_CONTEXT = "violation_evidence"


@dataclass(frozen=True)
class Upload:
    filename: str
    declared_type: str
    content: bytes


@dataclass(frozen=True)
class EvidenceInfo:
    id: int
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


@dataclass(frozen=True)
class ViolationView:
    id: int
    subscriber_id: int
    subscriber_number: str
    subscriber_name: str
    action: str
    reason: str
    vas_code: str
    state: str
    issued_at: datetime
    issued_by: str
    lifted_at: datetime | None
    lifted_by: str
    lift_reason: str
    evidence: list[EvidenceInfo] = field(default_factory=list)


@dataclass(frozen=True)
class SubscriberTarget:
    """A subscriber as the violations page shows them before acting."""

    id: int
    number: str
    name: str
    service_state: str
    service_reason: str
    vas: list[dict[str, str]]


def _clean_name(filename: str) -> str:
    return (filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "evidence")[:200]


class ViolationService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _today(self, now: datetime) -> date:
        return now.astimezone(self.deps.operator_tz).date()

    # -- looking up -----------------------------------------------------------------------------------------
    async def target(self, number: str) -> SubscriberTarget:
        """The subscriber with this number, their service state and their value-added services in force."""
        wanted = "".join((number or "").split())
        if not wanted:
            raise ValidationFailed([FieldError("number", "required")])
        today = self._today(self.deps.clock.now())
        async with self.deps.uow() as uow:
            sub = await subscriber_store.subscriber_with_number(uow.session, wanted)
            if sub is None:
                raise NotFound("violation_subscriber_not_found")
            vas = await self._vas_in_force(uow, sub.id, today)
            return SubscriberTarget(
                sub.id,
                sub.number,
                sub.name,
                sub.service_state,
                sub.service_reason,
                [{"code": v.code, "name_zh": v.name_zh, "name_en": v.name_en} for v, _ in vas],
            )

    @staticmethod
    async def _vas_in_force(
        uow: UnitOfWork, subscriber_id: int, today: date
    ) -> list[tuple[ValueAddedService, VasSubscription]]:
        return await store.vas_in_force(uow.session, subscriber_id, today)

    # -- acting -----------------------------------------------------------------------------------------------
    async def issue(
        self,
        actor: Actor,
        subscriber_id: int,
        action: object,
        reason: object,
        *,
        vas_code: object = "",
        files: Sequence[Upload] = (),
    ) -> ViolationView:
        """Take one measure, with its reason and evidence; the subscriber is told at once."""
        if actor.type != "staff" or actor.id is None:
            raise InvalidState("violation_staff_only")
        now = self.deps.clock.now()
        today = self._today(now)
        async with self.deps.uow() as uow:
            sub = await uow.session.get(Subscriber, subscriber_id)
            if sub is None:
                raise NotFound("violation_subscriber_not_found")
            # Every field at fault at once: the form's fields, then each file (under ``files``).
            errors: list[FieldError] = []
            try:
                issue = rules.validate_issue(
                    action, reason, vas_code, evidence_count=len(files), service_state=sub.service_state
                )
            except ValidationFailed as exc:
                errors.extend(exc.errors)
            _, pol = await policy_service.current(uow)
            checked: list[tuple[Upload, str]] = []
            for upload in files:
                try:
                    content_type = check_upload(upload.filename, upload.declared_type, upload.content, pol)
                    await uploads.check_content_async(upload.content, content_type, field="files")
                    checked.append((upload, content_type))
                except ValidationFailed as exc:
                    errors.extend(
                        FieldError("files", e.code, {**e.params, "name": upload.filename}) for e in exc.errors
                    )
            if errors:
                raise ValidationFailed(errors)
            withdrawn: VasSubscription | None = None
            withdrawn_feature: str | None = None
            if issue.action is rules.Action.WITHDRAW_VAS:
                match = [(v, s) for v, s in await self._vas_in_force(uow, sub.id, today) if v.code == issue.vas_code]
                if not match:
                    raise ValidationFailed([FieldError("vas_code", "violation_vas_not_subscribed")])
                withdrawn_feature, withdrawn = match[0][0].feature, match[0][1]
            row = Violation(
                subscriber_id=sub.id,
                action=issue.action.value,
                reason=issue.reason,
                vas_code=issue.vas_code,
                state=rules.initial_state(issue.action).value,
                issued_at=now,
                issued_by=actor.id,
                lifted_at=None,
                lifted_by=None,
                lift_reason="",
            )
            uow.session.add(row)
            await uow.session.flush()
            for upload, content_type in checked:
                uow.session.add(
                    ViolationEvidence(
                        violation_id=row.id,
                        filename=_clean_name(upload.filename),
                        content_type=content_type,
                        size=len(upload.content),
                        sha256=hashlib.sha256(upload.content).hexdigest(),
                        content_enc=self.deps.cipher.seal(upload.content, context=EVIDENCE_CONTEXT),
                        uploaded_at=now,
                    )
                )
            audit.record(
                uow,
                now,
                actor,
                "violation.issue",
                "subscriber",
                sub.id,
                {
                    "violation_id": row.id,
                    "action": issue.action.value,
                    "reason": issue.reason,
                    "vas_code": issue.vas_code,
                    "evidence": len(checked),
                },
            )
            scope = rules.restriction_scope(issue.action)
            if scope is not None:
                await restrictions.impose(
                    uow,
                    now,
                    sub.id,
                    "violation",
                    "all" if scope == "all" else "outgoing",
                    actor=actor,
                    note=f"violation #{row.id}",
                    detail={"violation_id": row.id},
                )
            elif issue.action is rules.Action.WITHDRAW_VAS:
                assert withdrawn is not None
                withdrawn.end_date = vas_remove_end_date(today)
                withdrawn.stopped_at = now  # the feature stops at once
                if withdrawn_feature:  # e.g. a withdrawn second number is released at once
                    await uow.publish(FeatureStopped(sub.id, withdrawn_feature, now, actor))
            elif issue.action is rules.Action.TERMINATE:
                await self._terminate(uow, now, sub.id, actor, row.id)
            record_event(uow, now, sub.id, "violation_notice", {"action": issue.action.value, "violation_id": row.id})
            await notifications.notify(
                uow,
                now,
                sub.id,
                f"violation_{issue.action.value}",
                {"violation_id": row.id, "reason": issue.reason, "vas_code": issue.vas_code},
            )
            if scope is not None or issue.action is rules.Action.TERMINATE:
                await uow.publish(RestrictionChanged(sub.id))  # calls it forbids end once committed
            await uow.commit()
        return await self.get(row.id)

    async def _terminate(
        self, uow: UnitOfWork, now: datetime, subscriber_id: int, actor: Actor, violation_id: int
    ) -> None:
        """The operator's early termination for serious breach (helper of ``services.termination``)."""
        await termination.terminate_now(
            uow,
            now,
            subscriber_id,
            reason="violation",
            actor=actor,
            note=f"violation #{violation_id}",
            tz=self.deps.operator_tz,
        )

    async def lift(self, actor: Actor, violation_id: int, reason: object) -> ViolationView:
        """Lift a restriction or suspension (the others of the subscriber stay)."""
        if actor.type != "staff" or actor.id is None:
            raise InvalidState("violation_staff_only")
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            row = await uow.session.get(Violation, violation_id, with_for_update=True)
            if row is None:
                raise NotFound("violation_not_found")
            text = rules.validate_lift(row.state, reason)
            row.state = rules.ViolationState.LIFTED.value
            row.lifted_at, row.lifted_by, row.lift_reason = now, actor.id, text
            await uow.session.flush()
            still_open = [rules.Action(a) for a in await store.open_actions_of(uow.session, row.subscriber_id)]
            audit.record(
                uow,
                now,
                actor,
                "violation.lift",
                "subscriber",
                row.subscriber_id,
                {"violation_id": row.id, "action": row.action, "reason": text},
            )
            await restrictions.lift(uow, now, row.subscriber_id, "violation", actor=actor, note=f"violation #{row.id}")
            remaining = rules.widest_scope(still_open)
            if remaining is not None:
                # Another measure is still in force (say outgoing barred after a lifted suspension).
                await restrictions.impose(
                    uow,
                    now,
                    row.subscriber_id,
                    "violation",
                    "all" if remaining == "all" else "outgoing",
                    actor=actor,
                    note="violation measures still in force",
                )
            await notifications.notify(
                uow,
                now,
                row.subscriber_id,
                "violation_lifted",
                {"violation_id": row.id, "reason": text},
            )
            if remaining is not None:
                await uow.publish(RestrictionChanged(row.subscriber_id))
            await uow.commit()
        return await self.get(violation_id)

    # -- reading ---------------------------------------------------------------------------------------------
    async def get(self, violation_id: int) -> ViolationView:
        async with self.deps.uow() as uow:
            row = await uow.session.get(Violation, violation_id)
            if row is None:
                raise NotFound("violation_not_found")
            return (await self._views(uow, [row]))[0]

    async def search(
        self, *, number: str = "", state: str = "", offset: int = 0, limit: int = 50
    ) -> tuple[int, list[ViolationView]]:
        """Newest first; ``number`` matches the subscriber's number, ``state`` the measure's state."""
        wanted = "".join((number or "").split())
        if state and state not in {s.value for s in rules.ViolationState}:
            raise ValidationFailed([FieldError("state", "invalid_choice")])
        async with self.deps.uow() as uow:
            total, rows = await store.violations_page(
                uow.session, number=wanted, state=state, offset=max(0, offset), limit=max(1, min(limit, MAX_PAGE))
            )
            return total, await self._views(uow, rows)

    async def evidence(self, actor: Actor, violation_id: int, evidence_id: int) -> tuple[EvidenceInfo, bytes]:
        """The decrypted file (each look is audited)."""
        async with self.deps.uow() as uow:
            ev = await uow.session.get(ViolationEvidence, evidence_id)
            if ev is None or ev.violation_id != violation_id:
                raise NotFound("violation_evidence_not_found")
            content = self.deps.cipher.open(ev.content_enc, context=EVIDENCE_CONTEXT)
            audit.record(
                uow,
                self.deps.clock.now(),
                actor,
                "violation.evidence_view",
                "violation",
                violation_id,
                {"evidence_id": evidence_id},
            )
            await uow.commit()
            return EvidenceInfo(ev.id, ev.filename, ev.content_type, ev.size, ev.uploaded_at), content

    @staticmethod
    async def _views(uow: UnitOfWork, rows: Sequence[Violation]) -> list[ViolationView]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        subs = await subscriber_store.subscribers_by_id(uow.session, {r.subscriber_id for r in rows})
        staff_ids = {r.issued_by for r in rows} | {r.lifted_by for r in rows if r.lifted_by}
        staff = await staff_store.staff_names(uow.session, staff_ids)
        files: dict[int, list[EvidenceInfo]] = {}
        for ev in await store.evidence_of(uow.session, ids):
            files.setdefault(ev.violation_id, []).append(
                EvidenceInfo(ev.id, ev.filename, ev.content_type, ev.size, ev.uploaded_at)
            )
        out = []
        for r in rows:
            sub = subs.get(r.subscriber_id)
            out.append(
                ViolationView(
                    id=r.id,
                    subscriber_id=r.subscriber_id,
                    subscriber_number=sub.number if sub else "",
                    subscriber_name=sub.name if sub else "",
                    action=r.action,
                    reason=r.reason,
                    vas_code=r.vas_code,
                    state=r.state,
                    issued_at=r.issued_at,
                    issued_by=staff.get(r.issued_by, ""),
                    lifted_at=r.lifted_at,
                    lifted_by=staff.get(r.lifted_by, "") if r.lifted_by else "",
                    lift_reason=r.lift_reason,
                    evidence=files.get(r.id, []),
                )
            )
        return out
