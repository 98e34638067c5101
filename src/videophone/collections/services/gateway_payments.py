"""Payments through the payment gateway (R-23).

The flow: the portal creates a ``payment_intents`` row (pending) and sends the browser to the
gateway's hosted pay page (a signed link); the gateway posts a signed notification back.  Every
notification is kept in ``gateway_notifications`` with its outcome (bad signatures included).  A valid
``paid`` settles the intent exactly once — a conditional ``UPDATE … WHERE state = 'pending'`` decides
which transaction does it (a concurrent duplicate waits on the row and then finds nothing to update) —
and in that same transaction posts the payment to the ledger (idempotency key ``pay:gw:<intent>``),
writes the ``payments`` row, the account event, the notification and publishes ``BalanceReduced``,
whose in-transaction subscribers restore an arrears suspension, lift a credit-limit bar and close a
settled termination (ADR 0007).  Duplicates, late or out-of-order notifications, and those
whose amount or merchant do not match, change nothing.  A lost notification is made good by
:func:`reconcile`, which asks the gateway about pending intents and settles them the
same way.

A ``paid`` the gateway confirms for an intent already closed on our side — cancelled, given up as
failed, or paid before under another trade number (the subscriber paid twice) — is money received:
it is credited like any gateway payment (same ledger path, same ``BalanceReduced``), at most once
per gateway trade number, with an audit record, and listed to billing staff as a late confirmation
(ADR 0005 "Late confirmations").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import structlog

from videophone.adapters.db.models import GatewayNotification, Payment, PaymentIntent
from videophone.adapters.db.uow import UnitOfWork
from videophone.adapters.payment_gateway import GatewayError, GatewayNotice, PaymentGateway
from videophone.billing.public import ledger
from videophone.collections.services.payment_received import after_payment
from videophone.collections.services.payment_views import yuan
from videophone.collections.store import payment_intents, payments
from videophone.common import audit
from videophone.common import policy as policy_service
from videophone.common.deps import Actor, Deps
from videophone.kernel.money import Money

log = structlog.get_logger(__name__)

UNKNOWN_AFTER = timedelta(days=1)  # an intent the gateway never heard of is given up after this
# the arrival of a ``paid`` for an intent closed on our side, by the state it was closed in
CLOSED_ARRIVAL = {"cancelled": "late_after_cancel", "failed": "late_after_expiry"}


async def handle_notification(
    deps: Deps, gateway: PaymentGateway, payload: Mapping[str, object], *, remote: str = ""
) -> bool:
    """Handle one notification from the gateway; ``False``: refused (bad signature), answer 400."""
    now = deps.clock.now()
    raw = {str(k): str(v) for k, v in payload.items()}
    notice = gateway.verify_notification(raw)
    intent_id = raw.get("out_trade_no") or None
    if notice is None:
        log.warning("payment notification refused: bad signature", intent_id=intent_id, remote=remote)
        async with deps.uow() as uow:
            uow.session.add(
                GatewayNotification(
                    intent_id=(intent_id or "")[:40] or None,
                    received_at=now,
                    signature_ok=False,
                    outcome="bad_signature",
                    payload=raw,
                    remote=remote[:64],
                )
            )
            await uow.commit()
        return False
    async with deps.uow() as uow:
        outcome = await _apply(uow, now, gateway, notice)
        uow.session.add(
            GatewayNotification(
                intent_id=notice.out_trade_no[:40],
                received_at=now,
                signature_ok=True,
                outcome=outcome,
                payload=raw,
                remote=remote[:64],
            )
        )
        await uow.commit()
    log.info("payment notification", intent_id=notice.out_trade_no, status=notice.status, outcome=outcome)
    return True


async def _apply(
    uow: UnitOfWork, now: datetime, gateway: PaymentGateway, notice: GatewayNotice, arrival: str = "notification"
) -> str:
    """The effect of a verified notice (or reconciliation answer) in ``uow``; returns the outcome."""
    if notice.merchant_id != gateway.merchant_id:
        return "merchant_mismatch"
    intent = await uow.session.get(PaymentIntent, notice.out_trade_no)
    if intent is None:
        return "unknown_intent"
    if notice.amount_fen != intent.amount_fen:
        log.warning("payment notification amount mismatch", intent_id=intent.id, amount_fen=notice.amount_fen)
        return "amount_mismatch"
    if notice.status == "closed":
        closed = await payment_intents.cancel_if_pending(uow.session, intent.id, now)
        return "closed" if closed == 1 else "ignored"
    # paid: exactly one transaction gets to move the intent out of pending
    won = await payment_intents.pay_if_in(
        uow.session, intent.id, "pending", now=now, paid_at=notice.paid_at or now, trade_no=notice.trade_no
    )
    if won != 1:
        await uow.session.refresh(intent)
        if intent.state == "paid" and intent.gateway_trade_no == notice.trade_no:
            return "duplicate"
        return await _apply_late(uow, now, intent, notice)
    payment = await _credit(uow, now, intent, notice, f"pay:gw:{intent.id}", arrival)
    assert payment is not None  # _credit raises rather than post an intent's payment twice
    await payment_intents.set_transaction(uow.session, intent.id, payment.transaction_id)
    return "applied"


async def _apply_late(uow: UnitOfWork, now: datetime, intent: PaymentIntent, notice: GatewayNotice) -> str:
    """A ``paid`` for an intent that is no longer pending: the gateway took the money, so it is
    credited — once per trade number — whatever happened to the intent on our side."""
    if not notice.trade_no:
        return "ignored"  # nothing to make it idempotent by (a reconciliation answer without one)
    seen = await payments.intent_paid_by_trade(uow.session, notice.trade_no)
    if seen is not None:
        return "duplicate" if seen == intent.id else "ignored"
    before = intent.state
    if before in CLOSED_ARRIVAL:
        # closed here (cancelled at the gateway, or given up as failed) but paid after all: the
        # intent becomes paid by this trade; of concurrent copies, one transaction moves it
        reopened = await payment_intents.pay_if_in(
            uow.session, intent.id, before, now=now, paid_at=notice.paid_at or now, trade_no=notice.trade_no
        )
        if reopened != 1:
            await uow.session.refresh(intent)
            if intent.state == "paid" and intent.gateway_trade_no != notice.trade_no:
                return await _apply_late(uow, now, intent, notice)  # paid meanwhile by another trade
            return "duplicate" if intent.state == "paid" else "ignored"
        arrival, key, outcome = CLOSED_ARRIVAL[before], f"pay:gw:{intent.id}", "late_credit"
    elif before == "paid":
        # the intent was paid under another trade number: the subscriber paid twice
        arrival, key, outcome = "double_payment", f"pay:gw:trade:{notice.trade_no}", "double_credit"
    else:
        return "ignored"
    payment = await _credit(uow, now, intent, notice, key, arrival)
    if payment is None:
        return "duplicate"  # a concurrent copy of this notification credited it
    if arrival != "double_payment":
        await payment_intents.set_transaction(uow.session, intent.id, payment.transaction_id)
    audit.record(
        uow,
        now,
        Actor.system(),
        f"payment.{arrival}",
        "subscriber",
        intent.subscriber_id,
        {
            "payment_id": payment.id,
            "intent_id": intent.id,
            "intent_state_before": before,
            "trade_no": notice.trade_no,
            "amount_yuan": yuan(intent.amount_fen),
        },
    )
    log.warning(
        "late gateway confirmation credited",
        intent_id=intent.id,
        arrival=arrival,
        intent_state_before=before,
        amount_fen=intent.amount_fen,
    )
    return outcome


async def _credit(
    uow: UnitOfWork, now: datetime, intent: PaymentIntent, notice: GatewayNotice, key: str, arrival: str
) -> Payment | None:
    """Money the gateway received for ``intent``: the ledger posting (``key``), the payment and what
    follows a payment; ``None`` if ``key`` was posted before."""
    amount = Money(intent.amount_fen)
    memo = f"gateway {notice.trade_no}" if arrival == "notification" else f"gateway {notice.trade_no} ({arrival})"
    posted = await ledger.post(
        uow,
        "payment",
        key,
        [(ledger.RECEIVABLE, intent.subscriber_id, -amount), ("cash:gateway", None, amount)],
        subscriber_id=intent.subscriber_id,
        memo=memo,
        at=now,
    )
    if posted is None:
        if arrival in ("notification", "reconciliation", *CLOSED_ARRIVAL.values()):
            # cannot happen while the conditional update of the intent guards it; never post twice
            raise RuntimeError(f"payment for {intent.id} already posted")
        return None
    payment = Payment(
        subscriber_id=intent.subscriber_id,
        method="gateway",
        amount_fen=intent.amount_fen,
        intent_id=intent.id,
        gateway_trade_no=notice.trade_no or None,
        arrival=arrival,
        transaction_id=posted.id,
        received_at=notice.paid_at or now,
        created_at=now,
        note=notice.trade_no,
    )
    uow.session.add(payment)
    await uow.session.flush()
    await after_payment(uow, now, intent.subscriber_id, amount, "gateway", Actor.system())
    return payment


async def reconcile(deps: Deps, gateway: PaymentGateway) -> dict[str, int]:
    """Ask the gateway about pending intents older than ``policy.payment_reconcile_minutes`` and
    settle them as a notification would (the job ``payment-reconcile``)."""
    now = deps.clock.now()
    counts = {"checked": 0, "applied": 0, "cancelled": 0, "failed": 0, "pending": 0, "errors": 0}
    async with deps.uow() as uow:
        _, policy = await policy_service.current(uow)
        cutoff = now - timedelta(minutes=policy.payment_reconcile_minutes)
        pending = await payment_intents.pending_since(uow.session, cutoff)
    for intent_id, created_at in pending:
        counts["checked"] += 1
        try:
            status = await gateway.query(intent_id, now)
        except GatewayError as exc:
            counts["errors"] += 1
            log.warning("payment reconciliation: gateway not reachable", intent_id=intent_id, error=str(exc))
            continue
        async with deps.uow() as uow:
            if status.status in ("paid", "closed"):
                notice = GatewayNotice(
                    merchant_id=gateway.merchant_id,
                    out_trade_no=intent_id,
                    trade_no=status.trade_no,
                    amount_fen=status.amount_fen,
                    status=status.status,
                    paid_at=status.paid_at,
                    notify_id="reconcile",
                )
                outcome = await _apply(uow, now, gateway, notice, "reconciliation")
                key = {"applied": "applied", "late_credit": "applied", "closed": "cancelled"}.get(outcome)
                if key:
                    counts[key] += 1
                uow.session.add(
                    GatewayNotification(
                        intent_id=intent_id,
                        received_at=now,
                        signature_ok=True,
                        outcome=f"reconciled_{outcome}"[:24],
                        payload={
                            "status": status.status,
                            "trade_no": status.trade_no,
                            "amount_fen": str(status.amount_fen),
                            "paid_at": status.paid_at.isoformat() if status.paid_at else "",
                        },
                        remote="reconciliation",
                    )
                )
            elif status.status == "unknown" and _aware(created_at) <= now - UNKNOWN_AFTER:
                counts["failed"] += await payment_intents.fail_if_pending(uow.session, intent_id, now)
            else:
                counts["pending"] += 1
            await uow.commit()
    return counts


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
