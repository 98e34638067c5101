"""One chunk of the bill run, in the caller's transaction (R-22; ADR 0004 "Bill run").

A chunk is billed in bulk, in steps: drop the accounts already billed; read what the bills need for all
the chunk's accounts at once (usage, value-added subscriptions, previous bills, pending postings,
receivable balances, suspensions); work out the period's charges (rent, value-added fees, usage) with
their idempotency keys ``bill:<subscriber>:<period>:<kind>`` and leave out those posted before; compose
the bills in memory; then write the bills, postings, attached postings, lines and notices in bulk.  A
fixed number of queries per chunk, whatever its size.  If the chunk collides with a bill made meanwhile
(a concurrent run), its savepoint is rolled back and each of its accounts is billed in a savepoint of
its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.domain import bill_lines as texts
from videophone.billing.domain import billing as rules
from videophone.billing.services import ledger
from videophone.billing.services.bill_views import yuan_text
from videophone.billing.services.rating import PriceBook, Prices, load_prices, rated_usage
from videophone.billing.store import bills as bill_store
from videophone.billing.store import ledger as ledger_store
from videophone.billing.store import subscriptions as subscription_store
from videophone.billing.store import tariffs as tariff_store
from videophone.enforcement.public import restrictions
from videophone.identity.domain.policy import OperatorPolicy
from videophone.kernel.money import Money
from videophone.notices.public import notifications

log = structlog.get_logger(__name__)

# When the bills are issued and the operator's zone: the clock read as the chunk is billed.
IssuedAt = Callable[[], tuple[datetime, ZoneInfo]]
Line = tuple[texts.Text, texts.Text, Money]  # description, quantity (zh-CN, en), amount
Charge = tuple[str, str, Money]  # revenue account, idempotency key, amount
Draft = tuple[list[Line], list[Line], rules.UsageSummary]  # rent lines, value-added lines, usage


@dataclass(frozen=True)
class RunContext:
    """What a run reads once: plan prices and names, value-added prices and names."""

    prices: Prices
    plan_names: dict[int, texts.Text]
    vas_names: dict[int, texts.Text]
    vas_prices: dict[int, list[tuple[date, int]]]  # vas id → (effective from, monthly fee), oldest first


async def load_run_context(uow: UnitOfWork) -> RunContext:
    s = uow.session
    vas_prices: dict[int, list[tuple[date, int]]] = {}
    for vas_id, effective_from, fee in await tariff_store.vas_fees(s):
        vas_prices.setdefault(vas_id, []).append((effective_from, int(fee)))
    return RunContext(
        prices=await load_prices(uow),
        plan_names={i: (zh, en) for i, zh, en in await tariff_store.plan_names(s)},
        vas_names={i: (zh, en) for i, zh, en in await tariff_store.vas_names(s)},
        vas_prices=vas_prices,
    )


@dataclass(frozen=True)
class ChunkFacts:
    """What the bills of a chunk's accounts are made of, read for the whole chunk at once."""

    usages: dict[int, rules.UsageSummary]
    books: dict[int, PriceBook]
    vas_subs: dict[int, list[tuple[int, date, date | None]]]  # subscriber → (vas id, start, end)
    previous: dict[int, tuple[str, int]]  # subscriber → (period, total due) of the latest earlier bill
    pending: dict[int, list[Any]]  # subscriber → receivable postings not yet on a bill, oldest first
    before: dict[int, Money]  # receivable balances before posting
    suspended: dict[int, list[rules.Suspension]]


async def bill_chunk_safely(
    uow: UnitOfWork,
    ids: Sequence[int],
    period: str,
    run_id: int | None,
    pol: OperatorPolicy,
    ctx: RunContext,
    at: IssuedAt,
) -> list[int]:
    """Bill a chunk in one savepoint; if it collides with a bill made meanwhile (the unique index
    is the arbiter), bill its accounts one savepoint each."""
    try:
        async with uow.session.begin_nested():
            return await bill_chunk(uow, ids, period, run_id, pol, ctx, at)
    except IntegrityError:
        if len(ids) == 1:
            log.info("account billed concurrently", subscriber_id=ids[0], period=period)
            return []
    made: list[int] = []
    for subscriber_id in ids:
        made += await bill_chunk_safely(uow, [subscriber_id], period, run_id, pol, ctx, at)
    return made


async def bill_chunk(
    uow: UnitOfWork,
    ids: Sequence[int],
    period: str,
    run_id: int | None,
    pol: OperatorPolicy,
    ctx: RunContext,
    at: IssuedAt,
) -> list[int]:
    """Bill the accounts ``ids`` that have no bill for ``period`` yet: a fixed number of queries
    and bulk inserts for the whole chunk, the bills composed in memory.  Returns the new charges
    (fen) of each bill created."""
    todo = await _unbilled(uow.session, ids, period)
    if not todo:
        return []
    now, tz = at()
    first, after = rules.period_bounds(period)
    facts = await _read_chunk(uow, todo, period, first, after, now, tz, ctx)
    drafts, charges = _charges(todo, period, first, after, facts, ctx)
    done = await _posted_before(uow.session, todo, period, charges)
    due_date = now.astimezone(tz).date() + timedelta(days=pol.bill_due_days)
    composed, bills = _compose_bills(todo, period, run_id, now, due_date, drafts, charges, done, facts)
    await _write_bills(uow, todo, period, now, due_date, bills, composed, charges, done, facts.pending)
    return [composed[sub_id].new_charges.fen for sub_id in todo]


async def _unbilled(s: AsyncSession, ids: Sequence[int], period: str) -> list[int]:
    # The chunk's queries select its accounts by id range where they are dense (bulk.among): the
    # rows of accounts outside the chunk are left out here.
    billed = await bill_store.billed_among(s, ids, period)
    return [i for i in ids if i not in billed]


async def _read_chunk(
    uow: UnitOfWork,
    ids: list[int],
    period: str,
    first: date,
    after: date,
    now: datetime,
    tz: ZoneInfo,
    ctx: RunContext,
) -> ChunkFacts:
    """Everything the chunk's bills need, one query (or bulk read) per kind for all its accounts."""
    s = uow.session
    chunk = set(ids)
    usages, books, _ = await rated_usage(uow, ids, period, tz, now, ctx.prices)
    vas_subs: dict[int, list[tuple[int, date, date | None]]] = {}
    for sub_id, vas_id, start, end in await subscription_store.vas_subscriptions_among(s, ids, first, after):
        if sub_id in chunk:
            vas_subs.setdefault(sub_id, []).append((vas_id, start, end))
    previous: dict[int, tuple[str, int]] = {}
    for sub_id, bill_period, total_due in await bill_store.bills_before_among(s, ids, period):
        if sub_id in chunk and (sub_id not in previous or bill_period > previous[sub_id][0]):
            previous[sub_id] = (bill_period, int(total_due))
    pending: dict[int, list[Any]] = {}
    for r in await ledger_store.pending_postings_among(s, ids):
        if r.subscriber_id in chunk:
            pending.setdefault(r.subscriber_id, []).append(r)
    before = await ledger.balances(uow, ids)
    suspended = await restrictions.suspensions_between(uow, ids, first, after, tz)
    return ChunkFacts(usages, books, vas_subs, previous, pending, before, suspended)


def _charges(
    ids: list[int], period: str, first: date, after: date, facts: ChunkFacts, ctx: RunContext
) -> tuple[dict[int, Draft], dict[int, list[Charge]]]:
    """Each account's rent and value-added lines with its usage, and the period's charges to post:
    one per revenue account that is not zero, keyed ``bill:<subscriber>:<period>:<kind>``."""
    period_days = rules.days_in_period(period)
    charges: dict[int, list[Charge]] = {}
    drafts: dict[int, Draft] = {}
    for sub_id in ids:
        stops = facts.suspended.get(sub_id, ())
        rent = _rent_lines(facts.books[sub_id], period, first, after, period_days, ctx, stops)
        vas = _vas_lines(facts.vas_subs.get(sub_id, ()), period, first, period_days, ctx, stops)
        usage = facts.usages[sub_id]
        drafts[sub_id] = (rent, vas, usage)
        totals = {
            ledger.REVENUE_RENT: Money.total(a for _, _, a in rent),
            ledger.REVENUE_VAS: Money.total(a for _, _, a in vas),
            ledger.REVENUE_USAGE: usage.amount,
        }
        charges[sub_id] = [
            (account, f"bill:{sub_id}:{period}:{account.split(':', 1)[1]}", amount)
            for account, amount in totals.items()
            if amount
        ]
    return drafts, charges


async def _posted_before(s: AsyncSession, ids: list[int], period: str, charges: dict[int, list[Charge]]) -> set[str]:
    """Charges of this period posted before (a run killed after posting, before its bill: impossible
    in one transaction, but the key is the guard): by account range, not a list of keys."""
    keys = {key for rows in charges.values() for _, key, _ in rows}
    return {key for key in await ledger_store.charge_keys_of_period(s, ids, period) if key in keys}


def _compose_bills(
    ids: list[int],
    period: str,
    run_id: int | None,
    now: datetime,
    due_date: date,
    drafts: dict[int, Draft],
    charges: dict[int, list[Charge]],
    done: set[str],
    facts: ChunkFacts,
) -> tuple[dict[int, rules.BillDraft], list[dict[str, Any]]]:
    """Each account's bill, composed in memory, and the bill rows to insert."""
    bills: list[dict[str, Any]] = []
    composed: dict[int, rules.BillDraft] = {}
    for sub_id in ids:
        rent, vas, usage = drafts[sub_id]
        rows = facts.pending.get(sub_id, [])
        posted = Money.total(amount for _, key, amount in charges[sub_id] if key not in done)
        draft = rules.compose_bill(
            rent=rent,
            vas=vas,
            usage=usage,
            usage_description=texts.described("usage"),
            adjustments=[(_memo("adjustment", r.memo), Money(r.amount_fen)) for r in rows if r.kind == "adjustment"],
            credits=[(_memo("credit", r.memo), Money(r.amount_fen)) for r in rows if r.kind == "credit"],
            late_fees=_late_fee_lines([r for r in rows if r.kind == "late_fee"]),
            refunds=[(_memo("refund", r.memo), Money(r.amount_fen)) for r in rows if r.kind == "refund"],
            previous_balance=Money(facts.previous.get(sub_id, (period, 0))[1]),
            payments=-Money.total(Money(r.amount_fen) for r in rows if r.kind == "payment"),
            total_due=facts.before[sub_id] + posted,  # the receivable balance after posting
        )
        if not draft.consistent:
            log.warning(
                "bill total differs from previous − payments + charges",
                subscriber_id=sub_id,
                period=period,
                total_due=draft.total_due.fen,
                expected=draft.expected_total.fen,
            )
        composed[sub_id] = draft
        bills.append(
            {
                "number": rules.bill_number(period, sub_id),
                "subscriber_id": sub_id,
                "period": period,
                "issued_at": now,
                "due_date": due_date,
                "previous_balance_fen": draft.previous_balance.fen,
                "payments_fen": draft.payments.fen,
                "new_charges_fen": draft.new_charges.fen,
                "total_due_fen": draft.total_due.fen,
                "state": "issued",
                "run_id": run_id,
            }
        )
    return composed, bills


async def _write_bills(
    uow: UnitOfWork,
    ids: list[int],
    period: str,
    now: datetime,
    due_date: date,
    bills: list[dict[str, Any]],
    composed: dict[int, rules.BillDraft],
    charges: dict[int, list[Charge]],
    done: set[str],
    pending: dict[int, list[Any]],
) -> None:
    """Bulk writes: bills (ids returned), the postings, the pending postings attached, the lines,
    and each subscriber told of the bill (R-35), all in the same transaction."""
    conn = await uow.session.connection()
    bill_ids: dict[int, int] = {}
    for sub_id, bill_id in await bill_store.insert_bills(conn, bills):
        bill_ids[sub_id] = bill_id
    await ledger.post_many(
        uow,
        [
            ledger.Posting(
                "charge",
                key,
                [(ledger.RECEIVABLE, sub_id, amount), (account, None, -amount)],
                subscriber_id=sub_id,
                period=period,
                bill_id=bill_ids[sub_id],
                memo=f"{period} {account.split(':', 1)[1]}",
            )
            for sub_id in ids
            for account, key, amount in charges[sub_id]
            if key not in done
        ],
        at=now,
        checked=True,
    )
    attach = [{"tx_id": r.id, "to_bill": bill_ids[sub_id]} for sub_id in ids for r in pending.get(sub_id, [])]
    if attach:
        await ledger_store.attach_to_bills(conn, attach)
    lines = [
        {
            "bill_id": bill_ids[sub_id],
            "position": position,
            "kind": line.kind,
            "description": line.description[: texts.DESCRIPTION_MAX],
            "quantity": line.quantity,
            "description_en": line.description_en[: texts.DESCRIPTION_MAX],
            "quantity_en": line.quantity_en[: texts.QUANTITY_MAX],
            "amount_fen": line.amount.fen,
        }
        for sub_id in ids
        for position, line in enumerate(composed[sub_id].lines, start=1)
    ]
    await bill_store.insert_lines(conn, lines)
    await notifications.notify_many(
        uow,
        now,
        [
            (
                sub_id,
                "bill_issued",
                {
                    "bill_id": bill_ids[sub_id],
                    "number": rules.bill_number(period, sub_id),
                    "period": period,
                    "new_charges": yuan_text(composed[sub_id].new_charges),
                    "total_due": yuan_text(composed[sub_id].total_due),
                    "due_date": due_date.isoformat(),
                },
            )
            for sub_id in ids
        ],
    )


def _rent_lines(
    book: PriceBook,
    period: str,
    first: date,
    after: date,
    period_days: int,
    ctx: RunContext,
    suspensions: Sequence[rules.Suspension] = (),
) -> list[Line]:
    lines: list[Line] = []
    for sub in book.subscriptions:
        start = max(sub.start_date, first)
        if start >= after or (sub.end_date is not None and sub.end_date <= first):
            continue
        price = book.price_of(sub.plan_id, start)
        if price is None:
            continue
        days = rules.service_days(period, sub.start_date, sub.end_date, suspensions)
        if days == 0:
            continue
        amount = rules.prorate_rent(Money(price.monthly_rent_fen), days, period_days)
        name = ctx.plan_names.get(sub.plan_id, ("", ""))
        lines.append((texts.described("rent", name), texts.days(days, period_days), amount))
    return lines


def _vas_lines(
    subs: Sequence[tuple[int, date, date | None]],
    period: str,
    first: date,
    period_days: int,
    ctx: RunContext,
    suspensions: Sequence[rules.Suspension] = (),
) -> list[Line]:
    lines: list[Line] = []
    for vas_id, start_date, end_date in subs:
        start = max(start_date, first)
        fee = None
        for effective_from, monthly_fee in ctx.vas_prices.get(vas_id, ()):
            if effective_from <= start:
                fee = monthly_fee
        if fee is None:
            continue
        days = rules.service_days(period, start_date, end_date, suspensions)
        if days == 0:
            continue
        amount = rules.prorate_rent(Money(fee), days, period_days)
        name = ctx.vas_names.get(vas_id, ("", ""))
        lines.append((texts.described("vas", name), texts.days(days, period_days), amount))
    return lines


def _late_fee_lines(rows: Sequence[Any]) -> list[Line]:
    """The late fees accrued since the last bill as one line (quantity: the days they cover)."""
    if not rows:
        return []
    return [(texts.described("late_fee"), texts.days(len(rows)), Money.total(Money(r.amount_fen) for r in rows))]


def _memo(kind: str, memo: str) -> texts.Text:
    return texts.described(kind, texts.memo_text(memo))
