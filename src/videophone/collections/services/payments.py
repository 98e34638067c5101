"""Payments (R-23): online through the payment gateway, at a counter by staff, and refunds of credit.

Gateway flow: the portal creates a ``payment_intents`` row (pending) and sends the browser to the
gateway's hosted pay page (a signed link); the gateway posts a signed notification back.  Every
notification is kept in ``gateway_notifications`` with its outcome (bad signatures included).  A valid
``paid`` settles the intent exactly once — a conditional ``UPDATE … WHERE state = 'pending'`` decides
which transaction does it (a concurrent duplicate waits on the row and then finds nothing to update) —
and in that same transaction posts the payment to the ledger (idempotency key ``pay:gw:<intent>``),
writes the ``payments`` row, the account event, the notification and publishes ``BalanceReduced``,
whose in-transaction subscribers restore an arrears suspension, lift a credit-limit bar and close a
settled termination (ADR 0007).  Duplicates, late or out-of-order notifications, and those
whose amount or merchant do not match, change nothing.  A lost notification is made good by
:meth:`PaymentService.reconcile`, which asks the gateway about pending intents and settles them the
same way.

A ``paid`` the gateway confirms for an intent already closed on our side — cancelled, given up as
failed, or paid before under another trade number (the subscriber paid twice) — is money received:
it is credited like any gateway payment (same ledger path, same ``BalanceReduced``), at most once
per gateway trade number, with an audit record, and listed to billing staff as a late confirmation
(ADR 0005 "Late confirmations").

Which bills a payment settles is not stored: payments settle the oldest debt first, derived when needed
(``services.debts``); an overpayment is simply a negative receivable balance (credit), which staff may
refund.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select, update

from videophone.adapters.db.models import Bill, GatewayNotification, Payment, PaymentIntent, Refund, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.adapters.payment_gateway import GatewayError, GatewayNotice, PaymentGateway
from videophone.billing.public import ledger
from videophone.collections.services import debts
from videophone.collections.texts import notice_texts_payments
from videophone.common import audit
from videophone.common import policy as policy_service
from videophone.common.account_history import record_event
from videophone.common.deps import Actor, Deps
from videophone.kernel.errors import FieldError, NotFound, ValidationFailed
from videophone.kernel.events import BalanceReduced
from videophone.kernel.money import Money, parse_yuan
from videophone.notices.public import notifications

log = structlog.get_logger(__name__)

MAX_PAYMENT = Money.of_yuan(100_000)
METHODS = ("cash", "bank_transfer")
REFUND_METHODS = ("cash", "bank_transfer")
MAX_RECEIPT = 64
MAX_NOTE = 200
UNKNOWN_AFTER = timedelta(days=1)  # an intent the gateway never heard of is given up after this
MAX_PAGE = 100
# how a payment arrived (``payments.arrival``); the last three are flagged to billing staff
ARRIVALS = ("counter", "notification", "reconciliation", "late_after_cancel", "late_after_expiry", "double_payment")
LATE_ARRIVALS = ("late_after_cancel", "late_after_expiry", "double_payment")
CLOSED_ARRIVAL = {"cancelled": "late_after_cancel", "failed": "late_after_expiry"}


def _yuan(fen: int) -> str:
    return str(Money(fen).yuan)


@dataclass(frozen=True)
class IntentView:
    id: str
    amount: str
    amount_fen: int
    state: str
    bill_id: int | None
    created_at: datetime
    paid_at: datetime | None
    redirect_url: str = ""

    @staticmethod
    def of(row: PaymentIntent, redirect_url: str = "") -> IntentView:
        return IntentView(
            row.id,
            _yuan(row.amount_fen),
            row.amount_fen,
            row.state,
            row.bill_id,
            row.created_at,
            row.paid_at,
            redirect_url,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PaymentView:
    id: int
    subscriber_id: int
    method: str
    amount: str
    amount_fen: int
    receipt_no: str | None
    intent_id: str | None
    received_at: datetime
    note: str
    arrival: str  # see ARRIVALS
    gateway_trade_no: str | None
    late: bool  # confirmed by the gateway after its intent was closed, or a second payment of it
    subscriber_number: str = ""
    balance: str = ""  # what the subscriber owes after it (only where asked)

    @staticmethod
    def of(row: Payment, number: str = "", balance: str = "") -> PaymentView:
        return PaymentView(
            row.id,
            row.subscriber_id,
            row.method,
            _yuan(row.amount_fen),
            row.amount_fen,
            row.receipt_no,
            row.intent_id,
            row.received_at,
            row.note,
            row.arrival,
            row.gateway_trade_no,
            row.arrival in LATE_ARRIVALS,
            number,
            balance,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RefundView:
    id: int
    subscriber_id: int
    amount: str
    amount_fen: int
    method: str
    reason: str
    created_at: datetime
    balance: str = ""

    @staticmethod
    def of(row: Refund, balance: str = "") -> RefundView:
        return RefundView(
            row.id,
            row.subscriber_id,
            _yuan(row.amount_fen),
            row.amount_fen,
            row.method,
            row.reason,
            row.created_at,
            balance,
        )


@dataclass(frozen=True)
class NotificationLogView:
    id: int
    intent_id: str | None
    received_at: datetime
    signature_ok: bool
    outcome: str
    status: str
    amount_fen: int | None
    remote: str

    @staticmethod
    def of(row: GatewayNotification) -> NotificationLogView:
        payload = row.payload or {}
        try:
            amount: int | None = int(str(payload.get("amount_fen")))
        except ValueError:
            amount = None
        return NotificationLogView(
            row.id, row.intent_id, row.received_at, row.signature_ok, row.outcome, str(payload.get("status", "")),
            amount, row.remote,
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BillStatus:
    bill_id: int
    remaining: str
    remaining_fen: int
    paid: bool


@dataclass(frozen=True)
class MyPayments:
    balance: str  # what they owe (negative: credit in their favour)
    balance_fen: int
    owed: str  # max(balance, 0): the default amount to pay
    credit: str  # max(−balance, 0)
    intents: list[IntentView]
    payments: list[PaymentView]
    refunds: list[RefundView]
    bills: list[BillStatus]


def _amount(raw: object, field: str, errors: list[FieldError]) -> Money:
    try:
        amount = parse_yuan(raw, field=field)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return Money.zero()
    if not amount:
        errors.append(FieldError(field, "amount_zero"))
    elif amount.fen > MAX_PAYMENT.fen:
        errors.append(FieldError(field, "amount_too_large", {"max": str(MAX_PAYMENT.yuan)}))
    return amount


def _text(raw: object, field: str, errors: list[FieldError], *, required: bool, limit: int = MAX_NOTE) -> str:
    value = str(raw or "").strip()
    if required and not value:
        errors.append(FieldError(field, "required"))
    elif len(value) > limit:
        errors.append(FieldError(field, "too_long", {"max": limit}))
    return value


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
    async def start(self, subscriber_id: int, amount_yuan: object, bill_id: int | None = None) -> IntentView:
        errors: list[FieldError] = []
        amount = _amount(amount_yuan, "amount_yuan", errors)
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
            intents = (
                await uow.session.scalars(
                    select(PaymentIntent)
                    .where(PaymentIntent.subscriber_id == subscriber_id)
                    .order_by(PaymentIntent.created_at.desc(), PaymentIntent.id.desc())
                    .limit(limit)
                )
            ).all()
            payments = (
                await uow.session.scalars(
                    select(Payment)
                    .where(Payment.subscriber_id == subscriber_id)
                    .order_by(Payment.received_at.desc(), Payment.id.desc())
                    .limit(limit)
                )
            ).all()
            refunds = (
                await uow.session.scalars(
                    select(Refund).where(Refund.subscriber_id == subscriber_id).order_by(Refund.id.desc()).limit(limit)
                )
            ).all()
            bills = await self._bill_status(uow, subscriber_id, self._today(now))
        return MyPayments(
            balance=str(owed.yuan),
            balance_fen=owed.fen,
            owed=_yuan(max(owed.fen, 0)),
            credit=_yuan(max(-owed.fen, 0)),
            intents=[IntentView.of(i) for i in intents],
            payments=[PaymentView.of(p) for p in payments],
            refunds=[RefundView.of(r) for r in refunds],
            bills=bills,
        )

    async def _bill_status(self, uow: UnitOfWork, subscriber_id: int, today: date) -> list[BillStatus]:
        """What remains of each bill's charges after the payments so far (oldest debt first)."""
        state = await debts.account_debts(uow, subscriber_id, today, self.deps.operator_tz)
        return [BillStatus(b.bill_id, str(b.remaining.yuan), b.remaining.fen, b.settled) for b in state.bills]

    # -- gateway notifications -------------------------------------------------------------------------
    async def handle_notification(self, payload: Mapping[str, object], *, remote: str = "") -> bool:
        """Handle one notification from the gateway; ``False``: refused (bad signature), answer 400."""
        now = self.deps.clock.now()
        raw = {str(k): str(v) for k, v in payload.items()}
        notice = self.gateway.verify_notification(raw)
        intent_id = raw.get("out_trade_no") or None
        if notice is None:
            log.warning("payment notification refused: bad signature", intent_id=intent_id, remote=remote)
            async with self.deps.uow() as uow:
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
        async with self.deps.uow() as uow:
            outcome = await self._apply(uow, now, notice)
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

    async def _apply(self, uow: UnitOfWork, now: datetime, notice: GatewayNotice, arrival: str = "notification") -> str:
        """The effect of a verified notice (or reconciliation answer) in ``uow``; returns the outcome."""
        if notice.merchant_id != self.gateway.merchant_id:
            return "merchant_mismatch"
        intent = await uow.session.get(PaymentIntent, notice.out_trade_no)
        if intent is None:
            return "unknown_intent"
        if notice.amount_fen != intent.amount_fen:
            log.warning("payment notification amount mismatch", intent_id=intent.id, amount_fen=notice.amount_fen)
            return "amount_mismatch"
        if notice.status == "closed":
            closed = await uow.session.execute(
                update(PaymentIntent)
                .where(PaymentIntent.id == intent.id, PaymentIntent.state == "pending")
                .values(state="cancelled", updated_at=now)
            )
            return "closed" if getattr(closed, "rowcount", 0) == 1 else "ignored"
        # paid: exactly one transaction gets to move the intent out of pending
        won = await uow.session.execute(
            update(PaymentIntent)
            .where(PaymentIntent.id == intent.id, PaymentIntent.state == "pending")
            .values(state="paid", updated_at=now, paid_at=notice.paid_at or now, gateway_trade_no=notice.trade_no)
        )
        if getattr(won, "rowcount", 0) != 1:
            await uow.session.refresh(intent)
            if intent.state == "paid" and intent.gateway_trade_no == notice.trade_no:
                return "duplicate"
            return await self._apply_late(uow, now, intent, notice)
        payment = await self._credit(uow, now, intent, notice, f"pay:gw:{intent.id}", arrival)
        assert payment is not None  # _credit raises rather than post an intent's payment twice
        await uow.session.execute(
            update(PaymentIntent).where(PaymentIntent.id == intent.id).values(transaction_id=payment.transaction_id)
        )
        return "applied"

    async def _apply_late(self, uow: UnitOfWork, now: datetime, intent: PaymentIntent, notice: GatewayNotice) -> str:
        """A ``paid`` for an intent that is no longer pending: the gateway took the money, so it is
        credited — once per trade number — whatever happened to the intent on our side."""
        if not notice.trade_no:
            return "ignored"  # nothing to make it idempotent by (a reconciliation answer without one)
        seen = await uow.session.scalar(select(Payment.intent_id).where(Payment.gateway_trade_no == notice.trade_no))
        if seen is not None:
            return "duplicate" if seen == intent.id else "ignored"
        before = intent.state
        if before in CLOSED_ARRIVAL:
            # closed here (cancelled at the gateway, or given up as failed) but paid after all: the
            # intent becomes paid by this trade; of concurrent copies, one transaction moves it
            reopened = await uow.session.execute(
                update(PaymentIntent)
                .where(PaymentIntent.id == intent.id, PaymentIntent.state == before)
                .values(state="paid", updated_at=now, paid_at=notice.paid_at or now, gateway_trade_no=notice.trade_no)
            )
            if getattr(reopened, "rowcount", 0) != 1:
                await uow.session.refresh(intent)
                if intent.state == "paid" and intent.gateway_trade_no != notice.trade_no:
                    return await self._apply_late(uow, now, intent, notice)  # paid meanwhile by another trade
                return "duplicate" if intent.state == "paid" else "ignored"
            arrival, key, outcome = CLOSED_ARRIVAL[before], f"pay:gw:{intent.id}", "late_credit"
        elif before == "paid":
            # the intent was paid under another trade number: the subscriber paid twice
            arrival, key, outcome = "double_payment", f"pay:gw:trade:{notice.trade_no}", "double_credit"
        else:
            return "ignored"
        payment = await self._credit(uow, now, intent, notice, key, arrival)
        if payment is None:
            return "duplicate"  # a concurrent copy of this notification credited it
        if arrival != "double_payment":
            await uow.session.execute(
                update(PaymentIntent).where(PaymentIntent.id == intent.id).values(transaction_id=payment.transaction_id)
            )
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
                "amount_yuan": _yuan(intent.amount_fen),
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
        self, uow: UnitOfWork, now: datetime, intent: PaymentIntent, notice: GatewayNotice, key: str, arrival: str
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
        await self._after_payment(uow, now, intent.subscriber_id, amount, "gateway", Actor.system())
        return payment

    async def _after_payment(
        self, uow: UnitOfWork, now: datetime, subscriber_id: int, amount: Money, method: str, actor: Actor
    ) -> None:
        params = {"amount": str(amount.yuan), "method": method}
        record_event(uow, now, subscriber_id, "payment_received", params)
        await notifications.notify(
            uow, now, subscriber_id, "payment_received", {**params, **notice_texts_payments.method_params(method)}
        )
        await uow.session.flush()
        cause = "gateway_payment" if method == "gateway" else "counter_payment"
        await uow.publish(BalanceReduced(subscriber_id, amount.fen, cause, now, actor))

    # -- reconciliation ----------------------------------------------------------------------------------
    async def reconcile(self) -> dict[str, int]:
        """Ask the gateway about pending intents older than ``policy.payment_reconcile_minutes`` and
        settle them as a notification would (the job ``payment-reconcile``)."""
        now = self.deps.clock.now()
        counts = {"checked": 0, "applied": 0, "cancelled": 0, "failed": 0, "pending": 0, "errors": 0}
        async with self.deps.uow() as uow:
            _, policy = await policy_service.current(uow)
            cutoff = now - timedelta(minutes=policy.payment_reconcile_minutes)
            pending = (
                await uow.session.execute(
                    select(PaymentIntent.id, PaymentIntent.created_at)
                    .where(PaymentIntent.state == "pending", PaymentIntent.created_at <= cutoff)
                    .order_by(PaymentIntent.created_at)
                    .limit(200)
                )
            ).all()
        for intent_id, created_at in pending:
            counts["checked"] += 1
            try:
                status = await self.gateway.query(intent_id, now)
            except GatewayError as exc:
                counts["errors"] += 1
                log.warning("payment reconciliation: gateway not reachable", intent_id=intent_id, error=str(exc))
                continue
            async with self.deps.uow() as uow:
                if status.status in ("paid", "closed"):
                    notice = GatewayNotice(
                        merchant_id=self.gateway.merchant_id,
                        out_trade_no=intent_id,
                        trade_no=status.trade_no,
                        amount_fen=status.amount_fen,
                        status=status.status,
                        paid_at=status.paid_at,
                        notify_id="reconcile",
                    )
                    outcome = await self._apply(uow, now, notice, "reconciliation")
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
                    failed = await uow.session.execute(
                        update(PaymentIntent)
                        .where(PaymentIntent.id == intent_id, PaymentIntent.state == "pending")
                        .values(state="failed", updated_at=now)
                    )
                    counts["failed"] += int(getattr(failed, "rowcount", 0) or 0)
                else:
                    counts["pending"] += 1
                await uow.commit()
        return counts

    # -- staff: counter payments and refunds ------------------------------------------------------------
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
        """A payment taken at a counter.  The receipt number identifies it: the same receipt with the
        same data again returns the same payment; with other data it is refused."""
        errors: list[FieldError] = []
        amount = _amount(amount_yuan, "amount_yuan", errors)
        if method not in METHODS:
            errors.append(FieldError("method", "invalid_choice"))
        receipt = _text(receipt_no, "receipt_no", errors, required=True, limit=MAX_RECEIPT)
        note_text = _text(note, "note", errors, required=False)
        now = self.deps.clock.now()
        received = now
        if received_at:
            parsed = _local_time(received_at, self.deps.operator_tz)
            if parsed is None:
                errors.append(FieldError("received_at", "payment_received_at_format"))
            elif parsed > now + timedelta(minutes=5):
                errors.append(FieldError("received_at", "payment_received_at_future"))
            else:
                received = parsed
        if errors:
            raise ValidationFailed(errors)
        async with self.deps.uow() as uow:
            sub = await uow.session.get(Subscriber, subscriber_id)
            if sub is None:
                raise NotFound()
            existing = await uow.session.scalar(select(Payment).where(Payment.receipt_no == receipt))
            if existing is None:
                posted = await ledger.post(
                    uow,
                    "payment",
                    f"pay:counter:{receipt}",
                    [(ledger.RECEIVABLE, subscriber_id, -amount), ("cash:counter", None, amount)],
                    subscriber_id=subscriber_id,
                    memo=f"{method} {receipt}",
                    created_by=actor.id if actor.type == "staff" else None,
                    at=now,
                )
                if posted is not None:
                    row = Payment(
                        subscriber_id=subscriber_id,
                        method=method,
                        amount_fen=amount.fen,
                        receipt_no=receipt,
                        arrival="counter",
                        transaction_id=posted.id,
                        recorded_by=actor.id if actor.type == "staff" else None,
                        received_at=received,
                        created_at=now,
                        note=note_text,
                    )
                    uow.session.add(row)
                    await uow.session.flush()
                    audit.record(
                        uow,
                        now,
                        actor,
                        "payment.counter",
                        "subscriber",
                        subscriber_id,
                        {
                            "amount_yuan": str(amount.yuan),
                            "method": method,
                            "receipt_no": receipt,
                            "payment_id": row.id,
                        },
                    )
                    await self._after_payment(uow, now, subscriber_id, amount, method, actor)
                    await uow.commit()
                    balance = await ledger.balance(uow, subscriber_id)
                    return PaymentView.of(row, sub.number, str(balance.yuan))
                # a concurrent request with this receipt won: compare with what it stored
                await uow.rollback()
                existing = await uow.session.scalar(select(Payment).where(Payment.receipt_no == receipt))
                assert existing is not None
            same = (
                existing.subscriber_id == subscriber_id
                and existing.amount_fen == amount.fen
                and existing.method == method
            )
            if not same:
                raise ValidationFailed([FieldError("receipt_no", "receipt_no_taken", {"receipt_no": receipt})])
            balance = await ledger.balance(uow, subscriber_id)
            return PaymentView.of(existing, sub.number, str(balance.yuan))

    async def refund(
        self, actor: Actor, subscriber_id: int, *, amount_yuan: object, method: str, reason: str
    ) -> RefundView:
        """Pay back credit the account holds (at most that credit)."""
        errors: list[FieldError] = []
        amount = _amount(amount_yuan, "amount_yuan", errors)
        if method not in REFUND_METHODS:
            errors.append(FieldError("method", "invalid_choice"))
        text = _text(reason, "reason", errors, required=True)
        if errors:
            raise ValidationFailed(errors)
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            # Lock the account (PostgreSQL; SQLite holds the write lock from BEGIN) so two refunds
            # cannot both spend the same credit.
            sub = await uow.session.scalar(select(Subscriber).where(Subscriber.id == subscriber_id).with_for_update())
            if sub is None:
                raise NotFound()
            available = -(await ledger.balance(uow, subscriber_id)).fen
            if available <= 0:
                raise ValidationFailed([FieldError("amount_yuan", "refund_no_credit")])
            if amount.fen > available:
                raise ValidationFailed([FieldError("amount_yuan", "refund_exceeds_credit", {"max": _yuan(available)})])
            posted = await ledger.post(
                uow,
                "refund",
                f"refund:{subscriber_id}:{secrets.token_hex(8)}",
                [(ledger.RECEIVABLE, subscriber_id, amount), ("refund", None, -amount)],
                subscriber_id=subscriber_id,
                memo=text,
                created_by=actor.id if actor.type == "staff" else None,
                at=now,
            )
            assert posted is not None  # a fresh random key
            row = Refund(
                subscriber_id=subscriber_id,
                amount_fen=amount.fen,
                method=method,
                reason=text,
                transaction_id=posted.id,
                created_by=actor.id if actor.type == "staff" else None,
                created_at=now,
            )
            uow.session.add(row)
            await uow.session.flush()
            audit.record(
                uow,
                now,
                actor,
                "payment.refund",
                "subscriber",
                subscriber_id,
                {"amount_yuan": str(amount.yuan), "method": method, "reason": text, "refund_id": row.id},
            )
            params = {"amount": str(amount.yuan), "method": method}
            record_event(uow, now, subscriber_id, "refund_issued", params)
            await notifications.notify(
                uow, now, subscriber_id, "refund_issued", {**params, **notice_texts_payments.method_params(method)}
            )
            await uow.commit()
            balance = await ledger.balance(uow, subscriber_id)
        return RefundView.of(row, str(balance.yuan))

    # -- the console ---------------------------------------------------------------------------------------
    async def console(self, *, number: str = "", limit: int = 50) -> dict[str, Any]:
        """Recent payments, late confirmations, pending intents and the notification log; with
        ``number``, that subscriber's balance (for the counter form)."""
        limit = max(1, min(MAX_PAGE, limit))
        async with self.deps.uow() as uow:
            rows = (
                await uow.session.execute(
                    select(Payment, Subscriber.number)
                    .join(Subscriber, Subscriber.id == Payment.subscriber_id)
                    .order_by(Payment.created_at.desc(), Payment.id.desc())
                    .limit(limit)
                )
            ).all()
            intents = (
                await uow.session.execute(
                    select(PaymentIntent, Subscriber.number)
                    .join(Subscriber, Subscriber.id == PaymentIntent.subscriber_id)
                    .where(PaymentIntent.state == "pending")
                    .order_by(PaymentIntent.created_at.desc())
                    .limit(limit)
                )
            ).all()
            late = (
                await uow.session.execute(
                    select(Payment, Subscriber.number)
                    .join(Subscriber, Subscriber.id == Payment.subscriber_id)
                    .where(Payment.arrival.in_(LATE_ARRIVALS))
                    .order_by(Payment.created_at.desc(), Payment.id.desc())
                    .limit(limit)
                )
            ).all()
            log_rows = (
                await uow.session.scalars(
                    select(GatewayNotification).order_by(GatewayNotification.id.desc()).limit(limit)
                )
            ).all()
            subscriber: dict[str, Any] | None = None
            if number.strip():
                sub = await uow.session.scalar(select(Subscriber).where(Subscriber.number == number.strip()))
                if sub is None:
                    raise NotFound("payment_subscriber_unknown", params={"number": number.strip()[:20]})
                owed = await ledger.balance(uow, sub.id)
                subscriber = {
                    "id": sub.id,
                    "number": sub.number,
                    "name": sub.name,
                    "service_state": sub.service_state,
                    "balance": str(owed.yuan),
                    "credit": _yuan(max(-owed.fen, 0)),
                }
        return {
            "subscriber": subscriber,
            "payments": [PaymentView.of(p, n).to_dict() for p, n in rows],
            # money the gateway confirmed after its intent was closed, or paid twice: credited,
            # listed for billing staff (the subscriber may ask for it back: a refund of credit)
            "late_confirmations": [PaymentView.of(p, n).to_dict() for p, n in late],
            "pending_intents": [{**IntentView.of(i).to_dict(), "subscriber_number": n} for i, n in intents],
            "notifications": [NotificationLogView.of(r).to_dict() for r in log_rows],
        }


def _local_time(raw: str, tz: ZoneInfo) -> datetime | None:
    """An ISO 8601 time; without an offset it is the operator's local time (as typed at a counter)."""
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
