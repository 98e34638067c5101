"""The monthly bill run and bills (R-22; decisions in ADR 0004 "Bill run").

For each subscriber with a plan subscription overlapping the period and no bill for it yet, one
transaction takes the month's usage (the stored rating where it is provably current, else the month
rated again: ``rating.rated_usage``, ADR 0006), posts the period's charges (rent, value-added fees, usage) to the ledger
with idempotency keys ``bill:<subscriber>:<period>:<kind>``, attaches the adjustments, credits and
payments not yet on any bill, and writes the bill and its lines.  Accounts are processed in chunks, each
chunk one transaction, so a run that is killed and started again creates every bill exactly once (the
unique index on (subscriber, period) is the last guard).  A chunk is billed in bulk: a fixed number of
queries for all its accounts (bills already there, call counts and charge totals, subscriptions, pending
postings, previous bills, receivable balances), the bills composed in memory, then bulk inserts of
bills, postings and lines.  If the chunk collides with a bill made meanwhile (a concurrent run), its
savepoint is rolled back and each of its accounts is billed in a savepoint of its own.

``total_due`` is the receivable balance after posting, which equals the previous bill's total due −
payments + this bill's new charges, because every posting is shown on exactly one bill (the first bill
after it was posted; its ``bill_id`` records which).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from videophone.adapters import heap
from videophone.adapters.db import writes
from videophone.adapters.db.bulk import among
from videophone.adapters.db.models import (
    Bill,
    BillLine,
    BillRun,
    LedgerLine,
    LedgerTransaction,
    Plan,
    PlanSubscription,
    Subscriber,
    ValueAddedService,
    VasPrice,
    VasSubscription,
)
from videophone.adapters.db.uow import UnitOfWork
from videophone.adapters.pdf import PdfKeyValues, PdfParagraph, PdfTable, render_document_pdf
from videophone.billing.domain import billing as rules
from videophone.billing.services import ledger
from videophone.billing.services.rating import PriceBook, Prices, load_prices, rated_usage
from videophone.common import audit
from videophone.common import policy as policy_service
from videophone.common.deps import Actor, Deps
from videophone.enforcement.public import restrictions
from videophone.identity.domain.policy import OperatorPolicy
from videophone.kernel.errors import FieldError, NotFound, ValidationFailed
from videophone.kernel.money import Money
from videophone.notices.public import notifications

log = structlog.get_logger(__name__)

CHUNK = 5000  # most accounts per transaction
# A running bill run refreshes its heartbeat after every chunk (a chunk of 5,000 accounts takes
# seconds, docs/performance.md); one silent for longer than this was killed and is marked failed.
RUN_LEASE = timedelta(minutes=5)
MIN_CHUNK = 50  # a small run still commits in several steps (progress; a kill loses little)
MAX_PAGE = 200
Progress = Callable[[int, int], None]
LINE_LABELS = {
    "rent": ("月租", "Monthly rent"),
    "vas": ("增值业务", "Value-added service"),
    "usage": ("通话费", "Call charges"),
    "adjustment": ("调账", "Adjustment"),
    "credit": ("减免", "Credit"),
    "late_fee": ("违约金", "Late fee"),
    "refund": ("退款", "Refund"),
}


def _yuan(money: Money) -> str:
    return str(money.yuan)


@dataclass(frozen=True)
class BillLineView:
    position: int
    kind: str
    description: str
    quantity: str
    amount: str
    amount_fen: int

    @staticmethod
    def of(row: BillLine) -> BillLineView:
        return BillLineView(
            row.position, row.kind, row.description, row.quantity, _yuan(Money(row.amount_fen)), row.amount_fen
        )


@dataclass(frozen=True)
class BillView:
    id: int
    number: str
    subscriber_id: int
    period: str
    issued_at: datetime
    due_date: date
    previous_balance: str
    payments: str
    new_charges: str
    total_due: str
    total_due_fen: int
    total_due_text: str  # "¥123.45", as printed
    state: str
    subscriber_number: str = ""
    subscriber_name: str = ""
    lines: tuple[BillLineView, ...] = ()

    @staticmethod
    def of(row: Bill, lines: Sequence[BillLine] = (), subscriber: Subscriber | None = None) -> BillView:
        return BillView(
            id=row.id,
            number=row.number,
            subscriber_id=row.subscriber_id,
            period=row.period,
            issued_at=row.issued_at,
            due_date=row.due_date,
            previous_balance=_yuan(Money(row.previous_balance_fen)),
            payments=_yuan(Money(row.payments_fen)),
            new_charges=_yuan(Money(row.new_charges_fen)),
            total_due=_yuan(Money(row.total_due_fen)),
            total_due_fen=row.total_due_fen,
            total_due_text=str(Money(row.total_due_fen)),
            state=row.state,
            subscriber_number=subscriber.number if subscriber else "",
            subscriber_name=subscriber.name if subscriber else "",
            lines=tuple(BillLineView.of(line) for line in sorted(lines, key=lambda x: x.position)),
        )


@dataclass(frozen=True)
class RunView:
    id: int
    period: str
    started_at: datetime
    finished_at: datetime | None
    started_by: int | None
    accounts: int
    bills_created: int
    state: str
    heartbeat_at: datetime

    @staticmethod
    def of(row: BillRun) -> RunView:
        return RunView(
            row.id,
            row.period,
            row.started_at,
            row.finished_at,
            row.started_by,
            row.accounts,
            row.bills_created,
            row.state,
            row.heartbeat_at,
        )


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    period: str
    accounts: int  # accounts that needed a bill when the run started
    bills_created: int
    already_billed: int  # accounts of the period billed before this run
    total_new_charges: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def chunk_size_for(accounts: int, largest: int) -> int:
    """About 20 chunks per run, between ``MIN_CHUNK`` and ``largest`` accounts each."""
    return max(1, min(largest, max(MIN_CHUNK, -(-accounts // 20))))


@dataclass(frozen=True)
class RunContext:
    """What a run reads once: plan prices and names, value-added prices and names."""

    prices: Prices
    plan_names: dict[int, str]
    vas_names: dict[int, str]
    vas_prices: dict[int, list[tuple[date, int]]]  # vas id → (effective from, monthly fee), oldest first


def _late_fee_lines(rows: Sequence[Any]) -> list[tuple[str, str, Money]]:
    """The late fees accrued since the last bill as one line (quantity: the days they cover)."""
    if not rows:
        return []
    return [(_desc("late_fee", ""), f"{len(rows)} 天", Money.total(Money(r.amount_fen) for r in rows))]


def _desc(kind: str, name: str) -> str:
    zh, _ = LINE_LABELS[kind]
    return f"{zh} · {name}" if name else zh


class BillingService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.chunk_size = CHUNK
        self.lease = RUN_LEASE

    # -- the run ------------------------------------------------------------------------------------------
    def check_period(self, period: str) -> str:
        period = (period or "").strip()
        try:
            _, after = rules.period_bounds(period)
        except rules.InvalidPeriod:
            raise ValidationFailed([FieldError("period", "period_format")]) from None
        today = self.deps.clock.now().astimezone(self.deps.operator_tz).date()
        if after > today:
            raise ValidationFailed([FieldError("period", "period_not_ended")])
        return period

    async def _candidates(self, period: str) -> tuple[list[int], int]:
        first, after = rules.period_bounds(period)
        async with self.deps.uow() as uow:
            subscribed = set(
                await uow.session.scalars(
                    select(PlanSubscription.subscriber_id)
                    .where(
                        PlanSubscription.start_date < after,
                        or_(PlanSubscription.end_date.is_(None), PlanSubscription.end_date > first),
                    )
                    .distinct()
                )
            )
            billed = set(await uow.session.scalars(select(Bill.subscriber_id).where(Bill.period == period)))
        return sorted(subscribed - billed), len(subscribed & billed)

    async def run(self, period: str, *, actor: Actor | None = None, progress: Progress | None = None) -> RunSummary:
        """Bill every account of ``period`` that has no bill yet (idempotent; see the module doc)."""
        period = self.check_period(period)
        actor = actor or Actor.system()
        now = self.deps.clock.now()
        await self.expire_dead_runs(period)  # a killed run of the period is failed; this run continues it
        todo, already = await self._candidates(period)
        async with self.deps.uow() as uow:
            run = BillRun(
                period=period,
                started_at=now,
                started_by=actor.id if actor.type == "staff" else None,
                accounts=len(todo),
                bills_created=0,
                state="running",
                heartbeat_at=now,
            )
            uow.session.add(run)
            await uow.session.flush()
            if actor.type == "staff":
                audit.record(uow, now, actor, "billing.run", "bill_run", run.id, {"period": period})
            await uow.commit()
            run_id = run.id
        async with self.deps.uow() as uow:
            _, pol = await policy_service.current(uow)
        created = 0
        charges = Money.zero()
        if progress:
            progress(0, len(todo))
        async with self.deps.uow() as uow:
            ctx = await self._context(uow)
        size = chunk_size_for(len(todo), self.chunk_size)
        try:
            with heap.collection_paused():  # millions of short-lived objects: see adapters.heap
                for i in range(0, len(todo), size):
                    async with self.deps.uow() as uow:
                        made = await self._bill_chunk_safely(uow, todo[i : i + size], period, run_id, pol, ctx)
                        created += len(made)
                        charges += Money(sum(made))
                        await uow.session.execute(
                            update(BillRun)
                            .where(BillRun.id == run_id)
                            .values(bills_created=created, heartbeat_at=self.deps.clock.now())
                        )
                        await uow.commit()
                    if progress:
                        progress(min(i + size, len(todo)), len(todo))
        except BaseException:  # an error, or cancelled / interrupted (Ctrl-C): failed now, not at lease expiry
            async with self.deps.uow() as uow:
                await uow.session.execute(
                    update(BillRun)
                    .where(BillRun.id == run_id)
                    .values(state="failed", finished_at=self.deps.clock.now())
                )
                await uow.commit()
            raise
        async with self.deps.uow() as uow:
            await uow.session.execute(
                update(BillRun)
                .where(BillRun.id == run_id)
                .values(state="finished", finished_at=self.deps.clock.now(), bills_created=created)
            )
            await uow.commit()
        log.info("bill run finished", period=period, run_id=run_id, bills=created)
        return RunSummary(run_id, period, len(todo), created, already, _yuan(charges))

    async def _context(self, uow: UnitOfWork) -> RunContext:
        s = uow.session
        vas_prices: dict[int, list[tuple[date, int]]] = {}
        for vas_id, effective_from, fee in await s.execute(
            select(VasPrice.vas_id, VasPrice.effective_from, VasPrice.monthly_fee_fen).order_by(
                VasPrice.vas_id, VasPrice.effective_from
            )
        ):
            vas_prices.setdefault(vas_id, []).append((effective_from, int(fee)))
        return RunContext(
            prices=await load_prices(uow),
            plan_names={i: n for i, n in await s.execute(select(Plan.id, Plan.name_zh))},
            vas_names={i: n for i, n in await s.execute(select(ValueAddedService.id, ValueAddedService.name_zh))},
            vas_prices=vas_prices,
        )

    async def _bill_chunk_safely(
        self,
        uow: UnitOfWork,
        ids: Sequence[int],
        period: str,
        run_id: int | None,
        pol: OperatorPolicy,
        ctx: RunContext,
        at: tuple[datetime, ZoneInfo] | None = None,
    ) -> list[int]:
        """Bill a chunk in one savepoint; if it collides with a bill made meanwhile (the unique index
        is the arbiter), bill its accounts one savepoint each."""
        try:
            async with uow.session.begin_nested():
                return await self._bill_chunk(uow, ids, period, run_id, pol, ctx, at)
        except IntegrityError:
            if len(ids) == 1:
                log.info("account billed concurrently", subscriber_id=ids[0], period=period)
                return []
        made: list[int] = []
        for subscriber_id in ids:
            made += await self._bill_chunk_safely(uow, [subscriber_id], period, run_id, pol, ctx, at)
        return made

    async def _bill_chunk(
        self,
        uow: UnitOfWork,
        ids: Sequence[int],
        period: str,
        run_id: int | None,
        pol: OperatorPolicy,
        ctx: RunContext,
        at: tuple[datetime, ZoneInfo] | None = None,
    ) -> list[int]:
        """Bill the accounts ``ids`` that have no bill for ``period`` yet: a fixed number of queries
        and bulk inserts for the whole chunk, the bills composed in memory.  Returns the new charges
        (fen) of each bill created."""
        s = uow.session
        # The chunk's queries select its accounts by id range where they are dense (bulk.among): the
        # rows of accounts outside the chunk are left out here.
        billed = set(
            await s.scalars(select(Bill.subscriber_id).where(Bill.period == period, among(Bill.subscriber_id, ids)))
        )
        ids = [i for i in ids if i not in billed]
        if not ids:
            return []
        chunk = set(ids)
        now, tz = at or (self.deps.clock.now(), self.deps.operator_tz)
        first, after = rules.period_bounds(period)
        period_days = rules.days_in_period(period)
        usages, books, _ = await rated_usage(uow, ids, period, tz, now, ctx.prices)
        vas_subs: dict[int, list[tuple[int, date, date | None]]] = {}
        for sub_id, vas_id, start, end in await s.execute(
            select(
                VasSubscription.subscriber_id,
                VasSubscription.vas_id,
                VasSubscription.start_date,
                VasSubscription.end_date,
            )
            .where(
                among(VasSubscription.subscriber_id, ids),
                VasSubscription.start_date < after,
                or_(VasSubscription.end_date.is_(None), VasSubscription.end_date > first),
            )
            .order_by(VasSubscription.subscriber_id, VasSubscription.start_date, VasSubscription.id)
        ):
            if sub_id in chunk:
                vas_subs.setdefault(sub_id, []).append((vas_id, start, end))
        previous: dict[int, tuple[str, int]] = {}
        for sub_id, bill_period, total_due in await s.execute(
            select(Bill.subscriber_id, Bill.period, Bill.total_due_fen).where(
                among(Bill.subscriber_id, ids), Bill.period < period
            )
        ):
            if sub_id in chunk and (sub_id not in previous or bill_period > previous[sub_id][0]):
                previous[sub_id] = (bill_period, int(total_due))
        pending: dict[int, list[Any]] = {}
        for r in await s.execute(
            select(
                LedgerTransaction.subscriber_id,
                LedgerTransaction.id,
                LedgerTransaction.kind,
                LedgerTransaction.memo,
                LedgerLine.amount_fen,
            )
            .join(LedgerLine, LedgerLine.transaction_id == LedgerTransaction.id)
            .where(
                among(LedgerTransaction.subscriber_id, ids),
                LedgerTransaction.bill_id.is_(None),
                LedgerTransaction.kind.in_(("adjustment", "credit", "payment", "late_fee", "refund")),
                LedgerLine.account == ledger.RECEIVABLE,
                LedgerLine.subscriber_id == LedgerTransaction.subscriber_id,
            )
            .order_by(LedgerTransaction.subscriber_id, LedgerTransaction.created_at, LedgerTransaction.id)
        ):
            if r.subscriber_id in chunk:
                pending.setdefault(r.subscriber_id, []).append(r)
        before = await ledger.balances(uow, ids)
        suspended = await restrictions.suspensions_between(uow, ids, first, after, tz)

        # The postings of the period's charges, one per kind, and the bills, composed in memory.
        charges: dict[int, list[tuple[str, str, Money]]] = {}
        drafts: dict[int, tuple[list[tuple[str, str, Money]], list[tuple[str, str, Money]], rules.UsageSummary]] = {}
        for sub_id in ids:
            stops = suspended.get(sub_id, ())
            rent = self._rent_lines(books[sub_id], period, first, after, period_days, ctx, stops)
            vas = self._vas_lines(vas_subs.get(sub_id, ()), period, first, period_days, ctx, stops)
            usage = usages[sub_id]
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
        # Charges of this period posted before (a run killed after posting, before its bill: impossible
        # in one transaction, but the key is the guard): by account range, not a list of keys.
        keys = {key for rows in charges.values() for _, key, _ in rows}
        done = {
            key
            for key in await s.scalars(
                select(LedgerTransaction.idempotency_key).where(
                    LedgerTransaction.kind == "charge",
                    LedgerTransaction.period == period,
                    among(LedgerTransaction.subscriber_id, ids),
                )
            )
            if key in keys
        }
        due_date = now.astimezone(tz).date() + timedelta(days=pol.bill_due_days)
        bills: list[dict[str, Any]] = []
        composed: dict[int, rules.BillDraft] = {}
        for sub_id in ids:
            rent, vas, usage = drafts[sub_id]
            rows = pending.get(sub_id, [])
            posted = Money.total(amount for _, key, amount in charges[sub_id] if key not in done)
            draft = rules.compose_bill(
                rent=rent,
                vas=vas,
                usage=usage,
                usage_description=_desc("usage", ""),
                adjustments=[
                    (_desc("adjustment", r.memo), Money(r.amount_fen)) for r in rows if r.kind == "adjustment"
                ],
                credits=[(_desc("credit", r.memo), Money(r.amount_fen)) for r in rows if r.kind == "credit"],
                late_fees=_late_fee_lines([r for r in rows if r.kind == "late_fee"]),
                refunds=[(_desc("refund", r.memo), Money(r.amount_fen)) for r in rows if r.kind == "refund"],
                previous_balance=Money(previous.get(sub_id, (period, 0))[1]),
                payments=-Money.total(Money(r.amount_fen) for r in rows if r.kind == "payment"),
                total_due=before[sub_id] + posted,  # the receivable balance after posting
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

        # Bulk writes: bills (ids returned), the postings, the pending postings attached, the lines.
        conn = await s.connection()
        bill_ids: dict[int, int] = {}
        for sub_id, bill_id in await writes.write_rows(conn, Bill, bills, returning=("subscriber_id", "id")):
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
            await conn.execute(
                update(LedgerTransaction)
                .where(LedgerTransaction.id == bindparam("tx_id"))
                .values(bill_id=bindparam("to_bill")),
                attach,
            )
        lines = [
            {
                "bill_id": bill_ids[sub_id],
                "position": position,
                "kind": line.kind,
                "description": line.description[:200],
                "quantity": line.quantity,
                "amount_fen": line.amount.fen,
            }
            for sub_id in ids
            for position, line in enumerate(composed[sub_id].lines, start=1)
        ]
        await writes.write_rows(conn, BillLine, lines)
        # Each subscriber is told of the bill, in the same transaction, in bulk.
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
                        "new_charges": _yuan(composed[sub_id].new_charges),
                        "total_due": _yuan(composed[sub_id].total_due),
                        "due_date": due_date.isoformat(),
                    },
                )
                for sub_id in ids
            ],
        )
        return [composed[sub_id].new_charges.fen for sub_id in ids]

    # -- the final bill of a termination (R-32) ------------------------------------------------------------
    @classmethod
    async def final_bill(
        cls, uow: UnitOfWork, now: datetime, subscriber_id: int, until: date, *, tz: ZoneInfo
    ) -> list[BillView]:
        """The final bill(s) of a termination, in the caller's transaction: every period from the first
        one this account has no bill for, up to ``until``'s period, composed exactly like the run's
        (rent and fees prorated to the subscriptions' end — end them first —, calls so far rated,
        postings not yet on a bill attached).  The unique (subscriber, period) bill makes the monthly
        run skip these periods later.  A period already billed is left as it is (postings made since
        wait for the next bill; there is none after a termination, so they show in the debts only).
        Returns the bills made, oldest first."""
        s = uow.session
        last = await s.scalar(select(func.max(Bill.period)).where(Bill.subscriber_id == subscriber_id))
        if last is not None:
            period = rules.period_of(rules.period_bounds(last)[1])
        else:
            first_start = await s.scalar(
                select(func.min(PlanSubscription.start_date)).where(PlanSubscription.subscriber_id == subscriber_id)
            )
            if first_start is None:
                return []
            period = rules.period_of(first_start)
        end_period = rules.period_of(until)
        if period > end_period:
            return []
        _, pol = await policy_service.current(uow)
        # Composing a bill reads nothing from Deps when ``at`` is given: no service instance needed.
        composer = cls.__new__(cls)
        ctx = await composer._context(uow)
        made: list[BillView] = []
        while period <= end_period:
            if await composer._bill_chunk_safely(uow, [subscriber_id], period, None, pol, ctx, (now, tz)):
                row = await s.scalar(select(Bill).where(Bill.subscriber_id == subscriber_id, Bill.period == period))
                if row is not None:
                    made.append(BillView.of(row))
            period = rules.period_of(rules.period_bounds(period)[1])
        return made

    @staticmethod
    def _rent_lines(
        book: PriceBook,
        period: str,
        first: date,
        after: date,
        period_days: int,
        ctx: RunContext,
        suspensions: Sequence[rules.Suspension] = (),
    ) -> list[tuple[str, str, Money]]:
        lines: list[tuple[str, str, Money]] = []
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
            name = ctx.plan_names.get(sub.plan_id, "")
            lines.append((_desc("rent", name), f"{days}/{period_days} 天", amount))
        return lines

    @staticmethod
    def _vas_lines(
        subs: Sequence[tuple[int, date, date | None]],
        period: str,
        first: date,
        period_days: int,
        ctx: RunContext,
        suspensions: Sequence[rules.Suspension] = (),
    ) -> list[tuple[str, str, Money]]:
        lines: list[tuple[str, str, Money]] = []
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
            lines.append((_desc("vas", ctx.vas_names.get(vas_id, "")), f"{days}/{period_days} 天", amount))
        return lines

    # -- reading --------------------------------------------------------------------------------------------
    async def bills(self, subscriber_id: int) -> list[BillView]:
        async with self.deps.uow() as uow:
            rows = await uow.session.scalars(
                select(Bill).where(Bill.subscriber_id == subscriber_id).order_by(Bill.period.desc())
            )
            return [BillView.of(r) for r in rows]

    async def _detail(self, uow: UnitOfWork, row: Bill) -> BillView:
        lines = list(await uow.session.scalars(select(BillLine).where(BillLine.bill_id == row.id)))
        subscriber = await uow.session.get(Subscriber, row.subscriber_id)
        return BillView.of(row, lines, subscriber)

    async def bill(self, subscriber_id: int, bill_id: int) -> BillView:
        """One of the subscriber's own bills; anyone else's is not found."""
        async with self.deps.uow() as uow:
            row = await uow.session.get(Bill, bill_id)
            if row is None or row.subscriber_id != subscriber_id:
                raise NotFound()
            return await self._detail(uow, row)

    async def staff_bill(self, bill_id: int) -> BillView:
        async with self.deps.uow() as uow:
            row = await uow.session.get(Bill, bill_id)
            if row is None:
                raise NotFound()
            return await self._detail(uow, row)

    async def bill_pdf(self, subscriber_id: int, bill_id: int) -> tuple[str, bytes]:
        view = await self.bill(subscriber_id, bill_id)
        async with self.deps.uow() as uow:
            _, pol = await policy_service.current(uow)
        return f"{view.number}.pdf", render_bill_pdf(view, pol)

    async def search(
        self, *, number: str | None = None, period: str | None = None, offset: int = 0, limit: int = 50
    ) -> tuple[int, list[BillView]]:
        """Bills by bill number or subscriber number (exact or part of it) and period, newest first."""
        stmt = select(Bill, Subscriber).join(Subscriber, Subscriber.id == Bill.subscriber_id)
        if number and number.strip():
            text = number.strip()
            stmt = stmt.where(or_(Bill.number == text, Subscriber.number.contains(text, autoescape=True)))
        if period and period.strip():
            stmt = stmt.where(Bill.period == period.strip())
        async with self.deps.uow() as uow:
            total = int(await uow.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
            rows = await uow.session.execute(
                stmt.order_by(Bill.period.desc(), Bill.id.desc())
                .offset(max(offset, 0))
                .limit(max(1, min(limit, MAX_PAGE)))
            )
            return total, [BillView.of(b, (), sub) for b, sub in rows]

    async def expire_dead_runs(self, period: str | None = None) -> int:
        """Mark failed every run (of ``period``, or any) still ``running`` whose heartbeat is older
        than the lease: its process was killed.  It failed at its last heartbeat.  Returns how many."""
        cutoff = self.deps.clock.now() - self.lease
        where = [BillRun.state == "running", BillRun.heartbeat_at < cutoff]
        if period is not None:
            where.append(BillRun.period == period)
        async with self.deps.uow() as uow:
            dead = list(await uow.session.scalars(select(BillRun.id).where(*where)))
            if not dead:
                return 0
            await uow.session.execute(
                update(BillRun)
                .where(BillRun.id.in_(dead), *where)
                .values(state="failed", finished_at=BillRun.heartbeat_at)
            )
            await uow.commit()
        log.warning("bill run found dead: marked failed", run_ids=dead, lease_seconds=self.lease.total_seconds())
        return len(dead)

    async def runs(self, limit: int = 50) -> list[RunView]:
        await self.expire_dead_runs()
        async with self.deps.uow() as uow:
            rows = await uow.session.scalars(select(BillRun).order_by(BillRun.id.desc()).limit(limit))
            return [RunView.of(r) for r in rows]

    async def last_run_finished(self, period: str) -> bool:
        await self.expire_dead_runs(period)
        async with self.deps.uow() as uow:
            found = await uow.session.scalar(
                select(BillRun.id).where(BillRun.period == period, BillRun.state == "finished").limit(1)
            )
        return found is not None


def render_bill_pdf(view: BillView, pol: OperatorPolicy) -> bytes:
    """The bill as an A4 PDF: header, lines, totals (amounts as ``¥123.45``) and the due date."""
    header = PdfKeyValues(
        rows=(
            ("运营商 Operator", pol.operator_name),
            ("账单编号 Bill number", view.number),
            ("账期 Period", view.period),
            ("用户 Subscriber", f"{view.subscriber_name} ({view.subscriber_number})"),
            ("出账日期 Issued", view.issued_at.date().isoformat()),
            ("缴费截止日 Due date", view.due_date.isoformat()),
        )
    )
    table = PdfTable(
        header=("项目 Item", "数量 Quantity", "金额 Amount"),
        rows=tuple((line.description, line.quantity, str(Money(line.amount_fen))) for line in view.lines)
        or (("—", "", str(Money.zero())),),
        col_widths=(0.55, 0.2, 0.25),
        align_right=frozenset({2}),
    )
    totals = PdfKeyValues(
        title="合计 Totals",
        rows=(
            ("上期余额 Previous balance", str(Money.of_yuan(view.previous_balance))),
            ("已收款项 Payments", str(Money.of_yuan(view.payments))),
            ("本期费用 New charges", str(Money.of_yuan(view.new_charges))),
            ("应缴总额 Total due", view.total_due_text),
        ),
    )
    note = PdfParagraph(
        f"请于 {view.due_date.isoformat()} 前缴清应缴总额 {view.total_due_text}。"
        f" Please pay {view.total_due_text} by {view.due_date.isoformat()}."
    )
    return render_document_pdf(
        "可视电话业务账单", [header, table, totals, note], author=pol.operator_name, subject=view.number
    )
