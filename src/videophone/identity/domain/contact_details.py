"""Contact details of a subscriber: mainland mobile number, postal code, e-mail, free text.

Pure rules: no I/O, no clock.  ``normalize_*`` turns user input into the canonical form;
``check_*`` validates that canonical form and returns a list of :class:`FieldError` (empty when
valid), reporting at most one problem per field.

Error codes introduced here: ``mobile_format``, ``postal_code_format``, ``email_format``,
``required`` and ``too_long`` (``params["max"]`` is the maximum length).
"""

from __future__ import annotations

import re

from videophone.kernel.errors import FieldError

__all__ = [
    "check_email",
    "check_mobile",
    "check_postal_code",
    "check_required_text",
    "normalize_email",
    "normalize_mobile",
]

# -- mobile number ---------------------------------------------------------------------------------

# Full-width digits and plus sign to ASCII; separators people type between digit groups removed.
_MOBILE_TRANSLATION: dict[int, int | None] = {
    **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},
    ord("＋"): ord("+"),
    **{ord(separator): None for separator in "-‐‑–—－"},
}

_COUNTRY_PREFIXES = ("+86", "0086", "86")
_ELEVEN_DIGITS_RE = re.compile(r"[0-9]{11}", re.ASCII)
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)


def normalize_mobile(value: str) -> str:
    """Canonical form of a mainland mobile number.

    Removes whitespace and dashes, converts full-width digits to ASCII and drops a leading
    ``+86``, ``0086`` or ``86`` country prefix when exactly 11 digits follow it.
    """
    text = "".join(value.split()).translate(_MOBILE_TRANSLATION)
    for prefix in _COUNTRY_PREFIXES:
        rest = text.removeprefix(prefix)
        if rest != text and _ELEVEN_DIGITS_RE.fullmatch(rest):
            return rest
    return text


def check_mobile(value: str, *, field: str = "contact_phone") -> list[FieldError]:
    """``mobile_format`` unless ``value`` is ``1``, a digit 3–9 and nine more ASCII digits."""
    return [] if _MOBILE_RE.fullmatch(value) else [FieldError(field, "mobile_format")]


# -- postal code -----------------------------------------------------------------------------------

_POSTAL_CODE_RE = re.compile(r"[0-9]{6}", re.ASCII)


def check_postal_code(value: str, *, field: str = "postal_code") -> list[FieldError]:
    """``postal_code_format`` unless ``value`` is exactly six ASCII digits."""
    return [] if _POSTAL_CODE_RE.fullmatch(value) else [FieldError(field, "postal_code_format")]


# -- e-mail ----------------------------------------------------------------------------------------

_EMAIL_MAX_LENGTH = 254
_LOCAL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}", re.ASCII)
_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", re.ASCII)
# A top-level domain is letters only, or an IDNA (punycode) label such as ``xn--fiqs8s`` (.中国).
_TLD_RE = re.compile(r"[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,58}[A-Za-z0-9]", re.ASCII | re.IGNORECASE)


def normalize_email(value: str) -> str:
    """Canonical form of an e-mail address: surrounding whitespace removed, lower-cased."""
    return value.strip().lower()


def _email_valid(value: str) -> bool:
    if len(value) > _EMAIL_MAX_LENGTH or value.count("@") != 1:
        return False
    local, domain = value.split("@")
    if not _LOCAL_RE.fullmatch(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    labels = domain.split(".")
    if len(labels) < 2:
        return False
    *names, tld = labels
    return all(_LABEL_RE.fullmatch(label) for label in names) and bool(_TLD_RE.fullmatch(tld))


def check_email(value: str, *, field: str = "email") -> list[FieldError]:
    """``email_format`` unless ``value`` is a plausible address (a pragmatic subset of RFC 5322).

    One ``@``; a local part of 1–64 characters from the RFC 5322 *atext* set plus dots, neither
    starting nor ending with a dot and without ``..``; a domain of at least two dot-separated
    labels of 1–63 letters, digits or hyphens (no leading or trailing hyphen) whose last label is
    at least two letters (or a punycode ``xn--`` label); at most 254 characters in all.  Quoted
    local parts, IP-literal domains and non-ASCII addresses are not accepted.
    """
    return [] if _email_valid(value) else [FieldError(field, "email_format")]


# -- free text -------------------------------------------------------------------------------------


def check_required_text(value: str | None, *, field: str, max_length: int) -> list[FieldError]:
    """``required`` if ``value`` is missing or blank; ``too_long`` (``{"max": max_length}``) if the
    text, without surrounding whitespace, has more than ``max_length`` characters."""
    if value is None or not value.strip():
        return [FieldError(field, "required")]
    if len(value.strip()) > max_length:
        return [FieldError(field, "too_long", {"max": max_length})]
    return []
