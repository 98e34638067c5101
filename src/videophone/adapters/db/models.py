"""Tables.  Changes here need an Alembic migration (``migrations/versions``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from videophone.adapters.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class StaffUser(Base):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(200))  # comma-separated StaffRole values
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8), default="zh-CN")
    created_at: Mapped[datetime]


class Subscriber(Base):
    __tablename__ = "subscribers"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    contact_phone: Mapped[str] = mapped_column(String(20))
    postal_code: Mapped[str] = mapped_column(String(6))
    legal_representative: Mapped[str] = mapped_column(String(50), default="")
    id_type: Mapped[str] = mapped_column(String(40))
    # Personal data, AES-GCM encrypted (adapters.crypto.FieldCipher), with a masked copy for display.
    id_number_enc: Mapped[str] = mapped_column(Text)
    id_number_masked: Mapped[str] = mapped_column(String(40))
    id_number_index: Mapped[str] = mapped_column(String(64), index=True)
    birth_date_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    address_enc: Mapped[str] = mapped_column(Text)
    employer_enc: Mapped[str] = mapped_column(Text)
    review_state: Mapped[str] = mapped_column(String(32), index=True)
    review_reason: Mapped[str] = mapped_column(Text, default="")
    documents_requested_at: Mapped[datetime | None] = mapped_column(nullable=True)
    service_state: Mapped[str] = mapped_column(String(32), default="active")
    # Why the service is restricted (the reason of the restriction that decides service_state), shown
    # to the subscriber when a call is refused: arrears | credit_limit | violation | lawful | "".
    service_reason: Mapped[str] = mapped_column(String(24), default="")
    # The monthly credit limit the subscriber chose, in fen; None: no limit.
    credit_limit_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    language: Mapped[str] = mapped_column(String(8), default="zh-CN")
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PhoneNumber(Base):
    """Every number ever handed out: assigned, or quarantined until a date (then reusable)."""

    __tablename__ = "phone_numbers"
    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(nullable=True)
    quarantined_until: Mapped[datetime | None] = mapped_column(nullable=True)


class NumberChange(Base):
    __tablename__ = "number_changes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    old_number: Mapped[str] = mapped_column(String(20))
    new_number: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    at: Mapped[datetime]


class PolicyVersion(Base):
    __tablename__ = "policy_versions"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    values: Mapped[dict[str, Any]]
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    changed_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")


class AgreementVersion(Base):
    __tablename__ = "agreement_versions"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    template: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime]
    effective_at: Mapped[datetime]


class AgreementAcceptance(Base):
    __tablename__ = "agreement_acceptances"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    agreement_version: Mapped[int] = mapped_column(ForeignKey("agreement_versions.version"))
    policy_version: Mapped[int] = mapped_column(ForeignKey("policy_versions.version"))
    accepted_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(16))  # web | api | terminal
    method: Mapped[str] = mapped_column(String(16), default="explicit")  # explicit | deemed
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(400), default="")


class AuthSession(Base):
    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    principal_type: Mapped[str] = mapped_column(String(16))  # subscriber | staff
    principal_id: Mapped[int] = mapped_column(BigId)
    kind: Mapped[str] = mapped_column(String(16))  # browser | api
    csrf_token: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(100), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)

    __table_args__ = (Index("ix_auth_sessions_principal", "principal_type", "principal_id"),)


class PasswordReset(Base):
    __tablename__ = "password_resets"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)
    ip: Mapped[str] = mapped_column(String(64), default="")


class LoginThrottle(Base):
    """Attempts counted per key (an account from one address, an address; domain/throttling.py):
    one row per key, reserved by one conditional upsert per attempt (adapters/db/throttles.py)."""

    __tablename__ = "login_throttles"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[datetime]
    next_allowed_at: Mapped[datetime]

    __table_args__ = (Index("ix_login_throttles_window_started_at", "window_started_at"),)


class ReviewDecision(Base):
    __tablename__ = "review_decisions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    at: Mapped[datetime]


class IdentityDocument(Base):
    __tablename__ = "identity_documents"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content_enc: Mapped[bytes] = mapped_column(LargeBinary)  # AES-GCM sealed bytes
    uploaded_at: Mapped[datetime]


class AuditRecord(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_type: Mapped[str] = mapped_column(String(16))  # staff | subscriber | system
    actor_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]]
    ip: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)


# -- calling (issue 3) ---------------------------------------------------------------------------------
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
    node_id: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16))  # ringing | answered | ended
    started_at: Mapped[datetime] = mapped_column(index=True)
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    outcome: Mapped[str] = mapped_column(String(24), default="")
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    billable_seconds: Mapped[int] = mapped_column(Integer, default=0)
    callee_seen_at: Mapped[datetime | None] = mapped_column(nullable=True)  # missed-call badge

    # A party's calls in time order (history; the caller's index holds everything rating reads of a
    # month, so rating never visits the table: migration 0012); the calls still going, a handful
    # whatever the size of the table (busy checks, live calls, the sweeper).
    __table_args__ = (
        Index(
            "ix_call_records_caller_started", "caller_id", "started_at", "id", "billable_seconds", "outcome", "state"
        ),
        Index("ix_call_records_callee_started", "callee_id", "started_at"),
        Index(
            "ix_call_records_open",
            "state",
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )


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


class SignalingNode(Base):
    """Each serving process heartbeats here; calls owned by a node that stopped are ended by the others."""

    __tablename__ = "signaling_nodes"
    node_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


# -- tariffs, orders, rating, bills, ledger (issue 4) -------------------------------------------------
class Plan(Base):
    """A package (套餐): monthly rent, included minutes, per-minute rate beyond, billing increment."""

    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class PlanPrice(Base):
    """Prices are effective-dated: a change applies from a date, calls keep the price of their time."""

    __tablename__ = "plan_prices"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    monthly_rent_fen: Mapped[int] = mapped_column(BigInteger)
    included_minutes: Mapped[int] = mapped_column(Integer)
    rate_per_minute: Mapped[Decimal] = mapped_column(Numeric(12, 4))  # yuan, may be finer than a fen
    first_increment_seconds: Mapped[int] = mapped_column(Integer)  # e.g. 60
    next_increment_seconds: Mapped[int] = mapped_column(Integer)  # e.g. 60, or 6
    created_at: Mapped[datetime]

    __table_args__ = (Index("uq_plan_prices_plan_from", "plan_id", "effective_from", unique=True),)


class ValueAddedService(Base):
    __tablename__ = "value_added_services"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class VasPrice(Base):
    __tablename__ = "vas_prices"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    vas_id: Mapped[int] = mapped_column(ForeignKey("value_added_services.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    monthly_fee_fen: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]

    __table_args__ = (Index("uq_vas_prices_vas_from", "vas_id", "effective_from", unique=True),)


class PlanSubscription(Base):
    """Which plan a subscriber is on, over time ([start_date, end_date), end open while current)."""

    __tablename__ = "plan_subscriptions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), nullable=True)


class VasSubscription(Base):
    __tablename__ = "vas_subscriptions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    vas_id: Mapped[int] = mapped_column(ForeignKey("value_added_services.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), nullable=True)


class Order(Base):
    """An order (订单): an annex of the agreement with equal force; immutable once confirmed."""

    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # plan_change | vas_add | vas_remove | initial_plan
    state: Mapped[str] = mapped_column(String(16))  # confirmed
    effective_date: Mapped[date] = mapped_column(Date)
    agreement_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(16), default="web")


class OrderItem(Base):
    __tablename__ = "order_items"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    item_kind: Mapped[str] = mapped_column(String(8))  # plan | vas
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))  # subscribe | change | add | remove
    monthly_fee_fen: Mapped[int] = mapped_column(BigInteger)
    price_detail: Mapped[dict[str, Any]]  # the full price terms at the time of the order


class CallCharge(Base):
    """The rating of one call record (idempotent: one row per call, recomputed identically)."""

    __tablename__ = "call_charges"
    # No foreign keys (migration 0012, ADR 0006): charges are derived data, written only by rating
    # from the call records it read in the same transaction (never deleted; the record names the
    # caller, who is the subscriber charged), and can be derived again at any time.  A month's
    # rating writes a row per call; on PostgreSQL each foreign key was a locking look-up per row.
    call_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(BigId)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM in the operator's calendar
    plan_price_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    rated_seconds: Mapped[int] = mapped_column(Integer)
    included_seconds: Mapped[int] = mapped_column(Integer)
    charged_seconds: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    rated_at: Mapped[datetime]

    __table_args__ = (Index("ix_call_charges_subscriber_period", "subscriber_id", "period"),)


class LedgerTransaction(Base):
    """A balanced journal entry; ``idempotency_key`` makes every posting happen at most once."""

    __tablename__ = "ledger_transactions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))  # charge | payment | adjustment | credit | late_fee | refund
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), nullable=True, index=True)
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"), nullable=True)
    period: Mapped[str | None] = mapped_column(String(7), nullable=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    memo: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)


class LedgerLine(Base):
    """Positive = debit, negative = credit; the lines of a transaction sum to zero."""

    __tablename__ = "ledger_lines"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account: Mapped[str] = mapped_column(String(40))  # receivable | revenue:rent | revenue:usage | …
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), nullable=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_ledger_lines_account_subscriber", "account", "subscriber_id"),)


class Bill(Base):
    __tablename__ = "bills"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    period: Mapped[str] = mapped_column(String(7))
    issued_at: Mapped[datetime]
    due_date: Mapped[date] = mapped_column(Date)
    previous_balance_fen: Mapped[int] = mapped_column(BigInteger)
    payments_fen: Mapped[int] = mapped_column(BigInteger)
    new_charges_fen: Mapped[int] = mapped_column(BigInteger)
    total_due_fen: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16))  # issued
    run_id: Mapped[int | None] = mapped_column(ForeignKey("bill_runs.id"), nullable=True)

    __table_args__ = (Index("uq_bills_subscriber_period", "subscriber_id", "period", unique=True),)


class BillLine(Base):
    __tablename__ = "bill_lines"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # rent | vas | usage | adjustment | credit | late_fee
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[str] = mapped_column(String(40), default="")
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class BillRun(Base):
    __tablename__ = "bill_runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    started_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    accounts: Mapped[int] = mapped_column(Integer, default=0)
    bills_created: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16))  # running | finished | failed
    # the running process's last sign of life (at start and after every chunk): a run still
    # "running" whose heartbeat is older than the lease was killed (services.billing.RUN_LEASE)
    heartbeat_at: Mapped[datetime]


# -- payments, arrears, credit limit, disputes, notifications (R-23..R-26, R-35) ------------------------
class ServiceRestriction(Base):
    """One reason the service is restricted (R-24 arrears, R-26 credit limit, R-30 violation, R-31
    lawful); ``subscribers.service_state`` is derived from the open ones (services.restrictions)."""

    __tablename__ = "service_restrictions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    reason: Mapped[str] = mapped_column(String(24))  # arrears | credit_limit | violation | lawful
    scope: Mapped[str] = mapped_column(String(16))  # outgoing | all
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    started_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AccountEvent(Base):
    """The subscriber's account history: what happened to their service and money, as they see it."""

    __tablename__ = "account_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Notification(Base):
    """An in-app notification; its email/SMS copies are ``outbox`` rows written in the same transaction."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None] = mapped_column(nullable=True)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | sms
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)


class PaymentIntent(Base):
    """A payment started in the portal and completed on the gateway's hosted page (R-23)."""

    __tablename__ = "payment_intents"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), index=True)  # pending | paid | failed | cancelled
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"), nullable=True)
    gateway_trade_no: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    paid_at: Mapped[datetime | None] = mapped_column(nullable=True)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"), nullable=True)


class Payment(Base):
    """Money received: through the gateway, or at a counter (cash, bank transfer) with a receipt number."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # gateway | cash | bank_transfer
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    receipt_no: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # the intent it paid: one payment normally, two when the subscriber paid one intent twice
    intent_id: Mapped[str | None] = mapped_column(ForeignKey("payment_intents.id"), nullable=True, index=True)
    # the gateway's trade number: a gateway payment is credited at most once per trade
    gateway_trade_no: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # how it arrived: counter | notification | reconciliation, or — flagged to billing staff —
    # late_after_cancel | late_after_expiry (the intent was closed first) | double_payment
    arrival: Mapped[str] = mapped_column(String(24))
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    received_at: Mapped[datetime]
    created_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")


class Refund(Base):
    __tablename__ = "refunds"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(16))  # cash | bank_transfer | gateway
    reason: Mapped[str] = mapped_column(Text)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    created_at: Mapped[datetime]


class GatewayNotification(Base):
    """Every notification the gateway sent, kept as received (bad signatures included)."""

    __tablename__ = "gateway_notifications"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    intent_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    received_at: Mapped[datetime]
    signature_ok: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(24))  # applied | duplicate | ignored | bad_signature | …
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote: Mapped[str] = mapped_column(String(64), default="")


class LateFeeAccrual(Base):
    """One day's late fee of one account (R-24): at most one row per (subscriber, day)."""

    __tablename__ = "late_fee_accruals"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    day: Mapped[date] = mapped_column(Date)
    principal_fen: Mapped[int] = mapped_column(BigInteger)
    fee_fen: Mapped[int] = mapped_column(BigInteger)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"), nullable=True)
    created_at: Mapped[datetime]

    __table_args__ = (Index("uq_late_fee_accruals_subscriber_day", "subscriber_id", "day", unique=True),)


class CreditReservation(Base):
    """Online charging (R-26): the amount a call in progress may still spend, held until it is rated."""

    __tablename__ = "credit_reservations"
    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    reserved_fen: Mapped[int] = mapped_column(BigInteger)
    max_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: no limit applies
    created_at: Mapped[datetime]
    released_at: Mapped[datetime | None] = mapped_column(nullable=True)


class CreditWarning(Base):
    """A credit-limit warning (80 %, 100 %) sent for a period — once each."""

    __tablename__ = "credit_warnings"
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime]


class Dispute(Base):
    """A billing dispute (R-25) about a bill or one call's charge."""

    __tablename__ = "disputes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    call_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)  # open | adjusted | rejected
    opened_at: Mapped[datetime]
    due_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    resolution: Mapped[str] = mapped_column(Text, default="")
    credit_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"), nullable=True)


# The tables of later features live in their own modules; importing them here registers them on
# ``Base.metadata`` wherever the models are loaded (the service, Alembic, the tests).
from videophone.adapters.db import (  # noqa: E402
    models_announcements,
    models_enforcement,
    models_outages,
    models_preferences,
    models_terminals,
    models_termination,
)

FEATURE_MODELS = (
    models_enforcement,
    models_termination,
    models_announcements,
    models_outages,
    models_terminals,
    models_preferences,
)
