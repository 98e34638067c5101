"""Identity document numbers and unified social credit codes (real-name registration).

Everything here is pure: no I/O and no clock.  The ``check_*`` functions validate the *canonical*
form of a number, i.e. what :func:`normalize_id_number` returns; callers normalize user input first,
validate the normalized value and store that same normalized value.

Every ``check_*`` function returns a list of :class:`FieldError` (empty when the value is valid) so
that callers can collect the problems of every field before raising
:class:`~videophone.kernel.errors.ValidationFailed`.  Each of them reports at most one error: the
most basic problem found (format, then embedded date, then check character, then birth date
mismatch).

Error codes introduced here:

``id_type_unknown``
    the document type is not one of :class:`IdDocumentType` (reported on field ``id_type``);
``id_number_format``
    the number does not have the shape its document type requires;
``id_number_birth_date_invalid``
    the birth date embedded in a resident ID is not a real calendar date (or is before 1900);
``id_number_checksum``
    the ISO 7064 MOD 11-2 check character is wrong;
``id_number_birth_date_mismatch``
    the embedded birth date differs from the declared one (``params["expected"]`` is the ISO date
    embedded in the number);
``passport_format``
    a passport number is not 5–20 ASCII letters or digits;
``uscc_format`` / ``uscc_checksum``
    a unified social credit code has the wrong shape / the wrong check character.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from videophone.kernel.errors import FieldError

__all__ = [
    "ID_TYPE_LABELS",
    "USCC_CHARSET",
    "IdDocumentType",
    "birth_date_from_resident_id",
    "check_id_document",
    "check_resident_id",
    "check_uscc",
    "normalize_id_number",
    "resident_id_check_char",
    "uscc_check_char",
]


class IdDocumentType(StrEnum):
    """Identity documents accepted for real-name registration."""

    RESIDENT_ID = "resident_id"
    """中华人民共和国居民身份证 (18 characters, ISO 7064 MOD 11-2 check character)."""
    PASSPORT = "passport"
    HK_MACAU_PERMIT = "hk_macau_permit"
    """港澳居民来往内地通行证: ``H`` or ``M`` followed by 8 or 10 digits."""
    TAIWAN_PERMIT = "taiwan_permit"
    """台湾居民来往大陆通行证: 8 or 10 digits."""
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"
    """外国人永久居留身份证: 3 letters + 12 digits (old), or 18 characters starting with 9 (2023)."""


ID_TYPE_LABELS: dict[IdDocumentType, tuple[str, str]] = {
    IdDocumentType.RESIDENT_ID: ("居民身份证", "Resident Identity Card"),
    IdDocumentType.PASSPORT: ("护照", "Passport"),
    IdDocumentType.HK_MACAU_PERMIT: (
        "港澳居民来往内地通行证",
        "Mainland Travel Permit for Hong Kong and Macao Residents",
    ),
    IdDocumentType.TAIWAN_PERMIT: (
        "台湾居民来往大陆通行证",
        "Mainland Travel Permit for Taiwan Residents",
    ),
    IdDocumentType.FOREIGN_PERMANENT_RESIDENCE: (
        "外国人永久居留身份证",
        "Foreign Permanent Resident ID Card",
    ),
}

# -- normalization ----------------------------------------------------------------------------------

# Full-width digits and Latin letters (U+FF10..U+FF19, U+FF21..U+FF3A, U+FF41..U+FF5A) to ASCII.
_FULL_WIDTH_TO_ASCII = {
    code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}


def normalize_id_number(value: str) -> str:
    """Canonical form of a document number or credit code as typed by a person.

    Removes every whitespace character (including the ideographic space U+3000), converts
    full-width digits and letters to ASCII and upper-cases ASCII letters (so a trailing ``x`` of a
    resident ID becomes ``X``).  Nothing else is changed; validation is the job of the ``check_*``
    functions.
    """
    text = "".join(value.split()).translate(_FULL_WIDTH_TO_ASCII)
    return "".join(ch.upper() if ch.isascii() else ch for ch in text)


# -- ISO 7064 MOD 11-2 (resident ID, new foreign permanent residence ID) -----------------------------

_DIGITS = frozenset("0123456789")
_MOD11_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, ...
_MOD11_CHECK = "10X98765432"
_MOD11_BODY_RE = re.compile(r"[0-9]{17}", re.ASCII)
_MOD11_NUMBER_RE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)


def resident_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character (``0``–``9`` or ``X``) of the first 17 digits.

    Raises :class:`ValueError` unless ``first17`` is exactly 17 ASCII digits.
    """
    if not _MOD11_BODY_RE.fullmatch(first17):
        raise ValueError("expected exactly 17 ASCII digits")
    total = sum(int(ch) * weight for ch, weight in zip(first17, _MOD11_WEIGHTS, strict=True))
    return _MOD11_CHECK[total % 11]


def _mod11_valid(number: str) -> bool:
    return resident_id_check_char(number[:17]) == number[17]


# -- resident identity card -----------------------------------------------------------------------

_MIN_BIRTH_YEAR = 1900


def birth_date_from_resident_id(value: str) -> date | None:
    """Birth date embedded in a resident ID (characters 7–14, ``YYYYMMDD``).

    ``value`` is normalized first.  Returns ``None`` when the number is not 18 characters long, the
    embedded characters are not digits, or they do not form a real calendar date.  No lower or upper
    bound on the year is applied here (see :func:`check_resident_id`).
    """
    number = normalize_id_number(value)
    if len(number) != 18:
        return None
    embedded = number[6:14]
    if not all(ch in _DIGITS for ch in embedded):
        return None
    try:
        return date(int(embedded[:4]), int(embedded[4:6]), int(embedded[6:8]))
    except ValueError:
        return None


def check_resident_id(value: str, *, birth_date: date | None, field: str = "id_number") -> list[FieldError]:
    """Validate an 18-character resident ID in canonical form (see :func:`normalize_id_number`).

    Reports only the most basic problem: ``id_number_format`` (not 17 digits followed by a digit or
    ``X``; 15-digit first-generation numbers are not accepted), then
    ``id_number_birth_date_invalid`` (embedded date not a real date, or before 1900), then
    ``id_number_checksum``, then ``id_number_birth_date_mismatch`` when ``birth_date`` is given
    and differs from the embedded date (``params={"expected": <embedded ISO date>}``).

    The region code (first six digits) is not checked against a division list, and the embedded
    date is not compared with today (the domain has no clock).
    """
    if not _MOD11_NUMBER_RE.fullmatch(value):
        return [FieldError(field, "id_number_format")]
    embedded = birth_date_from_resident_id(value)
    if embedded is None or embedded.year < _MIN_BIRTH_YEAR:
        return [FieldError(field, "id_number_birth_date_invalid")]
    if not _mod11_valid(value):
        return [FieldError(field, "id_number_checksum")]
    if birth_date is not None and birth_date != embedded:
        return [FieldError(field, "id_number_birth_date_mismatch", {"expected": embedded.isoformat()})]
    return []


# -- other identity documents ---------------------------------------------------------------------

_PASSPORT_RE = re.compile(r"[A-Za-z0-9]{5,20}", re.ASCII)
_HK_MACAU_PERMIT_RE = re.compile(r"[HM](?:[0-9]{8}|[0-9]{10})", re.ASCII)
_TAIWAN_PERMIT_RE = re.compile(r"[0-9]{8}|[0-9]{10}", re.ASCII)
_FOREIGN_PR_OLD_RE = re.compile(r"[A-Z]{3}[0-9]{12}", re.ASCII)
_FOREIGN_PR_NEW_RE = re.compile(r"9[0-9]{16}[0-9X]", re.ASCII)


def _check_pattern(pattern: re.Pattern[str], value: str, field: str, code: str) -> list[FieldError]:
    return [] if pattern.fullmatch(value) else [FieldError(field, code)]


def _check_foreign_permanent_residence(value: str, field: str) -> list[FieldError]:
    if _FOREIGN_PR_OLD_RE.fullmatch(value):
        return []
    if not _FOREIGN_PR_NEW_RE.fullmatch(value):
        return [FieldError(field, "id_number_format")]
    if not _mod11_valid(value):
        return [FieldError(field, "id_number_checksum")]
    return []


def check_id_document(
    id_type: str, number: str, *, birth_date: date | None, field: str = "id_number"
) -> list[FieldError]:
    """Validate ``number`` (canonical form) as a document of type ``id_type``.

    An unknown type yields ``FieldError("id_type", "id_type_unknown")``.  ``birth_date`` is only
    compared for resident IDs, the only document whose number embeds a birth date that is checked.
    """
    try:
        kind = IdDocumentType(id_type)
    except ValueError:
        return [FieldError("id_type", "id_type_unknown")]
    match kind:
        case IdDocumentType.RESIDENT_ID:
            return check_resident_id(number, birth_date=birth_date, field=field)
        case IdDocumentType.PASSPORT:
            return _check_pattern(_PASSPORT_RE, number, field, "passport_format")
        case IdDocumentType.HK_MACAU_PERMIT:
            return _check_pattern(_HK_MACAU_PERMIT_RE, number, field, "id_number_format")
        case IdDocumentType.TAIWAN_PERMIT:
            return _check_pattern(_TAIWAN_PERMIT_RE, number, field, "id_number_format")
        case IdDocumentType.FOREIGN_PERMANENT_RESIDENCE:
            return _check_foreign_permanent_residence(number, field)


# -- unified social credit code (GB 32100-2015) ---------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of a unified social credit code (no I, O, S, V, Z); index = value."""

_USCC_VALUES = {ch: index for index, ch in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31


def uscc_check_char(first17: str) -> str:
    """Check character of a unified social credit code from its first 17 characters.

    ``31 - (Σ value × weight mod 31)``, where 31 maps to ``0``.  Raises :class:`ValueError` unless
    ``first17`` is 17 characters of :data:`USCC_CHARSET`.
    """
    if len(first17) != 17 or any(ch not in _USCC_VALUES for ch in first17):
        raise ValueError("expected 17 characters of the unified social credit code charset")
    total = sum(_USCC_VALUES[ch] * weight for ch, weight in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def check_uscc(value: str, *, field: str = "credit_code") -> list[FieldError]:
    """Validate a unified social credit code in canonical form (see :func:`normalize_id_number`).

    ``uscc_format``: not 18 characters of :data:`USCC_CHARSET`, or characters 3–8 (the
    administrative division code) are not digits.  ``uscc_checksum``: wrong check character.
    The registration-department and institution-category codes (characters 1 and 2) may be any
    charset character.
    """
    if len(value) != 18 or any(ch not in _USCC_VALUES for ch in value) or any(ch not in _DIGITS for ch in value[2:8]):
        return [FieldError(field, "uscc_format")]
    if uscc_check_char(value[:17]) != value[17]:
        return [FieldError(field, "uscc_checksum")]
    return []
