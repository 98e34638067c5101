"""Tables of calling (issue 3): contacts, blocks, harassment reports, call records, signaling nodes.  Changes
here need an Alembic migration (``migrations/versions``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from videophone.adapters.db.models_base import Base, BigId


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    favourite: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("uq_contacts_owner_number", "owner_id", "number", unique=True),)


class Block(Base):
    """The owner does not want calls from ``blocked_number``."""

    __tablename__ = "blocks"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    blocked_number: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]

    __table_args__ = (Index("uq_blocks_owner_number", "owner_id", "blocked_number", unique=True),)


class HarassmentReport(Base):
    __tablename__ = "harassment_reports"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    reported_number: Mapped[str] = mapped_column(String(20), index=True)
    reported_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), nullable=True)
    call_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    description: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)  # open | in_progress | resolved | dismissed
    resolution: Mapped[str] = mapped_column(Text, default="")
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CallRecord(Base):
    """One row per call attempt (CDR), created at invite, finalized exactly once when the call ends."""

    __tablename__ = "call_records"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # call id (UUID)
    caller_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    callee_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), nullable=True)
    caller_number: Mapped[str] = mapped_column(String(20))
    callee_number: Mapped[str] = mapped_column(String(20))
    caller_device: Mapped[str] = mapped_column(String(64))
    callee_device: Mapped[str] = mapped_column(String(64), default="")
    node_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # ringing | answered | ended
    started_at: Mapped[datetime] = mapped_column(index=True)
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    outcome: Mapped[str] = mapped_column(String(24), default="")
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    billable_seconds: Mapped[int] = mapped_column(Integer, default=0)
    callee_seen_at: Mapped[datetime | None] = mapped_column(nullable=True)  # missed-call badge
    # Call forwarding (R-17, ADR 0010).  A forwarded leg is a record of its own: ``caller_id`` is the
    # forwarding subscriber (who pays it), ``caller_number`` the original caller's (the caller still),
    # ``leg_of`` the call that was dialled, ``forwarded_by`` the forwarding subscriber's number and
    # ``forward_reason`` the condition.  A call or leg that was forwarded names where: ``forwarded_to``.
    leg_of: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    forwarded_by: Mapped[str] = mapped_column(String(20), default="")
    forwarded_to: Mapped[str] = mapped_column(String(20), default="")
    forward_reason: Mapped[str] = mapped_column(String(16), default="")
    # Caller ID (R-16, ADR 0009): the callee held caller ID when the call was placed, so their devices
    # and their history show the caller's number; decided once, at the invite, and never again.
    caller_presented: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    # A party's calls in time order (history; the caller's index holds everything rating reads of a
    # month, so rating never visits the table: migration 0012); the calls still going, a handful
    # whatever the size of the table: by caller and by callee (the busy checks of every invite), by node
    # (the sweeper, live calls).  Partial indexes keyed by what the busy checks look up: a plan cached
    # while the table was empty still goes through them (migration 0025).
    __table_args__ = (
        Index(
            "ix_call_records_caller_started", "caller_id", "started_at", "id", "billable_seconds", "outcome", "state"
        ),
        Index("ix_call_records_callee_started", "callee_id", "started_at"),
        Index(
            "ix_call_records_open_caller",
            "caller_id",
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index(
            "ix_call_records_open_callee",
            "callee_id",
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index(
            "ix_call_records_open_node",
            "node_id",
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )


class ForwardingRule(Base):
    """A subscriber's call forwarding (呼叫转移, R-17) for one condition: to another number of the
    service or to their own voicemail; on no answer after ``delay_seconds``."""

    __tablename__ = "forwarding_rules"
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), primary_key=True)
    condition: Mapped[str] = mapped_column(
        String(16), primary_key=True
    )  # unconditional | busy | no_answer | unreachable
    target: Mapped[str] = mapped_column(String(16))  # number | voicemail
    target_number: Mapped[str] = mapped_column(String(20), default="")
    delay_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)  # no_answer only
    updated_at: Mapped[datetime]


class CallQualitySample(Base):
    __tablename__ = "call_quality_samples"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("call_records.id"), index=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    at: Mapped[datetime]
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    rtt_ms: Mapped[float | None] = mapped_column(nullable=True)
    packet_loss_pct: Mapped[float | None] = mapped_column(nullable=True)
    bitrate_in_kbps: Mapped[float | None] = mapped_column(nullable=True)
    bitrate_out_kbps: Mapped[float | None] = mapped_column(nullable=True)
    frames_per_second: Mapped[float | None] = mapped_column(nullable=True)
    frame_width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    frame_height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    frames_decoded: Mapped[int | None] = mapped_column(Integer, nullable=True)
    audio_packets_received: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The browser's media path when it took the sample: "p2p" or "turn" (None: not reported).
    media_path: Mapped[str | None] = mapped_column(String(8), nullable=True)


class SignalingNode(Base):
    """Each serving process heartbeats here; calls owned by a node that stopped are ended by the others."""

    __tablename__ = "signaling_nodes"
    node_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
