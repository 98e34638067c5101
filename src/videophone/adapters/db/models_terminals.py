"""Tables of terminals, warranty and client releases.  Changes here need an Alembic migration (0010_terminals.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from videophone.adapters.db.models_base import Base, BigId


class Terminal(Base):
    """One terminal unit (R-40): the operator's inventory, assigned to a subscriber when installed."""

    __tablename__ = "terminals"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    model: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(16), index=True)  # domain.terminals.TerminalState
    owner: Mapped[str] = mapped_column(String(16), default="operator")
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), nullable=True, index=True)
    installed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    warranty_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    voided_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # opened by others (003 §4(5))
    void_note: Mapped[str] = mapped_column(Text, default="")
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("terminals.id"), nullable=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    token_issued_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reported_version: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime]


class WarrantyClaim(Base):
    """A written warranty claim (R-41) and the decision on it."""

    __tablename__ = "warranty_claims"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"), index=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)  # domain.terminals.ClaimState
    filed_at: Mapped[datetime]
    warranty_end: Mapped[date] = mapped_column(Date)  # at filing
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    cause: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    replacement_id: Mapped[int | None] = mapped_column(ForeignKey("terminals.id"), nullable=True)


class WarrantyPhoto(Base):
    __tablename__ = "warranty_photos"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("warranty_claims.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content_enc: Mapped[bytes] = mapped_column(LargeBinary)  # AES-GCM sealed bytes
    uploaded_at: Mapped[datetime]


class ClientRelease(Base):
    """A published client release (R-34): the newest of a platform is the one clients should run."""

    __tablename__ = "client_releases"
    __table_args__ = (UniqueConstraint("platform", "version", name="uq_client_releases_platform_version"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16), index=True)  # web | terminal
    version: Mapped[str] = mapped_column(String(32))
    notes: Mapped[str] = mapped_column(Text)
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime]
    published_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)


class SipCredential(Base):
    """SIP credentials of a subscriber's phone (issue 16): an installed terminal's (``terminal_id``) or a
    softphone's (``kind`` softphone).  Only the digest HA1 is kept, never the password."""

    __tablename__ = "sip_credentials"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    terminal_id: Mapped[int | None] = mapped_column(ForeignKey("terminals.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # terminal | softphone (domain.sip_credentials)
    label: Mapped[str] = mapped_column(String(60), default="")
    auth_user: Mapped[str] = mapped_column(String(64), unique=True)
    ha1: Mapped[str] = mapped_column(String(32))  # MD5(auth_user:realm:password), hex
    realm: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_register_at: Mapped[datetime | None] = mapped_column(nullable=True)
    registered_until: Mapped[datetime | None] = mapped_column(nullable=True)
    last_user_agent: Mapped[str] = mapped_column(String(200), default="")
    last_address: Mapped[str] = mapped_column(String(200), default="")
