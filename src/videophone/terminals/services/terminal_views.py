"""What the terminal service answers (units, claims, tokens, provisioning), built from the rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from videophone.adapters.db.models_terminals import SipCredential, Terminal, WarrantyClaim
from videophone.adapters.db.uow import UnitOfWork
from videophone.kernel.errors import NotFound
from videophone.terminals.domain import sip_credentials as sip_rules
from videophone.terminals.domain import terminals as rules
from videophone.terminals.services.releases import ReleaseView, newest_release
from videophone.terminals.store import claims as claim_store
from videophone.terminals.store import sip_credentials as sip_store
from videophone.terminals.store import subscribers as subscriber_store
from videophone.terminals.store import terminals as store

MAX_PAGE = 200


@dataclass(frozen=True)
class TerminalView:
    id: int
    serial: str
    model: str
    state: str
    owner: str
    subscriber_id: int | None
    subscriber_number: str
    installed_on: date | None
    warranty_end: date | None
    voided_on: date | None
    void_note: str
    in_warranty: bool
    replaces_serial: str
    has_token: bool
    last_seen_at: datetime | None
    reported_version: str
    sip: SipState | None = None  # its SIP credential in force, if any
    upgrade_available: bool = False  # it reported a version older than the newest terminal release


@dataclass(frozen=True)
class SipState:
    """A phone's SIP credential and its last registration as the edge reported it."""

    auth_user: str
    registered: bool
    last_register_at: datetime | None
    registered_until: datetime | None
    user_agent: str
    address: str


def sip_state(cred: SipCredential, now: datetime) -> SipState:
    return SipState(
        auth_user=cred.auth_user,
        registered=sip_rules.is_registered(cred.registered_until, cred.revoked_at is not None, now),
        last_register_at=cred.last_register_at,
        registered_until=cred.registered_until,
        user_agent=cred.last_user_agent,
        address=cred.last_address,
    )


@dataclass(frozen=True)
class SipSettings:
    """Where phones register and what they should use (``VIDEOPHONE_SIP_*``)."""

    domain: str
    registrar_host: str
    registrar_port: int
    realm: str
    transports: tuple[str, ...] = ("udp", "tcp")
    stun_urls: tuple[str, ...] = ()
    video_codecs: tuple[str, ...] = ("H264/90000 profile-level-id=42e01f", "VP8/90000")
    audio_codecs: tuple[str, ...] = ("opus/48000/2", "PCMA/8000")


@dataclass(frozen=True)
class SipProvisioning:
    """A phone's SIP account: ``password`` only when it was just made (shown once), else ""."""

    registrar: SipSettings
    auth_user: str
    password: str


@dataclass(frozen=True)
class PhotoInfo:
    id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ClaimView:
    id: int
    terminal_id: int
    serial: str
    model: str
    subscriber_id: int
    subscriber_number: str
    description: str
    state: str
    filed_at: datetime
    warranty_end: date
    decided_at: datetime | None
    cause: str
    note: str
    replacement_serial: str
    photos: list[PhotoInfo]


@dataclass(frozen=True)
class IssuedToken:
    terminal: TerminalView
    token: str  # shown once


@dataclass(frozen=True)
class Decided:
    claim: ClaimView
    replacement_token: str | None  # the replacement unit's token, shown once


@dataclass(frozen=True)
class Provisioning:
    serial: str
    model: str
    number: str
    warranty_end: date | None
    release: ReleaseView | None
    upgrade: bool
    mandatory: bool
    sip: SipProvisioning | None = None


def page_size(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


async def load_terminal(uow: UnitOfWork, terminal_id: int, *, lock: bool = False) -> Terminal:
    row = await uow.session.get(Terminal, terminal_id, with_for_update=lock)
    if row is None:
        raise NotFound("terminal_not_found")
    return row


async def terminal_view(uow: UnitOfWork, row: Terminal, today: date, now: datetime) -> TerminalView:
    """One unit as staff and its subscriber see it; ``today`` in the operator's time zone."""
    cred = await sip_store.active_of_terminal(uow.session, row.id)
    number = ""
    if row.subscriber_id is not None:
        number = await subscriber_store.number_of(uow.session, row.subscriber_id) or ""
    replaces = ""
    if row.replaces_id is not None:
        replaces = await store.serial_of(uow.session, row.replaces_id) or ""
    in_warranty = row.subscriber_id is not None and rules.eligibility(today, row.warranty_end, row.voided_on) is None
    newest = await newest_release(uow, "terminal") if row.reported_version else None
    return TerminalView(
        id=row.id,
        serial=row.serial,
        model=row.model,
        state=row.state,
        owner=row.owner,
        subscriber_id=row.subscriber_id,
        subscriber_number=number,
        installed_on=row.installed_on,
        warranty_end=row.warranty_end,
        voided_on=row.voided_on,
        void_note=row.void_note,
        in_warranty=in_warranty,
        replaces_serial=replaces,
        has_token=row.token_hash is not None,
        last_seen_at=row.last_seen_at,
        reported_version=row.reported_version,
        sip=sip_state(cred, now) if cred is not None else None,
        upgrade_available=newest is not None and rules.is_newer(newest.version, row.reported_version),
    )


async def claim_views(uow: UnitOfWork, claims: list[WarrantyClaim]) -> list[ClaimView]:
    """These claims, in their order, with their units, subscriber numbers and photos."""
    if not claims:
        return []
    terminal_ids = {c.terminal_id for c in claims} | {c.replacement_id for c in claims if c.replacement_id}
    units = await store.terminals_by_id(uow.session, terminal_ids)
    numbers = await subscriber_store.numbers_by_id(uow.session, {c.subscriber_id for c in claims})
    photos: dict[int, list[PhotoInfo]] = {}
    for p in await claim_store.photos_of(uow.session, [c.id for c in claims]):
        photos.setdefault(p.claim_id, []).append(PhotoInfo(p.id, p.filename, p.content_type, p.size))
    out = []
    for c in claims:
        unit = units[c.terminal_id]
        repl = units.get(c.replacement_id) if c.replacement_id else None
        out.append(
            ClaimView(
                id=c.id,
                terminal_id=c.terminal_id,
                serial=unit.serial,
                model=unit.model,
                subscriber_id=c.subscriber_id,
                subscriber_number=numbers.get(c.subscriber_id, ""),
                description=c.description,
                state=c.state,
                filed_at=c.filed_at,
                warranty_end=c.warranty_end,
                decided_at=c.decided_at,
                cause=c.cause,
                note=c.note,
                replacement_serial=repl.serial if repl else "",
                photos=photos.get(c.id, []),
            )
        )
    return out
