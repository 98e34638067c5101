"""Composition root: settings → adapters → services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import structlog
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from videophone.adapters import keyring
from videophone.adapters.blobs import make_blob_store
from videophone.adapters.bus import Bus, MemoryBus, RedisBus
from videophone.adapters.clock import Clock, OffsetFileClock, SystemClock
from videophone.adapters.db.engine import make_engine, make_sessionmaker
from videophone.adapters.db.reads import make_reads
from videophone.adapters.db.uow import UnitOfWork
from videophone.adapters.events import Events
from videophone.adapters.lines import Lines, MemoryLines, RedisLines
from videophone.adapters.mail import FileMailer, Mailer, SmtpMailer
from videophone.adapters.passwords import Argon2Hasher
from videophone.adapters.payment_gateway import BuiltinGatewayClient
from videophone.adapters.presence import MemoryPresence, Presence, RedisPresence
from videophone.adapters.redis_client import redis_client
from videophone.adapters.rtpengine import RtpEngine
from videophone.adapters.sip_edge_rpc import EdgeRpc
from videophone.adapters.sms import FileSmsSender, HttpSmsSender, SmsSender
from videophone.adapters.webpush import WebPush, load_or_create_vapid
from videophone.billing.services.billing import BillingService
from videophone.billing.services.disputes import DisputeService
from videophone.billing.services.ledger import AdjustmentService
from videophone.billing.services.orders import OrderService
from videophone.billing.services.rating import RatingService
from videophone.billing.services.tariffs import TariffService
from videophone.calling.services.calls import CallHistoryService
from videophone.calling.services.contacts import ContactService
from videophone.calling.services.forwarding import ForwardingService
from videophone.calling.services.missed_calls import MissedCallService
from videophone.calling.services.signaling import SignalingHub, default_node_id
from videophone.calling.services.sip_gateway import GatewayConfig, SipDevice, SipGateway
from videophone.calling.services.voicemail import VoicemailService
from videophone.calling.services.voicemail_admin import VoicemailAdminService
from videophone.collections.services.arrears import ArrearsService
from videophone.collections.services.credit import CreditService
from videophone.collections.services.late_fees import LateFeeService
from videophone.collections.services.payments import PaymentService
from videophone.collections.services.termination_service import TerminationService
from videophone.common.account_history import AccountHistoryService
from videophone.common.audit import AuditService
from videophone.common.deps import AuthLimits, Deps
from videophone.common.policy import PolicyService
from videophone.config import Settings, SettingsError
from videophone.enforcement.services.lawful import LawfulService
from videophone.enforcement.services.violations import ViolationService
from videophone.identity.services import numbers
from videophone.identity.services.agreement import AgreementService
from videophone.identity.services.audit_log import AuditLogService
from videophone.identity.services.auth import AuthService
from videophone.identity.services.numbers import NumberService
from videophone.identity.services.review import ReviewService
from videophone.identity.services.staff import StaffService
from videophone.identity.services.subscribers import SubscriberService
from videophone.kernel.events import (
    BalanceReduced,
    CallsEnded,
    FeatureStarted,
    FeatureStopped,
    RestrictionChanged,
    SubscriberTerminated,
)
from videophone.notices.services.announcements import AnnouncementService
from videophone.notices.services.notifications import NotificationService
from videophone.notices.services.outages import OutageService
from videophone.notices.services.push import PushService
from videophone.reporting.services.dashboard import DashboardService
from videophone.terminals import public as terminals_public
from videophone.terminals.services.releases import ReleaseService
from videophone.terminals.services.sip_credentials import EdgeRegistrations, SipCredentialService, SipThrottle
from videophone.terminals.services.terminal_views import SipSettings
from videophone.terminals.services.terminals import TerminalService

log = structlog.get_logger(__name__)


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    deps: Deps
    auth: AuthService
    subscribers: SubscriberService
    review: ReviewService
    policy: PolicyService
    agreement: AgreementService
    numbers: NumberService
    staff: StaffService
    audit: AuditService
    audit_log: AuditLogService
    signaling: SignalingHub
    calls: CallHistoryService
    contacts: ContactService
    forwarding: ForwardingService
    tariffs: TariffService
    orders: OrderService
    rating: RatingService
    billing: BillingService
    adjustments: AdjustmentService
    notifications: NotificationService
    push: PushService
    missed_calls: MissedCallService
    account_history: AccountHistoryService
    arrears: ArrearsService
    termination: TerminationService
    late_fees: LateFeeService
    payments: PaymentService
    credit: CreditService
    disputes: DisputeService
    announcements: AnnouncementService
    terminals: TerminalService
    sip: SipCredentialService
    violations: ViolationService
    lawful: LawfulService
    releases: ReleaseService
    outages: OutageService
    dashboard: DashboardService
    voicemail: VoicemailService
    voicemail_admin: VoicemailAdminService
    sip_gateway: SipGateway | None = None  # SIP phones' calls (issue 16), when VIDEOPHONE_SIP_GATEWAY_LISTEN is set
    redis: Redis | None = None  # the node's Redis client when VIDEOPHONE_REDIS_URL is set (for /readyz)

    async def start_storage(self) -> None:
        """The blob store (video messages): creates its directory or bucket, or says what is wrong."""
        await self.deps.blobs.prepare()

    async def ensure_reference_data(self) -> None:
        """Version 1 of the policy and of the agreement, if the database has none yet."""
        await self.policy.ensure_initial()
        await self.agreement.ensure_initial()

    async def close(self) -> None:
        await self.signaling.bus.close()
        await self.deps.blobs.aclose()
        await self.engine.dispose()


def _mailer(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
    return FileMailer(settings.data_dir / "mail", settings.mail_from)


def _sms(settings: Settings) -> SmsSender:
    if settings.sms_url:
        return HttpSmsSender(settings.sms_url, settings.sms_token)
    return FileSmsSender(settings.data_dir / "sms")


def settings_clock(settings: Settings) -> Clock:
    """The clock of the settings: real time, plus the clock file's offset in demo mode and tests."""
    return OffsetFileClock(settings.clock_file) if settings.clock_file else SystemClock()


def _webpush(settings: Settings) -> WebPush | None:
    vapid = load_or_create_vapid(
        configured=settings.vapid_private_key, key_file=settings.vapid_key_file(), create=settings.demo
    )
    if vapid is None:
        log.warning("no VAPID key (VIDEOPHONE_VAPID_PRIVATE_KEY): Web Push is off")
        return None
    return WebPush(vapid, settings.vapid_subject, allow_insecure=settings.push_allow_insecure)


def _sip(settings: Settings, deps: Deps) -> SipCredentialService:
    host, port = settings.sip_registrar_address()
    sip = SipSettings(
        domain=settings.sip_domain,
        registrar_host=host,
        registrar_port=port,
        realm=settings.effective_sip_realm(),
        transports=tuple(t.strip().lower() for t in settings.sip_transports.split(",") if t.strip()),
        stun_urls=settings.turn_config().stun_urls,
    )
    throttle = SipThrottle(
        free_per_user=settings.sip_free_failures,
        max_failures_per_source=settings.sip_max_failures_per_source,
        window_seconds=settings.sip_window_seconds,
        lockout_seconds=settings.sip_lockout_seconds,
    )
    try:
        edge = EdgeRpc(settings.sip_edge_rpc_url) if settings.sip_edge_rpc_url else None
    except ValueError as exc:
        raise SettingsError(f"VIDEOPHONE_SIP_EDGE_RPC_URL: {exc}") from None
    return SipCredentialService(deps, sip, throttle, edge)


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    hasher: Argon2Hasher | None = None,
    mailer: Mailer | None = None,
    sms: SmsSender | None = None,
) -> Container:
    settings.check_secrets()
    cipher = keyring.load(
        ring_file=settings.key_ring_file(),
        configured=settings.data_key,
        key_file=settings.key_file(),
        create=settings.demo,
    ).cipher()
    engine = make_engine(settings.effective_database_url())
    bus: Bus
    presence: Presence
    lines: Lines
    client: Redis | None = None
    if settings.redis_url:
        client = redis_client(settings.redis_url)
        bus, presence, lines = RedisBus(client), RedisPresence(client), RedisLines(client)
    else:
        bus, presence, lines = MemoryBus(), MemoryPresence(), MemoryLines()
    sessionmaker = make_sessionmaker(engine)
    events: Events[UnitOfWork] = Events()
    deps = Deps(
        uow=lambda: UnitOfWork(sessionmaker, events),
        clock=clock or settings_clock(settings),
        cipher=cipher,
        hasher=hasher or Argon2Hasher(),
        blobs=make_blob_store(settings, data_key=cipher),
        reads=make_reads(engine),
        limits=AuthLimits(
            session_days=settings.session_days,
            free_attempts=settings.login_free_attempts,
            first_delay_seconds=settings.login_first_delay_seconds,
            max_delay_seconds=settings.login_max_delay_seconds,
            forget_seconds=settings.login_forget_seconds,
            max_failures_per_ip=settings.login_max_failures_per_ip,
            window_seconds=settings.login_window_seconds,
            ip_lockout_seconds=settings.login_ip_lockout_seconds,
            password_reset_minutes=settings.password_reset_minutes,
        ),
        mailer=mailer or _mailer(settings),
        sms=sms or _sms(settings),
        public_url=settings.effective_public_url(),
        operator_tz=ZoneInfo(settings.time_zone),
        events=events,
        webpush=_webpush(settings),
    )
    credit = CreditService(deps)
    sip = _sip(settings, deps)
    container = Container(
        settings=settings,
        engine=engine,
        deps=deps,
        auth=AuthService(deps),
        subscribers=SubscriberService(deps),
        review=ReviewService(deps),
        policy=PolicyService(deps),
        agreement=AgreementService(deps),
        numbers=NumberService(deps),
        staff=StaffService(deps),
        audit=AuditService(deps),
        audit_log=AuditLogService(deps),
        calls=CallHistoryService(deps),
        contacts=ContactService(deps),
        forwarding=ForwardingService(deps),
        tariffs=TariffService(deps),
        orders=OrderService(deps),
        signaling=SignalingHub(
            deps,
            bus,
            presence,
            node_id=settings.node_id or default_node_id(),
            turn=settings.turn_config(),
            node_stale_seconds=settings.node_stale_seconds,
            sweep_seconds=settings.sweep_seconds,
            lines=lines,
            credit=credit,  # the credit limit in real time
        ),
        rating=RatingService(deps),
        billing=BillingService(deps),
        adjustments=AdjustmentService(deps),
        notifications=NotificationService(deps),
        push=PushService(deps),
        missed_calls=MissedCallService(deps),
        account_history=AccountHistoryService(deps),
        arrears=ArrearsService(deps),
        termination=TerminationService(deps),
        late_fees=LateFeeService(deps),
        payments=PaymentService(
            deps,
            BuiltinGatewayClient(
                settings.effective_gateway_url(), settings.gateway_merchant_id, settings.effective_gateway_secret()
            ),
        ),
        credit=credit,
        disputes=DisputeService(deps),
        announcements=AnnouncementService(deps),
        terminals=TerminalService(deps, sip),
        sip=sip,
        violations=ViolationService(deps),
        lawful=LawfulService(deps),
        releases=ReleaseService(deps),
        outages=OutageService(deps),
        dashboard=DashboardService(deps),
        voicemail=VoicemailService(deps),
        voicemail_admin=VoicemailAdminService(deps),
    )
    container.sip_gateway = _sip_gateway(settings, container)
    container.redis = client
    subscribe(events, container)
    return container


class _PhoneRegistrations:
    """The terminals context's registrations, told to the SIP gateway; revocations end them at the edge
    (``ul.rm``) and in the gateway."""

    def __init__(self, gateway: SipGateway, edge: EdgeRegistrations | None) -> None:
        self.gateway = gateway
        self.edge = edge

    async def registered(self, subscriber_id: int, credential_id: int, auth_user: str, until: datetime | None) -> None:
        await self.gateway.registered(SipDevice(subscriber_id, credential_id, auth_user), until)

    async def drop(self, aors: Sequence[str]) -> None:
        if self.edge is not None:
            await self.edge.drop(aors)
        try:
            await self.gateway.drop(aors)
        except Exception:
            log.exception("the SIP gateway could not end registrations")


def _sip_gateway(settings: Settings, c: Container) -> SipGateway | None:
    addresses = settings.sip_gateway_addresses()
    if addresses is None:
        return None
    listen, edge = addresses
    deps = c.deps

    async def lookup(auth_user: str) -> SipDevice | None:
        found = await terminals_public.phone_of(deps, auth_user)
        return None if found is None else SipDevice(found[0], found[1], auth_user)

    async def registrations(now: datetime) -> list[tuple[SipDevice, datetime]]:
        return [
            (SipDevice(s, cid, user), until)
            for s, cid, user, until in await terminals_public.registered_phones(deps, now)
        ]

    gateway = SipGateway(
        c.signaling,
        RtpEngine(settings.sip_media_ng_address()),
        GatewayConfig(listen, edge, settings.sip_domain, settings.sip_edge_secret, settings.sip_gateway_host),
        lookup,
        registrations,
    )
    phones = _PhoneRegistrations(gateway, c.sip.edge)
    c.sip.devices = phones
    c.sip.edge = phones
    return gateway


def subscribe(events: Events[UnitOfWork], c: Container) -> None:
    """Who reacts to what (ADR 0007).  In the transaction: what must hold together with the fact.
    After the commit: what reaches outside the database; a failure there is logged."""
    # Whatever reduces what is owed (payments, dispute and staff credits, outage credits) restores a
    # service suspended for arrears, lifts a credit-limit bar and closes a settled termination — in
    # the transaction that posted the money (R-24, R-26, R-32; ADR 0005).
    events.in_transaction(BalanceReduced, c.arrears.on_balance_reduced)
    events.in_transaction(BalanceReduced, c.credit.on_balance_reduced)
    events.in_transaction(BalanceReduced, c.termination.on_balance_reduced)
    # Violations, lawful suspensions and arrears end forbidden calls in progress at once (R-30, R-31,
    # R-24), on every node.
    events.after_commit(RestrictionChanged, c.signaling.on_restriction_changed)
    # Ended calls are rated, then checked against the credit limit, in signaling's batches.
    events.after_commit(CallsEnded, c.rating.on_calls_ended)
    events.after_commit(CallsEnded, c.credit.on_calls_ended)
    # A call ended unanswered leaves its callee a missed-call notification (in-app, push: R-36).
    events.after_commit(CallsEnded, c.missed_calls.on_calls_ended)
    # An account that ended takes its video mailbox with it.
    events.after_commit(SubscriberTerminated, c.voicemail_admin.on_subscriber_terminated)
    # A lawful suspension or the end of the account ends the subscriber's SIP registrations at the edge
    # at once (their next REGISTER is refused anyway; issue 16).
    events.after_commit(RestrictionChanged, c.sip.on_restriction_changed)
    events.after_commit(SubscriberTerminated, c.sip.on_restriction_changed)
    # A value-added service bound to a calling feature that needs more than the subscription (issue 14):
    # the second number takes a number from the pool with its order, and gives it back to
    # quarantine the moment it stops — in the same transaction.
    events.in_transaction(FeatureStarted, numbers.on_feature_started)
    events.in_transaction(FeatureStopped, numbers.on_feature_stopped)
