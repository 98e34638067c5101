"""What a subscriber may do now (``domain.capabilities``), read for an API answer: the row's review
and service state, the scope of an open credit-limit restriction and, for a subscriber with a limit,
where they stand for a new call — the same inputs the invite decision uses (``services.signaling``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.calling.domain import capabilities as caps
from videophone.collections.public import position
from videophone.common import policy
from videophone.enforcement.public import restrictions
from videophone.kernel.money import Money


async def of_subscriber(
    uow: UnitOfWork, now: datetime, tz: ZoneInfo, sub: Subscriber, *, read_credit: bool = True
) -> caps.Capabilities:
    """What ``sub`` may do at ``now``; ``tz``: the operator's time zone (it decides the month).
    ``read_credit=False`` leaves the credit-limit standing out (lists of many accounts)."""
    credit: caps.CreditRoom | None = None
    scope = ""
    if sub.credit_limit_fen is not None and read_credit:
        scope = next(
            (r.scope for r in await restrictions.open_restrictions(uow, sub.id) if r.reason == "credit_limit"), ""
        )
        if sub.service_state == caps.ServiceState.ACTIVE.value:  # otherwise the service state decides
            _, pol = await policy.current(uow)
            pos = await position(uow, now, tz, sub.id)
            credit = pos.for_new_call(Money(sub.credit_limit_fen), pol.credit_limit_action)
    return caps.of(caps.AccountState(sub.review_state, sub.service_state, sub.service_reason, credit, scope))
