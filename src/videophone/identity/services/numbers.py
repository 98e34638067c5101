"""The number pool (R-02): allocation unique under concurrency, number change, quarantine."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from videophone.adapters.db.models import NumberChange, PhoneNumber, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.calling.domain.features import Feature
from videophone.common import audit, policy
from videophone.common.deps import Actor, Deps
from videophone.identity.domain import numbers as rules
from videophone.identity.domain.policy import OperatorPolicy
from videophone.identity.store import numbers as store
from videophone.identity.store import subscribers as subscriber_store
from videophone.kernel.errors import FieldError, NotFound, ServiceUnavailable, ValidationFailed
from videophone.kernel.events import FeatureStarted, FeatureStopped

_RANDOM_TRIES = 64


async def allocate(
    uow: UnitOfWork,
    pol: OperatorPolicy,
    subscriber_id: int | None,
    now: datetime,
    role: rules.NumberRole = rules.NumberRole.PRIMARY,
) -> str:
    """Take a free number inside the current transaction (as the subscriber's ``role`` number).

    Random candidates are claimed with an INSERT under the primary key (inside a savepoint, so a
    collision with a concurrent registration costs only a retry); a quarantined number whose
    quarantine is over is reclaimed with a conditional UPDATE.  Either way two transactions can
    never end up with the same number.
    """
    for number in rules.candidates(pol, secrets.randbelow, _RANDOM_TRIES):
        if await _claim(uow, number, subscriber_id, now, role):
            return number
    # The pool is nearly full: walk it in order (rare; the pool should then be enlarged).
    taken = set(await store.numbers_taken_between(uow.session, pol.number_pool_start, pol.number_pool_end))
    start = int(pol.number_pool_start)
    for offset in range(pol.pool_size()):
        number = rules.format_number(pol, start + offset)
        if number not in taken and await _claim(uow, number, subscriber_id, now, role):
            return number
    expired = await store.quarantine_over(uow.session, now, _RANDOM_TRIES)
    for number in expired:
        if await _claim(uow, number, subscriber_id, now, role):
            return number
    raise ServiceUnavailable("number_pool_exhausted")


async def _claim(
    uow: UnitOfWork, number: str, subscriber_id: int | None, now: datetime, role: rules.NumberRole
) -> bool:
    existing = await uow.session.get(PhoneNumber, number)
    if existing is None:
        try:
            async with uow.session.begin_nested():
                uow.session.add(
                    PhoneNumber(
                        number=number,
                        state=rules.NumberState.ASSIGNED,
                        subscriber_id=subscriber_id,
                        assigned_at=now,
                        quarantined_until=None,
                        role=role,
                    )
                )
            return True
        except IntegrityError:
            return False
    if (
        existing.state == rules.NumberState.QUARANTINED
        and existing.quarantined_until is not None
        and existing.quarantined_until <= now
    ):
        if not await store.reclaim(uow.session, number, subscriber_id, now, role):
            return False
        # A terminated account keeps its row (arrears are still collected) but no longer its number:
        # its copy becomes "<number>#<id>" so the number can belong to someone else.
        for holder in await subscriber_store.terminated_holders_of(uow.session, number):
            holder.number = f"{number}#{holder.id}"
        await uow.session.flush()
        return True
    return False


async def release(uow: UnitOfWork, pol: OperatorPolicy, number: str, now: datetime) -> None:
    """Put a number into quarantine; it cannot be handed out again before the quarantine ends."""
    row = await uow.session.get(PhoneNumber, number)
    if row is None:
        return
    row.state = rules.NumberState.QUARANTINED
    row.subscriber_id = None
    row.quarantined_until = rules.quarantine_end(now, pol)


async def second_number_of(uow: UnitOfWork, subscriber_id: int) -> str | None:
    """The second number (第二号码, R-19) the subscriber holds now, if any."""
    return await store.second_number_of(uow.session, subscriber_id)


async def allocate_second(uow: UnitOfWork, actor: Actor, subscriber_id: int, now: datetime) -> str:
    """Give the subscriber a second number from the pool, under the rules of the first (random, unique
    under concurrency, never a number still in quarantine) — in the caller's transaction, so an order that
    cannot get one (the pool exhausted) is not taken.  The one they hold if they already have one."""
    held = await store.second_number_of(uow.session, subscriber_id)
    if held is not None:
        return held
    _, pol = await policy.current(uow)
    number = await allocate(uow, pol, subscriber_id, now, rules.NumberRole.SECOND)
    audit.record(uow, now, actor, "subscriber.second_number", "subscriber", subscriber_id, {"assigned": number})
    return number


async def release_second(uow: UnitOfWork, actor: Actor, subscriber_id: int, now: datetime) -> str | None:
    """Put the subscriber's second number, if any, into quarantine — at once (calls to it stop with it)."""
    held = await store.second_number_of(uow.session, subscriber_id)
    if held is None:
        return None
    _, pol = await policy.current(uow)
    await release(uow, pol, held, now)
    audit.record(uow, now, actor, "subscriber.second_number", "subscriber", subscriber_id, {"released": held})
    return held


async def on_feature_started(uow: UnitOfWork, event: FeatureStarted) -> None:
    """An order of the second-number service takes a number in its transaction (ADR 0007)."""
    if event.feature == Feature.SECOND_NUMBER.value:
        await allocate_second(uow, Actor.of(event.actor), event.subscriber_id, event.at)


async def on_feature_stopped(uow: UnitOfWork, event: FeatureStopped) -> None:
    """Removing or withdrawing the second-number service releases its number at once."""
    if event.feature == Feature.SECOND_NUMBER.value:
        await release_second(uow, Actor.of(event.actor), event.subscriber_id, event.at)


class NumberService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def change_number(self, actor: Actor, subscriber_id: int, *, reason: str, note: str) -> str:
        """Give a subscriber a new number (on request or because of a network change)."""
        try:
            why = rules.NumberChangeReason(reason)
        except ValueError:
            raise ValidationFailed([FieldError("reason", "number_change_reason_unknown")]) from None
        async with self.deps.uow() as uow:
            sub = await uow.session.get(Subscriber, subscriber_id, with_for_update=True)
            if sub is None:
                raise NotFound("subscriber_not_found")
            _, pol = await policy.current(uow)
            now = self.deps.clock.now()
            old = sub.number
            new = await allocate(uow, pol, sub.id, now)
            await release(uow, pol, old, now)
            sub.number = new
            sub.updated_at = now
            uow.session.add(
                NumberChange(
                    subscriber_id=sub.id,
                    old_number=old,
                    new_number=new,
                    reason=why.value,
                    note=note.strip(),
                    staff_id=actor.id if actor.type == "staff" else None,
                    at=now,
                )
            )
            audit.record(
                uow,
                now,
                actor,
                "subscriber.number_change",
                "subscriber",
                sub.id,
                {"old": old, "new": new, "reason": why.value, "note": note.strip()},
            )
            await uow.commit()
            return new

    async def history(self, subscriber_id: int) -> list[NumberChange]:
        async with self.deps.uow() as uow:
            return list(await store.number_changes_newest_first(uow.session, subscriber_id))
