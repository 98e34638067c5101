from __future__ import annotations

from datetime import date

import pytest

from tests.factories import organization, person, resident_id
from videophone.adapters.password_strength import zxcvbn_strength
from videophone.identity.domain.subscriber import SubscriberKind, validate_registration
from videophone.kernel.errors import ValidationFailed

TODAY = date(2026, 11, 21)


def errors(raw: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as err:
        validate_registration(raw, today=TODAY, estimate=zxcvbn_strength)
    return {e.field: e.code for e in err.value.errors}


def test_a_valid_person() -> None:
    reg = validate_registration(
        person(contact_phone="+86 138-0013-8000", email=" LiMing@Example.COM "), today=TODAY, estimate=zxcvbn_strength
    )
    assert reg.kind is SubscriberKind.PERSON
    assert reg.contact_phone == "13800138000"
    assert reg.email == "liming@example.com"
    assert reg.birth_date == date(1990, 3, 7)


def test_a_valid_organization_uses_its_credit_code_as_id() -> None:
    reg = validate_registration(organization(), today=TODAY, estimate=zxcvbn_strength)
    assert reg.kind is SubscriberKind.ORGANIZATION
    assert reg.id_type == "uscc"
    assert reg.legal_representative == "陈强"
    assert reg.birth_date is None


def test_every_field_is_reported_at_once() -> None:
    assert errors({"kind": "person"}) == {
        "name": "required",
        "address": "required",
        "postal_code": "required",  # empty: required, not a format error (issue 15)
        "contact_phone": "required",
        "email": "required",
        "employer": "required",
        "birth_date": "required",
        "id_number": "required",
        "password": "required",
        "accept_agreement": "agreement_not_accepted",
    }
    # Given but wrong, they are format errors.
    wrong = errors(person(postal_code="1000", contact_phone="12345", email="li@", password="short"))
    assert {k: wrong[k] for k in ("postal_code", "contact_phone", "email", "password")} == {
        "postal_code": "postal_code_format",
        "contact_phone": "mobile_format",
        "email": "email_format",
        "password": "password_too_short",
    }


def test_id_number_must_carry_the_birth_date_given() -> None:
    assert errors(person(birth_date="1991-03-07")) == {"id_number": "id_number_birth_date_mismatch"}
    bad = resident_id(date(1990, 3, 7))
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    assert errors(person(id_number=bad)) == {"id_number": "id_number_checksum"}


def test_birth_date_in_the_future_is_refused() -> None:
    future = date(2027, 1, 1)
    assert errors(person(birth_date=future.isoformat(), id_number=resident_id(future))) == {
        "birth_date": "birth_date_out_of_range"
    }


def test_passports_and_permits() -> None:
    reg = validate_registration(
        person(id_type="passport", id_number="E12345678"), today=TODAY, estimate=zxcvbn_strength
    )
    assert reg.id_type == "passport"
    assert errors(person(id_type="passport", id_number="E1")) == {"id_number": "passport_format"}
    assert errors(person(id_type="driving_licence", id_number="123")) == {"id_type": "id_type_unknown"}


def test_organizations_need_a_valid_credit_code_and_representative() -> None:
    assert errors(organization(credit_code="91440300MA5G24KH9A", legal_representative="")) == {
        "credit_code": "uscc_checksum",
        "legal_representative": "required",
    }


def test_unknown_kind() -> None:
    assert errors({"kind": "robot"}) == {"kind": "kind_unknown"}
