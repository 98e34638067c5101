"""Tables of staff, subscribers, numbers, policy and agreement versions, sessions, review and audit.  Changes
here need an Alembic migration (``migrations/versions``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from videophone.adapters.db.models_base import Base, BigId


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
    """Every number ever handed out: assigned, or quarantined until a date (then reusable).  An assigned
    number is its subscriber's ``primary`` one (``subscribers.number``) or their ``second`` number
    (第二号码, R-19: held while the service is, at most one)."""

    __tablename__ = "phone_numbers"
    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(nullable=True)
    quarantined_until: Mapped[datetime | None] = mapped_column(nullable=True)
    role: Mapped[str] = mapped_column(String(16), default="primary", server_default="primary")

    # A subscriber's numbers (the second number at the invite, in the portal).
    __table_args__ = (Index("ix_phone_numbers_subscriber_role", "subscriber_id", "role"),)


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
    # An English translation for convenience (migration 0020; "" when none): the Chinese text prevails.
    template_en: Mapped[str] = mapped_column(Text, default="")
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
    one row per key, reserved by one conditional upsert per attempt (identity/store/throttles.py)."""

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
