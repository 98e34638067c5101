"""Arrears (R-24): the daily decision to remind, suspend, terminate or restore an overdue account, and
the views staff and subscribers read (debts, restrictions, account history, the arrears list).

The rules are ``domain.arrears.decide`` over the position ``services.debts`` computes.  Suspension is
the restriction ``arrears`` of scope ``all`` (``services.restrictions`` audits it and writes the account
history); termination is final: ``service_state = 'terminated'``, the plan and value-added
subscriptions end, the number goes to quarantine, and the arrears and late fees stay on the ledger
for collection (nothing is written off).  :func:`restore_if_paid` restores a suspended account in the
transaction of the payment or credit that leaves nothing overdue (subscribed to ``BalanceReduced`` in
the composition root, ADR 0007), so a call can be placed at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import structlog

from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.public import RECEIVABLE
from videophone.calling.domain.call_rules import ServiceState
from videophone.collections.domain.arrears import ArrearsState, ageing_bucket, decide
from videophone.collections.services import termination
from videophone.collections.services.debts import AccountDebts, account_debts, many_debts
from videophone.collections.store import arrears as store
from videophone.common import policy as policy_service
from videophone.common.account_history import AccountEventView, AccountHistoryService
from videophone.common.deps import Actor, Deps
from videophone.enforcement.public import restrictions
from videophone.identity.domain.policy import OperatorPolicy
from videophone.kernel.errors import NotFound
from videophone.kernel.events import BalanceReduced, RestrictionChanged
from videophone.notices.public import notify

log = structlog.get_logger(__name__)

CHUNK = 500  # accounts per transaction
DEFAULT_TZ = ZoneInfo("Asia/Shanghai")


async def restore_if_paid(
    uow: UnitOfWork, now: datetime, subscriber_id: int, *, actor: Actor, tz: ZoneInfo | None = None
) -> bool:
    """In the transaction that reduced what is owed (a payment, a credit): lifts the ``arrears`` restriction when
    nothing overdue remains (notification ``service_restored``).  Cheap when there is none.  Returns
    whether the service was restored."""
    if not await restrictions.has_open(uow, subscriber_id, "arrears"):
        return False
    sub = await uow.session.get(Subscriber, subscriber_id)
    if sub is None or sub.service_state == ServiceState.TERMINATED.value:
        return False
    zone = tz or DEFAULT_TZ
    await uow.session.flush()
    debts = await account_debts(uow, subscriber_id, now.astimezone(zone).date(), zone)
    if debts.overdue.fen > 0:
        return False
    return await _restore(uow, now, subscriber_id, actor)


async def _restore(uow: UnitOfWork, now: datetime, subscriber_id: int, actor: Actor) -> bool:
    if not await restrictions.lift(uow, now, subscriber_id, "arrears", actor=actor, note="arrears paid"):
        return False
    await notify(uow, now, subscriber_id, "service_restored", {"reason": "arrears"})
    return True


async def _terminate(
    uow: UnitOfWork, now: datetime, today: date, sub_id: int, pol: OperatorPolicy, debts: AccountDebts, actor: Actor
) -> bool:
    """Terminate for arrears: ``services.termination.terminate_now`` (final bill, number to quarantine,
    the debt kept for collection)."""
    return await termination.terminate_now(uow, now, sub_id, reason="arrears", actor=actor, tz=DEFAULT_TZ)


@dataclass(frozen=True)
class ArrearsRow:
    subscriber_id: int
    number: str
    name: str
    service_state: str
    service_reason: str
    balance_yuan: str
    overdue_yuan: str
    late_fees_unpaid_yuan: str
    disputed_yuan: str
    oldest_overdue_due: date | None
    days_overdue: int
    bucket: str


@dataclass(frozen=True)
class RestrictionView:
    id: int
    reason: str
    scope: str
    started_at: datetime
    note: str


@dataclass(frozen=True)
class AccountView:
    subscriber_id: int
    number: str
    service_state: str
    service_reason: str
    debts: AccountDebts
    restrictions: list[RestrictionView]
    history: list[AccountEventView]


class ArrearsService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def on_balance_reduced(self, uow: UnitOfWork, event: BalanceReduced) -> None:
        """In the transaction of a payment or credit (ADR 0007): restore a service suspended for arrears
        once nothing overdue remains."""
        actor = Actor.of(event.actor)
        await restore_if_paid(uow, event.at, event.subscriber_id, actor=actor, tz=self.deps.operator_tz)

    def _today(self, now: datetime) -> date:
        return now.astimezone(self.deps.operator_tz).date()

    async def _candidates(self, uow: UnitOfWork, today: date) -> list[int]:
        """Accounts not terminated that owe something with a bill past due, or are suspended for arrears."""
        return list(
            await store.candidates(uow.session, today, receivable=RECEIVABLE, terminated=ServiceState.TERMINATED.value)
        )

    async def run(self, *, actor: Actor | None = None) -> dict[str, int]:
        """The ``arrears`` job: remind, suspend, terminate, restore.  Idempotent."""
        who = actor or Actor.system()
        now = self.deps.clock.now()
        today = self._today(now)
        async with self.deps.uow() as uow:
            ids = await self._candidates(uow, today)
        counts = {"accounts": len(ids), "reminded": 0, "suspended": 0, "terminated": 0, "restored": 0}
        for i in range(0, len(ids), CHUNK):
            async with self.deps.uow() as uow:
                part = await self._chunk(uow, ids[i : i + CHUNK], now, today, who)
                await uow.commit()  # then signaling ends the calls of the accounts just stopped
            for k, v in part.items():
                counts[k] += v
        return counts

    async def _chunk(
        self, uow: UnitOfWork, ids: Sequence[int], now: datetime, today: date, actor: Actor
    ) -> dict[str, int]:
        counts = {"reminded": 0, "suspended": 0, "terminated": 0, "restored": 0}
        _, pol = await policy_service.current(uow)
        tz = self.deps.operator_tz
        positions = await many_debts(uow, ids, today, tz)
        suspended = set(await store.suspended_among(uow.session, ids))
        reminded: dict[int, set[str]] = {}
        for sub_id, params in await store.overdue_reminders_of(uow.session, ids):
            reminded.setdefault(sub_id, set()).add(str((params or {}).get("due_date", "")))
        for sub_id in ids:
            debts = positions[sub_id]
            target = decide(
                oldest_overdue_due=debts.oldest_overdue_due,
                overdue_fen=debts.overdue.fen,
                today=today,
                suspended=sub_id in suspended,
                months_to_suspend=pol.months_overdue_before_suspension,
                months_to_terminate=pol.months_overdue_before_termination,
            )
            due = debts.oldest_overdue_due.isoformat() if debts.oldest_overdue_due else ""
            if target is ArrearsState.TERMINATED:
                if await _terminate(uow, now, today, sub_id, pol, debts, actor):
                    counts["terminated"] += 1
                    await uow.publish(RestrictionChanged(sub_id))
            elif target is ArrearsState.SUSPENDED:
                if sub_id not in suspended:
                    row = await restrictions.impose(
                        uow,
                        now,
                        sub_id,
                        "arrears",
                        "all",
                        actor=actor,
                        note="overdue",
                        detail={"oldest_overdue_due": due, "overdue_yuan": str(debts.overdue.yuan)},
                    )
                    if row is not None:
                        await notify(
                            uow,
                            now,
                            sub_id,
                            "service_suspended_arrears",
                            {
                                "due_date": due,
                                "months": pol.months_overdue_before_suspension,
                                "overdue": str(debts.overdue.yuan),
                            },
                        )
                        counts["suspended"] += 1
                        await uow.publish(RestrictionChanged(sub_id))
            elif sub_id in suspended:
                if await _restore(uow, now, sub_id, actor):
                    counts["restored"] += 1
            elif debts.oldest_overdue_due is not None and due not in reminded.get(sub_id, set()):
                await notify(
                    uow,
                    now,
                    sub_id,
                    "payment_overdue",
                    {
                        "due_date": due,
                        "overdue": str(debts.overdue.yuan),
                        "per_mille": str(pol.late_fee_per_mille_per_day),
                        "months": pol.months_overdue_before_suspension,
                    },
                )
                counts["reminded"] += 1
        return counts

    # -- views ------------------------------------------------------------------------------------------
    async def debts(self, subscriber_id: int) -> AccountDebts:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            if await uow.session.get(Subscriber, subscriber_id) is None:
                raise NotFound("subscriber_not_found")
            return await account_debts(uow, subscriber_id, self._today(now), self.deps.operator_tz)

    async def account(self, subscriber_id: int, *, history_limit: int = 50) -> AccountView:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            sub = await uow.session.get(Subscriber, subscriber_id)
            if sub is None:
                raise NotFound("subscriber_not_found")
            debts = await account_debts(uow, subscriber_id, self._today(now), self.deps.operator_tz)
            rows = await restrictions.open_restrictions(uow, subscriber_id)
            number, state, reason = sub.number, sub.service_state, sub.service_reason
        history = await AccountHistoryService(self.deps).list(subscriber_id, limit=history_limit)
        return AccountView(
            subscriber_id,
            number,
            state,
            reason,
            debts,
            [RestrictionView(r.id, r.reason, r.scope, r.started_at, r.note) for r in rows],
            history,
        )

    async def overdue_accounts(self, *, bucket: str = "", limit: int = 200) -> list[ArrearsRow]:
        """Accounts with something overdue (terminated ones too: still to collect), oldest first."""
        now = self.deps.clock.now()
        today = self._today(now)
        async with self.deps.uow() as uow:
            subs = await store.owing_with_bill_past_due(uow.session, today, receivable=RECEIVABLE)
            positions = await many_debts(uow, [s.id for s in subs], today, self.deps.operator_tz)
        out = []
        for s in subs:
            d = positions[s.id]
            if d.overdue.fen <= 0:
                continue
            due = d.oldest_overdue_due
            b = ageing_bucket(due, today) if due else "late_fees"
            if bucket and b != bucket:
                continue
            out.append(
                ArrearsRow(
                    s.id,
                    s.number,
                    s.name,
                    s.service_state,
                    s.service_reason,
                    str(d.balance.yuan),
                    str(d.overdue.yuan),
                    str(d.late_fees_unpaid.yuan),
                    str(d.disputed.yuan),
                    due,
                    (today - due).days if due else 0,
                    b,
                )
            )
        out.sort(key=lambda r: (r.oldest_overdue_due or today, r.subscriber_id))
        return out[: max(1, min(limit, 1000))]
