"""Answers of the billing-dispute routes (``web.api.disputes``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from videophone.billing.api.billing_answers import BillAnswer
from videophone.billing.services.disputes import CallEvidence, DisputeDetail
from videophone.calling.public import QualityView, SampleView
from videophone.edge.answers.fields import Answer

DisputeState = Literal["open", "adjusted", "rejected"]
Grade = Literal["good", "fair", "poor", "unknown"]
Side = Literal["caller", "callee"]


class DisputeAnswer(Answer):
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
    state: DisputeState
    opened_at: datetime
    due_at: datetime
    overdue: bool
    resolved_at: datetime | None
    resolution: str
    credit: str
    credit_fen: int
    subscriber_number: str  # console only ("" for the subscriber)
    subscriber_name: str


class DisputesAnswer(Answer):
    items: list[DisputeAnswer]


class DisputeQueueAnswer(Answer):
    total: int
    open: int  # open disputes overall
    overdue: int  # open and past their deadline, overall
    items: list[DisputeAnswer]


class DisputableCallAnswer(Answer):
    call_id: str
    callee_number: str
    started_at: datetime
    billable_seconds: int
    charged_seconds: int
    amount: str
    amount_fen: int
    open_dispute_id: int | None


class DisputableAnswer(Answer):
    """What of one bill can be disputed: the bill's new charges, and each call charged on it."""

    bill_id: int
    bill_number: str
    period: str
    new_charges: str
    new_charges_fen: int
    open_dispute_id: int | None  # an open dispute about the whole bill
    calls: list[DisputableCallAnswer]


class QualitySummaryAnswer(Answer):
    """One side's quality samples condensed (averages over the samples that carry the metric)."""

    samples: int
    rtt_avg_ms: float | None
    rtt_max_ms: float | None
    loss_avg_pct: float | None
    loss_max_pct: float | None
    bitrate_in_avg_kbps: float | None
    bitrate_out_avg_kbps: float | None
    fps_avg: float | None
    fps_min: float | None
    frame_width: int | None  # last reported resolution
    frame_height: int | None
    frames_decoded: int | None  # cumulative counters: the highest reported
    audio_packets_received: int | None


class QualityAnswer(Answer):
    summary: QualitySummaryAnswer
    assessment: Grade
    issues: list[str]

    @classmethod
    def of(cls, view: QualityView) -> QualityAnswer:
        return cls(
            summary=QualitySummaryAnswer.model_validate(view.summary), assessment=view.assessment, issues=view.issues
        )


class SampleAnswer(Answer):
    """One quality report of one side (``None``: not measured)."""

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
    def of(cls, view: SampleView) -> SampleAnswer:
        m = view.metrics
        return cls(
            side=view.side,
            at=view.at,
            final=view.final,
            rtt_ms=m.rtt_ms,
            packet_loss_pct=m.packet_loss_pct,
            bitrate_in_kbps=m.bitrate_in_kbps,
            bitrate_out_kbps=m.bitrate_out_kbps,
            frames_per_second=m.frames_per_second,
            frame_width=m.frame_width,
            frame_height=m.frame_height,
            frames_decoded=m.frames_decoded,
            audio_packets_received=m.audio_packets_received,
        )


class BothSidesAnswer(Answer):
    caller: QualityAnswer
    callee: QualityAnswer


class CallEvidenceAnswer(Answer):
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
    quality: BothSidesAnswer
    samples: list[SampleAnswer]

    @classmethod
    def of(cls, view: CallEvidence) -> CallEvidenceAnswer:
        plain = {name: getattr(view, name) for name in cls.model_fields if name not in ("quality", "samples")}
        return cls(
            **plain,
            quality=BothSidesAnswer(
                caller=QualityAnswer.of(view.quality_caller), callee=QualityAnswer.of(view.quality_callee)
            ),
            samples=[SampleAnswer.of(s) for s in view.samples],
        )


class DisputeDetailAnswer(DisputeAnswer):
    """The dispute with the bill and the call record(s) it is about."""

    bill: BillAnswer
    calls: list[CallEvidenceAnswer]
    resolved_by: int | None
    transaction_id: int | None

    @classmethod
    def of(cls, view: DisputeDetail) -> DisputeDetailAnswer:
        plain = {name: getattr(view.dispute, name) for name in DisputeAnswer.model_fields}
        return cls(
            **plain,
            bill=BillAnswer.model_validate(view.bill),
            calls=[CallEvidenceAnswer.of(c) for c in view.calls],
            resolved_by=view.resolved_by,
            transaction_id=view.transaction_id,
        )
