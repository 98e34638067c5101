"""The monthly credit limit in real time (R-26, 003 §9; rules in ``domain.credit``).

The month's usage is the subscriber's calls of the current period (operator's calendar) rated
exactly as the rating does (``services.rating.compute_month``, from the call records, so a call counts
as soon as its record is ended).  A limited subscriber's call reserves, when answered, the charge of
the longest it may last (``credit_reservations``) in a transaction that locks the subscriber row, so
two calls answered at once (on two nodes) cannot together overshoot the limit.  A reservation holds
while its call record is open; once the record has ended the call's charge is in the usage and the
reservation stops counting (the call-ended hook marks it released) — a call that ended without being
rated therefore never blocks anything.

After every call (in batches), :meth:`CreditService.on_calls_ended` warns at 80 % and 100 % (once per period each)
and, at 100 %, imposes the ``credit_limit`` restriction (outgoing calls barred or full suspension, per
``policy.credit_limit_action``) until paid: :func:`lift_if_room` (in the transaction of every payment or
credit, subscribed to ``BalanceReduced`` in the composition root, ADR 0007) and a raised limit lift it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from videophone.adapters.db.models import CreditReservation, CreditWarning, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.domain import rating as rating_rules
from videophone.billing.domain.billing import period_of
from videophone.billing.public import ledger, rating
from videophone.calling.domain import capabilities as caps
from videophone.collections.domain import credit as rules
from videophone.collections.store import credit_reservations, credit_warnings, subscribers
from videophone.common import audit
from videophone.common import policy as policy_service
from videophone.common.account_history import record_event
from videophone.common.deps import Actor, Deps
from videophone.enforcement.public import restrictions
from videophone.kernel.errors import NotFound
from videophone.kernel.events import BalanceReduced, CallsEnded
from videophone.kernel.money import Money
from videophone.notices.public import notifications


@dataclass(frozen=True)
class Position:
    """Where a subscriber stands against the month's limit (money in fen)."""

    period: str
    used: Money  # the month's call charges
    balance: Money  # what they owe (negative: paid in advance)
    reserved: Money  # held by their other calls in progress
    held_seconds: int | None  # the longest those calls may last together (None: one is unlimited)
    price: rating_rules.RatePrice | None  # the price a call started now is rated at
    included_left: int  # seconds of the month's allowance not used yet

    @property
    def prepaid(self) -> Money:
        return Money(max(0, -self.balance.fen))

    @property
    def spent(self) -> Money:
        """What counts against the limit: the usage less what was paid beyond what is owed."""
        return self.used - self.prepaid

    def room(self, limit: Money) -> Money:
        """Headroom net of the other calls' reservations."""
        return rules.headroom(limit, self.used, self.balance, self.reserved)

    def allowance_for_new_call(self) -> int:
        """Allowance seconds a new call can count on (what the calls in progress may use is theirs)."""
        if self.held_seconds is None:
            return 0
        return max(0, self.included_left - self.held_seconds)

    def for_new_call(self, limit: Money, action: str) -> caps.CreditRoom:
        """Where the subscriber stands for a call started now (what ``domain.capabilities`` reads)."""
        return caps.CreditRoom(self.room(limit), self.price, self.allowance_for_new_call(), action)


async def position(
    uow: UnitOfWork, now: datetime, tz: ZoneInfo, subscriber_id: int, *, exclude_call: str | None = None
) -> Position:
    day = now.astimezone(tz).date()
    period = period_of(day)
    results, book = await rating.compute_month(uow, subscriber_id, period, tz)
    used = Money.total(r.amount for r in results)
    term = book.price_on(day)
    # The month's allowance pool is that of its first rated call's price (domain.rating).
    priced = next((r for r in results if r.price_id is not None), None)
    pool_term = term
    if priced is not None:
        pool_term = next((p for ps in book.prices.values() for p in ps if p.id == priced.price_id), term)
    pool = pool_term.included_minutes * rating_rules.SECONDS_PER_MINUTE if pool_term is not None else 0
    included_left = rating_rules.allowance_left(results, pool)
    balance = await ledger.balance(uow, subscriber_id)
    reserved = 0
    held: int | None = 0
    for reserved_fen, max_seconds, _ in await credit_reservations.held_by_calls_in_progress(
        uow.session, subscriber_id, exclude_call=exclude_call
    ):
        reserved += int(reserved_fen)
        if max_seconds is None or held is None:
            held = None
        elif term is not None:
            held += rating_rules.round_up_seconds(
                int(max_seconds), term.rate.first_increment_seconds, term.rate.next_increment_seconds
            )
        else:
            held += int(max_seconds)
    return Position(
        period=period,
        used=used,
        balance=balance,
        reserved=Money(reserved),
        held_seconds=held,
        price=term.rate if term is not None else None,
        included_left=included_left,
    )


_SCOPE_TEXT: dict[str, dict[str, str]] = {
    "outgoing": {"scope_zh": "呼出已受限", "scope_en": "outgoing calls are barred"},
    "all": {"scope_zh": "全部视频通信服务已暂停", "scope_en": "the whole service is suspended"},
}


def _yuan(money: Money | None) -> str:
    return "" if money is None else f"{money.yuan:.2f}"


async def _locked_subscriber(uow: UnitOfWork, subscriber_id: int) -> Subscriber:
    sub = await subscribers.lock_subscriber(uow.session, subscriber_id)
    if sub is None:
        raise NotFound()
    return sub


async def evaluate(uow: UnitOfWork, now: datetime, tz: ZoneInfo, sub: Subscriber, *, actor: Actor) -> Position | None:
    """Warnings due and the bar imposed or lifted, for ``sub`` (locked by the caller) — in ``uow``."""
    if sub.credit_limit_fen is None:
        if await restrictions.has_open(uow, sub.id, "credit_limit"):
            await restrictions.lift(uow, now, sub.id, "credit_limit", actor=actor, note="no credit limit")
            await notifications.notify(uow, now, sub.id, "credit_limit_restored", {"limit": "", "used": ""})
        return None
    limit = Money(sub.credit_limit_fen)
    pos = await position(uow, now, tz, sub.id)
    sent = set(await credit_warnings.levels_warned(uow.session, sub.id, pos.period))
    params = {"limit": _yuan(limit), "used": _yuan(pos.spent)}
    for level in rules.new_warnings(pos.spent, limit, sent):
        uow.session.add(CreditWarning(subscriber_id=sub.id, period=pos.period, level=level, created_at=now))
        record_event(uow, now, sub.id, "credit_limit_warning", {"level": level, **params})
        await notifications.notify(uow, now, sub.id, "credit_limit_warning", {"level": level, **params})
    barred = await restrictions.has_open(uow, sub.id, "credit_limit")
    # Reached when not even the smallest chargeable step is left (calls in progress aside): the same
    # rule that refuses an invite (domain.capabilities), so the bar is written when calls stop.
    over = not rules.affords_a_step(
        rules.headroom(limit, pos.used, pos.balance, Money(0)), pos.price, pos.included_left
    )
    if over and not barred:
        _, pol = await policy_service.current(uow)
        scope: restrictions.Scope = "all" if pol.credit_limit_action == "suspended" else "outgoing"
        await restrictions.impose(
            uow,
            now,
            sub.id,
            "credit_limit",
            scope,
            actor=actor,
            note="credit limit reached",
            detail={"period": pos.period, **params},
        )
        await notifications.notify(
            uow,
            now,
            sub.id,
            "credit_limit_barred",
            {"scope": scope, **_SCOPE_TEXT[scope], **params},
        )
    elif not over and barred:
        await restrictions.lift(uow, now, sub.id, "credit_limit", actor=actor, note="credit available")
        await notifications.notify(uow, now, sub.id, "credit_limit_restored", params)
    return pos


async def lift_if_room(uow: UnitOfWork, now: datetime, subscriber_id: int, *, actor: Actor, tz: ZoneInfo) -> None:
    """Inside the transaction of a payment or credit: lift the credit-limit bar if the subscriber has room again.
    Costs one query when there is no credit-limit restriction open.  ``tz``: the operator's time zone
    (``Deps.operator_tz``), which decides the current period."""
    if not await restrictions.has_open(uow, subscriber_id, "credit_limit"):
        return
    await uow.session.flush()  # the payment's postings count in the balance
    sub = await _locked_subscriber(uow, subscriber_id)
    await evaluate(uow, now, tz, sub, actor=actor)


@dataclass(frozen=True)
class CreditStatus:
    limit: Money | None
    options: list[int]
    action: str  # outgoing_barred | suspended
    period: str
    used: Money
    prepaid: Money
    spent: Money
    reserved: Money
    remaining: Money | None
    percent: int | None
    barred: bool
    reason: str | None  # while barred: what an invite is refused with, e.g. "outgoing_barred_credit_limit"
    service_state: str
    warnings: list[int]


class CreditService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    @property
    def tz(self) -> ZoneInfo:
        return self.deps.operator_tz

    async def status(self, subscriber_id: int) -> CreditStatus:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            sub = await uow.session.get(Subscriber, subscriber_id)
            if sub is None:
                raise NotFound()
            _, pol = await policy_service.current(uow)
            pos = await position(uow, now, self.tz, subscriber_id)
            restriction = next(
                (r for r in await restrictions.open_restrictions(uow, subscriber_id) if r.reason == "credit_limit"),
                None,
            )
            warnings = sorted(await credit_warnings.levels_warned(uow.session, subscriber_id, pos.period))
        limit = Money(sub.credit_limit_fen) if sub.credit_limit_fen is not None else None
        # Barred or not is what the account may do (domain.capabilities): the restriction, or less
        # than one chargeable step of headroom left — what an invite now would be refused for.
        can = caps.of(
            caps.AccountState(
                sub.review_state,
                sub.service_state,
                sub.service_reason,
                pos.for_new_call(limit, pol.credit_limit_action) if limit is not None else None,
                restriction.scope if restriction is not None else "",
            )
        )
        return CreditStatus(
            limit=limit,
            options=pol.credit_limit_yuan_options(),
            action=pol.credit_limit_action,
            period=pos.period,
            used=pos.used,
            prepaid=pos.prepaid,
            spent=pos.spent,
            reserved=pos.reserved,
            remaining=pos.room(limit) if limit is not None else None,
            percent=rules.percent_used(pos.spent, limit) if limit is not None else None,
            barred=can.credit_bar is not None,
            reason=can.credit_bar,
            service_state=sub.service_state,
            warnings=warnings,
        )

    async def set_limit(self, subscriber_id: int, limit_yuan: int | None, *, actor: Actor) -> CreditStatus:
        """Choose a monthly limit among the operator's options (``None``: no limit)."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            _, pol = await policy_service.current(uow)
            new = rules.chosen_limit(limit_yuan, pol.credit_limit_yuan_options())
            sub = await _locked_subscriber(uow, subscriber_id)
            before = Money(sub.credit_limit_fen) if sub.credit_limit_fen is not None else None
            if before != new:
                sub.credit_limit_fen = new.fen if new is not None else None
                audit.record(
                    uow,
                    now,
                    actor,
                    "credit_limit.set",
                    "subscriber",
                    subscriber_id,
                    {"before": _yuan(before) or None, "after": _yuan(new) or None},
                )
                record_event(uow, now, subscriber_id, "credit_limit_changed", {"limit": _yuan(new)})
                if new is not None:
                    # Levels no longer reached under the new limit may be warned about again.
                    pos = await position(uow, now, self.tz, subscriber_id)
                    reached = rules.levels_reached(pos.spent, new)
                    await credit_warnings.forget_levels_except(uow.session, subscriber_id, pos.period, reached)
                await evaluate(uow, now, self.tz, sub, actor=actor)
            await uow.commit()
        return await self.status(subscriber_id)

    async def room(self, subscriber_id: int, limit_fen: int, action: str) -> caps.CreditRoom:
        """A limited caller's standing for a call started now (net of their calls in progress), as
        ``domain.capabilities`` reads it; ``action``: the policy's ``credit_limit_action``."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            pos = await position(uow, now, self.tz, subscriber_id)
        return pos.for_new_call(Money(limit_fen), action)

    async def may_place_call(self, subscriber_id: int, limit_fen: int) -> bool:
        """Whether a limited caller can afford any call now (at least one chargeable step)."""
        return (await self.room(subscriber_id, limit_fen, "outgoing_barred")).affordable

    async def reserve(self, call_id: str, subscriber_id: int) -> int | None:
        """Reserve the charge of the longest the call may last; returns that many seconds (``None``:
        no limit applies).  Idempotent per call."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            sub = await _locked_subscriber(uow, subscriber_id)
            if sub.credit_limit_fen is None:
                return None
            existing = await uow.session.get(CreditReservation, call_id)
            if existing is not None:
                return existing.max_seconds
            pos = await position(uow, now, self.tz, subscriber_id, exclude_call=call_id)
            included = pos.allowance_for_new_call()
            longest = rules.max_call_seconds(pos.room(Money(sub.credit_limit_fen)), pos.price, included)
            reserved = Money(0)
            if longest is not None:
                longest = min(longest, rules.MAX_RESERVED_SECONDS)
                assert pos.price is not None
                reserved = rules.call_charge(longest, pos.price, included)
            uow.session.add(
                CreditReservation(
                    call_id=call_id,
                    subscriber_id=subscriber_id,
                    period=pos.period,
                    reserved_fen=reserved.fen,
                    max_seconds=longest,
                    created_at=now,
                )
            )
            await uow.commit()
        return longest

    async def release(self, call_id: str) -> bool:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            released = await credit_reservations.release(uow.session, call_id, now)
            await uow.commit()
        return bool(released)

    async def on_balance_reduced(self, uow: UnitOfWork, event: BalanceReduced) -> None:
        """In the transaction of a payment or credit (ADR 0007): lift the credit-limit bar if the
        subscriber has room again (ADR 0005 "Credit limit")."""
        await lift_if_room(uow, event.at, event.subscriber_id, actor=Actor.of(event.actor), tz=self.tz)

    async def on_calls_ended(self, event: CallsEnded) -> None:
        """After rating (subscribed after it), for the calls that just ended: release their
        reservations; for each limited caller, warn and bar at the limit.  One transaction; callers
        without a limit cost nothing beyond the two statements of the batch."""
        call_ids = event.call_ids
        if not call_ids:
            return
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            rows = await subscribers.callers_and_limits(uow.session, call_ids)
            if not rows:
                return
            await credit_reservations.release_all(uow.session, call_ids, now)
            for caller_id in sorted({r.caller_id for r in rows if r.credit_limit_fen is not None}):
                sub = await _locked_subscriber(uow, caller_id)
                await evaluate(uow, now, self.tz, sub, actor=Actor.system())
            await uow.commit()
