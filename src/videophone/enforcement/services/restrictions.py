"""Service restrictions (R-24 arrears, R-26 credit limit, R-30 violations, R-31 lawful suspension,
R-32 a termination awaiting payment).

Each reason the service is restricted is one ``service_restrictions`` row, open until lifted; several
may be open at once (say arrears and a lawful suspension), and lifting one leaves the others.  The
subscriber's ``service_state`` — what signaling checks at every invite — is derived from the open rows:
any row of scope ``all`` → ``suspended`` (no calls either way); else any of scope ``outgoing`` →
``outgoing_barred``; else ``active``.  ``terminated`` is final and never recomputed.  Every change is
audited and written to the account history, in the caller's transaction.

Whether the rent continues during a restriction is the billing rule ``domain.billing.rent_continues``
(only a lawful suspension keeps it); :func:`suspensions_between` gives the bill run its input.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from videophone.adapters.db.models import ServiceRestriction, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.domain.billing import Suspension
from videophone.calling.domain.call_rules import ServiceState
from videophone.common import audit
from videophone.common.account_history import record_event
from videophone.common.deps import Actor
from videophone.enforcement.store import restrictions as store
from videophone.kernel.errors import NotFound

Reason = Literal["arrears", "credit_limit", "violation", "lawful", "termination"]
Scope = Literal["outgoing", "all"]
REASONS: tuple[str, ...] = ("arrears", "credit_limit", "violation", "lawful", "termination")
SCOPES: tuple[str, ...] = ("outgoing", "all")


def derive_state(current: str, restrictions: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """The service state and its reason for the open restrictions' ``(reason, scope)`` pairs, oldest
    first (``terminated`` stays as it is)."""
    if current == ServiceState.TERMINATED.value:
        return current, ""
    for scope, state in (("all", ServiceState.SUSPENDED), ("outgoing", ServiceState.OUTGOING_BARRED)):
        reasons = [reason for reason, s in restrictions if s == scope]
        if reasons:
            return state.value, reasons[0]
    return ServiceState.ACTIVE.value, ""


async def open_restrictions(uow: UnitOfWork, subscriber_id: int) -> list[ServiceRestriction]:
    return await store.open_restrictions_of(uow.session, subscriber_id)


async def _recompute(uow: UnitOfWork, subscriber: Subscriber) -> str:
    await uow.session.flush()
    pairs = [(r.reason, r.scope) for r in await open_restrictions(uow, subscriber.id)]
    state, reason = derive_state(subscriber.service_state, pairs)
    if subscriber.service_state != ServiceState.TERMINATED.value:
        subscriber.service_state, subscriber.service_reason = state, reason
    return subscriber.service_state


async def _subscriber(uow: UnitOfWork, subscriber_id: int) -> Subscriber:
    sub = await store.lock_subscriber(uow.session, subscriber_id)  # two decisions at once serialize here
    if sub is None:
        raise NotFound()
    return sub


async def impose(
    uow: UnitOfWork,
    now: datetime,
    subscriber_id: int,
    reason: Reason,
    scope: Scope,
    *,
    actor: Actor,
    note: str = "",
    detail: dict[str, object] | None = None,
) -> ServiceRestriction | None:
    """Open a restriction for ``reason`` (``None`` if one for that reason is open already — then its
    scope is widened to ``all`` if asked).  Returns the new row; the subscriber's state is updated."""
    if reason not in REASONS or scope not in SCOPES:
        raise ValueError(f"bad restriction {reason!r}/{scope!r}")
    sub = await _subscriber(uow, subscriber_id)
    existing = next((r for r in await open_restrictions(uow, subscriber_id) if r.reason == reason), None)
    if existing is not None:
        if scope == "all" and existing.scope != "all":
            existing.scope = "all"
            await _recompute(uow, sub)
        return None
    row = ServiceRestriction(
        subscriber_id=subscriber_id,
        reason=reason,
        scope=scope,
        started_at=now,
        started_by=actor.id if actor.type == "staff" else None,
        note=note,
        detail=dict(detail or {}),
    )
    uow.session.add(row)
    before = sub.service_state
    after = await _recompute(uow, sub)
    audit.record(
        uow,
        now,
        actor,
        "service.restrict",
        "subscriber",
        subscriber_id,
        {"reason": reason, "scope": scope, "note": note, "before": before, "after": after},
    )
    record_event(uow, now, subscriber_id, "service_restricted", {"reason": reason, "scope": scope})
    return row


async def lift(
    uow: UnitOfWork, now: datetime, subscriber_id: int, reason: Reason, *, actor: Actor, note: str = ""
) -> bool:
    """Close the open restriction for ``reason``; ``False`` if there was none."""
    sub = await _subscriber(uow, subscriber_id)
    rows = [r for r in await open_restrictions(uow, subscriber_id) if r.reason == reason]
    if not rows:
        return False
    for row in rows:
        row.ended_at = now
        row.ended_by = actor.id if actor.type == "staff" else None
    before = sub.service_state
    after = await _recompute(uow, sub)
    audit.record(
        uow,
        now,
        actor,
        "service.lift",
        "subscriber",
        subscriber_id,
        {"reason": reason, "note": note, "before": before, "after": after},
    )
    record_event(uow, now, subscriber_id, "service_restored", {"reason": reason})
    return True


async def has_open(uow: UnitOfWork, subscriber_id: int, reason: Reason) -> bool:
    return any(r.reason == reason for r in await open_restrictions(uow, subscriber_id))


def _local_day(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


async def suspensions_between(
    uow: UnitOfWork, subscriber_ids: Sequence[int], start: date, end: date, tz: ZoneInfo
) -> dict[int, list[Suspension]]:
    """Restrictions of scope ``all`` overlapping the days ``[start, end)``, per subscriber, as the
    billing rules' ``(from day, to day or None, reason)`` in the operator's calendar."""
    out: dict[int, list[Suspension]] = {}
    if not subscriber_ids:
        return out
    # A restriction that ended before the period's first local midnight cannot overlap it.
    since = datetime.combine(start, time(), tzinfo=tz).astimezone(UTC) - timedelta(days=1)
    rows = await store.suspending_since(uow.session, subscriber_ids, since)
    wanted = set(subscriber_ids)
    for sub_id, started, ended, reason in rows:
        if sub_id not in wanted:  # an id range may hold others
            continue
        begin = _local_day(started, tz)
        finish = _local_day(ended, tz) if ended is not None else None
        if begin >= end or (finish is not None and finish <= start):
            continue
        out.setdefault(sub_id, []).append((begin, finish, reason))
    return out
