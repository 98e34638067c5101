"""The password strength rule (R-05, R-54).

Strength is estimated by an estimator handed in (adapters/password_strength.py: zxcvbn, which
knows common passwords, keyboard patterns, repeats, sequences, dates and the user's own data); the
rule asks for a minimum score on top of the length limits, and refuses control characters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from videophone.kernel.errors import FieldError

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn's 0–4: 3 is "safely unguessable" (about 10^8 guesses or more)
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


@dataclass(frozen=True)
class Strength:
    """An estimate: ``score`` from 0 (guessed at once) to 4 (very unguessable)."""

    score: int


# (password, the user's own data) → its strength
StrengthEstimator = Callable[[str, Sequence[str]], Strength]


def personal_inputs(*values: str) -> tuple[str, ...]:
    """The user's own data for the rule: each non-empty value, and an email address's name part."""
    out: list[str] = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        out.append(value)
        name, at, _domain = value.partition("@")
        if at and name:
            out.append(name)
    return tuple(dict.fromkeys(out))


def has_control_characters(text: str) -> bool:
    """Control characters (NUL, line breaks, tabs, …) and lone surrogates, which no password holds."""
    return any(unicodedata.category(c) in ("Cc", "Cs") for c in text)


def check_password(
    password: str, *, estimate: StrengthEstimator, personal: Sequence[str] = (), field: str = "password"
) -> list[FieldError]:
    """At least 10 characters and at most 128, no control characters, not a well-known password,
    not containing the user's own number, phone, name or email name, and a strength score of at
    least :data:`MIN_SCORE` with the user's own data known to the estimator."""
    if has_control_characters(password):
        return [FieldError(field, "password_control_characters")]
    if len(password) < MIN_LENGTH:
        return [FieldError(field, "password_too_short", {"min": MIN_LENGTH})]
    if len(password) > MAX_LENGTH:
        return [FieldError(field, "too_long", {"max": MAX_LENGTH})]
    lowered = password.lower()
    if lowered in _COMMON:
        return [FieldError(field, "password_common")]
    if any(p and len(p) >= 4 and p.lower() in lowered for p in personal):
        return [FieldError(field, "password_personal")]
    score = estimate(password, personal).score
    if score < MIN_SCORE:
        return [FieldError(field, "password_too_weak", {"score": score, "min_score": MIN_SCORE})]
    return []
