"""Subscribers: the real-name registration record (R-01) and its validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from videophone.identity.domain.contact_details import (
    check_email,
    check_mobile,
    check_postal_code,
    check_required_text,
    normalize_email,
    normalize_mobile,
)
from videophone.identity.domain.identity_numbers import (
    IdDocumentType,
    check_id_document,
    check_uscc,
    normalize_id_number,
)
from videophone.identity.domain.passwords import StrengthEstimator, check_password, personal_inputs
from videophone.kernel.errors import FieldError, ValidationFailed

USCC_ID_TYPE = "uscc"
"""For an organization, the ID document is its unified social credit code."""


class SubscriberKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"


class Language(StrEnum):
    ZH_CN = "zh-CN"
    EN = "en"


@dataclass(frozen=True)
class Registration:
    """A validated registration: every field of R-01, normalized."""

    kind: SubscriberKind
    name: str
    birth_date: date | None
    address: str
    postal_code: str
    id_type: str
    id_number: str
    legal_representative: str
    employer: str
    contact_phone: str
    email: str
    password: str
    language: Language


@dataclass(frozen=True)
class ContactDetails:
    """What a subscriber may change themselves (identity data changes go through review)."""

    address: str
    postal_code: str
    contact_phone: str
    email: str
    employer: str


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def _parse_date(raw: Mapping[str, Any], key: str, errors: list[FieldError], today: date) -> date | None:
    text = _text(raw, key)
    if not text:
        errors.append(FieldError(key, "required"))
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(key, "date_format"))
        return None
    if value > today or value.year < 1900:
        errors.append(FieldError(key, "birth_date_out_of_range"))
        return None
    return value


def _required(value: str, field: str) -> list[FieldError]:
    return [] if value else [FieldError(field, "required")]


def validate_registration(raw: Mapping[str, Any], *, today: date, estimate: StrengthEstimator) -> Registration:
    """Validate every field at once; raise :class:`ValidationFailed` listing all problems."""
    errors: list[FieldError] = []
    kind_text = _text(raw, "kind")
    try:
        kind = SubscriberKind(kind_text)
    except ValueError:
        raise ValidationFailed([FieldError("kind", "kind_unknown")]) from None

    name = _text(raw, "name")
    errors += check_required_text(name, field="name", max_length=100)
    address = _text(raw, "address")
    errors += check_required_text(address, field="address", max_length=200)
    # An empty required field is "required", not a format error.
    postal_code = _text(raw, "postal_code")
    errors += _required(postal_code, "postal_code") or check_postal_code(postal_code)
    contact_phone = normalize_mobile(_text(raw, "contact_phone"))
    errors += _required(contact_phone, "contact_phone") or check_mobile(contact_phone)
    email = normalize_email(_text(raw, "email"))
    errors += _required(email, "email") or check_email(email)
    employer = _text(raw, "employer")
    legal_representative = _text(raw, "legal_representative")

    birth_date: date | None = None
    if kind is SubscriberKind.PERSON:
        errors += check_required_text(employer, field="employer", max_length=100)
        birth_date = _parse_date(raw, "birth_date", errors, today)
        id_type = _text(raw, "id_type") or IdDocumentType.RESIDENT_ID.value
        id_number = normalize_id_number(_text(raw, "id_number"))
        if not id_number:
            errors.append(FieldError("id_number", "required"))
        else:
            errors += check_id_document(id_type, id_number, birth_date=birth_date)
        legal_representative = ""
    else:
        if len(employer) > 100:
            errors.append(FieldError("employer", "too_long", {"max": 100}))
        errors += check_required_text(legal_representative, field="legal_representative", max_length=50)
        id_type = USCC_ID_TYPE
        id_number = normalize_id_number(_text(raw, "credit_code") or _text(raw, "id_number"))
        if not id_number:
            errors.append(FieldError("credit_code", "required"))
        else:
            errors += check_uscc(id_number, field="credit_code")

    password = str(raw.get("password") or "")
    errors += _required(password, "password") or check_password(
        password, estimate=estimate, personal=personal_inputs(contact_phone, email, name)
    )

    language_text = _text(raw, "language") or Language.ZH_CN.value
    try:
        language = Language(language_text)
    except ValueError:
        errors.append(FieldError("language", "language_unknown"))
        language = Language.ZH_CN

    if not raw.get("accept_agreement"):
        errors.append(FieldError("accept_agreement", "agreement_not_accepted"))

    if errors:
        raise ValidationFailed(errors)
    return Registration(
        kind=kind,
        name=name,
        birth_date=birth_date,
        address=address,
        postal_code=postal_code,
        id_type=id_type,
        id_number=id_number,
        legal_representative=legal_representative,
        employer=employer,
        contact_phone=contact_phone,
        email=email,
        password=password,
        language=language,
    )


def validate_contact_details(raw: Mapping[str, Any], current: ContactDetails, kind: SubscriberKind) -> ContactDetails:
    """Validate a change of contact details; absent keys keep their current value."""
    errors: list[FieldError] = []

    def pick(key: str, now: str) -> str:
        return _text(raw, key) if key in raw else now

    address = pick("address", current.address)
    errors += check_required_text(address, field="address", max_length=200)
    postal_code = pick("postal_code", current.postal_code)
    errors += check_postal_code(postal_code)
    contact_phone = normalize_mobile(pick("contact_phone", current.contact_phone))
    errors += check_mobile(contact_phone)
    email = normalize_email(pick("email", current.email))
    errors += check_email(email)
    employer = pick("employer", current.employer)
    if kind is SubscriberKind.PERSON:
        errors += check_required_text(employer, field="employer", max_length=100)
    unknown = set(raw) - {"address", "postal_code", "contact_phone", "email", "employer"}
    errors += [FieldError(key, "field_not_editable") for key in sorted(unknown)]
    if errors:
        raise ValidationFailed(errors)
    return ContactDetails(address, postal_code, contact_phone, email, employer)
