"""Masking of personal data for display (R-04): every view shows these unless staff reveal."""

from __future__ import annotations

_STAR = "*"


def mask_id_number(value: str) -> str:
    """``110101199003071234`` → ``110101********1234``; short numbers keep their first/last two."""
    if len(value) >= 15:
        return value[:6] + _STAR * (len(value) - 10) + value[-4:]
    if len(value) > 4:
        return value[:2] + _STAR * (len(value) - 4) + value[-2:]
    return _STAR * len(value)


def mask_birth_date(iso: str) -> str:
    """``1990-03-07`` → ``1990-**-**``."""
    return iso[:4] + "-**-**" if len(iso) == 10 else _STAR * len(iso)


def mask_text(value: str, *, keep: int = 6) -> str:
    """Addresses and employers: keep a short head (e.g. the district), star the rest."""
    if not value:
        return ""
    head = value[: min(keep, max(1, len(value) // 3))]
    return head + _STAR * 4


def mask_phone(value: str) -> str:
    return value[:3] + _STAR * 4 + value[-4:] if len(value) >= 11 else mask_id_number(value)


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return (local[:1] + "***@" + domain) if domain else _STAR * 3
