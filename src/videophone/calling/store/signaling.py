"""The statements of the signaling hub (``services.signaling``): built once, with bound parameters, so
the hot paths (connect, invite) construct no SQL per call.  They run on the unit of work's connection
(Core statements: no ORM session work)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Row,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from videophone.adapters.db.driver_reads import DriverRead
from videophone.adapters.db.models import (
    Block,
    CallRecord,
    Contact,
    ForwardingRule,
    PhoneNumber,
    Subscriber,
    ValueAddedService,
    VasSubscription,
)
from videophone.adapters.db.models_push import PushSubscription
from videophone.calling.domain.calls import CallState
from videophone.calling.domain.features import Feature
from videophone.calling.store.entitlements import covering


def open_call_of(subscriber_id: int | BindParameter[int]) -> ColumnElement[bool]:
    """Whether the subscriber is in a call that has not ended (on any node): as its caller or as its
    callee, each an equality on a partial index of the open calls (``ix_call_records_open_caller``,
    ``_callee``; migration 0025).  Open calls are few, whatever the length of anyone's history, and a
    plan PostgreSQL cached while the table was empty goes through those indexes too."""
    live = CallRecord.state.in_(_LIVE_STATES)
    return or_(
        exists().where(CallRecord.caller_id == subscriber_id, CallRecord.ended_at.is_(None), live),
        exists().where(CallRecord.callee_id == subscriber_id, CallRecord.ended_at.is_(None), live),
    )


# Literal values (not expanding parameters, which SQLAlchemy renders into the statement at every
# execution): the statements using them are compiled once.
# (``aggregate_strings`` is typed for a str separator; it renders a literal column as written.)
_COMMA: Any = literal_column("','")
_SEMICOLON: Any = literal_column("';'")
_LIVE_STATES: tuple[ColumnElement[str], ...] = (
    literal_column(f"'{CallState.RINGING.value}'"),
    literal_column(f"'{CallState.ANSWERED.value}'"),
)


def _second_number_of(subscriber_id: Any) -> Any:
    """The second number (第二号码, R-19) a subscriber holds now, as a scalar subquery: a ``phone_numbers``
    row of role ``second`` assigned to them (identity assigns it with the order and releases it to
    quarantine the moment the service stops), through its ``(subscriber_id, role)`` index."""
    return (
        select(PhoneNumber.number)
        .where(
            PhoneNumber.subscriber_id == subscriber_id, PhoneNumber.role == "second", PhoneNumber.state == "assigned"
        )
        .limit(1)
        .scalar_subquery()
    )


# A connecting device: its subscriber (and their second number); the calls it is part of that are still going.
CONNECT_SUBSCRIBER = select(
    Subscriber.number, Subscriber.name, _second_number_of(Subscriber.id).label("second_number")
).where(Subscriber.id == bindparam("id"))
CONNECT_OPEN_CALLS = select(
    # A forwarded leg resumes as the call its caller dialled (its devices know that id).
    func.coalesce(CallRecord.leg_of, CallRecord.id).label("id"),
    CallRecord.caller_id,
    CallRecord.callee_id,
    CallRecord.caller_number,
    CallRecord.callee_number,
    CallRecord.state,
    CallRecord.answered_at,
    CallRecord.node_id,
    CallRecord.caller_presented,
    CallRecord.callee_device,
).where(
    CallRecord.ended_at.is_(None),
    or_(
        and_(CallRecord.caller_id == bindparam("sub"), CallRecord.caller_device == bindparam("device")),
        and_(CallRecord.callee_id == bindparam("sub"), CallRecord.callee_device == bindparam("device")),
        # Ringing for the subscriber, answered by none of their devices: the connecting device joins it.
        and_(
            CallRecord.callee_id == bindparam("sub"),
            CallRecord.state == CallState.RINGING.value,
            CallRecord.callee_device == "",
        ),
    ),
)

OpenCall = Row[str, int, int | None, str, str, str, datetime | None, str, bool, str]
"""A row of ``CONNECT_OPEN_CALLS``: id, caller_id, callee_id, caller_number, callee_number, state,
answered_at, node_id, caller_presented, callee_device (``""`` while it rings: the device may join it)."""


async def connecting_subscriber(conn: AsyncConnection, subscriber_id: int) -> Row[str, str, str | None]:
    """The number, name and second number of a connecting device's subscriber (``CONNECT_SUBSCRIBER``)."""
    return (await conn.execute(CONNECT_SUBSCRIBER, {"id": subscriber_id})).one()


async def open_calls_of_device(conn: AsyncConnection, subscriber_id: int, device_id: str) -> Sequence[OpenCall]:
    """The calls the device takes part in that have not ended (``CONNECT_OPEN_CALLS``)."""
    return (await conn.execute(CONNECT_OPEN_CALLS, {"sub": subscriber_id, "device": device_id})).all()


async def peer_names(conn: AsyncConnection, subscriber_id: int, rows: Sequence[Any]) -> dict[int, Any]:
    """The names of the other parties of the open calls ``rows`` (of ``CONNECT_OPEN_CALLS``), by id."""
    if not rows:
        return {}
    peer_ids = [r.callee_id if r.caller_id == subscriber_id else r.caller_id for r in rows]
    return {
        p.id: p for p in await conn.execute(select(Subscriber.id, Subscriber.name).where(Subscriber.id.in_(peer_ids)))
    }


# A subscriber's forwarding rules, packed into one text by one probe of ``forwarding_rules`` (its primary
# key): ``condition:target:delay:number`` per rule, ``;`` between rules (NULL: none).
_PACKED_RULES = (
    select(
        func.aggregate_strings(
            ForwardingRule.condition
            + ":"
            + ForwardingRule.target
            + ":"
            + cast(func.coalesce(ForwardingRule.delay_seconds, 0), String)
            + ":"
            + ForwardingRule.target_number,
            _SEMICOLON,
        )
    )
    .where(ForwardingRule.subscriber_id == Subscriber.id)
    .scalar_subquery()
)
# The features of ``DIVERSION_FEATURES`` a subscriber's subscriptions cover on the bound ``day``
# (``domain.features.covers``; the service state is the rule's), as one text (``,`` between them).
DIVERSION_FEATURES = (Feature.FORWARDING.value, Feature.VOICEMAIL.value)
_DIVERSION_FEATURES = (
    select(func.aggregate_strings(ValueAddedService.feature, _COMMA))
    .where(
        VasSubscription.subscriber_id == Subscriber.id,
        VasSubscription.vas_id == ValueAddedService.id,
        ValueAddedService.feature.in_([literal_column(f"'{f}'") for f in DIVERSION_FEATURES]),
        VasSubscription.stopped_at.is_(None),
        VasSubscription.start_date <= bindparam("day"),
        or_(VasSubscription.end_date.is_(None), VasSubscription.end_date > bindparam("day")),
    )
    .scalar_subquery()
)


def _callee_only(column: Any, name: str) -> Any:
    """``column`` for the callee's row only (whoever holds the number called, as their number or their
    second number); NULL for the caller's: the probes are not made for them."""
    return case((Subscriber.id != bindparam("caller_id"), column), else_=null()).label(name)


def unpack_rules(packed: str | None) -> list[tuple[str, str, int | None, str]]:
    """``(condition, target, delay_seconds, number)`` of each rule packed by the invite's first read."""
    found = []
    for item in (packed or "").split(";"):
        if item.count(":") >= 3:
            condition, target, delay, number = item.split(":", 3)
            found.append((condition, target, int(delay) if delay.isdigit() and int(delay) else None, number))
    return found


# The devices of a subscriber with a Web Push subscription (R-36; notices owns the table), as one text
# (``,`` between them): who is reachable by push costs no round trip at the invite either.
_PUSH_DEVICES = (
    select(func.aggregate_strings(PushSubscription.device_id, _COMMA))
    .where(PushSubscription.subscriber_id == Subscriber.id)
    .scalar_subquery()
)


def push_devices_of_row(packed: str | None) -> frozenset[str]:
    """The callee's devices reachable by push, named by the invite's first read."""
    return frozenset(d for d in (packed or "").split(",") if d)


def features_of_row(packed: str | None) -> frozenset[str]:
    """The diversion features named by the invite's first read."""
    return frozenset(f for f in (packed or "").split(",") if f)


# The invite's two reads: both parties (with the callee's forwarding rules, whether they have forwarding
# and voicemail today: the diversion of costs no round trip at the invite; each party's
# second number, R-19; the callee's devices reachable by push, R-36); then duplicate id / caller in a call / callee in a call / callee blocked the
# caller (store.blocks.blocked_clause, with the caller's number normalized the same way) / the callee has
# a caller-ID subscription covering the day (store.entitlements.covering: ADR 0009) / the callee's
# contact name for the number the caller presents (shown only when the caller is presented).
# The callee is whoever holds the number dialled: as their number, or as their second number.
INVITE_PARTIES = select(
    Subscriber.id,
    Subscriber.number,
    Subscriber.name,
    Subscriber.review_state,
    Subscriber.service_state,
    Subscriber.service_reason,
    Subscriber.credit_limit_fen,
    _callee_only(_PACKED_RULES, "forwarding_rules"),
    _callee_only(_DIVERSION_FEATURES, "features"),
    _second_number_of(Subscriber.id).label("second_number"),
    _callee_only(_PUSH_DEVICES, "push_devices"),
).where(
    or_(
        Subscriber.id == bindparam("caller_id"),
        Subscriber.number == bindparam("to"),
        Subscriber.id
        == select(PhoneNumber.subscriber_id)
        .where(PhoneNumber.number == bindparam("to"), PhoneNumber.role == "second", PhoneNumber.state == "assigned")
        .scalar_subquery(),
    )
)
_DUPLICATE = exists().where(CallRecord.id == bindparam("call_id"))
_CALLER_ID = covering(bindparam("callee_id"), Feature.CALLER_ID, bindparam("day", type_=Date))
_CONTACT_NAME = (
    select(Contact.name)
    .where(Contact.owner_id == bindparam("callee_id"), Contact.number == bindparam("shown_number"))
    .limit(1)
    .scalar_subquery()
)
INVITE_FLAGS_NO_CALLEE = select(_DUPLICATE, open_call_of(bindparam("caller_id")))
INVITE_FLAGS_UNBLOCKABLE = select(
    _DUPLICATE,
    open_call_of(bindparam("caller_id")),
    open_call_of(bindparam("callee_id")),
    false(),
    _CALLER_ID,
    null().cast(String),
)
INVITE_FLAGS = select(
    _DUPLICATE,
    open_call_of(bindparam("caller_id")),
    open_call_of(bindparam("callee_id")),
    # Blocking either of the caller's numbers blocks the caller (a second number is no way around a block).
    exists().where(
        Block.owner_id == bindparam("callee_id"),
        Block.blocked_number.in_((bindparam("blocked_number"), bindparam("blocked_second"))),
    ),
    _CALLER_ID,
    _CONTACT_NAME,
)

InviteParty = Row[int, str, str, str, str, str, int | None, str | None, str | None, str | None, str | None]
"""A row of ``INVITE_PARTIES``: id, number, name, review_state, service_state, service_reason,
credit_limit_fen; for the callee only: forwarding_rules (``unpack_rules``), features (the diversion
features their subscriptions cover today, ``features_of_row``); second_number; for the callee only:
push_devices (``push_devices_of_row``)."""


# The invite's reads run straight on the driver on PostgreSQL (adapters/db/driver_reads): the hottest
# statements of a call, where SQLAlchemy's execution cost five times the driver's.
_PARTIES_READ = DriverRead(INVITE_PARTIES)
_FLAGS_READ = DriverRead(INVITE_FLAGS)
_FLAGS_UNBLOCKABLE_READ = DriverRead(INVITE_FLAGS_UNBLOCKABLE)
_FLAGS_NO_CALLEE_READ = DriverRead(INVITE_FLAGS_NO_CALLEE)


async def invite_parties(conn: AsyncConnection, caller_id: int, to: str, day: date) -> Sequence[InviteParty]:
    """The invite's first read: the caller (by id) and the callee (by number ``to``), if any; ``day``:
    today in the operator's time zone (for the voicemail subscription).  Rows by column name, as
    ``INVITE_PARTIES`` labels them."""
    rows: Sequence[InviteParty] = await _PARTIES_READ.all(conn, {"caller_id": caller_id, "to": to, "day": day})
    return rows


async def invite_flags_without_callee(conn: AsyncConnection, call_id: str, caller_id: int) -> Row[bool, bool]:
    """The invite's second read when nobody has the number called: (duplicate call id, caller in a call)."""
    flags: Row[bool, bool] = await _FLAGS_NO_CALLEE_READ.one(conn, {"call_id": call_id, "caller_id": caller_id})
    return flags


async def invite_flags(
    conn: AsyncConnection,
    call_id: str,
    caller_id: int,
    callee_id: int,
    blocked_number: str,
    day: date,
    *,
    blocked_second: str = "",
    shown_number: str = "",
) -> Row[bool, bool, bool, bool, bool, str | None]:
    """The invite's second read: (duplicate call id, caller in a call, callee in a call, the callee
    blocked ``blocked_number`` or ``blocked_second``: the caller's numbers, normalized — an empty number
    cannot be blocked —, a caller-ID subscription of the callee covers ``day`` (the operator's today), the
    callee's contact name for ``shown_number``, the number the caller presents: ``blocked_number`` unless
    given)."""
    flags: Row[bool, bool, bool, bool, bool, str | None] = await (
        _FLAGS_READ if blocked_number else _FLAGS_UNBLOCKABLE_READ
    ).one(
        conn,
        {
            "call_id": call_id,
            "caller_id": caller_id,
            "callee_id": callee_id,
            "blocked_number": blocked_number,
            "blocked_second": blocked_second,
            "shown_number": shown_number or blocked_number,
            "day": day,
        },
    )
    return flags
