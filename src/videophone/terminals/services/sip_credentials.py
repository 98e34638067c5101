"""SIP credentials of terminals and softphones, and what the SIP edge asks (issue 16; ADR 0012).

The service stays the authority: Kamailio (the edge) keeps no accounts.  For each REGISTER carrying
credentials it asks :meth:`SipCredentialService.edge_auth` for the digest HA1 of the user (refused:
unknown, revoked, ended or lawfully suspended subscriber, or throttled), checks the digest itself,
tells :meth:`edge_auth_failed` about a wrong one and :meth:`edge_registered` about a registration.

Failed digests are throttled like logins (``identity``'s throttle rows, keys ``sip:…``): per digest user
and source address a few free failures, then doubling delays; per source address a lock-out after many
failures in a window — a SIP scanner trying users from one address is shut out, while the phone's owner
at another address is not.

An installed terminal gets its credential at its first provisioning (the password in that answer only);
revoking or reissuing its token, or its return to stock, revokes it, and the next provisioning with the
new token makes a new one.  A subscriber makes up to three softphone credentials on ``/account``.

Revoked credentials end their registration at the edge at once (``ul.rm`` over Kamailio's JSON-RPC),
after the revoking transaction commits; so does a lawful suspension or the end of the account for all
of the subscriber's phones.  A failure there is logged, not retried: the service already refuses the
credentials' next REGISTER, a registration ends at its expiry (at most an hour), and the edge relays
no call on a registration by itself — an outbox would guard nothing the next REGISTER does not.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import structlog

from videophone.adapters.db.models_terminals import SipCredential, Terminal
from videophone.adapters.db.uow import UnitOfWork
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.identity.domain.throttling import ThrottleRule, retry_after
from videophone.identity.public import Throttling
from videophone.kernel.errors import NotFound, PermissionDenied, Throttled
from videophone.kernel.events import RestrictionChanged, SubscriberTerminated
from videophone.terminals.domain import sip_credentials as rules
from videophone.terminals.domain.user_agents import version_from_user_agent
from videophone.terminals.services.terminal_views import SipProvisioning, SipSettings, SipState, sip_state
from videophone.terminals.store import sip_credentials as store

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class SipThrottle:
    """Failed digests: per user and source, ``free`` then doubling delays; per source a lock-out."""

    free_per_user: int = 5
    first_delay_seconds: int = 2
    max_delay_seconds: int = 900
    forget_seconds: int = 86_400
    max_failures_per_source: int = 20
    window_seconds: int = 900
    lockout_seconds: int = 900


@dataclass(frozen=True)
class SipCredentialView:
    id: int
    kind: str
    label: str
    created_at: datetime
    state: SipState


@dataclass(frozen=True)
class IssuedSip:
    credential: SipCredentialView
    password: str  # shown once
    settings: SipSettings


@dataclass(frozen=True)
class EdgeAuth:
    ha1: str
    number: str


class EdgeRegistrations(Protocol):
    """The SIP edge's registrations (``adapters/sip_edge_rpc.EdgeRpc``)."""

    async def drop(self, aors: Sequence[str]) -> None:
        """End these registrations now; a failure is logged, never raised."""


class SipDevices(Protocol):
    """Who is told of each registration after its commit (the calling context's SIP gateway)."""

    async def registered(self, subscriber_id: int, credential_id: int, auth_user: str, until: datetime | None) -> None:
        """The phone registered until ``until`` (None: it unregistered); a failure is logged."""


def new_password() -> str:
    return rules.check_password("".join(secrets.choice(rules.PASSWORD_ALPHABET) for _ in range(rules.PASSWORD_LENGTH)))


class SipCredentialService:
    def __init__(
        self,
        deps: Deps,
        settings: SipSettings,
        throttle: SipThrottle | None = None,
        edge: EdgeRegistrations | None = None,
    ) -> None:
        self.deps = deps
        self.devices: SipDevices | None = None  # set by the composition root when a gateway runs
        self.settings = settings
        self.edge = edge
        t = throttle or SipThrottle()
        self._throttling = Throttling(deps)
        self._per_user = ThrottleRule(
            free=t.free_per_user,
            first_delay=t.first_delay_seconds,
            max_delay=t.max_delay_seconds,
            window=t.forget_seconds,
        )
        self._per_source = ThrottleRule(
            free=t.max_failures_per_source,
            first_delay=t.lockout_seconds,
            max_delay=t.lockout_seconds,
            window=t.window_seconds,
        )

    # -- terminals (in the terminal service's transaction) --------------------------------------------------
    async def provision_terminal(self, uow: UnitOfWork, unit: Terminal, number: str) -> SipProvisioning:
        """The terminal's SIP account: its credential in force (no password), or a new one (the password,
        shown this once)."""
        assert unit.subscriber_id is not None
        cred = await store.active_of_terminal(uow.session, unit.id)
        if cred is not None:
            return SipProvisioning(self.settings, cred.auth_user, "")
        password = new_password()
        cred = self._new(unit.subscriber_id, unit.id, rules.CredentialKind.TERMINAL, unit.serial, number, password)
        uow.session.add(cred)
        await uow.session.flush()
        audit.record(
            uow,
            self.deps.clock.now(),
            Actor.system(),
            "sip_credential.create",
            "sip_credential",
            cred.id,
            {"kind": cred.kind, "terminal_id": unit.id, "auth_user": cred.auth_user},
        )
        return SipProvisioning(self.settings, cred.auth_user, password)

    async def revoke_terminal(self, uow: UnitOfWork, terminal_id: int, now: datetime) -> list[str]:
        """The terminal's credential stops working (its token was revoked or reissued, or it left), and
        its registration ends once the transaction commits; the digest users revoked."""
        users = await store.revoke_of_terminal(uow.session, terminal_id, now)
        self._drop_after_commit(uow, users)
        return users

    # -- softphones (the subscriber) -----------------------------------------------------------------------
    async def mine(self, subscriber_id: int) -> list[SipCredentialView]:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            return [self._view(c, now) for c in await store.softphones_of(uow.session, subscriber_id)]

    async def create_softphone(self, actor: Actor, subscriber_id: int, label: object) -> IssuedSip:
        text = rules.validate_label(label)
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            await store.lock_subscriber(uow.session, subscriber_id)
            rules.ensure_room_for_softphone(await store.count_softphones(uow.session, subscriber_id))
            service = await store.service_of(uow.session, subscriber_id)
            if service is None:
                raise NotFound("subscriber_not_found")
            password = new_password()
            cred = self._new(subscriber_id, None, rules.CredentialKind.SOFTPHONE, text, service[0], password)
            uow.session.add(cred)
            await uow.session.flush()
            audit.record(
                uow,
                now,
                actor,
                "sip_credential.create",
                "sip_credential",
                cred.id,
                {"kind": cred.kind, "label": text, "auth_user": cred.auth_user},
            )
            view = self._view(cred, now)
            await uow.commit()
            return IssuedSip(view, password, self.settings)

    async def revoke_softphone(self, actor: Actor, subscriber_id: int, credential_id: int) -> None:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            cred = await store.lock_with_id(uow.session, credential_id)
            if (
                cred is None
                or cred.subscriber_id != subscriber_id
                or cred.terminal_id is not None
                or cred.revoked_at is not None
            ):
                raise NotFound("sip_credential_not_found")
            cred.revoked_at = now
            cred.registered_until = None
            audit.record(
                uow, now, actor, "sip_credential.revoke", "sip_credential", cred.id, {"auth_user": cred.auth_user}
            )
            self._drop_after_commit(uow, [cred.auth_user])
            await uow.commit()

    async def on_restriction_changed(self, event: RestrictionChanged | SubscriberTerminated) -> None:
        """After the commit of a restriction or the end of an account: if the subscriber's phones may not
        register any more (ended, lawfully suspended), their registrations end now."""
        if self.edge is None:
            return
        async with self.deps.uow() as uow:
            service = await store.service_of(uow.session, event.subscriber_id)
            creds = await store.active_of_subscriber(uow.session, event.subscriber_id)
        if service is None or not creds or rules.refusal(False, service[1], service[2]) is None:
            return
        await self.edge.drop([c.auth_user for c in creds])

    # -- the SIP edge --------------------------------------------------------------------------------------
    def _keys(self, user: str, source: str) -> list[tuple[str, ThrottleRule]]:
        return [(f"sip:{user}|{source}", self._per_user), (f"sip-ip:{source}", self._per_source)]

    async def edge_auth(self, user: str, realm: str, source: str) -> EdgeAuth:
        """The HA1 of a digest user that may register now; refused (``NotFound``: unknown user or realm,
        ``PermissionDenied``: may not register, ``Throttled``: too many failures) otherwise.  An unknown
        user counts as a failure of its source."""
        now = self.deps.clock.now()
        wait = await self._throttling.waiting([k for k, _ in self._keys(user, source)], now)
        if wait > 0:
            raise Throttled(params={"retry_after": retry_after(wait)})
        async with self.deps.uow() as uow:
            cred = await store.with_auth_user(uow.session, user) if rules.valid_auth_user(user) else None
            service = await store.service_of(uow.session, cred.subscriber_id) if cred is not None else None
        if cred is None or service is None or cred.realm != realm:
            await self.edge_auth_failed(user, source)
            raise NotFound("sip_credential_not_found")
        number, state, reason = service
        refused = rules.refusal(cred.revoked_at is not None, state, reason)
        if refused is not None:
            raise PermissionDenied("sip_registration_refused", params={"reason": refused.value})
        return EdgeAuth(cred.ha1, number)

    async def edge_auth_failed(self, user: str, source: str) -> None:
        """The edge saw a wrong digest (or an unknown user) from ``source``: count it."""
        with contextlib.suppress(Throttled):  # already waiting: the next edge_auth refuses it anyway
            await self._throttling.attempt(self._keys(user[:64], source), self.deps.clock.now())

    async def edge_registered(self, user: str, source: str, address: str, user_agent: str, expires: int) -> None:
        """The edge accepted a REGISTER (``expires`` 0: the phone unregistered)."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            cred = await store.with_auth_user(uow.session, user) if rules.valid_auth_user(user) else None
            if cred is None or cred.revoked_at is not None:
                raise NotFound("sip_credential_not_found")
            if expires == 0 and cred.last_address and address and address != cred.last_address:
                # An older contact leaving (a phone restarted on another port): the edge's reports come
                # from several workers, so this one may arrive after the newer contact's registration.
                await uow.commit()
                return
            if expires > 0:
                cred.last_register_at = now
            cred.registered_until = rules.registered_until(now, expires)
            cred.last_user_agent = " ".join(user_agent.split())[:200]
            cred.last_address = address[:200]
            # An installed terminal reports its firmware in its User-Agent: the console compares
            # it with the newest terminal release, and the next provisioning says whether to upgrade.
            version = version_from_user_agent(cred.last_user_agent)
            if expires > 0 and cred.terminal_id is not None and version:
                await store.set_terminal_version(uow.session, cred.terminal_id, version)
            await self._throttling.forget(uow, [f"sip:{user}|{source}"])
            subscriber_id, credential_id, until = cred.subscriber_id, cred.id, cred.registered_until
            await uow.commit()
        if self.devices is not None:
            try:
                await self.devices.registered(subscriber_id, credential_id, user, until)
            except Exception:
                log.exception("the SIP gateway was not told of a registration", credential_id=credential_id)

    # -- internals -----------------------------------------------------------------------------------------
    def _drop_after_commit(self, uow: UnitOfWork, users: list[str]) -> None:
        edge = self.edge
        if edge is None or not users:
            return

        async def drop() -> None:
            await edge.drop(users)

        uow.after_commit(drop)

    def _new(
        self,
        subscriber_id: int,
        terminal_id: int | None,
        kind: rules.CredentialKind,
        label: str,
        number: str,
        password: str,
    ) -> SipCredential:
        user = rules.auth_user_for(number, kind, secrets.token_hex(4))
        return SipCredential(
            subscriber_id=subscriber_id,
            terminal_id=terminal_id,
            kind=kind.value,
            label=label[: rules.LABEL_MAX],
            auth_user=user,
            ha1=rules.ha1(user, self.settings.realm, password),
            realm=self.settings.realm,
            created_at=self.deps.clock.now(),
            last_user_agent="",
            last_address="",
        )

    @staticmethod
    def _view(cred: SipCredential, now: datetime) -> SipCredentialView:
        return SipCredentialView(cred.id, cred.kind, cred.label, cred.created_at, sip_state(cred, now))
