"""Payments (R-23): online through the payment gateway, at a counter by staff, and refunds of credit.

The portal starts a payment here (a ``payment_intents`` row, and the gateway's hosted pay page);
the gateway's notifications, their reconciliation and late confirmations are
``services.gateway_payments``; counter payments and refunds ``services.counter_payments``; the staff
console ``services.payment_console``.  Every payment received is followed by
``services.payment_received.after_payment`` (``BalanceReduced``, ADR 0007).

Which bills a payment settles is not stored: payments settle the oldest debt first, derived when needed
(``services.debts``); an overpayment is simply a negative receivable balance (credit), which staff may
refund.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from videophone.adapters.db.models import Bill, PaymentIntent, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.adapters.payment_gateway import PaymentGateway
from videophone.billing.public import ledger
from videophone.collections.services import counter_payments, debts, gateway_payments, payment_console
from videophone.collections.services.payment_input import MAX_PAGE, read_amount
from videophone.collections.services.payment_views import (
    BillStatus,
    IntentView,
    MyPayments,
    PaymentView,
    RefundView,
    yuan,
)
from videophone.collections.store import payment_intents
from videophone.collections.store import payments as payments_store
from videophone.collections.store import refunds as refunds_store
from videophone.common.deps import Actor, Deps
from videophone.kernel.errors import FieldError, NotFound, ValidationFailed


class PaymentService:
    def __init__(self, deps: Deps, gateway: PaymentGateway) -> None:
        self.deps = deps
        self.gateway = gateway  # replaceable (tests run the built-in gateway in-process)

    @property
    def notify_url(self) -> str:
        return f"{self.deps.public_url.rstrip('/')}/api/v1/payments/gateway/notify"

    def return_url(self, intent_id: str) -> str:
        return f"{self.deps.public_url.rstrip('/')}/payments?intent={intent_id}"

    def _today(self, now: datetime) -> date:
        return now.astimezone(self.deps.operator_tz).date()

    # -- the portal: start a payment ------------------------------------------------------------------
    async def start(
        self, subscriber_id: int, amount_yuan: object, bill_id: int | None = None, *, language: str = "zh-CN"
    ) -> IntentView:
        """A payment intent and the gateway's pay page for it, shown in ``language`` (the portal's)."""
        errors: list[FieldError] = []
        amount = read_amount(amount_yuan, "amount_yuan", errors)
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            sub = await uow.session.get(Subscriber, subscriber_id)
            if sub is None:
                raise NotFound()
            if bill_id is not None:
                bill = await uow.session.get(Bill, bill_id)
                if bill is None or bill.subscriber_id != subscriber_id:
                    errors.append(FieldError("bill_id", "payment_bill_unknown"))
            if errors:
                raise ValidationFailed(errors)
            intent = PaymentIntent(
                id=f"pi_{secrets.token_hex(12)}",
                subscriber_id=subscriber_id,
                amount_fen=amount.fen,
                state="pending",
                bill_id=bill_id,
                created_at=now,
                updated_at=now,
            )
            uow.session.add(intent)
            await uow.commit()
            number = sub.number
        url = self.gateway.checkout_url(
            out_trade_no=intent.id,
            amount_fen=intent.amount_fen,
            subject=f"可视电话缴费 Videophone {number}",
            notify_url=self.notify_url,
            return_url=self.return_url(intent.id),
            now=now,
            language=language,
        )
        return IntentView.of(intent, url)

    async def intent(self, subscriber_id: int, intent_id: str) -> IntentView:
        async with self.deps.uow() as uow:
            row = await uow.session.get(PaymentIntent, intent_id)
        if row is None or row.subscriber_id != subscriber_id:
            raise NotFound()
        return IntentView.of(row)

    async def mine(self, subscriber_id: int, *, limit: int = 50) -> MyPayments:
        limit = max(1, min(MAX_PAGE, limit))
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            owed = await ledger.balance(uow, subscriber_id)
            intents = await payment_intents.latest_of(uow.session, subscriber_id, limit)
            payments = await payments_store.latest_of(uow.session, subscriber_id, limit)
            refunds = await refunds_store.latest_of(uow.session, subscriber_id, limit)
            bills = await self._bill_status(uow, subscriber_id, self._today(now))
        return MyPayments(
            balance=str(owed.yuan),
            balance_fen=owed.fen,
            owed=yuan(max(owed.fen, 0)),
            credit=yuan(max(-owed.fen, 0)),
            intents=[IntentView.of(i) for i in intents],
            payments=[PaymentView.of(p) for p in payments],
            refunds=[RefundView.of(r) for r in refunds],
            bills=bills,
        )

    async def _bill_status(self, uow: UnitOfWork, subscriber_id: int, today: date) -> list[BillStatus]:
        """What remains of each bill's charges after the payments so far (oldest debt first)."""
        state = await debts.account_debts(uow, subscriber_id, today, self.deps.operator_tz)
        return [BillStatus(b.bill_id, str(b.remaining.yuan), b.remaining.fen, b.settled) for b in state.bills]

    # -- gateway notifications and reconciliation (``services.gateway_payments``) ---------------------------
    async def handle_notification(self, payload: Mapping[str, object], *, remote: str = "") -> bool:
        """Handle one notification from the gateway; ``False``: refused (bad signature), answer 400."""
        return await gateway_payments.handle_notification(self.deps, self.gateway, payload, remote=remote)

    async def reconcile(self) -> dict[str, int]:
        """Settle pending intents the gateway has an answer for (the job ``payment-reconcile``)."""
        return await gateway_payments.reconcile(self.deps, self.gateway)

    # -- staff: counter payments and refunds (``services.counter_payments``) ---------------------------------
    async def record_counter(
        self,
        actor: Actor,
        subscriber_id: int,
        *,
        amount_yuan: object,
        method: str,
        receipt_no: str,
        received_at: str | None = None,
        note: str = "",
    ) -> PaymentView:
        """A payment taken at a counter (idempotent by receipt number)."""
        return await counter_payments.record_counter(
            self.deps,
            actor,
            subscriber_id,
            amount_yuan=amount_yuan,
            method=method,
            receipt_no=receipt_no,
            received_at=received_at,
            note=note,
        )

    async def refund(
        self, actor: Actor, subscriber_id: int, *, amount_yuan: object, method: str, reason: str
    ) -> RefundView:
        """Pay back credit the account holds (at most that credit)."""
        return await counter_payments.refund(
            self.deps, actor, subscriber_id, amount_yuan=amount_yuan, method=method, reason=reason
        )

    # -- the console (``services.payment_console``) ----------------------------------------------------------
    async def console(self, *, number: str = "", limit: int = 50) -> dict[str, Any]:
        """Recent payments, late confirmations, pending intents and the notification log; with
        ``number``, that subscriber's balance (for the counter form)."""
        return await payment_console.console(self.deps, number=number, limit=limit)
