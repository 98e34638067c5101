"""What every service is built with (wired in ``videophone.bootstrap``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from videophone.adapters.blobs import BlobStore
from videophone.adapters.clock import Clock
from videophone.adapters.crypto import FieldCipher
from videophone.adapters.db.reads import ReadsFactory
from videophone.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from videophone.adapters.events import Events
from videophone.adapters.mail import Mailer, MemoryMailer
from videophone.adapters.password_strength import zxcvbn_strength
from videophone.adapters.passwords import Argon2Hasher
from videophone.adapters.sms import MemorySmsSender, SmsSender
from videophone.adapters.webpush import WebPush
from videophone.identity.domain.passwords import StrengthEstimator
from videophone.kernel.events import ActorRef


@dataclass(frozen=True)
class AuthLimits:
    session_days: int = 30
    free_attempts: int = 3  # per account and source address, then delays (domain/throttling.py)
    first_delay_seconds: int = 1
    max_delay_seconds: int = 900
    forget_seconds: int = 86_400
    max_failures_per_ip: int = 30  # per source address and window, then a lock-out of that address
    window_seconds: int = 900
    ip_lockout_seconds: int = 900
    password_reset_minutes: int = 30


@dataclass(frozen=True)
class Deps:
    uow: UnitOfWorkFactory
    clock: Clock
    cipher: FieldCipher
    hasher: Argon2Hasher
    # Large binary content — video messages — encrypted at rest (adapters/blobs); ``prepare()``d at
    # start, closed with the container.
    blobs: BlobStore
    # Read-only statements outside any transaction (adapters/db/reads): the signaling hub's hot reads.
    reads: ReadsFactory
    password_strength: StrengthEstimator = dataclasses.field(default=zxcvbn_strength)  # domain/passwords.py
    limits: AuthLimits = AuthLimits()
    mailer: Mailer = dataclasses.field(default_factory=MemoryMailer)
    sms: SmsSender = dataclasses.field(default_factory=MemorySmsSender)  # notifications by SMS
    public_url: str = "http://127.0.0.1:8000"
    # Billing periods, "today" and day filters follow the operator's calendar (SPEC: default Asia/Shanghai).
    operator_tz: ZoneInfo = dataclasses.field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    # Who reacts to what (ADR 0007): the registry every unit of work of ``uow`` publishes to.  Services
    # publish through ``uow.publish``; signaling reads the listeners of the calls it ended.
    events: Events[UnitOfWork] = dataclasses.field(default_factory=Events)
    # Web Push: signed with the operator's VAPID key; ``None``: no key, push is off.
    webpush: WebPush | None = None


@dataclass(frozen=True)
class Actor:
    """Who is doing something, for the audit log."""

    type: str  # staff | subscriber | system
    id: int | None
    ip: str = ""

    @staticmethod
    def system() -> Actor:
        return Actor("system", None)

    @staticmethod
    def of(ref: ActorRef) -> Actor:
        """The actor an event carries (``kernel.events.ActorRef``), for the audit."""
        return ref if isinstance(ref, Actor) else Actor(ref.type, ref.id, ref.ip)
