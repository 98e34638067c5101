"""The double-entry ledger (ADR 0004 "Ledger") and staff adjustments.

Every posting is one ``LedgerTransaction`` with ``LedgerLine`` rows that sum to zero (debit positive,
credit negative).  ``receivable`` lines carry the subscriber: what they owe (negative: credit in their
favour).  Balances are always derived from the lines.  The ``idempotency_key`` (unique index) makes a
posting happen at most once: posting the same key again returns ``None`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from videophone.adapters.db.models import LedgerLine, LedgerTransaction, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.adapters.db.writes import BULK

# The chart of accounts is in the rules (the store reads it too); named here as before.
from videophone.billing.domain.ledger import ACCOUNTS as ACCOUNTS
from videophone.billing.domain.ledger import ADJUSTMENT as ADJUSTMENT
from videophone.billing.domain.ledger import KINDS as KINDS
from videophone.billing.domain.ledger import RECEIVABLE as RECEIVABLE
from videophone.billing.domain.ledger import REVENUE_RENT as REVENUE_RENT
from videophone.billing.domain.ledger import REVENUE_USAGE as REVENUE_USAGE
from videophone.billing.domain.ledger import REVENUE_VAS as REVENUE_VAS
from videophone.billing.store import ledger as store
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.kernel.errors import FieldError, NotFound, ValidationFailed
from videophone.kernel.events import BalanceReduced
from videophone.kernel.money import Money, parse_yuan

MAX_REASON = 200
MAX_KEY = 80
MAX_ADJUSTMENT = Money.of_yuan(100_000)

Line = tuple[str, int | None, Money]


async def post(
    uow: UnitOfWork,
    kind: str,
    idempotency_key: str,
    lines: Sequence[Line],
    *,
    subscriber_id: int | None,
    period: str | None = None,
    bill_id: int | None = None,
    memo: str = "",
    created_by: int | None = None,
    at: datetime | None = None,
) -> LedgerTransaction | None:
    """Add a balanced transaction to ``uow``; ``None`` if ``idempotency_key`` was posted before.

    Unbalanced or malformed lines raise ``ValueError`` (a programming error, never user input).
    The insert runs in a savepoint, so a concurrent duplicate leaves the outer transaction usable.
    """
    _check(kind, lines)
    existing = await store.transaction_id_by_key(uow.session, idempotency_key)
    if existing is not None:
        return None
    row = LedgerTransaction(
        kind=kind,
        subscriber_id=subscriber_id,
        bill_id=bill_id,
        period=period,
        idempotency_key=idempotency_key,
        memo=memo,
        created_at=at or datetime.now(UTC),
        created_by=created_by,
    )
    try:
        async with uow.session.begin_nested():
            uow.session.add(row)
            await uow.session.flush()
            uow.session.add_all(
                LedgerLine(transaction_id=row.id, account=a, subscriber_id=s, amount_fen=m.fen) for a, s, m in lines
            )
            await uow.session.flush()
    except IntegrityError:
        return None
    return row


@dataclass(frozen=True)
class Posting:
    """One balanced transaction for :func:`post_many`."""

    kind: str
    idempotency_key: str
    lines: Sequence[Line]
    subscriber_id: int | None
    period: str | None = None
    bill_id: int | None = None
    memo: str = ""


def _check(kind: str, lines: Sequence[Line]) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown ledger kind {kind!r}")
    if not lines:
        raise ValueError("a transaction needs lines")
    for account, _, amount in lines:
        if account not in ACCOUNTS:
            raise ValueError(f"unknown ledger account {account!r}")
        if not isinstance(amount, Money):
            raise TypeError("ledger amounts are Money")
    if sum(amount.fen for _, _, amount in lines) != 0:
        raise ValueError("unbalanced ledger transaction")


async def posted_keys(uow: UnitOfWork, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` were posted already."""
    return await store.posted_keys(uow.session, keys)


async def post_many(
    uow: UnitOfWork, postings: Sequence[Posting], *, at: datetime, checked: bool = False
) -> dict[str, int]:
    """Bulk :func:`post`: the same checks, postings whose key exists are skipped.  Returns
    ``idempotency_key → transaction id`` of the transactions written.  ``checked``: the caller has
    just left out the keys :func:`posted_keys` found, in the same transaction.  Not in a savepoint: a
    concurrent duplicate raises ``IntegrityError`` (the caller retries row by row)."""
    for p in postings:
        _check(p.kind, p.lines)
    done = set() if checked else await posted_keys(uow, [p.idempotency_key for p in postings])
    todo = [p for p in postings if p.idempotency_key not in done]
    if len(todo) != len({p.idempotency_key for p in todo}):
        raise ValueError("duplicate idempotency key in one batch")
    conn = await uow.session.connection()
    ids: dict[str, int] = {}
    for i in range(0, len(todo), BULK):
        rows = await store.insert_transactions(
            conn,
            [
                {
                    "kind": p.kind,
                    "subscriber_id": p.subscriber_id,
                    "bill_id": p.bill_id,
                    "period": p.period,
                    "idempotency_key": p.idempotency_key,
                    "memo": p.memo,
                    "created_at": at,
                    "created_by": None,
                }
                for p in todo[i : i + BULK]
            ],
        )
        ids.update((key, tx_id) for tx_id, key in rows)
    lines = [
        {"transaction_id": ids[p.idempotency_key], "account": a, "subscriber_id": s, "amount_fen": m.fen}
        for p in todo
        for a, s, m in p.lines
    ]
    await store.insert_lines(conn, lines)
    return ids


async def balances(uow: UnitOfWork, subscriber_ids: Sequence[int]) -> dict[int, Money]:
    """:func:`balance` of many subscribers at once (one aggregate query per ``BULK`` ids)."""
    out = {i: Money.zero() for i in subscriber_ids}
    for sub_id, total in await store.receivable_totals(uow.session, subscriber_ids):
        if sub_id in out:  # an id range may hold others
            out[sub_id] = Money(int(total or 0))
    return out


async def balance(uow: UnitOfWork, subscriber_id: int) -> Money:
    """What the subscriber owes (their receivable balance; negative = in their favour)."""
    total = await store.receivable_total(uow.session, subscriber_id)
    return Money(int(total or 0))


async def trial_balance(uow: UnitOfWork) -> Money:
    """The sum of every line of the ledger — zero unless something is badly wrong."""
    total = await store.sum_of_all_lines(uow.session)
    return Money(int(total or 0))


async def unbalanced_transactions(uow: UnitOfWork) -> list[int]:
    """Ids of transactions whose lines do not sum to zero (should always be empty)."""
    return await store.unbalanced_transaction_ids(uow.session)


@dataclass(frozen=True)
class AdjustmentView:
    transaction_id: int
    subscriber_id: int
    kind: str  # adjustment | credit
    amount_yuan: str  # effect on what the subscriber owes (credits negative)
    reason: str
    created_at: datetime
    balance_yuan: str


class AdjustmentService:
    """Staff adjustments (either sign) and credits (reduce what is owed), posted to the ledger and
    shown on the next bill (R-22).  One that reduces what is owed publishes ``BalanceReduced`` in its
    transaction, like a payment (ADR 0007)."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def adjust(
        self,
        actor: Actor,
        subscriber_id: int,
        amount_yuan: object,
        reason: str,
        *,
        kind: str = "adjustment",
        idempotency_key: str,
    ) -> AdjustmentView:
        errors: list[FieldError] = []
        if kind not in ("adjustment", "credit"):
            errors.append(FieldError("kind", "invalid_choice"))
        text = (reason or "").strip()
        if not text:
            errors.append(FieldError("reason", "required"))
        elif len(text) > MAX_REASON:
            errors.append(FieldError("reason", "too_long", {"max": MAX_REASON}))
        amount = Money.zero()
        try:
            amount = parse_yuan(amount_yuan, field="amount_yuan", allow_negative=kind == "adjustment")
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        else:
            if not amount:
                errors.append(FieldError("amount_yuan", "amount_zero"))
            elif abs(amount.fen) > MAX_ADJUSTMENT.fen:
                errors.append(FieldError("amount_yuan", "amount_too_large", {"max": str(MAX_ADJUSTMENT.yuan)}))
        key = (idempotency_key or "").strip()
        if not key or len(key) > MAX_KEY:
            errors.append(FieldError("idempotency_key", "idempotency_key_required"))
        if errors:
            raise ValidationFailed(errors)
        effect = amount if kind == "adjustment" else -amount
        full_key = f"adj:{subscriber_id}:{key}"
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            if await uow.session.get(Subscriber, subscriber_id) is None:
                raise NotFound()
            posted = await post(
                uow,
                kind,
                full_key,
                [(RECEIVABLE, subscriber_id, effect), (ADJUSTMENT, None, -effect)],
                subscriber_id=subscriber_id,
                memo=text,
                created_by=actor.id if actor.type == "staff" else None,
                at=now,
            )
            if posted is not None:
                audit.record(
                    uow,
                    now,
                    actor,
                    f"billing.{kind}",
                    "subscriber",
                    subscriber_id,
                    {"amount_yuan": str(effect.yuan), "reason": text, "transaction_id": posted.id},
                )
                if effect.fen < 0:  # a credit, or an adjustment in the subscriber's favour
                    cause = "staff_credit" if kind == "credit" else "staff_adjustment"
                    await uow.publish(BalanceReduced(subscriber_id, -effect.fen, cause, now, actor))
            await uow.commit()
            row = posted or await store.transaction_by_key(uow.session, full_key)
            assert row is not None
            effect_fen = await store.receivable_effect_of(uow.session, row.id)
            owed = await balance(uow, subscriber_id)
        return AdjustmentView(
            transaction_id=row.id,
            subscriber_id=subscriber_id,
            kind=row.kind,
            amount_yuan=str(Money(int(effect_fen or 0)).yuan),
            reason=row.memo,
            created_at=row.created_at,
            balance_yuan=str(owed.yuan),
        )
