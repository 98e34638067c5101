"""The monthly bill run and bills (R-22; decisions in ADR 0004 "Bill run").

For each subscriber with a plan subscription overlapping the period and no bill for it yet, one
transaction rates the month, posts the period's charges (rent, value-added fees, usage) to the ledger
with idempotency keys ``bill:<subscriber>:<period>:<kind>``, attaches the adjustments, credits and
payments not yet on any bill, and writes the bill and its lines.  Accounts are processed in chunks, each
chunk one transaction (each account inside it a savepoint), so a run that is killed and started again
creates every bill exactly once (the unique index on (subscriber, period) is the last guard).

``total_due`` is the receivable balance after posting, which equals the previous bill's total due −
payments + this bill's new charges, because every posting is shown on exactly one bill (the first bill
after it was posted; its ``bill_id`` records which).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from videophone.adapters.db.models import (
    Bill,
    BillLine,
    BillRun,
    CallCharge,
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
from videophone.domain import billing as rules
from videophone.domain.errors import FieldError, NotFound, ValidationFailed
from videophone.domain.money import Money
from videophone.domain.policy import OperatorPolicy
from videophone.services import audit, ledger
from videophone.services import policy as policy_service
from videophone.services.deps import Actor, Deps
from videophone.services.rating import PriceBook, price_book, rate_subscriber_month

log = structlog.get_logger(__name__)

CHUNK = 50
MAX_PAGE = 200
Progress = Callable[[int, int], None]
LINE_LABELS = {
    "rent": ("月租", "Monthly rent"),
    "vas": ("增值业务", "Value-added service"),
    "usage": ("通话费", "Call charges"),
    "adjustment": ("调账", "Adjustment"),
    "credit": ("减免", "Credit"),
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def _desc(kind: str, name: str) -> str:
    zh, _ = LINE_LABELS[kind]
    return f"{zh} · {name}" if name else zh


class BillingService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.chunk_size = CHUNK

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
        todo, already = await self._candidates(period)
        async with self.deps.uow() as uow:
            run = BillRun(
                period=period,
                started_at=now,
                started_by=actor.id if actor.type == "staff" else None,
                accounts=len(todo),
                bills_created=0,
                state="running",
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
        try:
            for i in range(0, len(todo), self.chunk_size):
                async with self.deps.uow() as uow:
                    for subscriber_id in todo[i : i + self.chunk_size]:
                        bill = await self._bill_one_safely(uow, subscriber_id, period, run_id, pol)
                        if bill is not None:
                            created += 1
                            charges += Money(bill.new_charges_fen)
                    await uow.session.execute(update(BillRun).where(BillRun.id == run_id).values(bills_created=created))
                    await uow.commit()
                if progress:
                    progress(min(i + self.chunk_size, len(todo)), len(todo))
        except Exception:
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

    async def _bill_one_safely(
        self, uow: UnitOfWork, subscriber_id: int, period: str, run_id: int, pol: OperatorPolicy
    ) -> Bill | None:
        try:
            async with uow.session.begin_nested():
                return await self._bill_one(uow, subscriber_id, period, run_id, pol)
        except IntegrityError:  # billed meanwhile by another run
            log.info("account billed concurrently", subscriber_id=subscriber_id, period=period)
            return None

    async def _bill_one(
        self, uow: UnitOfWork, subscriber_id: int, period: str, run_id: int, pol: OperatorPolicy
    ) -> Bill | None:
        s = uow.session
        if await s.scalar(select(Bill.id).where(Bill.subscriber_id == subscriber_id, Bill.period == period)):
            return None
        tz = self.deps.operator_tz
        now = self.deps.clock.now()
        first, after = rules.period_bounds(period)
        period_days = rules.days_in_period(period)
        await rate_subscriber_month(uow, subscriber_id, period, tz, now)
        book = await price_book(uow, subscriber_id)
        rent_lines = await self._rent_lines(uow, book, period, first, after, period_days)
        vas_lines = await self._vas_lines(uow, subscriber_id, period, first, after, period_days)
        usage_row = (
            await s.execute(
                select(
                    func.count(CallCharge.call_id),
                    func.coalesce(func.sum(CallCharge.rated_seconds), 0),
                    func.coalesce(func.sum(CallCharge.amount_fen), 0),
                ).where(CallCharge.subscriber_id == subscriber_id, CallCharge.period == period)
            )
        ).one()
        usage = rules.UsageSummary(int(usage_row[0]), int(usage_row[1]), Money(int(usage_row[2])))
        previous = await s.scalar(
            select(Bill.total_due_fen)
            .where(Bill.subscriber_id == subscriber_id, Bill.period < period)
            .order_by(Bill.period.desc())
            .limit(1)
        )
        bill = Bill(
            number=rules.bill_number(period, subscriber_id),
            subscriber_id=subscriber_id,
            period=period,
            issued_at=now,
            due_date=now.astimezone(tz).date() + timedelta(days=pol.bill_due_days),
            previous_balance_fen=int(previous or 0),
            payments_fen=0,
            new_charges_fen=0,
            total_due_fen=0,
            state="issued",
            run_id=run_id,
        )
        s.add(bill)
        await s.flush()
        # The period's charges, one posting per kind.
        totals = {
            ledger.REVENUE_RENT: Money.total(a for _, _, a in rent_lines),
            ledger.REVENUE_VAS: Money.total(a for _, _, a in vas_lines),
            ledger.REVENUE_USAGE: usage.amount,
        }
        for account, amount in totals.items():
            if amount:
                kind = account.split(":", 1)[1]
                await ledger.post(
                    uow,
                    "charge",
                    f"bill:{subscriber_id}:{period}:{kind}",
                    [(ledger.RECEIVABLE, subscriber_id, amount), (account, None, -amount)],
                    subscriber_id=subscriber_id,
                    period=period,
                    bill_id=bill.id,
                    memo=f"{period} {kind}",
                    at=now,
                )
        # Adjustments, credits and payments not yet on any bill.
        pending = (
            await s.execute(
                select(LedgerTransaction.id, LedgerTransaction.kind, LedgerTransaction.memo, LedgerLine.amount_fen)
                .join(LedgerLine, LedgerLine.transaction_id == LedgerTransaction.id)
                .where(
                    LedgerTransaction.subscriber_id == subscriber_id,
                    LedgerTransaction.bill_id.is_(None),
                    LedgerTransaction.kind.in_(("adjustment", "credit", "payment")),
                    LedgerLine.account == ledger.RECEIVABLE,
                    LedgerLine.subscriber_id == subscriber_id,
                )
                .order_by(LedgerTransaction.created_at, LedgerTransaction.id)
            )
        ).all()
        adjustments = [(_desc("adjustment", r.memo), Money(r.amount_fen)) for r in pending if r.kind == "adjustment"]
        credits = [(_desc("credit", r.memo), Money(r.amount_fen)) for r in pending if r.kind == "credit"]
        payments = -Money.total(Money(r.amount_fen) for r in pending if r.kind == "payment")
        if pending:
            await s.execute(
                update(LedgerTransaction)
                .where(LedgerTransaction.id.in_({r.id for r in pending}))
                .values(bill_id=bill.id)
            )
        total_due = await ledger.balance(uow, subscriber_id)
        draft = rules.compose_bill(
            rent=rent_lines,
            vas=vas_lines,
            usage=usage,
            usage_description=_desc("usage", ""),
            adjustments=adjustments,
            credits=credits,
            previous_balance=Money(bill.previous_balance_fen),
            payments=payments,
            total_due=total_due,
        )
        if not draft.consistent:
            log.warning(
                "bill total differs from previous − payments + charges",
                subscriber_id=subscriber_id,
                period=period,
                total_due=total_due.fen,
                expected=draft.expected_total.fen,
            )
        s.add_all(
            BillLine(
                bill_id=bill.id,
                position=i,
                kind=line.kind,
                description=line.description[:200],
                quantity=line.quantity,
                amount_fen=line.amount.fen,
            )
            for i, line in enumerate(draft.lines, start=1)
        )
        bill.payments_fen = draft.payments.fen
        bill.new_charges_fen = draft.new_charges.fen
        bill.total_due_fen = draft.total_due.fen
        await s.flush()
        return bill

    async def _rent_lines(
        self, uow: UnitOfWork, book: PriceBook, period: str, first: date, after: date, period_days: int
    ) -> list[tuple[str, str, Money]]:
        lines: list[tuple[str, str, Money]] = []
        for sub in book.subscriptions:
            start = max(sub.start_date, first)
            if start >= after or (sub.end_date is not None and sub.end_date <= first):
                continue
            price = book.price_of(sub.plan_id, start)
            if price is None:
                continue
            days = rules.service_days(period, sub.start_date, sub.end_date)  # suspensions: later issues
            if days == 0:
                continue
            plan = await uow.session.get(Plan, sub.plan_id)
            amount = rules.prorate_rent(Money(price.monthly_rent_fen), days, period_days)
            lines.append((_desc("rent", plan.name_zh if plan else ""), f"{days}/{period_days} 天", amount))
        return lines

    async def _vas_lines(
        self, uow: UnitOfWork, subscriber_id: int, period: str, first: date, after: date, period_days: int
    ) -> list[tuple[str, str, Money]]:
        s = uow.session
        subs = list(
            await s.scalars(
                select(VasSubscription)
                .where(
                    VasSubscription.subscriber_id == subscriber_id,
                    VasSubscription.start_date < after,
                    or_(VasSubscription.end_date.is_(None), VasSubscription.end_date > first),
                )
                .order_by(VasSubscription.start_date, VasSubscription.id)
            )
        )
        lines: list[tuple[str, str, Money]] = []
        for sub in subs:
            start = max(sub.start_date, first)
            fee = await s.scalar(
                select(VasPrice.monthly_fee_fen)
                .where(VasPrice.vas_id == sub.vas_id, VasPrice.effective_from <= start)
                .order_by(VasPrice.effective_from.desc())
                .limit(1)
            )
            if fee is None:
                continue
            days = rules.service_days(period, sub.start_date, sub.end_date)
            if days == 0:
                continue
            vas = await s.get(ValueAddedService, sub.vas_id)
            amount = rules.prorate_rent(Money(int(fee)), days, period_days)
            lines.append((_desc("vas", vas.name_zh if vas else ""), f"{days}/{period_days} 天", amount))
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

    async def runs(self, limit: int = 50) -> list[RunView]:
        async with self.deps.uow() as uow:
            rows = await uow.session.scalars(select(BillRun).order_by(BillRun.id.desc()).limit(limit))
            return [RunView.of(r) for r in rows]

    async def last_run_finished(self, period: str) -> bool:
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
