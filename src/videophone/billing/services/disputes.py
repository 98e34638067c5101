"""Billing disputes (R-25; rules in ``domain.disputes``).

A subscriber disputes one of their bills, or one call charged on it (its ``call_charges`` row of the
bill's period), with a reason.  Billing staff (``handle_disputes``) work the queue — open ones first,
nearest deadline first, overdue ones flagged — with the bill, the call records, their quality samples
and their rating at hand, and decide once: an adjustment posts a ledger ``credit`` (key
``dispute:<id>``) that the next bill run shows as a credit line, a rejection carries an explanation
the subscriber reads.  Every step is audited, written to the account history and notified, in the
same transaction as the change.

While a dispute is open its ``amount_fen`` is excluded from late fees and from the arrears that lead
to suspension (``services.arrears`` reads the ``disputes`` rows: ``state``, ``opened_at``,
``resolved_at``, ``bill_id``, ``amount_fen``).  An adjustment reduces what is owed: it publishes
``BalanceReduced``, whose in-transaction subscribers lift an arrears suspension or a credit-limit bar
and close a settled termination in the same transaction (ADR 0007).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from videophone.adapters.db.models import Bill, CallQualitySample, CallRecord, Dispute, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.domain import disputes as rules
from videophone.billing.services import ledger
from videophone.billing.services.bill_views import BillView
from videophone.billing.store import bills as bill_store
from videophone.billing.store import call_charges as charge_store
from videophone.billing.store import call_evidence as evidence_store
from videophone.billing.store import disputes as store
from videophone.calling.public import NODE_STALE_AFTER, QualityView, SampleView, quality_view
from videophone.calling.public import sample as _sample
from videophone.common import audit
from videophone.common import policy as policy_service
from videophone.common.account_history import record_event
from videophone.common.deps import Actor, Deps
from videophone.kernel.errors import FieldError, InvalidState, NotFound, ValidationFailed
from videophone.kernel.events import BalanceReduced
from videophone.kernel.money import Money
from videophone.notices.public import notifications

MAX_PAGE = 200
MAX_BILL_CALLS = 200  # calls listed with a dispute about a whole bill
STATES = tuple(s.value for s in rules.DisputeState)
QUEUE_FILTERS = (*STATES, "overdue")


def _yuan(fen: int) -> str:
    return str(Money(fen).yuan)


@dataclass(frozen=True)
class DisputeView:
    """A dispute as both sides see it (staff also get who raised it)."""

    id: int
    subscriber_id: int
    bill_id: int
    bill_number: str
    bill_period: str
    call_id: str | None
    call_number: str  # the number called, for a dispute about one call
    call_started_at: datetime | None
    amount: str
    amount_fen: int
    reason: str
    state: str
    opened_at: datetime
    due_at: datetime
    overdue: bool
    resolved_at: datetime | None
    resolution: str
    credit: str
    credit_fen: int
    subscriber_number: str = ""
    subscriber_name: str = ""


@dataclass(frozen=True)
class DisputableCall:
    call_id: str
    callee_number: str
    started_at: datetime
    billable_seconds: int
    charged_seconds: int
    amount: str
    amount_fen: int
    open_dispute_id: int | None


@dataclass(frozen=True)
class Disputable:
    """What of one bill can be disputed: the bill's new charges, and each call charged on it."""

    bill_id: int
    bill_number: str
    period: str
    new_charges: str
    new_charges_fen: int
    open_dispute_id: int | None  # an open dispute about the whole bill
    calls: list[DisputableCall]


@dataclass(frozen=True)
class CallEvidence:
    """One call record as billing staff investigate it: what happened, how it sounded, how it was rated."""

    id: str
    caller_number: str
    callee_number: str
    caller_device: str
    callee_device: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    billable_seconds: int
    outcome: str
    end_reason: str
    node_id: str
    node_address: str
    node_fresh: bool
    rated_seconds: int | None
    included_seconds: int | None
    charged_seconds: int | None
    charge: str | None
    charge_fen: int | None
    quality_caller: QualityView
    quality_callee: QualityView
    samples: list[SampleView]


@dataclass(frozen=True)
class DisputeDetail:
    dispute: DisputeView
    bill: BillView
    calls: list[CallEvidence]
    resolved_by: int | None
    transaction_id: int | None


def _view(
    row: Dispute,
    bill: Bill,
    call: CallRecord | None,
    now: datetime,
    subscriber: Subscriber | None = None,
) -> DisputeView:
    return DisputeView(
        id=row.id,
        subscriber_id=row.subscriber_id,
        bill_id=row.bill_id,
        bill_number=bill.number,
        bill_period=bill.period,
        call_id=row.call_id,
        call_number=call.callee_number if call else "",
        call_started_at=call.started_at if call else None,
        amount=_yuan(row.amount_fen),
        amount_fen=row.amount_fen,
        reason=row.reason,
        state=row.state,
        opened_at=row.opened_at,
        due_at=row.due_at,
        overdue=rules.is_overdue(row.state, row.due_at, now),
        resolved_at=row.resolved_at,
        resolution=row.resolution,
        credit=_yuan(row.credit_fen),
        credit_fen=row.credit_fen,
        subscriber_number=subscriber.number if subscriber else "",
        subscriber_name=subscriber.name if subscriber else "",
    )


def _page(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


class DisputeService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _day(self, at: datetime) -> str:
        return at.astimezone(self.deps.operator_tz).date().isoformat()

    # -- the subscriber -----------------------------------------------------------------------------------
    async def disputable(self, subscriber_id: int, bill_id: int) -> Disputable:
        """The bill's new charges and the calls charged on it (with a charge above zero)."""
        async with self.deps.uow() as uow:
            bill = await self._own_bill(uow, subscriber_id, bill_id)
            rows = await charge_store.charged_calls_of(uow.session, subscriber_id, bill.period, MAX_BILL_CALLS)
            open_by_call: dict[str | None, int] = {
                call_id: int(dispute_id)
                for dispute_id, call_id in await store.open_disputes_of_bill(uow.session, bill.id)
            }
        return Disputable(
            bill_id=bill.id,
            bill_number=bill.number,
            period=bill.period,
            new_charges=_yuan(bill.new_charges_fen),
            new_charges_fen=bill.new_charges_fen,
            open_dispute_id=open_by_call.get(None),
            calls=[
                DisputableCall(
                    call_id=record.id,
                    callee_number=record.callee_number,
                    started_at=record.started_at,
                    billable_seconds=record.billable_seconds,
                    charged_seconds=charge.charged_seconds,
                    amount=_yuan(charge.amount_fen),
                    amount_fen=charge.amount_fen,
                    open_dispute_id=open_by_call.get(record.id),
                )
                for charge, record in rows
            ],
        )

    async def open(
        self,
        actor: Actor,
        subscriber_id: int,
        bill_id: int,
        *,
        call_id: str | None = None,
        amount_yuan: object = None,
        reason: object = "",
    ) -> DisputeView:
        """Dispute a bill (or one call charged on it); acknowledged with the deadline for the answer."""
        call_id = (call_id or "").strip() or None
        async with self.deps.uow() as uow:
            # The bill's row lock serializes concurrent disputes of one bill (SQLite: BEGIN IMMEDIATE).
            bill = await self._own_bill(uow, subscriber_id, bill_id, lock=True)
            record: CallRecord | None = None
            if call_id is None:
                disputable, target = Money(bill.new_charges_fen), "bill_id"
            else:
                charge = await charge_store.charge_of_call(uow.session, call_id, subscriber_id, bill.period)
                if charge is None:
                    raise ValidationFailed([FieldError("call_id", "dispute_call_not_on_bill")])
                record = await uow.session.get(CallRecord, call_id)
                disputable, target = Money(charge.amount_fen), "call_id"
            opening = rules.validate_opening(disputable, amount_yuan, reason, target_field=target)
            rules.ensure_none_open(await store.open_dispute_of(uow.session, bill.id, call_id))
            _, pol = await policy_service.current(uow)
            now = self.deps.clock.now()
            row = Dispute(
                subscriber_id=subscriber_id,
                bill_id=bill.id,
                call_id=call_id,
                amount_fen=opening.amount.fen,
                reason=opening.reason,
                state=rules.DisputeState.OPEN.value,
                opened_at=now,
                due_at=rules.deadline(now, pol.dispute_response_days),
                resolved_at=None,
                resolved_by=None,
                resolution="",
                credit_fen=0,
                transaction_id=None,
            )
            uow.session.add(row)
            await uow.session.flush()
            amount = _yuan(row.amount_fen)
            audit.record(
                uow,
                now,
                actor,
                "dispute.open",
                "dispute",
                row.id,
                {"bill_id": bill.id, "call_id": call_id, "amount_yuan": amount},
            )
            record_event(uow, now, subscriber_id, "dispute_opened", {"dispute_id": row.id, "amount": amount})
            await notifications.notify(
                uow,
                now,
                subscriber_id,
                "dispute_opened",
                {
                    "dispute_id": row.id,
                    "bill_number": bill.number,
                    "amount": amount,
                    "due_date": self._day(row.due_at),
                },
            )
            view = _view(row, bill, record, now)
            await uow.commit()
            return view

    async def mine(self, subscriber_id: int) -> list[DisputeView]:
        """The subscriber's disputes, newest first."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            return [_view(d, b, c, now) for d, b, c in await store.disputes_of(uow.session, subscriber_id, MAX_PAGE)]

    # -- staff ---------------------------------------------------------------------------------------------
    async def queue(
        self, *, state: str | None = None, number: str = "", offset: int = 0, limit: int = 50
    ) -> tuple[int, dict[str, int], list[DisputeView]]:
        """The queue: open disputes first (nearest deadline first), then decided ones (newest first).
        ``state`` filters (``overdue``: open and past the deadline); ``number`` matches the subscriber's
        number.  Also returns how many are open and overdue overall."""
        now = self.deps.clock.now()
        if state and state not in QUEUE_FILTERS:
            raise ValidationFailed([FieldError("state", "invalid_choice")])
        wanted = "".join((number or "").split())
        async with self.deps.uow() as uow:
            total, rows = await store.queue(
                uow.session, state=state, number=wanted, now=now, offset=max(0, offset), limit=_page(limit)
            )
            items = [_view(d, b, c, now, s) for d, b, c, s in rows]
            open_count, overdue_count = await store.open_and_overdue(uow.session, now)
        return total, {"open": open_count, "overdue": overdue_count}, items

    async def detail(self, dispute_id: int, actor: Actor | None = None) -> DisputeDetail:
        """Everything staff need to decide: the dispute, the bill with its lines, the call record(s)
        with their quality samples and rating.  A staff member's look is audited (call records are
        communication data)."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            row = await self._dispute(uow, dispute_id)
            detail = await self._detail(uow, row, now)
            if actor is not None:
                audit.record(
                    uow, now, actor, "dispute.view", "dispute", row.id, {"calls": [c.id for c in detail.calls]}
                )
                await uow.commit()
            return detail

    async def adjust(self, actor: Actor, dispute_id: int, credit_yuan: object, explanation: object) -> DisputeDetail:
        """Resolve by a credit (shown as a credit line on the next bill)."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            row = await self._dispute(uow, dispute_id, lock=True)
            decision = rules.validate_adjustment(row.state, Money(row.amount_fen), credit_yuan, explanation)
            posted = await ledger.post(
                uow,
                "credit",
                f"dispute:{row.id}",
                [
                    (ledger.RECEIVABLE, row.subscriber_id, -decision.credit),
                    (ledger.ADJUSTMENT, None, decision.credit),
                ],
                subscriber_id=row.subscriber_id,
                memo=f"费用争议 #{row.id}",
                created_by=actor.id if actor.type == "staff" else None,
                at=now,
            )
            if posted is None:  # only if the row lock did not hold (never by design)
                raise InvalidState("dispute_already_decided", params={"state": row.state})
            credit = _yuan(decision.credit.fen)
            self._decide(row, actor, now, decision)
            row.credit_fen = decision.credit.fen
            row.transaction_id = posted.id
            audit.record(
                uow,
                now,
                actor,
                "dispute.adjust",
                "dispute",
                row.id,
                {
                    "subscriber_id": row.subscriber_id,
                    "credit_yuan": credit,
                    "explanation": decision.explanation,
                    "transaction_id": posted.id,
                },
            )
            record_event(uow, now, row.subscriber_id, "dispute_adjusted", {"dispute_id": row.id, "credit": credit})
            await notifications.notify(
                uow,
                now,
                row.subscriber_id,
                "dispute_adjusted",
                {"dispute_id": row.id, "credit": credit, "explanation": decision.explanation},
            )
            await uow.session.flush()
            # A credit reduces what is owed like a payment: it may lift an arrears suspension or the
            # credit-limit bar, or close a termination awaiting payment.
            await uow.publish(BalanceReduced(row.subscriber_id, decision.credit.fen, "dispute_credit", now, actor))
            detail = await self._detail(uow, row, now)
            await uow.commit()
            return detail

    async def reject(self, actor: Actor, dispute_id: int, explanation: object) -> DisputeDetail:
        """Reject with an explanation the subscriber reads."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            row = await self._dispute(uow, dispute_id, lock=True)
            decision = rules.validate_rejection(row.state, explanation)
            self._decide(row, actor, now, decision)
            audit.record(
                uow,
                now,
                actor,
                "dispute.reject",
                "dispute",
                row.id,
                {"subscriber_id": row.subscriber_id, "explanation": decision.explanation},
            )
            record_event(uow, now, row.subscriber_id, "dispute_rejected", {"dispute_id": row.id})
            await notifications.notify(
                uow,
                now,
                row.subscriber_id,
                "dispute_rejected",
                {"dispute_id": row.id, "explanation": decision.explanation},
            )
            await uow.session.flush()
            detail = await self._detail(uow, row, now)
            await uow.commit()
            return detail

    # -- internals -----------------------------------------------------------------------------------------
    @staticmethod
    def _decide(row: Dispute, actor: Actor, now: datetime, decision: rules.Decision) -> None:
        row.state = decision.state.value
        row.resolution = decision.explanation
        row.resolved_at = now
        row.resolved_by = actor.id if actor.type == "staff" else None

    @staticmethod
    async def _own_bill(uow: UnitOfWork, subscriber_id: int, bill_id: int, *, lock: bool = False) -> Bill:
        bill = await uow.session.get(Bill, bill_id, with_for_update=lock)
        if bill is None or bill.subscriber_id != subscriber_id:
            raise NotFound("dispute_bill_not_found")
        return bill

    @staticmethod
    async def _dispute(uow: UnitOfWork, dispute_id: int, *, lock: bool = False) -> Dispute:
        row = await uow.session.get(Dispute, dispute_id, with_for_update=lock)
        if row is None:
            raise NotFound("dispute_not_found")
        return row

    async def _detail(self, uow: UnitOfWork, row: Dispute, now: datetime) -> DisputeDetail:
        s = uow.session
        bill = await s.get(Bill, row.bill_id)
        subscriber = await s.get(Subscriber, row.subscriber_id)
        assert bill is not None
        lines = await bill_store.lines_of(s, bill.id)
        if row.call_id is not None:
            call_ids = [row.call_id]
        else:
            call_ids = await charge_store.charged_call_ids_of(s, row.subscriber_id, bill.period, MAX_BILL_CALLS)
        calls = await self._evidence(uow, call_ids, now, with_samples=row.call_id is not None)
        record = await s.get(CallRecord, row.call_id) if row.call_id else None
        return DisputeDetail(
            dispute=_view(row, bill, record, now, subscriber),
            bill=BillView.of(bill, lines, subscriber),
            calls=calls,
            resolved_by=row.resolved_by,
            transaction_id=row.transaction_id,
        )

    @staticmethod
    async def _evidence(
        uow: UnitOfWork, call_ids: Sequence[str], now: datetime, *, with_samples: bool
    ) -> list[CallEvidence]:
        if not call_ids:
            return []
        s = uow.session
        records = {r.id: r for r in await evidence_store.records(s, call_ids)}
        charges = {c.call_id: c for c in await evidence_store.charges(s, call_ids)}
        samples: dict[str, list[CallQualitySample]] = {}
        for sample in await evidence_store.samples(s, call_ids):
            samples.setdefault(sample.call_id, []).append(sample)
        nodes = {n.node_id: n for n in await evidence_store.nodes(s, {r.node_id for r in records.values()})}
        out = []
        for call_id in call_ids:
            r = records.get(call_id)
            if r is None:
                continue
            charge = charges.get(call_id)
            node = nodes.get(r.node_id)
            own = samples.get(call_id, [])
            out.append(
                CallEvidence(
                    id=r.id,
                    caller_number=r.caller_number,
                    callee_number=r.callee_number,
                    caller_device=r.caller_device,
                    callee_device=r.callee_device,
                    started_at=r.started_at,
                    answered_at=r.answered_at,
                    ended_at=r.ended_at,
                    billable_seconds=r.billable_seconds,
                    outcome=r.outcome,
                    end_reason=r.end_reason,
                    node_id=r.node_id,
                    node_address=node.address if node else "",
                    node_fresh=node is not None and now - node.heartbeat_at < NODE_STALE_AFTER,
                    rated_seconds=charge.rated_seconds if charge else None,
                    included_seconds=charge.included_seconds if charge else None,
                    charged_seconds=charge.charged_seconds if charge else None,
                    charge=_yuan(charge.amount_fen) if charge else None,
                    charge_fen=charge.amount_fen if charge else None,
                    quality_caller=quality_view([_sample(x) for x in own if x.subscriber_id == r.caller_id]),
                    quality_callee=quality_view([_sample(x) for x in own if x.subscriber_id != r.caller_id]),
                    samples=[
                        SampleView("caller" if x.subscriber_id == r.caller_id else "callee", x.at, x.final, _sample(x))
                        for x in own
                    ]
                    if with_samples
                    else [],
                )
            )
        return out
