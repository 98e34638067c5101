"""Staff at a counter (R-23): payments taken in cash or by bank transfer, and refunds of the credit an
account holds."""

from __future__ import annotations

import secrets
from datetime import timedelta

from videophone.adapters.db.models import Payment, Refund, Subscriber
from videophone.billing.public import ledger
from videophone.collections.services.payment_input import MAX_RECEIPT, local_time, read_amount, read_text
from videophone.collections.services.payment_received import after_payment
from videophone.collections.services.payment_views import METHODS, REFUND_METHODS, PaymentView, RefundView, yuan
from videophone.collections.store import payments, subscribers
from videophone.collections.texts import notice_texts_payments
from videophone.common import audit
from videophone.common.account_history import record_event
from videophone.common.deps import Actor, Deps
from videophone.kernel.errors import FieldError, NotFound, ValidationFailed
from videophone.notices.public import notifications


async def record_counter(
    deps: Deps,
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
    amount = read_amount(amount_yuan, "amount_yuan", errors)
    if method not in METHODS:
        errors.append(FieldError("method", "invalid_choice"))
    receipt = read_text(receipt_no, "receipt_no", errors, required=True, limit=MAX_RECEIPT)
    note_text = read_text(note, "note", errors, required=False)
    now = deps.clock.now()
    received = now
    if received_at:
        parsed = local_time(received_at, deps.operator_tz)
        if parsed is None:
            errors.append(FieldError("received_at", "payment_received_at_format"))
        elif parsed > now + timedelta(minutes=5):
            errors.append(FieldError("received_at", "payment_received_at_future"))
        else:
            received = parsed
    if errors:
        raise ValidationFailed(errors)
    async with deps.uow() as uow:
        sub = await uow.session.get(Subscriber, subscriber_id)
        if sub is None:
            raise NotFound()
        existing = await payments.by_receipt(uow.session, receipt)
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
                await after_payment(uow, now, subscriber_id, amount, method, actor)
                await uow.commit()
                balance = await ledger.balance(uow, subscriber_id)
                return PaymentView.of(row, sub.number, str(balance.yuan))
            # a concurrent request with this receipt won: compare with what it stored
            await uow.rollback()
            existing = await payments.by_receipt(uow.session, receipt)
            assert existing is not None
        same = (
            existing.subscriber_id == subscriber_id and existing.amount_fen == amount.fen and existing.method == method
        )
        if not same:
            raise ValidationFailed([FieldError("receipt_no", "receipt_no_taken", {"receipt_no": receipt})])
        balance = await ledger.balance(uow, subscriber_id)
        return PaymentView.of(existing, sub.number, str(balance.yuan))


async def refund(
    deps: Deps, actor: Actor, subscriber_id: int, *, amount_yuan: object, method: str, reason: str
) -> RefundView:
    """Pay back credit the account holds (at most that credit)."""
    errors: list[FieldError] = []
    amount = read_amount(amount_yuan, "amount_yuan", errors)
    if method not in REFUND_METHODS:
        errors.append(FieldError("method", "invalid_choice"))
    text = read_text(reason, "reason", errors, required=True)
    if errors:
        raise ValidationFailed(errors)
    now = deps.clock.now()
    async with deps.uow() as uow:
        # Lock the account (PostgreSQL; SQLite holds the write lock from BEGIN) so two refunds
        # cannot both spend the same credit.
        sub = await subscribers.lock_subscriber(uow.session, subscriber_id)
        if sub is None:
            raise NotFound()
        available = -(await ledger.balance(uow, subscriber_id)).fen
        if available <= 0:
            raise ValidationFailed([FieldError("amount_yuan", "refund_no_credit")])
        if amount.fen > available:
            raise ValidationFailed([FieldError("amount_yuan", "refund_exceeds_credit", {"max": yuan(available)})])
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
