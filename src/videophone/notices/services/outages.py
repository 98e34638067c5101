"""Outages and their credits (R-27; rules in ``domain.outages``).

Staff (``manage_outages``) record an incident — title, start, end (or still open), the accounts
affected (all, or a list of numbers) — and close it later.  When an incident is closed, each affected
account whose service fees of the affected time are above zero gets a ledger ``credit`` (key
``outage:<outage id>:<subscriber id>``, receivable −x / adjustment +x, memo naming the incident),
which the next bill run shows as a credit line, and an ``outage_credit`` notification in the same
transaction, where it publishes ``BalanceReduced`` like any credit (ADR 0007).  Incidents shorter than 24 continuous hours credit nothing.

Crediting runs in chunks of accounts, one transaction each; every account considered gets an
``outage_credits`` row (amount possibly 0) in the same transaction as its posting, so a crediting
that is interrupted resumes where it stopped (``credit_pending``, the ``outage-credits`` job) and
nothing is ever credited twice (the row's unique index and the ledger key).  ``credited_at`` is set
once every account is done.

Accounts affected by ``all``: every account with a plan subscription during the incident (only they
pay service fees).  Overlapping incidents: see ``domain.outages`` — the time credited by incidents
closed earlier (by ``closed_at``, then id) is left out.

Causes (003 §12–§14, ``domain.outages``): only the operator's own fault earns a credit.  An incident of
24 hours or more of another cause considers every affected account too (credit rows of amount 0) and
tells each, in an ``outage_no_credit`` notice, the cause in their words and why nothing is credited.
A cause changed after crediting (``change_cause``, audited ``outage.cause``) across that line starts a
new credit round: every standing credit of the earlier rounds is reversed by a ledger ``adjustment``
(receivable +x / adjustment −x, key ``outage-reversal:<credit row id>``, memo ``服务中断补偿冲回 #…``,
shown on the next bill in both languages) with an ``outage_credit_reversed`` notice, and when the change
is to the operator's fault the accounts are credited afresh (ledger key ``outage:<id>:<sub>:<round>``).
Reversing and crediting are resumable like crediting: ``credited_at`` is cleared with the change and set
when the round is settled; the ``outage-credits`` job finishes what a killed process left.
Decision: a later incident that left out time an earlier one credited is not recomputed when the earlier
one's credits are reversed (the staff record the later incident's own cause; see the report).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import structlog
from sqlalchemy.exc import IntegrityError

from videophone.adapters.db.models_outages import Outage, OutageSubscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.public import ledger, load_prices
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.enforcement.public import restrictions
from videophone.kernel.errors import FieldError, InvalidState, NotFound, ValidationFailed
from videophone.kernel.events import BalanceReduced
from videophone.kernel.money import Money
from videophone.notices.domain import outages as rules
from videophone.notices.services import notifications
from videophone.notices.store import outages as store
from videophone.notices.store import subscribers, subscriptions
from videophone.notices.texts.notice_texts_outages import cause_params

log = structlog.get_logger(__name__)

CHUNK = 500  # accounts credited per transaction
MAX_PAGE = 200


def _yuan(fen: int) -> str:
    return str(Money(fen).yuan)


@dataclass(frozen=True)
class OutageView:
    id: int
    title: str
    description: str
    scope: str
    state: str
    started_at: datetime
    ended_at: datetime | None
    duration_hours: float | None
    qualifies: bool  # 24 continuous hours or more (closed incidents only)
    affected_numbers: list[str]  # scope "listed" only
    cause: str
    evidence: str
    earns_credit: bool  # the operator's own fault, 24 continuous hours or more (closed incidents only)
    credit_round: int
    created_at: datetime
    closed_at: datetime | None
    credited_at: datetime | None
    credited_accounts: int
    credited_total: str
    credited_total_fen: int

    @staticmethod
    def of(row: Outage, numbers: Sequence[str] = ()) -> OutageView:
        hours = None
        if row.ended_at is not None:
            hours = round((row.ended_at - row.started_at).total_seconds() / 3600, 2)
        return OutageView(
            id=row.id,
            title=row.title,
            description=row.description,
            scope=row.scope,
            state=row.state,
            started_at=row.started_at,
            ended_at=row.ended_at,
            duration_hours=hours,
            qualifies=row.ended_at is not None and rules.qualifies(row.started_at, row.ended_at),
            affected_numbers=list(numbers),
            cause=row.cause,
            evidence=row.evidence,
            earns_credit=row.ended_at is not None and rules.earns_credit(row.cause, row.started_at, row.ended_at),
            credit_round=row.credit_round,
            created_at=row.created_at,
            closed_at=row.closed_at,
            credited_at=row.credited_at,
            credited_accounts=row.credited_accounts,
            credited_total=_yuan(row.credited_total_fen),
            credited_total_fen=row.credited_total_fen,
        )


@dataclass(frozen=True)
class CreditView:
    subscriber_id: int
    number: str
    name: str
    amount: str
    amount_fen: int
    transaction_id: int | None


@dataclass(frozen=True)
class OutageDetail:
    outage: OutageView
    credits: list[CreditView]  # standing credits (amount above zero), largest first
    reversed_accounts: int  # credits reversed after a change of cause
    reversed_total: str
    reversed_total_fen: int


def _spans(periods: Sequence[tuple[date, date | None]], prices: Sequence[tuple[date, int]]) -> list[rules.FeeSpan]:
    """Fee spans of subscriptions ``[start, end)`` under effective-dated prices (oldest first)."""
    out: list[rules.FeeSpan] = []
    for start, end in periods:
        for i, (effective, fee) in enumerate(prices):
            following = prices[i + 1][0] if i + 1 < len(prices) else None
            lo = max(start, effective)
            hi = end if following is None else (following if end is None else min(end, following))
            if hi is None or lo < hi:
                out.append(rules.FeeSpan(lo, hi, fee))
    return out


@dataclass(frozen=True)
class _Incident:
    """What crediting one round of an incident needs."""

    id: int
    title: str
    cause: str
    round: int
    interval: rules.Interval

    def key(self, subscriber_id: int) -> str:
        """The ledger key of the credit (round 0 keeps the key credits had before rounds existed)."""
        base = f"outage:{self.id}:{subscriber_id}"
        return base if self.round == 0 else f"{base}:{self.round}"


class OutageService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.chunk_size = CHUNK

    # -- staff ---------------------------------------------------------------------------------------------
    async def record(
        self,
        actor: Actor,
        *,
        title: object,
        description: object = "",
        started_at: datetime | None,
        ended_at: datetime | None = None,
        scope: object = "all",
        numbers: object = None,
        cause: object = None,
        evidence: object = "",
    ) -> OutageDetail:
        """Record an incident and its cause; with an end it is closed (and credited) at once."""
        now = self.deps.clock.now()
        new = rules.validate_new(
            title=title,
            description=description,
            started_at=started_at,
            ended_at=ended_at,
            scope=scope,
            numbers=numbers,
            cause=cause,
            evidence=evidence,
            now=now,
        )
        async with self.deps.uow() as uow:
            ids: list[int] = []
            if new.scope == "listed":
                found = await subscribers.ids_by_number(uow.session, new.numbers)
                unknown = [n for n in new.numbers if n not in found]
                if unknown:
                    shown = ", ".join(unknown[:10])
                    raise ValidationFailed([FieldError("numbers", "outage_unknown_numbers", {"numbers": shown})])
                ids = [found[n] for n in new.numbers]
            closed = new.ended_at is not None
            row = Outage(
                title=new.title,
                description=new.description,
                scope=new.scope,
                state="closed" if closed else "open",
                started_at=new.started_at,
                ended_at=new.ended_at,
                created_by=actor.id if actor.type == "staff" else None,
                created_at=now,
                closed_by=(actor.id if actor.type == "staff" else None) if closed else None,
                closed_at=now if closed else None,
                credited_at=None,
                credited_accounts=0,
                credited_total_fen=0,
                cause=new.cause,
                evidence=new.evidence,
                credit_round=0,
            )
            uow.session.add(row)
            await uow.session.flush()
            uow.session.add_all(OutageSubscriber(outage_id=row.id, subscriber_id=i) for i in ids)
            audit.record(
                uow,
                now,
                actor,
                "outage.record",
                "outage",
                row.id,
                {
                    "title": new.title,
                    "scope": new.scope,
                    "accounts": len(ids) if new.scope == "listed" else "all",
                    "started_at": new.started_at.isoformat(),
                    "ended_at": new.ended_at.isoformat() if new.ended_at else None,
                    "cause": new.cause,
                    "evidence": new.evidence,
                },
            )
            await uow.commit()
            outage_id = row.id
        if closed:
            await self._credit(outage_id)
        return await self.detail(outage_id)

    async def close(self, actor: Actor, outage_id: int, ended_at: datetime | None) -> OutageDetail:
        """Close an open incident at ``ended_at`` and credit the affected accounts.  Closing again with
        the same end (or none) changes nothing and never credits twice; another end is refused."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            row = await self._outage(uow, outage_id, lock=True)
            if row.state == "closed":
                assert row.ended_at is not None
                if ended_at is not None and ended_at != row.ended_at:
                    raise InvalidState("outage_already_closed", params={"ended_at": row.ended_at.isoformat()})
                again = True
            else:
                row.ended_at = rules.validate_end(row.started_at, ended_at, now)
                row.state = "closed"
                row.closed_at = now
                row.closed_by = actor.id if actor.type == "staff" else None
                audit.record(
                    uow,
                    now,
                    actor,
                    "outage.close",
                    "outage",
                    row.id,
                    {
                        "ended_at": row.ended_at.isoformat(),
                        "hours": round((row.ended_at - row.started_at).total_seconds() / 3600, 2),
                    },
                )
                again = False
            pending = row.credited_at is None
            await uow.commit()
        if not again or pending:
            await self._credit(outage_id)
        return await self.detail(outage_id)

    async def change_cause(self, actor: Actor, outage_id: int, *, cause: object, evidence: object) -> OutageDetail:
        """Correct an incident's cause (and its evidence).  On a closed incident, a change across the
        operator's-fault line starts a new credit round: the credits given are reversed on the next
        bill, and given afresh when the change is to the operator's fault."""
        now = self.deps.clock.now()
        new_cause, proof = rules.validate_cause(cause, evidence)
        async with self.deps.uow() as uow:
            row = await self._outage(uow, outage_id, lock=True)
            old = row.cause
            changed = old != new_cause or proof != row.evidence  # the same again changes nothing
            settle = changed and row.state == "closed" and rules.changes_credit(old, new_cause)
            if changed:
                row.cause, row.evidence = new_cause, proof
                if settle:
                    row.credit_round += 1
                    row.credited_at = None
                audit.record(
                    uow,
                    now,
                    actor,
                    "outage.cause",
                    "outage",
                    row.id,
                    {"from": old, "to": new_cause, "evidence": proof, "credit_round": row.credit_round},
                )
                await uow.commit()
        if settle:
            await self._credit(outage_id)
        return await self.detail(outage_id)

    async def credit_pending(self) -> dict[str, int]:
        """The ``outage-credits`` job: finish crediting closed incidents whose crediting was interrupted."""
        async with self.deps.uow() as uow:
            ids = await store.closed_uncredited_ids(uow.session)
        credited = 0
        for outage_id in ids:
            credited += await self._credit(outage_id)
        return {"outages": len(ids), "accounts_credited": credited}

    async def listing(self, *, state: str = "", offset: int = 0, limit: int = 50) -> tuple[int, list[OutageView]]:
        """Open incidents first, then the others, newest first."""
        if state and state not in ("open", "closed"):
            raise ValidationFailed([FieldError("state", "invalid_choice")])
        async with self.deps.uow() as uow:
            total = await store.count_outages(uow.session, state=state)
            rows = await store.outages_page(
                uow.session, state=state, offset=max(0, offset), limit=max(1, min(limit, MAX_PAGE))
            )
            numbers = await store.listed_numbers(uow.session, [r.id for r in rows if r.scope == "listed"])
        return total, [OutageView.of(r, numbers.get(r.id, [])) for r in rows]

    async def detail(self, outage_id: int) -> OutageDetail:
        async with self.deps.uow() as uow:
            row = await self._outage(uow, outage_id)
            numbers = await store.listed_numbers(uow.session, [row.id] if row.scope == "listed" else [])
            credits = [
                CreditView(sub_id, number, name, _yuan(amount), amount, tx)
                for sub_id, number, name, amount, tx in await store.credits_of(uow.session, row.id, limit=MAX_PAGE)
            ]
            count, total = await store.reversed_totals(uow.session, row.id)
            return OutageDetail(OutageView.of(row, numbers.get(row.id, [])), credits, count, _yuan(total), total)

    # -- crediting -----------------------------------------------------------------------------------------
    async def _credit(self, outage_id: int) -> int:
        """Reverse the credits of earlier rounds, then credit every affected account not yet considered
        in this round, chunk by chunk; returns how many got a credit now.  Marks the incident credited
        with its totals at the end."""
        tz = self.deps.operator_tz
        while await self._reverse_some(outage_id):
            pass
        async with self.deps.uow() as uow:
            row = await self._outage(uow, outage_id)
            assert row.ended_at is not None
            start, end = row.started_at, row.ended_at
            first_day, after_day = start.astimezone(tz).date(), end.astimezone(tz).date() + timedelta(days=1)
            todo: list[int] = []
            # A cause that credits nothing is told once (round 0); after a change, the reversal tells.
            told = rules.earns_credit(row.cause, start, end) or row.credit_round == 0
            if rules.qualifies(start, end) and told:
                # listed: the accounts named; all: every account with a plan subscription meanwhile
                if row.scope == "listed":
                    affected = await store.listed_accounts(uow.session, row.id)
                else:
                    affected = await subscriptions.subscribed_between(uow.session, first_day, after_day)
                todo = sorted(affected - await store.considered_accounts(uow.session, row.id, row.credit_round))
            earlier = await self._earlier(uow, row)
            title, cause, round_ = row.title, row.cause, row.credit_round
        credited = 0
        what = _Incident(outage_id, title, cause, round_, (start, end))
        for i in range(0, len(todo), self.chunk_size):
            part = todo[i : i + self.chunk_size]
            try:
                async with self.deps.uow() as uow:
                    credited += await self._credit_chunk(uow, what, part, earlier)
                    await uow.commit()
            except IntegrityError:  # credited concurrently (closed twice at once): skip who is done
                async with self.deps.uow() as uow:
                    credited += await self._credit_chunk(uow, what, part, earlier)
                    await uow.commit()
        async with self.deps.uow() as uow:
            count, total = await store.credited_totals(uow.session, outage_id)
            await store.mark_credited(uow.session, outage_id, self.deps.clock.now(), accounts=count, total_fen=total)
            await uow.commit()
        log.info("outage credited", outage_id=outage_id, accounts=credited)
        return credited

    @staticmethod
    async def _earlier(uow: UnitOfWork, row: Outage) -> list[tuple[rules.Interval, int | None]]:
        """Qualifying incidents closed before ``row`` that overlap it: (interval, None for all accounts
        or the outage id whose listed accounts are affected)."""
        out: list[tuple[rules.Interval, int | None]] = []
        for other in await store.earlier_overlapping(uow.session, row):
            assert other.ended_at is not None
            if rules.earns_credit(other.cause, other.started_at, other.ended_at):
                out.append(((other.started_at, other.ended_at), None if other.scope == "all" else other.id))
        return out

    async def _reverse_some(self, outage_id: int) -> int:
        """Reverse one chunk of the standing credits of earlier rounds (one transaction); how many."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            row = await self._outage(uow, outage_id)
            credits = await store.to_reverse(uow.session, outage_id, row.credit_round, limit=self.chunk_size)
            if not credits:
                return 0
            memo = f"服务中断补偿冲回 #{outage_id} {row.title}"[:120]
            tx_ids = await ledger.post_many(
                uow,
                [
                    ledger.Posting(
                        "adjustment",
                        f"outage-reversal:{cr.id}",
                        [
                            (ledger.RECEIVABLE, cr.subscriber_id, Money(cr.amount_fen)),
                            (ledger.ADJUSTMENT, None, Money(-cr.amount_fen)),
                        ],
                        subscriber_id=cr.subscriber_id,
                        memo=memo,
                    )
                    for cr in credits
                ],
                at=now,
            )
            for cr in credits:
                cr.reversed_at = now
                cr.reversal_transaction_id = tx_ids.get(f"outage-reversal:{cr.id}")
                await notifications.notify(
                    uow,
                    now,
                    cr.subscriber_id,
                    "outage_credit_reversed",
                    {
                        "outage_id": outage_id,
                        "title": row.title,
                        "credit": _yuan(cr.amount_fen),
                        **cause_params(row.cause),
                    },
                )
            await uow.commit()
        log.info("outage credits reversed", outage_id=outage_id, accounts=len(credits))
        return len(credits)

    async def _credit_chunk(
        self,
        uow: UnitOfWork,
        what: _Incident,
        ids: Sequence[int],
        earlier: Sequence[tuple[rules.Interval, int | None]],
    ) -> int:
        s = uow.session
        tz = self.deps.operator_tz
        now = self.deps.clock.now()
        outage_id, title = what.id, what.title
        start, end = what.interval
        first_day, after_day = start.astimezone(tz).date(), end.astimezone(tz).date() + timedelta(days=1)
        # Accounts already considered (a concurrent or earlier attempt) are skipped.
        ids = sorted(set(ids) - await store.considered_among(s, outage_id, what.round, ids))
        if not ids:
            return 0
        prices = await load_prices(uow)
        plan_periods: dict[int, dict[int, list[tuple[date, date | None]]]] = {}
        for sub_id, plan_id, s_from, s_to in await subscriptions.plan_periods(s, ids, first_day, after_day):
            plan_periods.setdefault(sub_id, {}).setdefault(plan_id, []).append((s_from, s_to))
        vas_prices: dict[int, list[tuple[date, int]]] = {}
        for vas_id, effective, fee in await subscriptions.vas_prices(s):
            vas_prices.setdefault(vas_id, []).append((effective, int(fee)))
        vas_periods: dict[int, dict[int, list[tuple[date, date | None]]]] = {}
        for sub_id, vas_id, s_from, s_to in await subscriptions.vas_periods(s, ids, first_day, after_day):
            vas_periods.setdefault(sub_id, {}).setdefault(vas_id, []).append((s_from, s_to))
        suspensions = await restrictions.suspensions_between(uow, ids, first_day, after_day, tz)
        listed_earlier: dict[int, set[int]] = {}
        listed_ids = [oid for _, oid in earlier if oid is not None]
        if listed_ids:
            for oid, sub_id in await store.listed_among(s, listed_ids, ids):
                listed_earlier.setdefault(sub_id, set()).add(oid)

        amounts: dict[int, Money] = {}
        for sub_id in ids:
            fees: list[rules.FeeSpan] = []
            for plan_id, periods in plan_periods.get(sub_id, {}).items():
                fees += _spans(periods, [(p.effective_from, p.monthly_rent_fen) for p in prices.get(plan_id, ())])
            for vas_id, periods in vas_periods.get(sub_id, {}).items():
                fees += _spans(periods, vas_prices.get(vas_id, []))
            already = [iv for iv, oid in earlier if oid is None or oid in listed_earlier.get(sub_id, set())]
            amounts[sub_id] = rules.credit(
                start,
                end,
                fees,
                tz,
                cause=what.cause,
                suspensions=suspensions.get(sub_id, ()),
                already_credited=already,
            )
        memo = f"服务中断补偿 #{outage_id} {title}"[:120]
        tx_ids = await ledger.post_many(
            uow,
            [
                ledger.Posting(
                    "credit",
                    what.key(sub_id),
                    [(ledger.RECEIVABLE, sub_id, -amount), (ledger.ADJUSTMENT, None, amount)],
                    subscriber_id=sub_id,
                    memo=memo,
                )
                for sub_id, amount in amounts.items()
                if amount.fen > 0
            ],
            at=now,
        )
        conn = await s.connection()
        await store.write_credits(
            conn,
            [
                {
                    "outage_id": outage_id,
                    "subscriber_id": sub_id,
                    "round": what.round,
                    "amount_fen": amount.fen,
                    "transaction_id": tx_ids.get(what.key(sub_id)),
                    "created_at": now,
                }
                for sub_id, amount in amounts.items()
            ],
        )
        hours = round((end - start).total_seconds() / 3600, 1)
        started, ended = start.astimezone(tz).strftime("%Y-%m-%d %H:%M"), end.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        credited = 0
        for sub_id, amount in amounts.items():
            if what.cause != rules.OPERATOR:  # 24 h or more, not our fault: told why there is no credit
                await notifications.notify(
                    uow,
                    now,
                    sub_id,
                    "outage_no_credit",
                    {
                        "outage_id": outage_id,
                        "title": title,
                        "hours": hours,
                        "started": started,
                        "ended": ended,
                        **cause_params(what.cause),
                    },
                )
            if amount.fen > 0 and what.key(sub_id) in tx_ids:
                credited += 1
                # reduces what is owed like a payment (ADR 0007): may restore, lift a bar or close
                await uow.publish(BalanceReduced(sub_id, amount.fen, "outage_credit", now, Actor.system()))
                await notifications.notify(
                    uow,
                    now,
                    sub_id,
                    "outage_credit",
                    {
                        "outage_id": outage_id,
                        "title": title,
                        "hours": hours,
                        "started": started,
                        "ended": ended,
                        "credit": str(amount.yuan),
                    },
                )
        return credited

    # -- internals -----------------------------------------------------------------------------------------
    @staticmethod
    async def _outage(uow: UnitOfWork, outage_id: int, *, lock: bool = False) -> Outage:
        row = await uow.session.get(Outage, outage_id, with_for_update=lock)
        if row is None:
            raise NotFound("outage_not_found")
        return row
