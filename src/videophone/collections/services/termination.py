"""Termination of the agreement (R-32; rules in ``domain.termination``).

**By the subscriber** (:meth:`TerminationService.request`, password confirmed): one transaction records
the request (``awaiting_payment``), ends the plan and value-added subscriptions on the termination date
(today), produces the final bill(s) to that date (``BillingService.final_bill``) and bars the service
both ways — a service restriction of reason ``termination`` and scope ``all`` (so ``service_state`` is
``suspended``, the caller is told why, and whatever other restrictions come and go the account stays
barred until the request closes or is withdrawn).  The account *closes* — ``service_state =
'terminated'``, number to quarantine — in the transaction of the payment (or dispute credit) that
settles the balance (:func:`close_if_settled`, subscribed to ``BalanceReduced`` in the composition root:
every payment and credit, ADR 0007), or at once when nothing is owed.  A credit balance left at closing is shown to staff for refund.  The
subscriber may withdraw while it is awaiting payment: the restriction is lifted and the subscriptions
resume from that day (the rest of a period already billed by the final bill is not charged again).

**By the operator** (:func:`terminate_now`): arrears (the arrears job), serious breach or illegal acts
(console), a violation sanction (``services.enforcement``), inactivity (the ``inactivity`` job).  It is
immediate: terminated, number quarantined, subscriptions ended, final bill produced, the debt kept on the
ledger for collection.

**Inactivity** (the ``inactivity`` job, :meth:`TerminationService.run_inactivity`): the last activity is
the latest of the account's creation, its last call record (placed or received) and the last use of any
of its sessions (``auth_sessions.last_seen_at`` — a login or any authenticated request).  See
``domain.termination.inactivity_action`` for the notice and termination days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import func, or_, select, update

from videophone.adapters.db.models import (
    AuthSession,
    CallRecord,
    PlanSubscription,
    Subscriber,
    VasSubscription,
)
from videophone.adapters.db.models_termination import InactivityNotice, TerminationRequest
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.public import BillingService, BillView, ledger
from videophone.calling.domain.call_rules import ServiceState
from videophone.collections.domain import termination as rules
from videophone.collections.services.debts import AccountDebts, account_debts
from videophone.common import audit
from videophone.common import policy as policy_service
from videophone.common.account_history import record_event
from videophone.common.deps import Actor, Deps
from videophone.enforcement.public import restrictions
from videophone.identity.public import numbers
from videophone.kernel.errors import FieldError, InvalidState, NotFound, ValidationFailed
from videophone.kernel.events import BalanceReduced
from videophone.kernel.money import Money
from videophone.notices.public import notify

log = structlog.get_logger(__name__)

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
# The restriction that bars the service while a subscriber's termination awaits payment.
TERMINATION: restrictions.Reason = "termination"
CHUNK = 500


def _today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


async def _end_subscriptions(uow: UnitOfWork, subscriber_id: int, day: date) -> None:
    for model in (PlanSubscription, VasSubscription):
        await uow.session.execute(
            update(model)
            .where(model.subscriber_id == subscriber_id, or_(model.end_date.is_(None), model.end_date > day))
            .values(end_date=day)
        )


async def _lock(uow: UnitOfWork, subscriber_id: int) -> Subscriber:
    sub = await uow.session.scalar(select(Subscriber).where(Subscriber.id == subscriber_id).with_for_update())
    if sub is None:
        raise NotFound("subscriber_not_found")
    return sub


async def _open_request(uow: UnitOfWork, subscriber_id: int) -> TerminationRequest | None:
    return cast(
        TerminationRequest | None,
        await uow.session.scalar(
            select(TerminationRequest).where(
                TerminationRequest.subscriber_id == subscriber_id,
                TerminationRequest.state == rules.RequestState.AWAITING_PAYMENT.value,
            )
        ),
    )


def _bills_json(bills: list[BillView]) -> list[dict[str, Any]]:
    return [{"id": b.id, "number": b.number, "period": b.period, "total_due": b.total_due} for b in bills]


async def terminate_now(
    uow: UnitOfWork,
    now: datetime,
    subscriber_id: int,
    *,
    reason: str,
    actor: Actor,
    note: str = "",
    tz: ZoneInfo | None = None,
) -> bool:
    """The operator's immediate termination, in the caller's transaction (see the module doc).
    ``reason``: one of ``domain.termination.OPERATOR_REASONS``.  Returns ``False`` (and changes
    nothing) when the account is terminated already."""
    if reason not in rules.OPERATOR_REASONS:
        raise ValueError(f"unknown termination reason {reason!r}")
    zone = tz or DEFAULT_TZ
    sub = await _lock(uow, subscriber_id)
    if sub.service_state == ServiceState.TERMINATED.value:
        return False
    today = _today(now, zone)
    _, pol = await policy_service.current(uow)
    if reason == "arrears":
        # The arrears restriction stays open with the termination (as before this module existed).
        await restrictions.impose(uow, now, subscriber_id, "arrears", "all", actor=actor, note="terminated for arrears")
    pending = await _open_request(uow, subscriber_id)
    await _end_subscriptions(uow, subscriber_id, today)
    bills = await BillingService.final_bill(uow, now, subscriber_id, today, tz=zone)
    await uow.session.flush()
    debts = await account_debts(uow, subscriber_id, today, zone)
    before = sub.service_state
    sub.service_state, sub.service_reason, sub.updated_at = ServiceState.TERMINATED.value, reason[:24], now
    await numbers.release(uow, pol, sub.number, now)
    if pending is not None:  # the operator's decision supersedes the subscriber's pending request
        pending.state, pending.closed_at = rules.RequestState.CLOSED.value, now
        pending.note = (pending.note + f"\n[operator: {reason}]").strip()
    uow.session.add(
        TerminationRequest(
            subscriber_id=subscriber_id,
            initiator=rules.Initiator.OPERATOR.value,
            reason=reason,
            note=note[: rules.MAX_NOTE],
            state=rules.RequestState.CLOSED.value,
            number=sub.number,
            requested_at=now,
            termination_date=today,
            requested_by=actor.id if actor.type == "staff" else None,
            owed_at_request_fen=debts.balance.fen,
            final_bills=_bills_json(bills),
            closed_at=now,
            refund_due_fen=debts.credit.fen,
        )
    )
    record_event(uow, now, subscriber_id, "service_terminated", {"reason": reason})
    due = debts.oldest_overdue_due.isoformat() if debts.oldest_overdue_due else ""
    audit.record(
        uow,
        now,
        actor,
        "service.terminate",
        "subscriber",
        subscriber_id,
        {
            "reason": reason,
            "note": note[: rules.MAX_NOTE],
            "before": before,
            "oldest_overdue_due": due,
            "owed_yuan": str(debts.balance.yuan),
            "overdue_yuan": str(debts.overdue.yuan),
            "number": sub.number,
            "final_bills": [b.number for b in bills],
        },
    )
    if reason == "arrears":
        await notify(
            uow,
            now,
            subscriber_id,
            "service_terminated",
            {
                "due_date": due,
                "months": pol.months_overdue_before_termination,
                "number": sub.number,
                "owed": str(debts.balance.yuan),
            },
        )
    else:
        await notify(
            uow,
            now,
            subscriber_id,
            f"termination_by_operator_{reason}",
            {"number": sub.number, "owed": str(debts.balance.yuan), "date": today.isoformat()},
        )
    return True


async def _close(
    uow: UnitOfWork, now: datetime, sub: Subscriber, req: TerminationRequest, balance: Money, actor: Actor
) -> None:
    """Everything owed is paid: the account is terminated and the number quarantined."""
    _, pol = await policy_service.current(uow)
    outcome = rules.settlement(balance)
    sub.service_state, sub.service_reason, sub.updated_at = ServiceState.TERMINATED.value, "subscriber", now
    for row in await restrictions.open_restrictions(uow, sub.id):
        if row.reason == TERMINATION:
            row.ended_at = now
    await numbers.release(uow, pol, sub.number, now)
    req.state, req.closed_at, req.refund_due_fen = rules.RequestState.CLOSED.value, now, outcome.refund_due.fen
    record_event(uow, now, sub.id, "service_terminated", {"reason": "subscriber"})
    audit.record(
        uow,
        now,
        actor,
        "termination.close",
        "subscriber",
        sub.id,
        {"request_id": req.id, "number": sub.number, "refund_due_yuan": str(outcome.refund_due.yuan)},
    )
    await notify(
        uow,
        now,
        sub.id,
        "termination_closed",
        {"number": sub.number, "refund": str(outcome.refund_due.yuan), "date": req.termination_date.isoformat()},
    )


async def close_if_settled(
    uow: UnitOfWork, now: datetime, subscriber_id: int, *, actor: Actor, tz: ZoneInfo | None = None
) -> bool:
    """In the transaction that posted a payment or a credit: closes a termination awaiting payment
    once nothing is owed.  Cheap when there is no such request.  Returns whether it closed."""
    req = await _open_request(uow, subscriber_id)
    if req is None:
        return False
    sub = await _lock(uow, subscriber_id)
    await uow.session.flush()
    balance = await ledger.balance(uow, subscriber_id)
    if not rules.closes(balance):
        return False
    await _close(uow, now, sub, req, balance, actor)
    return True


# -- views -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RequestView:
    id: int
    subscriber_id: int
    number: str
    initiator: str
    reason: str
    note: str
    state: str
    requested_at: datetime
    termination_date: date
    owed_at_request: str
    final_bills: list[dict[str, Any]]
    closed_at: datetime | None
    withdrawn_at: datetime | None
    refund_due: str

    @staticmethod
    def of(row: TerminationRequest) -> RequestView:
        return RequestView(
            row.id,
            row.subscriber_id,
            row.number,
            row.initiator,
            row.reason,
            row.note,
            row.state,
            row.requested_at,
            row.termination_date,
            str(Money(row.owed_at_request_fen).yuan),
            list(row.final_bills or []),
            row.closed_at,
            row.withdrawn_at,
            str(Money(row.refund_due_fen).yuan),
        )


@dataclass(frozen=True)
class StatusView:
    """What the portal shows: the service state, the latest request, and what remains to pay."""

    service_state: str
    service_reason: str
    number: str
    request: RequestView | None
    balance: str
    remaining: str
    refund_due: str
    debts: AccountDebts


@dataclass(frozen=True)
class PendingRow:
    request: RequestView
    name: str
    balance: str


@dataclass(frozen=True)
class NoticeRow:
    id: int
    subscriber_id: int
    number: str
    name: str
    notified_at: datetime
    last_activity_at: datetime
    terminate_on: date


class TerminationService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def on_balance_reduced(self, uow: UnitOfWork, event: BalanceReduced) -> None:
        """In the transaction of a payment or credit (ADR 0007): close a termination awaiting payment
        once nothing is owed."""
        actor = Actor.of(event.actor)
        await close_if_settled(uow, event.at, event.subscriber_id, actor=actor, tz=self.deps.operator_tz)

    def _today(self, now: datetime) -> date:
        return _today(now, self.deps.operator_tz)

    # -- by the subscriber ---------------------------------------------------------------------------------
    async def request(self, subscriber_id: int, *, password: str, note: str = "", actor: Actor) -> StatusView:
        note = (note or "").strip()
        if len(note) > rules.MAX_NOTE:
            raise ValidationFailed([FieldError("note", "termination_note_too_long", {"max": rules.MAX_NOTE})])
        now = self.deps.clock.now()
        today = self._today(now)
        tz = self.deps.operator_tz
        async with self.deps.uow() as uow:
            sub = await _lock(uow, subscriber_id)
            if not password or not await self.deps.hasher.verify_async(sub.password_hash, password):
                raise ValidationFailed([FieldError("password", "termination_password_wrong")])
            if sub.service_state == ServiceState.TERMINATED.value:
                raise InvalidState("termination_already_terminated")
            if await _open_request(uow, subscriber_id) is not None:
                raise InvalidState("termination_already_requested")
            await _end_subscriptions(uow, subscriber_id, today)
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
                final_bills=_bills_json(bills),
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
                await _close(uow, now, sub, req, balance, actor)
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
            TERMINATION,
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
            await _lock(uow, subscriber_id)
            req = await _open_request(uow, subscriber_id)
            if req is None or not rules.can_withdraw(req.state):
                raise InvalidState("termination_nothing_to_withdraw")
            req.state, req.withdrawn_at = rules.RequestState.WITHDRAWN.value, now
            await restrictions.lift(uow, now, subscriber_id, TERMINATION, actor=actor, note="termination withdrawn")
            # The subscriptions ended by the request resume today (the days barred are not charged).
            plans = await uow.session.scalars(
                select(PlanSubscription).where(
                    PlanSubscription.subscriber_id == subscriber_id, PlanSubscription.end_date == req.termination_date
                )
            )
            for plan in list(plans):
                uow.session.add(
                    PlanSubscription(
                        subscriber_id=subscriber_id, plan_id=plan.plan_id, start_date=today, order_id=plan.order_id
                    )
                )
            services = await uow.session.scalars(
                select(VasSubscription).where(
                    VasSubscription.subscriber_id == subscriber_id, VasSubscription.end_date == req.termination_date
                )
            )
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
            row = await uow.session.scalar(
                select(TerminationRequest)
                .where(TerminationRequest.subscriber_id == subscriber_id)
                .order_by(TerminationRequest.id.desc())
                .limit(1)
            )
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
            done = await terminate_now(
                uow, now, subscriber_id, reason=reason, actor=actor, note=note, tz=self.deps.operator_tz
            )
            if not done:
                raise InvalidState("termination_already_terminated")
            await uow.commit()
            row = await uow.session.scalar(
                select(TerminationRequest)
                .where(TerminationRequest.subscriber_id == subscriber_id)
                .order_by(TerminationRequest.id.desc())
                .limit(1)
            )
            assert row is not None
            return RequestView.of(row)

    async def pending(self) -> list[PendingRow]:
        """Subscriber requests awaiting payment, oldest first, with what is still owed."""
        async with self.deps.uow() as uow:
            rows = list(
                await uow.session.execute(
                    select(TerminationRequest, Subscriber.name)
                    .join(Subscriber, Subscriber.id == TerminationRequest.subscriber_id)
                    .where(TerminationRequest.state == rules.RequestState.AWAITING_PAYMENT.value)
                    .order_by(TerminationRequest.requested_at, TerminationRequest.id)
                )
            )
            balances = await ledger.balances(uow, [r.subscriber_id for r, _ in rows])
            return [
                PendingRow(RequestView.of(r), name, str(balances.get(r.subscriber_id, Money.zero()).yuan))
                for r, name in rows
            ]

    async def recent(self, limit: int = 50) -> list[RequestView]:
        """Closed and withdrawn terminations, newest first (refunds due show here)."""
        async with self.deps.uow() as uow:
            rows = await uow.session.scalars(
                select(TerminationRequest)
                .where(TerminationRequest.state != rules.RequestState.AWAITING_PAYMENT.value)
                .order_by(TerminationRequest.id.desc())
                .limit(max(1, min(limit, 200)))
            )
            return [RequestView.of(r) for r in rows]

    async def under_notice(self) -> list[NoticeRow]:
        async with self.deps.uow() as uow:
            rows = await uow.session.execute(
                select(InactivityNotice, Subscriber.number, Subscriber.name)
                .join(Subscriber, Subscriber.id == InactivityNotice.subscriber_id)
                .where(InactivityNotice.state == "open")
                .order_by(InactivityNotice.terminate_on, InactivityNotice.id)
            )
            return [
                NoticeRow(n.id, n.subscriber_id, number, name, n.notified_at, n.last_activity_at, n.terminate_on)
                for n, number, name in rows
            ]

    # -- inactivity (the ``inactivity`` job) -------------------------------------------------------------------
    async def _last_activity(self, uow: UnitOfWork, ids: list[int]) -> dict[int, datetime]:
        last: dict[int, datetime] = {}

        def bump(sub_id: int | None, at: datetime | None) -> None:
            if sub_id is not None and at is not None and (sub_id not in last or at > last[sub_id]):
                last[sub_id] = at

        for sub_id, at in await uow.session.execute(
            select(Subscriber.id, Subscriber.created_at).where(Subscriber.id.in_(ids))
        ):
            bump(sub_id, at)
        for column in (CallRecord.caller_id, CallRecord.callee_id):
            for party, started in await uow.session.execute(
                select(column, func.max(CallRecord.started_at)).where(column.in_(ids)).group_by(column)
            ):
                bump(party, started)
        for principal, seen in await uow.session.execute(
            select(AuthSession.principal_id, func.max(AuthSession.last_seen_at))
            .where(AuthSession.principal_type == "subscriber", AuthSession.principal_id.in_(ids))
            .group_by(AuthSession.principal_id)
        ):
            bump(int(principal), seen)
        return last

    async def run_inactivity(self, *, actor: Actor | None = None) -> dict[str, int]:
        """Notify accounts inactive long enough, terminate those still inactive after the notice, clear
        notices of accounts used again.  Idempotent (one open notice per account)."""
        who = actor or Actor.system()
        now = self.deps.clock.now()
        today = self._today(now)
        tz = self.deps.operator_tz
        async with self.deps.uow() as uow:
            ids = list(
                await uow.session.scalars(
                    select(Subscriber.id)
                    .where(Subscriber.service_state != ServiceState.TERMINATED.value)
                    .order_by(Subscriber.id)
                )
            )
        counts = {"accounts": len(ids), "notified": 0, "terminated": 0, "cleared": 0}
        for i in range(0, len(ids), CHUNK):
            part = ids[i : i + CHUNK]
            async with self.deps.uow() as uow:
                _, pol = await policy_service.current(uow)
                last = await self._last_activity(uow, part)
                notices = {
                    n.subscriber_id: n
                    for n in await uow.session.scalars(
                        select(InactivityNotice).where(
                            InactivityNotice.subscriber_id.in_(part), InactivityNotice.state == "open"
                        )
                    )
                }
                pending = set(
                    await uow.session.scalars(
                        select(TerminationRequest.subscriber_id).where(
                            TerminationRequest.subscriber_id.in_(part),
                            TerminationRequest.state == rules.RequestState.AWAITING_PAYMENT.value,
                        )
                    )
                )
                for sub_id in part:
                    if sub_id in pending or sub_id not in last:
                        continue  # already leaving on their own request
                    notice = notices.get(sub_id)
                    last_day = _today(last[sub_id], tz)
                    action = rules.inactivity_action(
                        last_activity=last_day,
                        today=today,
                        notified_on=_today(notice.notified_at, tz) if notice else None,
                        days_before_termination=pol.inactivity_days_before_termination,
                        notice_days=pol.inactivity_notice_days,
                    )
                    if action is rules.InactivityAction.NOTIFY:
                        terminate_on = rules.termination_due_on(
                            last_day, today, pol.inactivity_days_before_termination, pol.inactivity_notice_days
                        )
                        uow.session.add(
                            InactivityNotice(
                                subscriber_id=sub_id,
                                notified_at=now,
                                last_activity_at=last[sub_id],
                                terminate_on=terminate_on,
                                state="open",
                            )
                        )
                        await notify(
                            uow,
                            now,
                            sub_id,
                            "termination_inactivity_notice",
                            {"last": last_day.isoformat(), "date": terminate_on.isoformat()},
                        )
                        counts["notified"] += 1
                    elif action is rules.InactivityAction.CLEAR and notice is not None:
                        notice.state, notice.closed_at = "cleared", now
                        counts["cleared"] += 1
                    elif action is rules.InactivityAction.TERMINATE and notice is not None:
                        if await terminate_now(uow, now, sub_id, reason="inactivity", actor=who, tz=tz):
                            counts["terminated"] += 1
                        notice.state, notice.closed_at = "terminated", now
                await uow.commit()
        log.info("inactivity run", **counts)
        return counts
