"""The password strength rule (R-05)."""

from __future__ import annotations

from videophone.domain.errors import FieldError

MIN_LENGTH = 10
MAX_LENGTH = 128
_COMMON = frozenset(
    {
        "password123",
        "password1234",
        "qwertyuiop",
        "1234567890",
        "12345678910",
        "abc1234567",
        "iloveyou123",
        "admin12345",
        "woaini1314",
        "a123456789",
        "qwerty12345",
        "1qaz2wsx3edc",
        "1q2w3e4r5t",
        "zxcvbnm123",
        "aa123456789",
        "123456789a",
        "passw0rd12",
    }
)


def check_password(password: str, *, personal: tuple[str, ...] = (), field: str = "password") -> list[FieldError]:
    """At least 10 characters, at least three of lower/upper/digit/symbol (or 16+ characters),
    not a well-known password and not containing the subscriber's own number, phone or email name."""
    if len(password) < MIN_LENGTH:
        return [FieldError(field, "password_too_short", {"min": MIN_LENGTH})]
    if len(password) > MAX_LENGTH:
        return [FieldError(field, "too_long", {"max": MAX_LENGTH})]
    classes = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if classes < 3 and len(password) < 16:
        return [FieldError(field, "password_too_weak")]
    lowered = password.lower()
    if lowered in _COMMON:
        return [FieldError(field, "password_common")]
    if any(p and len(p) >= 4 and p.lower() in lowered for p in personal):
        return [FieldError(field, "password_personal")]
    return []
