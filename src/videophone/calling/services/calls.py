"""Call history and missed calls (R-13), call quality telemetry (R-15), and the console's view of
calls.  The signaling hub writes the call records; this service reads them and stores the quality
samples clients report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from videophone.adapters.db.models import CallQualitySample, CallRecord, SignalingNode
from videophone.adapters.db.uow import UnitOfWork
from videophone.calling.domain import call_quality, caller_id
from videophone.calling.domain.calls import reason_seen_by
from videophone.calling.domain.media_path import DeviceKind, MediaPath, device_kind, media_path, reported_path
from videophone.calling.store import calls as store
from videophone.calling.store import contacts as contacts_store
from videophone.calling.store import quality as quality_store
from videophone.calling.store import subscribers as subscribers_store
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.kernel.errors import (
    Conflict,
    FieldError,
    InvalidState,
    NotFound,
    Throttled,
    ValidationFailed,
)

DIRECTIONS = ("all", "incoming", "outgoing", "missed")
OUTCOMES = (
    "answered",
    "missed",
    "rejected",
    "busy",
    "cancelled",
    "failed",
    "cut_off_credit",
    "voicemail",
    "voicemail_left",
)
SAMPLE_INTERVAL = timedelta(seconds=2)  # at most one (non-final) sample per side per call this often
QUALITY_WINDOW = timedelta(minutes=10)  # samples are still taken this long after a call ended
NODE_STALE_AFTER = timedelta(seconds=30)  # signaling.md: a node silent this long is gone
MAX_LIMIT = 200

Direction = Literal["incoming", "outgoing"]


@dataclass(frozen=True)
class CallItem:
    """A call as one of its parties sees it in their history."""

    id: str
    direction: Direction
    other_number: str  # "" when withheld
    other_name: str | None  # the subscriber's contact name for that number, if any (never when withheld)
    state: str  # ringing | answered | ended
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    billable_seconds: int
    outcome: str  # "" while the call is still going
    end_reason: str
    unseen_missed: bool
    forwarded_to: str = ""  # where this call was forwarded to
    forwarded_by: str = ""  # on a forwarded leg: the number that forwarded it
    leg_of: str | None = None  # on a forwarded leg: the call dialled
    # An incoming call whose caller was not presented (the subscriber had no caller ID then: ADR 0009).
    withheld: bool = False
    # The subscriber's own number the call used: the number dialled (incoming) or presented (outgoing) —
    # their second number when it is not their number now.
    own_number: str = ""
    own_number_primary: bool = True


@dataclass(frozen=True)
class QualityView:
    summary: call_quality.QualitySummary
    assessment: call_quality.Grade
    issues: list[str]

    # Kept for ``services.disputes.CallEvidence.to_dict`` (the API answers build theirs in ``web.api.answers``).
    def to_dict(self) -> dict[str, Any]:
        return {"summary": asdict(self.summary), "assessment": self.assessment, "issues": self.issues}


@dataclass(frozen=True)
class CallDetail:
    call: CallItem
    quality_mine: QualityView
    quality_peer: QualityView


@dataclass(frozen=True)
class StaffCallItem:
    id: str
    caller_id: int
    caller_number: str
    callee_id: int | None
    callee_number: str
    state: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    billable_seconds: int
    outcome: str
    end_reason: str
    node_id: str
    caller_presented: bool  # the callee was shown the caller's number (ADR 0009); staff always see both
    forwarded_to: str = ""
    forwarded_by: str = ""
    leg_of: str | None = None


@dataclass(frozen=True)
class SampleView:
    side: str  # caller | callee
    at: datetime
    final: bool
    metrics: call_quality.QualitySample

    # Kept for ``services.disputes.CallEvidence.to_dict`` (the API answers build theirs in ``web.api.answers``).
    def to_dict(self) -> dict[str, Any]:
        return {"side": self.side, "at": self.at, "final": self.final, **asdict(self.metrics)}


@dataclass(frozen=True)
class NodeView:
    node_id: str
    address: str
    started_at: datetime | None
    heartbeat_at: datetime | None
    fresh: bool


@dataclass(frozen=True)
class StaffCallDetail:
    call: StaffCallItem
    caller_device: str
    callee_device: str
    quality_caller: QualityView
    quality_callee: QualityView
    samples: list[SampleView]
    node: NodeView


@dataclass(frozen=True)
class LiveCall:
    id: str
    caller_number: str
    callee_number: str
    state: str
    started_at: datetime
    answered_at: datetime | None
    node_id: str
    node_heartbeat_at: datetime | None
    node_fresh: bool
    caller_device_kind: DeviceKind
    callee_device_kind: DeviceKind
    media_path: MediaPath


# -- helpers ----------------------------------------------------------------------------------------------
def day_start(day: date, tz: ZoneInfo) -> datetime:
    """Midnight at the start of ``day`` in the operator's time zone, as UTC."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def _check_range(since: date | None, until: date | None, errors: list[FieldError]) -> None:
    if since is not None and until is not None and until < since:
        errors.append(FieldError("until", "date_range_inverted"))


def _range(since: date | None, until: date | None, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """The days ``since`` to ``until`` (inclusive, either may be open) as [start, end) instants."""
    start = day_start(since, tz) if since is not None else None
    end = day_start(until + timedelta(days=1), tz) if until is not None else None
    return start, end


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


def _sample(row: CallQualitySample) -> call_quality.QualitySample:
    return call_quality.QualitySample(
        rtt_ms=row.rtt_ms,
        packet_loss_pct=row.packet_loss_pct,
        bitrate_in_kbps=row.bitrate_in_kbps,
        bitrate_out_kbps=row.bitrate_out_kbps,
        frames_per_second=row.frames_per_second,
        frame_width=row.frame_width,
        frame_height=row.frame_height,
        frames_decoded=row.frames_decoded,
        audio_packets_received=row.audio_packets_received,
    )


def quality_view(samples: Sequence[call_quality.QualitySample]) -> QualityView:
    summary = call_quality.summarize(samples)
    return QualityView(summary, call_quality.assess(summary), call_quality.issues(summary))


def _withheld(viewer_id: int, r: CallRecord) -> bool:
    """The call's caller is hidden from ``viewer_id``, one of its parties (``domain.caller_id``)."""
    return caller_id.hidden_from(viewer_id, r.caller_id, r.caller_presented)


def _staff_item(r: CallRecord) -> StaffCallItem:
    return StaffCallItem(
        id=r.id,
        caller_id=r.caller_id,
        caller_number=r.caller_number,
        callee_id=r.callee_id,
        callee_number=r.callee_number,
        state=r.state,
        started_at=r.started_at,
        answered_at=r.answered_at,
        ended_at=r.ended_at,
        billable_seconds=r.billable_seconds,
        outcome=r.outcome,
        end_reason=r.end_reason,
        node_id=r.node_id,
        forwarded_to=r.forwarded_to,
        forwarded_by=r.forwarded_by,
        leg_of=r.leg_of,
        caller_presented=r.caller_presented,
    )


class CallHistoryService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    # -- the subscriber's own calls -------------------------------------------------------------------
    async def history(
        self,
        subscriber_id: int,
        *,
        direction: str = "all",
        since: date | None = None,
        until: date | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[int, list[CallItem]]:
        """The subscriber's calls, newest first; ``since``/``until`` are days in Asia/Shanghai (inclusive)."""
        errors: list[FieldError] = []
        if direction not in DIRECTIONS:
            errors.append(FieldError("direction", "call_direction_unknown"))
        _check_range(since, until, errors)
        if errors:
            raise ValidationFailed(errors)
        start, end = _range(since, until, self.deps.operator_tz)
        async with self.deps.uow() as uow:
            total, rows = await store.history_of(
                uow.session,
                subscriber_id,
                direction=direction,
                start=start,
                end=end,
                offset=max(offset, 0),
                limit=_limit(limit),
            )
            names = await self._contact_names(uow, subscriber_id, rows)
            primary = await subscribers_store.number_of(uow.session, subscriber_id)
        return total, [self._item(subscriber_id, r, names, primary) for r in rows]

    async def missed_count(self, subscriber_id: int) -> int:
        """Missed calls the subscriber has not looked at yet (the badge in the navigation)."""
        async with self.deps.uow() as uow:
            return await store.count_unseen_missed(uow.session, subscriber_id)

    async def mark_missed_seen(self, subscriber_id: int) -> int:
        """Mark every unseen missed call as seen; returns how many were marked."""
        async with self.deps.uow() as uow:
            marked = await store.mark_missed_seen(uow.session, subscriber_id, self.deps.clock.now())
            await uow.commit()
            return marked

    async def detail(self, subscriber_id: int, call_id: str) -> CallDetail:
        """One of the subscriber's calls with the quality of both sides; other calls do not exist."""
        async with self.deps.uow() as uow:
            record = await self._own_call(uow, subscriber_id, call_id)
            names = await self._contact_names(uow, subscriber_id, [record])
            primary = await subscribers_store.number_of(uow.session, subscriber_id)
            samples = await self._samples(uow, call_id)
        mine = [_sample(s) for s in samples if s.subscriber_id == subscriber_id]
        peer = [_sample(s) for s in samples if s.subscriber_id != subscriber_id]
        return CallDetail(self._item(subscriber_id, record, names, primary), quality_view(mine), quality_view(peer))

    async def record_quality(
        self,
        subscriber_id: int,
        call_id: str,
        sample: Mapping[str, Any],
        *,
        final: bool = False,
        path: str | None = None,
    ) -> None:
        """Store one quality sample from a party's client (R-15), with the media path it reported
        (``p2p`` / ``turn``, issue 16) if it did.

        At most one sample every two seconds per party and call; the ``final`` one (sent when the
        call ends) is always taken, once, and nothing after it.  Samples are taken while the call
        goes on and up to ten minutes after it ended.
        """
        metrics, errors = call_quality.check_sample(sample)
        reported = reported_path(path)
        if path is not None and reported is None:
            errors.append(FieldError("path", "invalid_choice"))
        if errors:
            raise ValidationFailed(errors)
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            record = await self._own_call(uow, subscriber_id, call_id)
            if record.ended_at is not None and now - record.ended_at > QUALITY_WINDOW:
                raise InvalidState("quality_window_closed")
            if await quality_store.final_sample_of(uow.session, call_id, subscriber_id):
                raise Conflict("quality_already_final")
            if not final:
                last = await quality_store.last_sample_at(uow.session, call_id, subscriber_id)
                if last is not None and now - last < SAMPLE_INTERVAL:
                    wait = (SAMPLE_INTERVAL - (now - last)).total_seconds()
                    raise Throttled("quality_sample_too_frequent", params={"retry_after": max(1, int(wait + 0.999))})
            uow.session.add(
                CallQualitySample(
                    call_id=call_id,
                    subscriber_id=subscriber_id,
                    at=now,
                    final=final,
                    media_path=reported,
                    **asdict(metrics),
                )
            )
            await uow.commit()

    # -- staff ---------------------------------------------------------------------------------------
    async def search(
        self,
        *,
        number: str | None = None,
        outcome: str | None = None,
        since: date | None = None,
        until: date | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[int, list[StaffCallItem]]:
        """Calls by a party's number (part of it is enough), outcome and day (Asia/Shanghai), newest first."""
        errors: list[FieldError] = []
        if outcome and outcome not in OUTCOMES:
            errors.append(FieldError("outcome", "call_outcome_unknown"))
        _check_range(since, until, errors)
        if errors:
            raise ValidationFailed(errors)
        start, end = _range(since, until, self.deps.operator_tz)
        async with self.deps.uow() as uow:
            total, rows = await store.search(
                uow.session,
                number=(number or "").strip(),
                outcome=outcome,
                start=start,
                end=end,
                offset=max(offset, 0),
                limit=_limit(limit),
            )
            return total, [_staff_item(r) for r in rows]

    async def staff_detail(self, call_id: str, actor: Actor | None = None) -> StaffCallDetail:
        """Everything about one call for support: both parties, every sample, the node.  A staff
        member's look is audited (call records are communication data)."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            record = await uow.session.get(CallRecord, call_id)
            if record is None:
                raise NotFound("call_not_found")
            samples = await self._samples(uow, call_id)
            node = await uow.session.get(SignalingNode, record.node_id)
            if actor is not None:
                audit.record(uow, now, actor, "call.view", "call", call_id)
                await uow.commit()
        caller = [_sample(s) for s in samples if s.subscriber_id == record.caller_id]
        callee = [_sample(s) for s in samples if s.subscriber_id != record.caller_id]
        return StaffCallDetail(
            call=_staff_item(record),
            caller_device=record.caller_device,
            callee_device=record.callee_device,
            quality_caller=quality_view(caller),
            quality_callee=quality_view(callee),
            samples=[
                SampleView("caller" if s.subscriber_id == record.caller_id else "callee", s.at, s.final, _sample(s))
                for s in samples
            ],
            node=NodeView(
                node_id=record.node_id,
                address=node.address if node else "",
                started_at=node.started_at if node else None,
                heartbeat_at=node.heartbeat_at if node else None,
                fresh=node is not None and now - node.heartbeat_at < NODE_STALE_AFTER,
            ),
        )

    async def live_calls(self) -> list[LiveCall]:
        """Calls ringing or answered now, oldest first, with whether their node still heartbeats, the kind
        of each side's device and the path the media takes (issue 16)."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            rows = await store.live_calls(uow.session)
        return [
            LiveCall(
                id=r.id,
                caller_number=r.caller_number,
                callee_number=r.callee_number,
                state=r.state,
                started_at=r.started_at,
                answered_at=r.answered_at,
                node_id=r.node_id,
                node_heartbeat_at=heartbeat,
                node_fresh=heartbeat is not None and now - heartbeat < NODE_STALE_AFTER,
                caller_device_kind=device_kind(r.caller_device),
                callee_device_kind=device_kind(r.callee_device),
                media_path=media_path(r.caller_device, r.callee_device, path),
            )
            for r, heartbeat, path in rows
        ]

    # -- internals -----------------------------------------------------------------------------------------
    async def _own_call(self, uow: UnitOfWork, subscriber_id: int, call_id: str) -> CallRecord:
        record = await uow.session.get(CallRecord, call_id)
        if record is None or subscriber_id not in (record.caller_id, record.callee_id):
            raise NotFound("call_not_found")
        return record

    async def _samples(self, uow: UnitOfWork, call_id: str) -> list[CallQualitySample]:
        return await quality_store.samples_of(uow.session, call_id)

    async def _contact_names(self, uow: UnitOfWork, owner_id: int, rows: Sequence[CallRecord]) -> dict[str, str]:
        # A withheld caller's number is not even matched against the address book (ADR 0009).
        numbers = {self._other_number(owner_id, r) for r in rows if not _withheld(owner_id, r)}
        return await contacts_store.names_of_numbers(uow.session, owner_id, numbers)

    @staticmethod
    def _other_number(subscriber_id: int, r: CallRecord) -> str:
        return r.callee_number if r.caller_id == subscriber_id else r.caller_number

    def _item(self, subscriber_id: int, r: CallRecord, names: Mapping[str, str], primary: str | None) -> CallItem:
        outgoing = r.caller_id == subscriber_id
        own = r.caller_number if outgoing else r.callee_number
        withheld = _withheld(subscriber_id, r)
        other = "" if withheld else self._other_number(subscriber_id, r)
        return CallItem(
            id=r.id,
            direction="outgoing" if outgoing else "incoming",
            other_number=other,
            other_name=None if withheld else names.get(other),
            state=r.state,
            started_at=r.started_at,
            answered_at=r.answered_at,
            ended_at=r.ended_at,
            billable_seconds=r.billable_seconds,
            outcome=r.outcome,
            end_reason=reason_seen_by(r.end_reason, caller=outgoing),
            unseen_missed=not outgoing and r.outcome == "missed" and r.callee_seen_at is None,
            forwarded_to=r.forwarded_to,
            forwarded_by=r.forwarded_by,
            leg_of=r.leg_of,
            withheld=withheld,
            own_number=own,
            own_number_primary=own == primary,
        )
