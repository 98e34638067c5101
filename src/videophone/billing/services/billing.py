"""The monthly bill run and bills (R-22; decisions in ADR 0004 "Bill run").

For each subscriber with a plan subscription overlapping the period and no bill for it yet, one
transaction takes the month's usage (the stored rating where it is provably current, else the month
rated again: ``rating.rated_usage``, ADR 0006), posts the period's charges (rent, value-added fees, usage) to the ledger
with idempotency keys ``bill:<subscriber>:<period>:<kind>``, attaches the adjustments, credits and
payments not yet on any bill, and writes the bill and its lines.  Accounts are processed in chunks, each
chunk one transaction, so a run that is killed and started again creates every bill exactly once (the
unique index on (subscriber, period) is the last guard).  A chunk is billed in bulk (``bill_chunk``): a
fixed number of queries for all its accounts (bills already there, call counts and charge totals,
subscriptions, pending postings, previous bills, receivable balances), the bills composed in memory, then
bulk inserts of bills, postings and lines.  If the chunk collides with a bill made meanwhile (a concurrent
run), its savepoint is rolled back and each of its accounts is billed in a savepoint of its own.

``total_due`` is the receivable balance after posting, which equals the previous bill's total due −
payments + this bill's new charges, because every posting is shown on exactly one bill (the first bill
after it was posted; its ``bill_id`` records which).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import structlog

from videophone.adapters import heap
from videophone.adapters.db.models import Bill, BillRun, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.domain import billing as rules
from videophone.billing.services.bill_chunk import bill_chunk_safely, load_run_context
from videophone.billing.services.bill_pdf import render_bill_pdf
from videophone.billing.services.bill_views import BillView, RunSummary, RunView, yuan_text
from videophone.billing.store import bill_runs as run_store
from videophone.billing.store import bills as store
from videophone.billing.store import subscriptions as subscription_store
from videophone.common import audit
from videophone.common import policy as policy_service
from videophone.common.deps import Actor, Deps
from videophone.kernel.errors import FieldError, NotFound, ValidationFailed
from videophone.kernel.money import Money

log = structlog.get_logger(__name__)

CHUNK = 5000  # most accounts per transaction
# A running bill run refreshes its heartbeat after every chunk (a chunk of 5,000 accounts takes
# seconds, docs/performance.md); one silent for longer than this was killed and is marked failed.
RUN_LEASE = timedelta(minutes=5)
MIN_CHUNK = 50  # a small run still commits in several steps (progress; a kill loses little)
MAX_PAGE = 200
Progress = Callable[[int, int], None]


def chunk_size_for(accounts: int, largest: int) -> int:
    """About 20 chunks per run, between ``MIN_CHUNK`` and ``largest`` accounts each."""
    return max(1, min(largest, max(MIN_CHUNK, -(-accounts // 20))))


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
            subscribed = await subscription_store.plan_subscribers_in(uow.session, first, after)
            billed = await store.billed_in(uow.session, period)
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
            ctx = await load_run_context(uow)
        size = chunk_size_for(len(todo), self.chunk_size)
        try:
            with heap.collection_paused():  # millions of short-lived objects: see adapters.heap
                for i in range(0, len(todo), size):
                    async with self.deps.uow() as uow:
                        made = await bill_chunk_safely(
                            uow, todo[i : i + size], period, run_id, pol, ctx, self._issued_at
                        )
                        created += len(made)
                        charges += Money(sum(made))
                        await run_store.record_progress(uow.session, run_id, created, self.deps.clock.now())
                        await uow.commit()
                    if progress:
                        progress(min(i + size, len(todo)), len(todo))
        except BaseException:  # an error, or cancelled / interrupted (Ctrl-C): failed now, not at lease expiry
            async with self.deps.uow() as uow:
                await run_store.mark_failed(uow.session, run_id, self.deps.clock.now())
                await uow.commit()
            raise
        async with self.deps.uow() as uow:
            await run_store.mark_finished(uow.session, run_id, self.deps.clock.now(), created)
            await uow.commit()
        log.info("bill run finished", period=period, run_id=run_id, bills=created)
        return RunSummary(run_id, period, len(todo), created, already, yuan_text(charges))

    def _issued_at(self) -> tuple[datetime, ZoneInfo]:
        """When a chunk's bills are issued: now, read as the chunk is billed, in the operator's zone."""
        return self.deps.clock.now(), self.deps.operator_tz

    # -- the final bill of a termination (R-32) ------------------------------------------------------------
    @staticmethod
    async def final_bill(
        uow: UnitOfWork, now: datetime, subscriber_id: int, until: date, *, tz: ZoneInfo
    ) -> list[BillView]:
        """The final bill(s) of a termination, in the caller's transaction: every period from the first
        one this account has no bill for, up to ``until``'s period, composed exactly like the run's
        (rent and fees prorated to the subscriptions' end — end them first —, calls so far rated,
        postings not yet on a bill attached).  The unique (subscriber, period) bill makes the monthly
        run skip these periods later.  A period already billed is left as it is (postings made since
        wait for the next bill; there is none after a termination, so they show in the debts only).
        Returns the bills made, oldest first."""
        s = uow.session
        last = await store.last_period_of(s, subscriber_id)
        if last is not None:
            period = rules.period_of(rules.period_bounds(last)[1])
        else:
            first_start = await subscription_store.first_plan_start_of(s, subscriber_id)
            if first_start is None:
                return []
            period = rules.period_of(first_start)
        end_period = rules.period_of(until)
        if period > end_period:
            return []
        _, pol = await policy_service.current(uow)
        ctx = await load_run_context(uow)
        made: list[BillView] = []
        while period <= end_period:
            if await bill_chunk_safely(uow, [subscriber_id], period, None, pol, ctx, lambda: (now, tz)):
                row = await store.bill_of(s, subscriber_id, period)
                if row is not None:
                    made.append(BillView.of(row))
            period = rules.period_of(rules.period_bounds(period)[1])
        return made

    # -- reading --------------------------------------------------------------------------------------------
    async def bills(self, subscriber_id: int) -> list[BillView]:
        async with self.deps.uow() as uow:
            return [BillView.of(r) for r in await store.bills_of(uow.session, subscriber_id)]

    async def _detail(self, uow: UnitOfWork, row: Bill, language: str) -> BillView:
        lines = await store.lines_of(uow.session, row.id)
        subscriber = await uow.session.get(Subscriber, row.subscriber_id)
        return BillView.of(row, lines, subscriber, language)

    async def bill(self, subscriber_id: int, bill_id: int, language: str = "zh-CN") -> BillView:
        """One of the subscriber's own bills, its lines in the reader's ``language``; anyone else's is
        not found."""
        async with self.deps.uow() as uow:
            row = await uow.session.get(Bill, bill_id)
            if row is None or row.subscriber_id != subscriber_id:
                raise NotFound()
            return await self._detail(uow, row, language)

    async def staff_bill(self, bill_id: int, language: str = "zh-CN") -> BillView:
        async with self.deps.uow() as uow:
            row = await uow.session.get(Bill, bill_id)
            if row is None:
                raise NotFound()
            return await self._detail(uow, row, language)

    async def bill_pdf(self, subscriber_id: int, bill_id: int, language: str = "zh-CN") -> tuple[str, bytes]:
        """The bill as a PDF, its lines in the reader's ``language`` (the headings are bilingual)."""
        view = await self.bill(subscriber_id, bill_id, language)
        async with self.deps.uow() as uow:
            _, pol = await policy_service.current(uow)
        return f"{view.number}.pdf", render_bill_pdf(view, pol)

    async def search(
        self, *, number: str | None = None, period: str | None = None, offset: int = 0, limit: int = 50
    ) -> tuple[int, list[BillView]]:
        """Bills by bill number or subscriber number (exact or part of it) and period, newest first."""
        async with self.deps.uow() as uow:
            total, rows = await store.search(
                uow.session,
                number=number.strip() if number and number.strip() else None,
                period=period.strip() if period and period.strip() else None,
                offset=max(offset, 0),
                limit=max(1, min(limit, MAX_PAGE)),
            )
            return total, [BillView.of(b, (), sub) for b, sub in rows]

    async def expire_dead_runs(self, period: str | None = None) -> int:
        """Mark failed every run (of ``period``, or any) still ``running`` whose heartbeat is older
        than the lease: its process was killed.  It failed at its last heartbeat.  Returns how many."""
        cutoff = self.deps.clock.now() - self.lease
        async with self.deps.uow() as uow:
            dead = await run_store.fail_silent_runs(uow.session, cutoff, period)
            if not dead:
                return 0
            await uow.commit()
        log.warning("bill run found dead: marked failed", run_ids=dead, lease_seconds=self.lease.total_seconds())
        return len(dead)

    async def runs(self, limit: int = 50) -> list[RunView]:
        await self.expire_dead_runs()
        async with self.deps.uow() as uow:
            return [RunView.of(r) for r in await run_store.latest_runs(uow.session, limit)]

    async def last_run_finished(self, period: str) -> bool:
        await self.expire_dead_runs(period)
        async with self.deps.uow() as uow:
            found = await run_store.finished_run_of(uow.session, period)
        return found is not None
