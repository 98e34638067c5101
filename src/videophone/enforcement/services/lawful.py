"""Lawful suspension (R-31; rules in ``domain.violations``).

Legal staff (``lawful_suspension``) record an authority's request: who asked, their reference, the
period.  The account is suspended both ways at once (the ``lawful`` restriction, scope ``all``; calls in
progress end through ``RestrictionChanged`` after the commit, ADR 0007) and the
rent continues (``domain.billing.rent_continues``).  The reference is encrypted at rest and shown only
through this service, whose routes need ``lawful_suspension``; the audit log and everything else keep
it masked.  The subscriber is told only that the service is suspended as required by law.  Lifting is
audited; the ``lawful-expiry`` job lifts those whose period has ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from videophone.adapters.db.models_enforcement import LawfulSuspension
from videophone.adapters.db.uow import UnitOfWork
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.enforcement.domain import violations as rules
from videophone.enforcement.services import restrictions
from videophone.enforcement.store import lawful as store
from videophone.enforcement.store import staff as staff_store
from videophone.enforcement.store import subscribers as subscriber_store
from videophone.kernel.errors import FieldError, InvalidState, NotFound, ValidationFailed
from videophone.kernel.events import RestrictionChanged
from videophone.notices.public import notifications

MAX_PAGE = 200
REFERENCE_CONTEXT = "lawful_suspensions.reference"


@dataclass(frozen=True)
class LawfulView:
    id: int
    subscriber_id: int
    subscriber_number: str
    subscriber_name: str
    authority: str
    reference: str  # in clear: only legal staff ever get this view
    scope: str
    period_from: date
    period_to: date | None
    state: str
    recorded_at: datetime
    recorded_by: str
    lifted_at: datetime | None
    lifted_by: str
    lift_reason: str


class LawfulService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _today(self, now: datetime) -> date:
        return now.astimezone(self.deps.operator_tz).date()

    async def record(
        self,
        actor: Actor,
        number: object,
        authority: object,
        reference: object,
        period_from: object = None,
        period_to: object = None,
    ) -> LawfulView:
        """Suspend the subscriber with this number both ways, at once, as the authority requires."""
        if actor.type != "staff" or actor.id is None:
            raise InvalidState("lawful_staff_only")
        now = self.deps.clock.now()
        today = self._today(now)
        wanted = "".join(number.split()) if isinstance(number, str) else ""
        async with self.deps.uow() as uow:
            sub = await subscriber_store.subscriber_with_number(uow.session, wanted) if wanted else None
            try:
                request = rules.validate_lawful(authority, reference, period_from, period_to, today)
            except ValidationFailed as exc:
                if sub is None:
                    exc.errors.insert(0, FieldError("number", "required" if not wanted else "lawful_number_unknown"))
                raise
            if sub is None:
                raise ValidationFailed([FieldError("number", "required" if not wanted else "lawful_number_unknown")])
            if sub.service_state == "terminated":
                raise InvalidState("lawful_subscriber_terminated")
            open_row = await store.active_lawful_id_of(uow.session, sub.id)
            if open_row is not None:
                raise InvalidState("lawful_already_active", params={"id": int(open_row)})
            row = LawfulSuspension(
                subscriber_id=sub.id,
                authority=request.authority,
                reference_enc=self.deps.cipher.encrypt(request.reference, context=REFERENCE_CONTEXT),
                scope="both",
                period_from=request.period_from,
                period_to=request.period_to,
                state=rules.LawfulState.ACTIVE.value,
                recorded_at=now,
                recorded_by=actor.id,
                lifted_at=None,
                lifted_by=None,
                lift_reason="",
            )
            uow.session.add(row)
            await uow.session.flush()
            audit.record(
                uow,
                now,
                actor,
                "lawful.record",
                "subscriber",
                sub.id,
                {
                    "lawful_id": row.id,
                    "authority": request.authority,
                    "reference": rules.mask_reference(request.reference),
                    "period_from": request.period_from.isoformat(),
                    "period_to": request.period_to.isoformat() if request.period_to else None,
                },
            )
            # The restriction's note and detail are read elsewhere (console): no reference there.
            await restrictions.impose(
                uow, now, sub.id, "lawful", "all", actor=actor, note=f"lawful #{row.id}", detail={"lawful_id": row.id}
            )
            await notifications.notify(
                uow,
                now,
                sub.id,
                "lawful_suspended",
                {"period_to": request.period_to.isoformat() if request.period_to else ""},
            )
            lawful_id = row.id
            await uow.publish(RestrictionChanged(sub.id))  # signaling ends the calls once committed
            await uow.commit()
        return await self.get(lawful_id)

    async def lift(self, actor: Actor, lawful_id: int, reason: object) -> LawfulView:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            row = await uow.session.get(LawfulSuspension, lawful_id, with_for_update=True)
            if row is None:
                raise NotFound("lawful_not_found")
            text = rules.validate_lawful_lift(row.state, reason)
            await self._end(uow, now, row, actor, rules.LawfulState.LIFTED, text)
            await uow.commit()
        return await self.get(lawful_id)

    async def expire_due(self) -> int:
        """Lift the lawful suspensions whose period has ended (job ``lawful-expiry``); returns how many."""
        now = self.deps.clock.now()
        today = self._today(now)
        async with self.deps.uow() as uow:
            ids = await store.lapsed_before(uow.session, today)
        done = 0
        for lawful_id in ids:
            async with self.deps.uow() as uow:
                row = await uow.session.get(LawfulSuspension, lawful_id, with_for_update=True)
                if row is None or row.state != rules.LawfulState.ACTIVE.value:
                    continue
                if not rules.lawful_expired(row.period_to, today):
                    continue
                await self._end(uow, now, row, Actor.system(), rules.LawfulState.EXPIRED, "period ended")
                await uow.commit()
                done += 1
        return done

    async def _end(
        self, uow: UnitOfWork, now: datetime, row: LawfulSuspension, actor: Actor, state: rules.LawfulState, text: str
    ) -> None:
        row.state = state.value
        row.lifted_at = now
        row.lifted_by = actor.id if actor.type == "staff" else None
        row.lift_reason = text
        audit.record(
            uow,
            now,
            actor,
            "lawful.lift" if state is rules.LawfulState.LIFTED else "lawful.expire",
            "subscriber",
            row.subscriber_id,
            {"lawful_id": row.id, "reason": text},
        )
        await restrictions.lift(uow, now, row.subscriber_id, "lawful", actor=actor, note=f"lawful #{row.id}")
        await notifications.notify(uow, now, row.subscriber_id, "lawful_lifted", {})

    # -- reading (legal staff only: the reference is in clear) ------------------------------------------------
    async def get(self, lawful_id: int) -> LawfulView:
        async with self.deps.uow() as uow:
            row = await uow.session.get(LawfulSuspension, lawful_id)
            if row is None:
                raise NotFound("lawful_not_found")
            return (await self._views(uow, [row]))[0]

    async def search(
        self, *, number: str = "", state: str = "", offset: int = 0, limit: int = 50
    ) -> tuple[int, list[LawfulView]]:
        wanted = "".join((number or "").split())
        if state and state not in {s.value for s in rules.LawfulState}:
            raise ValidationFailed([FieldError("state", "invalid_choice")])
        async with self.deps.uow() as uow:
            total, rows = await store.lawful_page(
                uow.session, number=wanted, state=state, offset=max(0, offset), limit=max(1, min(limit, MAX_PAGE))
            )
            return total, await self._views(uow, rows)

    async def _views(self, uow: UnitOfWork, rows: Sequence[LawfulSuspension]) -> list[LawfulView]:
        if not rows:
            return []
        subs = await subscriber_store.subscribers_by_id(uow.session, {r.subscriber_id for r in rows})
        staff_ids = {r.recorded_by for r in rows} | {r.lifted_by for r in rows if r.lifted_by}
        staff = await staff_store.staff_names(uow.session, staff_ids)
        out = []
        for r in rows:
            sub = subs.get(r.subscriber_id)
            out.append(
                LawfulView(
                    id=r.id,
                    subscriber_id=r.subscriber_id,
                    subscriber_number=sub.number if sub else "",
                    subscriber_name=sub.name if sub else "",
                    authority=r.authority,
                    reference=self.deps.cipher.decrypt(r.reference_enc, context=REFERENCE_CONTEXT),
                    scope=r.scope,
                    period_from=r.period_from,
                    period_to=r.period_to,
                    state=r.state,
                    recorded_at=r.recorded_at,
                    recorded_by=staff.get(r.recorded_by, ""),
                    lifted_at=r.lifted_at,
                    lifted_by=staff.get(r.lifted_by, "") if r.lifted_by else "",
                    lift_reason=r.lift_reason,
                )
            )
        return out
