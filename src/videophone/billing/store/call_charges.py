"""Call charges (``call_charges``) and the call records rating reads (R-22; ADR 0006).

Core text, no ORM/type processing.  A dense set of subscribers is read as a range of ids (callers of
a batch of the period run are contiguous in id order; others in the range are skipped): PostgreSQL
then scans the range in physical order instead of one index probe per caller; a scattered set (the
callers of the calls that just ended) as an IN list (``selection``).  Both go through (caller_id,
started_at).  The statements are built once, here, at import.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Integer, Row, String, bindparam, delete, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from videophone.adapters.db import writes
from videophone.adapters.db.bulk import plain_rows
from videophone.adapters.db.models import CallCharge, CallRecord, Subscriber
from videophone.adapters.db.types import UTCDateTime
from videophone.billing.store.selection import Who, by_subscribers, who

# The calls rated: answered (or cut off at the credit limit), ended, with billable seconds, started
# in the month.  (An outcome is written when a record ends, so these are ended; ``state`` is said too.)
# A video message left (``voicemail_left``, R-18) has billable seconds only when the policy rates it.
_QUALIFYING = (
    "state = 'ended' AND outcome IN ('answered', 'cut_off_credit', 'voicemail_left') AND billable_seconds > 0"
    " AND started_at >= :start AND started_at < :end"
)
_CALLS_OF_MONTH_SQL = (
    "SELECT caller_id, id, started_at, billable_seconds FROM call_records"  # noqa: S608 - constants only
    f" WHERE {{who}} AND {_QUALIFYING} ORDER BY caller_id, started_at, id"
)
_CALLS_OF_MONTH = by_subscribers(_CALLS_OF_MONTH_SQL, "caller_id", window=True)
_CHARGES_OF_MONTH_SQL = (
    "SELECT call_id, subscriber_id, period, plan_price_id, rated_seconds, included_seconds, charged_seconds,"
    " amount_fen, started_at FROM call_charges WHERE {who} AND period = :period"
)
_CHARGES_OF_MONTH = by_subscribers(_CHARGES_OF_MONTH_SQL, "subscriber_id")

# What the bill run checks the stored charges against (see rating.rated_usage).
_CALL_COUNTS_SQL = f"SELECT caller_id, count(*) FROM call_records WHERE {{who}} AND {_QUALIFYING} GROUP BY caller_id"  # noqa: S608
_CALL_COUNTS = by_subscribers(_CALL_COUNTS_SQL, "caller_id", window=True)
_CHARGE_TOTALS_SQL = (
    "SELECT subscriber_id, count(*), count(plan_price_id), min(plan_price_id), max(plan_price_id),"
    " sum(rated_seconds), sum(amount_fen) FROM call_charges WHERE {who} AND period = :period GROUP BY subscriber_id"
)
_CHARGE_TOTALS = by_subscribers(_CHARGE_TOTALS_SQL, "subscriber_id")
# What the call-ended hook checks the stored charges against before it rates only the calls that just
# ended (see rating.rate_ended).  Typed: the first and last starts are aware datetimes
# on both databases (SQLite gives the stored text of a plain column).
_CHARGES_SO_FAR_SQL = (
    "SELECT subscriber_id, count(*), count(plan_price_id), min(plan_price_id), max(plan_price_id),"
    " sum(rated_seconds), sum(included_seconds), count(started_at), min(started_at) AS first_start,"
    " max(started_at) AS last_start"
    " FROM call_charges WHERE {who} AND period = :period GROUP BY subscriber_id"
)
_CHARGES_SO_FAR = {
    dense: statement.columns(first_start=UTCDateTime(), last_start=UTCDateTime())
    for dense, statement in by_subscribers(_CHARGES_SO_FAR_SQL, "subscriber_id").items()
}
# Ratings of one subscriber's month take turns (PostgreSQL; SQLite runs one transaction at a time).
# NO KEY UPDATE: ratings wait for each other, but not the key-share locks of the foreign keys of the
# calls written meanwhile (FOR UPDATE made the call-record batches and the ratings deadlock).
_LOCK_SQL = "SELECT id FROM subscribers WHERE {who} ORDER BY id FOR NO KEY UPDATE"
_LOCK = by_subscribers(_LOCK_SQL, "id")

# The columns of a charge row as :func:`insert_charges` and :func:`upsert_charges` take them, in order.
CHARGE_COLUMNS = (
    "call_id",
    "subscriber_id",
    "period",
    "plan_price_id",
    "rated_seconds",
    "included_seconds",
    "charged_seconds",
    "amount_fen",
    "started_at",
    "rated_at",
)

# Of the calls that just ended, those that were answered (or on which a video message was left, rated
# when the policy says so) and have ended (nothing else is rated): their callers, what rating needs of
# them, and whether they are rated (``_QUALIFYING`` but for the month, which their start decides).
_ANSWERED_ENDED = (
    text(
        "SELECT caller_id, id, started_at, billable_seconds,"
        " CASE WHEN outcome IN ('answered', 'cut_off_credit', 'voicemail_left') AND billable_seconds > 0"
        " THEN 1 ELSE 0 END AS qualifies"
        " FROM call_records"
        " WHERE id IN :ids AND state = 'ended' AND (answered_at IS NOT NULL OR outcome = 'voicemail_left')"
    )
    .bindparams(bindparam("ids", expanding=True))
    .columns(
        caller_id=Integer(), id=String(), started_at=UTCDateTime(), billable_seconds=Integer(), qualifies=Integer()
    )
)


# -- what rating reads ---------------------------------------------------------------------------------------
async def calls_of_month(conn: AsyncConnection, of: Who, start: datetime, end: datetime) -> list[Sequence[Any]]:
    """``(caller_id, call id, started_at, billable_seconds)`` of the qualifying calls of the month
    ``[start, end)`` of the subscribers ``of``, ordered by caller, start, id.  Core text, no ORM/type
    processing of the ~10 rows per subscriber: ``started_at`` comes back as the driver gives it
    (asyncpg: an aware datetime; SQLite: the UTC text ``UTCDateTime`` stores)."""
    return await plain_rows(conn, _CALLS_OF_MONTH[of.dense], {**of.params, "start": start, "end": end})


async def stored_charges_of_month(conn: AsyncConnection, of: Who, period: str) -> list[Sequence[Any]]:
    """``(call_id, subscriber_id, period, plan_price_id, rated, included, charged, amount_fen,
    started_at)`` of every stored charge of ``period`` of the subscribers ``of`` (and of others in their
    id range); ``started_at`` as the driver gives it (see :func:`calls_of_month`), or None."""
    return await plain_rows(conn, _CHARGES_OF_MONTH[of.dense], {**of.params, "period": period})


# Each caller's qualifying calls of the month that the stored charges do not account for, up to the
# last of their calls ``:ids`` (the calls the hook rates): those that started at or after the latest
# start a charge of the month holds (``rated_to``; the month's start when none), less the charges
# holding that very start.  Calls that started after the new ones do not change their rating (a month
# is rated in call order); calls that started before ``rated_to`` were proved rated by the rating
# that stored it (see ``rating.rate_ended``).  Every probe is a range of an index: (caller_id,
# started_at) of the calls, (subscriber_id, period, started_at) of the charges (migration 0027) — the
# length of the month's history costs nothing here.  (``_QUALIFYING``'s columns are unqualified: in the
# subquery they are those of ``q``, the only table there that has them.)
_UNRATED_UP_TO = text(
    "WITH n AS (SELECT caller_id, max(started_at) AS last_start FROM call_records WHERE id IN :ids"  # noqa: S608 - constants only
    " GROUP BY caller_id),"
    " w AS (SELECT n.caller_id, n.last_start, coalesce((SELECT max(c.started_at) FROM call_charges c"
    " WHERE c.subscriber_id = n.caller_id AND c.period = :period), :start) AS rated_to FROM n)"
    " SELECT w.caller_id,"
    " (SELECT count(*) FROM call_records q WHERE q.caller_id = w.caller_id"
    f" AND q.started_at >= w.rated_to AND q.started_at <= w.last_start AND {_QUALIFYING})"
    " - (SELECT count(*) FROM call_charges c WHERE c.subscriber_id = w.caller_id AND c.period = :period"
    " AND c.started_at = w.rated_to)"
    " FROM w"
).bindparams(
    bindparam("ids", expanding=True), bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime())
)


async def unrated_up_to(
    conn: AsyncConnection, call_ids: Sequence[str], period: str, start: datetime, end: datetime
) -> dict[int, int]:
    """Caller → how many qualifying calls of the month ``period`` (``[start, end)``) that started no
    later than the last of their calls among ``call_ids`` and no earlier than the latest start a stored
    charge of the month holds, the charges holding that start not counted: the calls the stored
    charges do not account for, where every earlier one is rated."""
    rows = await conn.execute(_UNRATED_UP_TO, {"ids": list(call_ids), "period": period, "start": start, "end": end})
    return {int(caller): int(count) for caller, count in rows}


async def qualifying_call_counts(conn: AsyncConnection, of: Who, start: datetime, end: datetime) -> list[Sequence[Any]]:
    """``(caller_id, count)`` of the qualifying calls of the month ``[start, end)``."""
    return await plain_rows(conn, _CALL_COUNTS[of.dense], {**of.params, "start": start, "end": end})


async def charge_totals(conn: AsyncConnection, of: Who, period: str) -> list[Sequence[Any]]:
    """``(subscriber_id, charges, priced charges, lowest price id, highest price id, rated seconds,
    amount_fen)`` of each subscriber's stored charges of ``period``."""
    return await plain_rows(conn, _CHARGE_TOTALS[of.dense], {**of.params, "period": period})


class ChargesSoFar(NamedTuple):
    """A subscriber's stored charges of a period, in sum."""

    subscriber_id: int
    charges: int
    priced: int  # charges naming a price
    low_price: int | None  # the lowest and highest price id named
    high_price: int | None
    rated_seconds: int  # in all
    included_seconds: int  # taken from the month's allowance, in all
    with_start: int  # charges that hold their call's start
    first_start: datetime | None  # the earliest and latest of those starts
    last_start: datetime | None


async def charges_so_far(conn: AsyncConnection, of: Who, period: str) -> list[ChargesSoFar]:
    """Each subscriber's stored charges of ``period`` in sum (subscribers ``of``, and others in their
    id range: the caller keeps its own)."""
    return [
        ChargesSoFar(int(sub), int(n), int(priced), low, high, int(rated), int(included), int(with_start), first, last)
        for sub, n, priced, low, high, rated, included, with_start, first, last in await conn.execute(
            _CHARGES_SO_FAR[of.dense], {**of.params, "period": period}
        )
    ]


class EndedCall(NamedTuple):
    caller_id: int
    id: str
    started_at: datetime
    billable_seconds: int
    qualifies: bool  # rated: answered (or a video message left), ended, with billable seconds


async def answered_ended_calls(conn: AsyncConnection, call_ids: Sequence[str]) -> list[EndedCall]:
    """Those of ``call_ids`` that were answered (or had a video message left) and have ended."""
    return [
        EndedCall(int(caller), call_id, started, int(seconds), bool(qualifies))
        for caller, call_id, started, seconds, qualifies in await conn.execute(_ANSWERED_ENDED, {"ids": list(call_ids)})
    ]


async def subscriber_ids(s: AsyncSession) -> list[int]:
    """Every subscriber's id, in id order (a period run rates them a range at a time)."""
    return list(await s.scalars(select(Subscriber.id).order_by(Subscriber.id)))


# -- what rating writes --------------------------------------------------------------------------------------
async def take_turns(conn: AsyncConnection, subscriber_ids: Sequence[int]) -> None:
    """Lock the subscribers' rows (PostgreSQL; SQLite runs one transaction at a time).  Two ratings of
    the same month at once (the call-ended hook, the bill run, a period run) would each write the rows
    that differ from what *they* read; one after the other, the rows are always those of the latest
    rating (``rating.rated_usage`` relies on it)."""
    if subscriber_ids and conn.dialect.name == "postgresql":
        of = who(subscriber_ids)
        await conn.execute(_LOCK[of.dense], of.params)


async def insert_charges(conn: AsyncConnection, rows: Sequence[Sequence[Any]]) -> None:
    """Plain bulk insert of new charges (values in :data:`CHARGE_COLUMNS` order): COPY on PostgreSQL.
    A charge of one of these calls already held raises ``IntegrityError``."""
    await writes.write_tuples(conn, CallCharge, CHARGE_COLUMNS, rows)


async def upsert_charges(conn: AsyncConnection, rows: Sequence[Sequence[Any]]) -> None:
    """Bulk upsert of charges on ``call_id`` (values in :data:`CHARGE_COLUMNS` order)."""
    await writes.write_tuples(conn, CallCharge, CHARGE_COLUMNS, rows, upsert_on="call_id")


async def delete_charges(conn: AsyncConnection, call_ids: Sequence[str]) -> None:
    """Delete the charges of ``call_ids`` (one statement)."""
    await conn.execute(delete(CallCharge).where(CallCharge.call_id.in_(call_ids)))


# -- the calls charged on a bill (disputes) -----------------------------------------------------------------
async def charged_calls_of(
    s: AsyncSession, subscriber_id: int, period: str, limit: int
) -> Sequence[Row[CallCharge, CallRecord]]:
    """The subscriber's calls of ``period`` charged above zero, with their records, in call order."""
    return (
        await s.execute(
            select(CallCharge, CallRecord)
            .join(CallRecord, CallRecord.id == CallCharge.call_id)
            .where(
                CallCharge.subscriber_id == subscriber_id,
                CallCharge.period == period,
                CallCharge.amount_fen > 0,
            )
            .order_by(CallRecord.started_at, CallRecord.id)
            .limit(limit)
        )
    ).all()


async def charged_call_ids_of(s: AsyncSession, subscriber_id: int, period: str, limit: int) -> list[str]:
    """The ids of the subscriber's calls with a charge of ``period`` (any amount), in call order."""
    return list(
        await s.scalars(
            select(CallCharge.call_id)
            .join(CallRecord, CallRecord.id == CallCharge.call_id)
            .where(CallCharge.subscriber_id == subscriber_id, CallCharge.period == period)
            .order_by(CallRecord.started_at, CallRecord.id)
            .limit(limit)
        )
    )


async def charge_of_call(s: AsyncSession, call_id: str, subscriber_id: int, period: str) -> CallCharge | None:
    """The charge of ``call_id`` if it is the subscriber's, of ``period``."""
    return await s.scalar(
        select(CallCharge).where(
            CallCharge.call_id == call_id,
            CallCharge.subscriber_id == subscriber_id,
            CallCharge.period == period,
        )
    )
