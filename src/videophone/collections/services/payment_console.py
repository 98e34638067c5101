"""The billing staff's payments console: a read model of recent payments, late confirmations,
pending intents and the gateway's notification log."""

from __future__ import annotations

from typing import Any

from videophone.billing.public import ledger
from videophone.collections.services.payment_input import MAX_PAGE
from videophone.collections.services.payment_views import (
    LATE_ARRIVALS,
    IntentView,
    NotificationLogView,
    PaymentView,
    yuan,
)
from videophone.collections.store import gateway_notifications, payment_intents, payments, subscribers
from videophone.common.deps import Deps
from videophone.kernel.errors import NotFound


async def console(deps: Deps, *, number: str = "", limit: int = 50) -> dict[str, Any]:
    """Recent payments, late confirmations, pending intents and the notification log; with
    ``number``, that subscriber's balance (for the counter form)."""
    limit = max(1, min(MAX_PAGE, limit))
    async with deps.uow() as uow:
        rows = await payments.latest_with_numbers(uow.session, limit)
        intents = await payment_intents.pending_with_numbers(uow.session, limit)
        late = await payments.latest_arrived_by(uow.session, LATE_ARRIVALS, limit)
        log_rows = await gateway_notifications.latest(uow.session, limit)
        subscriber: dict[str, Any] | None = None
        if number.strip():
            sub = await subscribers.subscriber_by_number(uow.session, number.strip())
            if sub is None:
                raise NotFound("payment_subscriber_unknown", params={"number": number.strip()[:20]})
            owed = await ledger.balance(uow, sub.id)
            subscriber = {
                "id": sub.id,
                "number": sub.number,
                "name": sub.name,
                "service_state": sub.service_state,
                "balance": str(owed.yuan),
                "credit": yuan(max(-owed.fen, 0)),
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
