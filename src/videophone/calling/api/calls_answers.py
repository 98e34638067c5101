"""Answers of the call routes (``web.api.calls``): call history (R-13), call quality (R-15) and the
console's view of calls."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from videophone.calling.domain.call_quality import Grade, QualitySummary
from videophone.calling.domain.media_path import DeviceKind, MediaPath
from videophone.calling.services.calls import (
    CallDetail,
    CallItem,
    LiveCall,
    NodeView,
    QualityView,
    SampleView,
    StaffCallDetail,
    StaffCallItem,
)
from videophone.edge.answers.fields import Page

# The closed sets of ``domain.calls`` (CallState, Outcome, EndReason); "" while a call is still going.
CallState = Literal["ringing", "answered", "ended"]
CallOutcome = Literal[
    "", "answered", "missed", "rejected", "busy", "cancelled", "failed", "cut_off_credit", "voicemail", "voicemail_left"
]
EndReason = Literal[
    "",
    "hangup",
    "cancelled",
    "rejected",
    "no_answer",
    "offline",
    "busy",
    "unavailable",
    "blocked",
    "number_unknown",
    "not_allowed",
    "connection_lost",
    "node_lost",
    "failed",
    "cut_off_credit",
    "voicemail",
]
QualityIssue = Literal["loss", "rtt", "fps"]  # ``domain.call_quality.issues``
Side = Literal["caller", "callee"]


class _Answer(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _CallFields(_Answer):
    """A call as one of its parties sees it."""

    id: str
    direction: Literal["incoming", "outgoing"]
    other_number: str = Field(description='The other party\'s number; "" when withheld')
    other_name: str | None = Field(description="Your contact name for that number, if saved (never when withheld)")
    state: CallState
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    billable_seconds: int
    outcome: CallOutcome
    end_reason: EndReason
    unseen_missed: bool
    # Call forwarding: the number this call was forwarded to (the call dialled, or a leg forwarded
    # again); on a forwarded leg, the number that forwarded it and the id of the call dialled.
    forwarded_to: str = Field(description="Where this call was forwarded to; empty if it was not")
    forwarded_by: str = Field(description="On a forwarded leg: the number that forwarded it; else empty")
    leg_of: str | None = Field(description="On a forwarded leg: the id of the call that was dialled")
    withheld: bool = Field(
        description="An incoming call whose caller was not shown to you: you had no caller ID (来电显示) when it "
        "came (ADR 0009). Subscribing later does not reveal it."
    )
    own_number: str = Field(
        description="Your number the call used: the number dialled (incoming) or the number shown (outgoing) — "
        "your second number (第二号码) when it is not your number now"
    )
    own_number_primary: bool = Field(description="own_number is your number now (not a second number)")


class CallAnswer(_CallFields):
    """A call as one of its parties sees it in their history."""

    @classmethod
    def of(cls, item: CallItem) -> Self:
        return cls.model_validate(item)


class CallPage(Page[CallAnswer]):
    """The subscriber's call history, a page at a time."""


class MissedCount(BaseModel):
    count: int


class MissedMarked(BaseModel):
    marked: int


class CallQualitySummaryAnswer(_Answer):
    """One side's samples condensed (``domain.call_quality.summarize``)."""

    samples: int
    rtt_avg_ms: float | None
    rtt_max_ms: float | None
    loss_avg_pct: float | None
    loss_max_pct: float | None
    bitrate_in_avg_kbps: float | None
    bitrate_out_avg_kbps: float | None
    fps_avg: float | None
    fps_min: float | None
    frame_width: int | None
    frame_height: int | None
    frames_decoded: int | None
    audio_packets_received: int | None

    @classmethod
    def of(cls, summary: QualitySummary) -> Self:
        return cls.model_validate(summary)


class CallQualityAnswer(BaseModel):
    summary: CallQualitySummaryAnswer
    assessment: Grade
    issues: list[QualityIssue]

    @classmethod
    def of(cls, view: QualityView) -> Self:
        return cls.model_validate(view, from_attributes=True)


class MyCallQuality(BaseModel):
    mine: CallQualityAnswer
    peer: CallQualityAnswer


class CallDetailAnswer(_CallFields):
    """One of the subscriber's calls with the quality of both sides."""

    quality: MyCallQuality

    @classmethod
    def of(cls, detail: CallDetail) -> Self:
        quality = MyCallQuality(
            mine=CallQualityAnswer.of(detail.quality_mine), peer=CallQualityAnswer.of(detail.quality_peer)
        )
        return cls.model_validate({**asdict(detail.call), "quality": quality})


class _StaffCallFields(_Answer):
    """A call as staff see it."""

    id: str
    caller_id: int
    caller_number: str
    callee_id: int | None
    callee_number: str
    state: CallState
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    billable_seconds: int
    outcome: CallOutcome
    end_reason: EndReason
    node_id: str
    forwarded_to: str
    forwarded_by: str
    leg_of: str | None
    caller_presented: bool = Field(description="Whether the callee was shown the caller's number (caller ID, ADR 0009)")


class StaffCallAnswer(_StaffCallFields):
    """A call as the console lists it: both parties and the node that held it."""

    @classmethod
    def of(cls, item: StaffCallItem) -> Self:
        return cls.model_validate(item)


class StaffCallPage(Page[StaffCallAnswer]):
    """Calls as the console lists them, a page at a time."""


class QualitySampleAnswer(BaseModel):
    """One quality sample as a party's client reported it (``None``: not measured)."""

    side: Side
    at: datetime
    final: bool
    rtt_ms: float | None
    packet_loss_pct: float | None
    bitrate_in_kbps: float | None
    bitrate_out_kbps: float | None
    frames_per_second: float | None
    frame_width: int | None
    frame_height: int | None
    frames_decoded: int | None
    audio_packets_received: int | None

    @classmethod
    def of(cls, view: SampleView) -> Self:
        return cls.model_validate({"side": view.side, "at": view.at, "final": view.final, **asdict(view.metrics)})


class NodeAnswer(_Answer):
    """The signaling node that held a call, and whether it still heartbeats."""

    node_id: str
    address: str
    started_at: datetime | None
    heartbeat_at: datetime | None
    fresh: bool

    @classmethod
    def of(cls, node: NodeView) -> Self:
        return cls.model_validate(node)


class PartiesQuality(BaseModel):
    caller: CallQualityAnswer
    callee: CallQualityAnswer


class StaffCallDetailAnswer(_StaffCallFields):
    """Everything about one call for support: both parties' devices and quality, every sample, the node."""

    caller_device: str
    callee_device: str
    quality: PartiesQuality
    samples: list[QualitySampleAnswer]
    node: NodeAnswer

    @classmethod
    def of(cls, detail: StaffCallDetail) -> Self:
        quality = PartiesQuality(
            caller=CallQualityAnswer.of(detail.quality_caller), callee=CallQualityAnswer.of(detail.quality_callee)
        )
        return cls.model_validate(
            {
                **asdict(detail.call),
                "caller_device": detail.caller_device,
                "callee_device": detail.callee_device,
                "quality": quality,
                "samples": [QualitySampleAnswer.of(s) for s in detail.samples],
                "node": NodeAnswer.of(detail.node),
            }
        )


class LiveCallAnswer(_Answer):
    """A call ringing or answered now."""

    id: str
    caller_number: str
    callee_number: str
    state: CallState
    started_at: datetime
    answered_at: datetime | None
    node_id: str
    node_heartbeat_at: datetime | None
    node_fresh: bool
    caller_device_kind: DeviceKind = Field(description="'browser' or 'sip' (a SIP phone)")
    callee_device_kind: DeviceKind = Field(
        description="'browser' or 'sip' (a SIP phone); '' while no device of the callee has answered"
    )
    media_path: MediaPath = Field(
        description="'relay' (through the media relay: a SIP phone takes part), 'p2p' (direct between two "
        "browsers) or 'turn' (through the TURN server) as the browsers last reported it; '' not known yet"
    )

    @classmethod
    def of(cls, call: LiveCall) -> Self:
        return cls.model_validate(call)


class LiveCalls(BaseModel):
    items: list[LiveCallAnswer]

    @classmethod
    def of(cls, calls: list[LiveCall]) -> Self:
        return cls(items=[LiveCallAnswer.of(c) for c in calls])
