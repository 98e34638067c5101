"""SIP credentials of a subscriber's phones (issue 16): pure rules.

A phone registers at the SIP edge (Kamailio) with HTTP digest authentication (RFC 8760/2617, MD5).  The
edge needs ``HA1 = MD5(user:realm:password)`` to check a digest, so that is what the service keeps —
never the password, which the service generates (128 random bits) and shows once.  An installed
terminal has one credential; a subscriber may create at most :data:`MAX_SOFTPHONES` for softphones.
A phone may register only while its credential is not revoked and its subscriber's service has not
ended or been suspended on a lawful order (R-31, R-32).
"""

from __future__ import annotations

import hashlib
import math
import re
from datetime import datetime, timedelta
from enum import StrEnum

from videophone.kernel.errors import FieldError, InvalidState, ValidationFailed


class CredentialKind(StrEnum):
    TERMINAL = "terminal"
    SOFTPHONE = "softphone"


MAX_SOFTPHONES = 3
LABEL_MAX = 60
# What a digest user may be: safe in a SIP URI, a header and a query string without escaping.
AUTH_USER_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{2,63}$")
# The alphabet of generated passwords (no look-alikes: 0/O, 1/l/I), and their length: 26 characters of
# 56 symbols are ~151 bits, more than enough against any guessing the edge lets through.
PASSWORD_ALPHABET = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"  # noqa: S105
PASSWORD_LENGTH = 26
MIN_PASSWORD_BITS = 128
# A registration the edge reported is trusted until its expiry (what the phone asked, capped).
MAX_EXPIRES = 3600


def ha1(auth_user: str, realm: str, password: str) -> str:
    """The digest HA1 of RFC 2617 §3.2.2.2 (MD5): what Kamailio's ``pv_www_authenticate`` checks with."""
    return hashlib.md5(f"{auth_user}:{realm}:{password}".encode(), usedforsecurity=False).hexdigest()


def password_bits(password: str) -> float:
    """The entropy of a password drawn uniformly from :data:`PASSWORD_ALPHABET` (what the service makes)."""
    if not password or any(ch not in PASSWORD_ALPHABET for ch in password):
        return 0.0
    return len(password) * math.log2(len(PASSWORD_ALPHABET))


def check_password(password: str) -> str:
    """A generated password is strong enough (a broken generator must not hand out weak ones)."""
    if password_bits(password) < MIN_PASSWORD_BITS:
        raise ValueError("generated SIP password too weak")
    return password


def auth_user_for(number: str, kind: CredentialKind, suffix: str) -> str:
    """The digest user of a new credential: the number, what the phone is, and a random suffix (so a
    revoked user is never reused and users cannot be guessed from a number)."""
    digits = "".join(ch for ch in number if ch.isdigit())[:20]
    user = f"{digits or 'x'}-{'t' if kind == CredentialKind.TERMINAL else 's'}-{suffix.lower()}"[:64]
    if not AUTH_USER_RE.match(user):
        raise ValueError(f"not a valid digest user: {user!r}")
    return user


def valid_auth_user(user: str) -> bool:
    return bool(AUTH_USER_RE.match(user))


def validate_label(label: object) -> str:
    text = " ".join(str(label or "").split())
    if not text:
        raise ValidationFailed([FieldError("label", "required")])
    if len(text) > LABEL_MAX:
        raise ValidationFailed([FieldError("label", "too_long", {"max": LABEL_MAX})])
    return text


def ensure_room_for_softphone(active_softphones: int) -> None:
    if active_softphones >= MAX_SOFTPHONES:
        raise InvalidState("sip_softphone_limit", params={"max": MAX_SOFTPHONES})


class Refusal(StrEnum):
    """Why a phone may not register (the edge answers 403 or 404)."""

    UNKNOWN = "unknown"
    REVOKED = "revoked"
    TERMINATED = "terminated"
    LAWFUL = "lawful"


def refusal(revoked: bool, service_state: str, service_reason: str) -> Refusal | None:
    """None if the phone may register; else why not.  Arrears, a credit limit or a violation restrict
    calls (the call rules decide them), not registration: such a phone can still be reached and told."""
    if revoked:
        return Refusal.REVOKED
    if service_state == "terminated":
        return Refusal.TERMINATED
    if service_reason == "lawful" and service_state != "active":
        return Refusal.LAWFUL
    return None


def registered_until(at: datetime, expires: int) -> datetime | None:
    """Until when a REGISTER with ``expires`` seconds keeps the phone registered (0: it unregistered)."""
    if expires <= 0:
        return None
    return at + timedelta(seconds=min(expires, MAX_EXPIRES))


def is_registered(until: datetime | None, revoked: bool, now: datetime) -> bool:
    return not revoked and until is not None and until > now
