"""Termination of the agreement (R-32; rules in ``domain.termination``): the operations, in the
caller's transaction; the service (requests, status, console) is ``services.termination_service``, the
``inactivity`` job ``services.inactivity``, what they show ``services.termination_views``.

**By the subscriber** (``TerminationService.request``, password confirmed): one transaction records
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
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.models_termination import TerminationRequest
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.public import BillingService, BillView, ledger
from videophone.calling.domain.call_rules import ServiceState
from videophone.collections.domain import termination as rules
from videophone.collections.services.debts import account_debts
from videophone.collections.store import subscribers, subscriptions, termination_requests
from videophone.common import audit
from videophone.common import policy as policy_service
from videophone.common.account_history import record_event
from videophone.common.deps import Actor
from videophone.enforcement.public import restrictions
from videophone.identity.public import numbers
from videophone.kernel.errors import NotFound
from videophone.kernel.events import SubscriberTerminated
from videophone.kernel.money import Money
from videophone.notices.public import notify

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
# The restriction that bars the service while a subscriber's termination awaits payment.
TERMINATION: restrictions.Reason = "termination"


def local_date(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


async def end_subscriptions(uow: UnitOfWork, subscriber_id: int, day: date) -> None:
    await subscriptions.end_all_on(uow.session, subscriber_id, day)


async def lock_subscriber(uow: UnitOfWork, subscriber_id: int) -> Subscriber:
    sub = await subscribers.lock_subscriber(uow.session, subscriber_id)
    if sub is None:
        raise NotFound("subscriber_not_found")
    return sub


async def open_request(uow: UnitOfWork, subscriber_id: int) -> TerminationRequest | None:
    return await termination_requests.awaiting_payment_of(uow.session, subscriber_id)


def bills_json(bills: list[BillView]) -> list[dict[str, Any]]:
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
    sub = await lock_subscriber(uow, subscriber_id)
    if sub.service_state == ServiceState.TERMINATED.value:
        return False
    today = local_date(now, zone)
    _, pol = await policy_service.current(uow)
    if reason == "arrears":
        # The arrears restriction stays open with the termination (as before this module existed).
        await restrictions.impose(uow, now, subscriber_id, "arrears", "all", actor=actor, note="terminated for arrears")
    pending = await open_request(uow, subscriber_id)
    await end_subscriptions(uow, subscriber_id, today)
    bills = await BillingService.final_bill(uow, now, subscriber_id, today, tz=zone)
    await uow.session.flush()
    debts = await account_debts(uow, subscriber_id, today, zone)
    before = sub.service_state
    sub.service_state, sub.service_reason, sub.updated_at = ServiceState.TERMINATED.value, reason[:24], now
    await numbers.release(uow, pol, sub.number, now)
    await numbers.release_second(uow, actor, sub.id, now)  # 第二号码 too
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
            final_bills=bills_json(bills),
            closed_at=now,
            refund_due_fen=debts.credit.fen,
        )
    )
    record_event(uow, now, subscriber_id, "service_terminated", {"reason": reason})
    await uow.publish(SubscriberTerminated(subscriber_id))  # what is kept only for the service goes
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


async def close_request(
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
    await numbers.release_second(uow, actor, sub.id, now)  # 第二号码 too
    req.state, req.closed_at, req.refund_due_fen = rules.RequestState.CLOSED.value, now, outcome.refund_due.fen
    record_event(uow, now, sub.id, "service_terminated", {"reason": "subscriber"})
    await uow.publish(SubscriberTerminated(sub.id))  # what is kept only for the service goes
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
    req = await open_request(uow, subscriber_id)
    if req is None:
        return False
    sub = await lock_subscriber(uow, subscriber_id)
    await uow.session.flush()
    balance = await ledger.balance(uow, subscriber_id)
    if not rules.closes(balance):
        return False
    await close_request(uow, now, sub, req, balance, actor)
    return True
