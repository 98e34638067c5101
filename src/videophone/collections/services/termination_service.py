"""The termination service (R-32): the subscriber's request and its withdrawal, the portal's status,
the operator's console; the operations themselves in ``services.termination``, the ``inactivity`` job
in ``services.inactivity``."""

from __future__ import annotations

from datetime import date, datetime

from videophone.adapters.db.models import PlanSubscription, Subscriber, VasSubscription
from videophone.adapters.db.models_termination import TerminationRequest
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.public import BillingService, ledger
from videophone.calling.domain.call_rules import ServiceState
from videophone.collections.domain import termination as rules
from videophone.collections.services import inactivity, termination
from videophone.collections.services.debts import account_debts
from videophone.collections.services.termination_views import NoticeRow, PendingRow, RequestView, StatusView
from videophone.collections.store import inactivity_notices, subscriptions, termination_requests
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.enforcement.public import restrictions
from videophone.kernel.errors import FieldError, InvalidState, NotFound, ValidationFailed
from videophone.kernel.events import BalanceReduced
from videophone.kernel.money import Money
from videophone.notices.public import notify


class TerminationService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def on_balance_reduced(self, uow: UnitOfWork, event: BalanceReduced) -> None:
        """In the transaction of a payment or credit (ADR 0007): close a termination awaiting payment
        once nothing is owed."""
        actor = Actor.of(event.actor)
        await termination.close_if_settled(uow, event.at, event.subscriber_id, actor=actor, tz=self.deps.operator_tz)

    def _today(self, now: datetime) -> date:
        return termination.local_date(now, self.deps.operator_tz)

    # -- by the subscriber ---------------------------------------------------------------------------------
    async def request(self, subscriber_id: int, *, password: str, note: str = "", actor: Actor) -> StatusView:
        note = (note or "").strip()
        if len(note) > rules.MAX_NOTE:
            raise ValidationFailed([FieldError("note", "termination_note_too_long", {"max": rules.MAX_NOTE})])
        now = self.deps.clock.now()
        today = self._today(now)
        tz = self.deps.operator_tz
        async with self.deps.uow() as uow:
            sub = await termination.lock_subscriber(uow, subscriber_id)
            if not password or not await self.deps.hasher.verify_async(sub.password_hash, password):
                raise ValidationFailed([FieldError("password", "termination_password_wrong")])
            if sub.service_state == ServiceState.TERMINATED.value:
                raise InvalidState("termination_already_terminated")
            if await termination.open_request(uow, subscriber_id) is not None:
                raise InvalidState("termination_already_requested")
            await termination.end_subscriptions(uow, subscriber_id, today)
            bills = await BillingService.final_bill(uow, now, subscriber_id, today, tz=tz)
            await uow.session.flush()
            balance = await ledger.balance(uow, subscriber_id)
            req = TerminationRequest(
                subscriber_id=subscriber_id,
                initiator=rules.Initiator.SUBSCRIBER.value,
                reason="subscriber",
                note=note,
                state=rules.RequestState.AWAITING_PAYMENT.value,
                number=sub.number,
                requested_at=now,
                termination_date=today,
                requested_by=None,
                owed_at_request_fen=max(0, balance.fen),
                final_bills=termination.bills_json(bills),
                refund_due_fen=0,
            )
            uow.session.add(req)
            await uow.session.flush()
            await self._bar(uow, now, sub, req, actor)
            audit.record(
                uow,
                now,
                actor,
                "termination.request",
                "subscriber",
                subscriber_id,
                {
                    "request_id": req.id,
                    "termination_date": today.isoformat(),
                    "owed_yuan": str(balance.yuan),
                    "final_bills": [b.number for b in bills],
                },
            )
            await notify(
                uow,
                now,
                subscriber_id,
                "termination_requested",
                {"date": today.isoformat(), "owed": str(max(balance, Money.zero()).yuan), "number": sub.number},
            )
            if rules.closes(balance):
                await termination.close_request(uow, now, sub, req, balance, actor)
            await uow.commit()
        return await self.status(subscriber_id)

    async def _bar(
        self, uow: UnitOfWork, now: datetime, sub: Subscriber, req: TerminationRequest, actor: Actor
    ) -> None:
        """Open the ``termination`` restriction (scope ``all``): calls are barred both ways until the
        account closes or the request is withdrawn."""
        await restrictions.impose(
            uow,
            now,
            sub.id,
            termination.TERMINATION,
            "all",
            actor=actor,
            note="termination requested",
            detail={"request_id": req.id},
        )
        sub.updated_at = now

    async def withdraw(self, subscriber_id: int, *, actor: Actor) -> StatusView:
        now = self.deps.clock.now()
        today = self._today(now)
        async with self.deps.uow() as uow:
            await termination.lock_subscriber(uow, subscriber_id)
            req = await termination.open_request(uow, subscriber_id)
            if req is None or not rules.can_withdraw(req.state):
                raise InvalidState("termination_nothing_to_withdraw")
            req.state, req.withdrawn_at = rules.RequestState.WITHDRAWN.value, now
            await restrictions.lift(
                uow, now, subscriber_id, termination.TERMINATION, actor=actor, note="termination withdrawn"
            )
            # The subscriptions ended by the request resume today (the days barred are not charged).
            plans = await subscriptions.plans_ended_on(uow.session, subscriber_id, req.termination_date)
            for plan in list(plans):
                uow.session.add(
                    PlanSubscription(
                        subscriber_id=subscriber_id, plan_id=plan.plan_id, start_date=today, order_id=plan.order_id
                    )
                )
            services = await subscriptions.services_ended_on(uow.session, subscriber_id, req.termination_date)
            for vas in list(services):
                uow.session.add(
                    VasSubscription(
                        subscriber_id=subscriber_id, vas_id=vas.vas_id, start_date=today, order_id=vas.order_id
                    )
                )
            audit.record(uow, now, actor, "termination.withdraw", "subscriber", subscriber_id, {"request_id": req.id})
            await notify(uow, now, subscriber_id, "termination_withdrawn", {"date": today.isoformat()})
            await uow.commit()
        return await self.status(subscriber_id)

    async def status(self, subscriber_id: int) -> StatusView:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            sub = await uow.session.get(Subscriber, subscriber_id)
            if sub is None:
                raise NotFound("subscriber_not_found")
            row = await termination_requests.latest_of(uow.session, subscriber_id)
            debts = await account_debts(uow, subscriber_id, self._today(now), self.deps.operator_tz)
            outcome = rules.settlement(debts.balance)
            return StatusView(
                sub.service_state,
                sub.service_reason,
                sub.number,
                RequestView.of(row) if row is not None else None,
                str(debts.balance.yuan),
                str(outcome.remaining.yuan),
                str(outcome.refund_due.yuan),
                debts,
            )

    # -- by the operator -------------------------------------------------------------------------------------
    async def operator_terminate(self, actor: Actor, subscriber_id: int, *, reason: str, note: str) -> RequestView:
        note = (note or "").strip()
        errors = []
        if reason not in rules.CONSOLE_REASONS:
            errors.append(FieldError("reason", "termination_reason_unknown"))
        if not note:
            errors.append(FieldError("note", "termination_note_required"))
        elif len(note) > rules.MAX_NOTE:
            errors.append(FieldError("note", "termination_note_too_long", {"max": rules.MAX_NOTE}))
        if errors:
            raise ValidationFailed(errors)
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            if await uow.session.get(Subscriber, subscriber_id) is None:
                raise NotFound("subscriber_not_found")
            done = await termination.terminate_now(
                uow, now, subscriber_id, reason=reason, actor=actor, note=note, tz=self.deps.operator_tz
            )
            if not done:
                raise InvalidState("termination_already_terminated")
            await uow.commit()
            row = await termination_requests.latest_of(uow.session, subscriber_id)
            assert row is not None
            return RequestView.of(row)

    async def pending(self) -> list[PendingRow]:
        """Subscriber requests awaiting payment, oldest first, with what is still owed."""
        async with self.deps.uow() as uow:
            rows = await termination_requests.awaiting_payment_with_names(uow.session)
            balances = await ledger.balances(uow, [r.subscriber_id for r, _ in rows])
            return [
                PendingRow(RequestView.of(r), name, str(balances.get(r.subscriber_id, Money.zero()).yuan))
                for r, name in rows
            ]

    async def recent(self, limit: int = 50) -> list[RequestView]:
        """Closed and withdrawn terminations, newest first (refunds due show here)."""
        async with self.deps.uow() as uow:
            rows = await termination_requests.latest_done(uow.session, max(1, min(limit, 200)))
            return [RequestView.of(r) for r in rows]

    async def under_notice(self) -> list[NoticeRow]:
        async with self.deps.uow() as uow:
            rows = await inactivity_notices.open_with_subscribers(uow.session)
            return [
                NoticeRow(n.id, n.subscriber_id, number, name, n.notified_at, n.last_activity_at, n.terminate_on)
                for n, number, name in rows
            ]

    # -- inactivity (the ``inactivity`` job) -------------------------------------------------------------------
    async def run_inactivity(self, *, actor: Actor | None = None) -> dict[str, int]:
        """The ``inactivity`` job (``services.inactivity.run``)."""
        return await inactivity.run(self.deps, actor=actor)
