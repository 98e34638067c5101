"""Authentication (R-05): passwords, sessions, bearer tokens, throttling, CSRF tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from videophone.adapters.crypto import new_token, token_digest
from videophone.adapters.db.models import AuthSession, PasswordReset, StaffUser, Subscriber
from videophone.adapters.db.uow import UnitOfWork
from videophone.adapters.mail import Mail
from videophone.common import audit
from videophone.common.deps import Actor, Deps
from videophone.identity.domain import kyc
from videophone.identity.domain.contact_details import normalize_email
from videophone.identity.domain.passwords import check_password, personal_inputs
from videophone.identity.domain.staff import StaffRole
from videophone.identity.services.mail_text import PASSWORD_RESET
from videophone.identity.services.throttling import Throttling, account_key
from videophone.identity.store import password_resets as reset_store
from videophone.identity.store import sessions as session_store
from videophone.identity.store import staff as staff_store
from videophone.identity.store import subscribers as subscriber_store
from videophone.kernel.errors import (
    FieldError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

SLIDING_UPDATE = timedelta(minutes=5)


@dataclass(frozen=True)
class Principal:
    """Who a request acts for."""

    type: str  # subscriber | staff
    id: int
    session_id: int
    session_kind: str  # browser | api
    csrf_token: str
    language: str
    roles: frozenset[StaffRole] = frozenset()
    review_state: str = ""

    def actor(self, ip: str = "") -> Actor:
        return Actor(self.type, self.id, ip)


@dataclass(frozen=True)
class IssuedSession:
    token: str
    csrf_token: str
    principal_type: str
    principal_id: int
    expires_at: datetime
    language: str = "zh-CN"


@dataclass(frozen=True)
class SessionInfo:
    id: int
    kind: str
    label: str
    ip: str
    user_agent: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


class AuthService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.throttling = Throttling(deps)

    # -- login ---------------------------------------------------------------------------------------
    # Each attempt is counted (services/throttling.py) before the password is verified, so attempts
    # sent at once cannot pass the count; a failure leaves it counted, a success clears it.
    async def login_subscriber(
        self, login: str, password: str, *, ip: str, user_agent: str, kind: str = "browser", label: str = ""
    ) -> IssuedSession:
        login = login.strip()
        if not login or not password:
            raise ValidationFailed([FieldError("login" if not login else "password", "required")])
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            sub = await subscriber_store.subscriber_by_number_or_email(uow.session, login, normalize_email(login))
        account = account_key("sub", sub.id if sub else None, login)
        counted = await self.throttling.attempt(self.throttling.login_keys(account, ip), now)
        if not await self.deps.hasher.verify_async(sub.password_hash if sub else None, password) or sub is None:
            raise NotAuthenticated("login_failed")
        allowed = kyc.can(kyc.ReviewState(sub.review_state), kyc.Capability.LOG_IN)
        async with self.deps.uow() as uow:
            await self.throttling.succeeded(uow, counted)
            issued = None
            if allowed:
                issued = self._issue(uow, "subscriber", sub.id, kind, label, ip, user_agent, now, sub.language)
                audit.record(
                    uow, now, Actor("subscriber", sub.id, ip), "auth.login", "subscriber", sub.id, {"kind": kind}
                )
            await uow.commit()
        if issued is None:
            raise PermissionDenied("login_not_allowed")
        return issued

    async def login_staff(self, username: str, password: str, *, ip: str, user_agent: str) -> IssuedSession:
        username = username.strip()
        if not username or not password:
            raise ValidationFailed([FieldError("username" if not username else "password", "required")])
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            staff = await staff_store.staff_by_username(uow.session, username)
        account = account_key("staff", staff.id if staff else None, username)
        counted = await self.throttling.attempt(self.throttling.login_keys(account, ip), now)
        ok = await self.deps.hasher.verify_async(staff.password_hash if staff else None, password)
        if not ok or staff is None or not staff.active:
            raise NotAuthenticated("login_failed")
        async with self.deps.uow() as uow:
            await self.throttling.succeeded(uow, counted)
            issued = self._issue(uow, "staff", staff.id, "browser", "", ip, user_agent, now, staff.language)
            audit.record(uow, now, Actor("staff", staff.id, ip), "auth.login", "staff", staff.id)
            await uow.commit()
            return issued

    def _issue(
        self,
        uow: UnitOfWork,
        principal_type: str,
        principal_id: int,
        kind: str,
        label: str,
        ip: str,
        user_agent: str,
        now: datetime,
        language: str = "zh-CN",
    ) -> IssuedSession:
        if kind not in ("browser", "api"):
            raise ValidationFailed([FieldError("kind", "session_kind_unknown")])
        token, csrf = new_token(), secrets.token_urlsafe(24)
        expires = now + timedelta(days=self.deps.limits.session_days)
        uow.session.add(
            AuthSession(
                token_hash=token_digest(token),
                principal_type=principal_type,
                principal_id=principal_id,
                kind=kind,
                csrf_token=csrf,
                label=label[:100],
                ip=ip,
                user_agent=user_agent[:400],
                created_at=now,
                last_seen_at=now,
                expires_at=expires,
                revoked_at=None,
            )
        )
        return IssuedSession(token, csrf, principal_type, principal_id, expires, language)

    # -- every request -------------------------------------------------------------------------------
    async def authenticate(self, token: str) -> Principal:
        """The principal of a session token, or :class:`NotAuthenticated`."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            sess = await session_store.session_by_token_hash(uow.session, token_digest(token))
            if sess is None or sess.revoked_at is not None or sess.expires_at <= now:
                raise NotAuthenticated("session_invalid")
            roles: frozenset[StaffRole] = frozenset()
            review_state = ""
            if sess.principal_type == "staff":
                staff = await uow.session.get(StaffUser, sess.principal_id)
                if staff is None or not staff.active:
                    raise NotAuthenticated("session_invalid")
                roles = frozenset(StaffRole(r) for r in staff.roles.split(",") if r)
                language = staff.language
            else:
                sub = await uow.session.get(Subscriber, sess.principal_id)
                if sub is None:
                    raise NotAuthenticated("session_invalid")
                language, review_state = sub.language, sub.review_state
            if now - sess.last_seen_at > SLIDING_UPDATE:
                sess.last_seen_at = now
                await uow.commit()
            return Principal(
                sess.principal_type,
                sess.principal_id,
                sess.id,
                sess.kind,
                sess.csrf_token,
                language,
                roles,
                review_state,
            )

    async def logout(self, principal: Principal) -> None:
        await self.revoke(principal, principal.session_id)

    async def sessions(self, principal: Principal) -> list[SessionInfo]:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            rows = await session_store.live_sessions_of(uow.session, principal.type, principal.id, now)
            return [
                SessionInfo(
                    s.id,
                    s.kind,
                    s.label,
                    s.ip,
                    s.user_agent,
                    s.created_at,
                    s.last_seen_at,
                    s.id == principal.session_id,
                )
                for s in rows
            ]

    async def revoke(self, principal: Principal, session_id: int, ip: str = "") -> None:
        """End one of the principal's own sessions (another principal's looks like a missing one)."""
        async with self.deps.uow() as uow:
            sess = await uow.session.get(AuthSession, session_id)
            if (
                sess is None
                or sess.principal_type != principal.type
                or sess.principal_id != principal.id
                or sess.revoked_at is not None
            ):
                raise NotFound("session_not_found")
            now = self.deps.clock.now()
            sess.revoked_at = now
            audit.record(
                uow,
                now,
                principal.actor(ip),
                "auth.session_revoke",
                principal.type,
                principal.id,
                {"session_id": session_id},
            )
            await uow.commit()

    async def issue_api_token(self, principal: Principal, label: str, ip: str, user_agent: str) -> IssuedSession:
        """A bearer token for an API client or terminal, created from a logged-in session."""
        if not label.strip():
            raise ValidationFailed([FieldError("label", "required")])
        async with self.deps.uow() as uow:
            now = self.deps.clock.now()
            issued = self._issue(uow, principal.type, principal.id, "api", label.strip(), ip, user_agent, now)
            audit.record(
                uow,
                now,
                principal.actor(ip),
                "auth.token_issue",
                principal.type,
                principal.id,
                {"label": label.strip()},
            )
            await uow.commit()
            return issued

    async def change_password(self, principal: Principal, current: str, new: str, ip: str) -> None:
        """Change the password; every other session of the account is ended."""
        async with self.deps.uow() as uow:
            holder: Subscriber | StaffUser | None
            if principal.type == "subscriber":
                holder = await uow.session.get(Subscriber, principal.id)
                personal = (
                    personal_inputs(holder.number, holder.name, holder.contact_phone, holder.email) if holder else ()
                )
            else:
                holder = await uow.session.get(StaffUser, principal.id)
                personal = personal_inputs(holder.username, holder.display_name) if holder else ()
            if holder is None:
                raise NotAuthenticated("session_invalid")
            if not await self.deps.hasher.verify_async(holder.password_hash, current):
                raise ValidationFailed([FieldError("current_password", "password_wrong")])
            errors = check_password(new, estimate=self.deps.password_strength, personal=personal, field="new_password")
            if new == current:
                errors.append(FieldError("new_password", "password_unchanged"))
            if errors:
                raise ValidationFailed(errors)
            holder.password_hash = await self.deps.hasher.hash_async(new)
            now = self.deps.clock.now()
            others = await session_store.other_unrevoked_sessions(
                uow.session, principal.type, principal.id, principal.session_id
            )
            ended = 0
            for sess in others:
                sess.revoked_at = now
                ended += 1
            audit.record(
                uow,
                now,
                principal.actor(ip),
                "auth.password_change",
                principal.type,
                principal.id,
                {"sessions_ended": ended},
            )
            await uow.commit()

    # -- password reset --------------------------------------------------------------------------------
    async def request_password_reset(self, login: str, *, ip: str) -> None:
        """Email a one-time reset link.  The answer is the same whether or not the account exists,
        so the form cannot be used to find out who is a subscriber; requests are throttled."""
        login = login.strip()
        if not login:
            raise ValidationFailed([FieldError("login", "required")])
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            sub = await subscriber_store.subscriber_by_number_or_email(uow.session, login, normalize_email(login))
        account = account_key("sub", sub.id if sub else None, login)
        # Every request counts toward the limits, whether or not the account exists.
        await self.throttling.attempt(self.throttling.reset_keys(account, ip), now)
        async with self.deps.uow() as uow:
            if sub is None:
                return
            token = new_token()
            minutes = self.deps.limits.password_reset_minutes
            uow.session.add(
                PasswordReset(
                    token_hash=token_digest(token),
                    subscriber_id=sub.id,
                    created_at=now,
                    expires_at=now + timedelta(minutes=minutes),
                    used_at=None,
                    ip=ip,
                )
            )
            audit.record(uow, now, Actor("subscriber", sub.id, ip), "auth.password_reset_request", "subscriber", sub.id)
            subject, body = PASSWORD_RESET.get(sub.language, PASSWORD_RESET["zh-CN"])
            link = f"{self.deps.public_url}/reset-password?token={token}"
            mail = Mail(
                to=sub.email,
                subject=subject,
                body=body.format(name=sub.name, number=sub.number, minutes=minutes, link=link),
            )

            async def send() -> None:
                await self.deps.mailer.send(mail)

            uow.after_commit(send)
            await uow.commit()

    async def reset_password(self, token: str, new_password: str, *, ip: str) -> None:
        """Set a new password with a reset token: the token works once, and every session ends."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            reset = await reset_store.lock_reset(uow.session, token_digest(token.strip()))
            if reset is None or reset.used_at is not None or reset.expires_at <= now:
                raise ValidationFailed([FieldError("token", "reset_token_invalid")])
            sub = await uow.session.get(Subscriber, reset.subscriber_id)
            assert sub is not None
            errors = check_password(
                new_password,
                estimate=self.deps.password_strength,
                personal=personal_inputs(sub.number, sub.name, sub.contact_phone, sub.email),
                field="new_password",
            )
            if errors:
                raise ValidationFailed(errors)
            sub.password_hash = await self.deps.hasher.hash_async(new_password)
            reset.used_at = now
            sessions = await session_store.unrevoked_sessions_of(uow.session, "subscriber", sub.id)
            for sess in sessions:
                sess.revoked_at = now
            await self.throttling.forget_account(uow, account_key("sub", sub.id, ""))
            audit.record(uow, now, Actor("subscriber", sub.id, ip), "auth.password_reset", "subscriber", sub.id)
            await uow.commit()

    async def purge_expired(self) -> int:
        """Housekeeping job: drop expired and long-revoked sessions and throttle rows that count no more."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            deleted = await session_store.delete_ended_before(uow.session, now - timedelta(days=30))
            await self.throttling.purge(uow, now)
            await uow.commit()
            return deleted
