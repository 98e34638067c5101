"""What follows every payment received, however it arrived (gateway, reconciliation, late
confirmation, counter): the account event, the subscriber's notice, and ``BalanceReduced``, whose
in-transaction subscribers restore an arrears suspension, lift a credit-limit bar and close a settled
termination (ADR 0007)."""

from __future__ import annotations

from datetime import datetime

from videophone.adapters.db.uow import UnitOfWork
from videophone.collections.texts import notice_texts_payments
from videophone.common.account_history import record_event
from videophone.common.deps import Actor
from videophone.kernel.events import BalanceReduced
from videophone.kernel.money import Money
from videophone.notices.public import notifications


async def after_payment(
    uow: UnitOfWork, now: datetime, subscriber_id: int, amount: Money, method: str, actor: Actor
) -> None:
    params = {"amount": str(amount.yuan), "method": method}
    record_event(uow, now, subscriber_id, "payment_received", params)
    await notifications.notify(
        uow, now, subscriber_id, "payment_received", {**params, **notice_texts_payments.method_params(method)}
    )
    await uow.session.flush()
    cause = "gateway_payment" if method == "gateway" else "counter_payment"
    await uow.publish(BalanceReduced(subscriber_id, amount.fen, cause, now, actor))
