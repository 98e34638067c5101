"""Warranty rules (R-40, R-41; agreement 003 §4) and client version ordering (R-34), property-tested."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.kernel.errors import InvalidState, ValidationFailed
from videophone.terminals.domain import terminals as rules

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
years = st.integers(min_value=0, max_value=10)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32


# -- warranty end ----------------------------------------------------------------------------------------
def test_warranty_end_is_installation_plus_years() -> None:
    assert rules.warranty_end(date(2025, 3, 15), 1) == date(2026, 3, 15)
    assert rules.warranty_end(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert rules.warranty_end(date(2024, 2, 29), 4) == date(2028, 2, 29)


@given(days, years)
def test_warranty_end_is_n_years_later_same_or_previous_day(installed: date, n: int) -> None:
    end = rules.warranty_end(installed, n)
    assert end.year == installed.year + n
    assert (end.month, end.day) == (installed.month, installed.day) or (installed.month, installed.day) == (2, 29)
    assert 365 * n - 1 <= (end - installed).days <= 366 * n


# -- eligibility -----------------------------------------------------------------------------------------
@given(days, st.integers(min_value=-2000, max_value=2000))
def test_a_claim_is_accepted_exactly_up_to_the_last_day(end: date, offset: int) -> None:
    claim_day = end + timedelta(days=offset)
    refusal = rules.eligibility(claim_day, end, None)
    if claim_day <= end:
        assert refusal is None
    else:
        assert refusal == rules.Refusal("expired", end)


@given(days, days, days)
def test_opened_by_others_ends_the_warranty_at_once(end: date, voided: date, claim_day: date) -> None:
    refusal = rules.eligibility(claim_day, end, voided)
    if voided <= claim_day:
        assert refusal == rules.Refusal("voided", voided)
    elif claim_day <= end:
        assert refusal is None
    else:
        assert refusal is not None and refusal.reason == "expired"


def test_ensure_eligible_gives_the_reason_and_the_date() -> None:
    with pytest.raises(InvalidState) as expired:
        rules.ensure_eligible(date(2026, 3, 16), date(2026, 3, 15), None)
    assert expired.value.code == "warranty_expired" and expired.value.params == {"date": "2026-03-15"}
    with pytest.raises(InvalidState) as voided:
        rules.ensure_eligible(date(2026, 1, 2), date(2026, 3, 15), date(2026, 1, 1))
    assert voided.value.code == "warranty_voided" and voided.value.params == {"date": "2026-01-01"}
    rules.ensure_eligible(date(2026, 3, 15), date(2026, 3, 15), None)  # the last day still counts


def test_a_unit_never_installed_has_no_warranty() -> None:
    assert rules.eligibility(date(2026, 1, 1), None, None) is not None


@given(days)
def test_repair_or_replacement_does_not_extend_the_warranty(end: date) -> None:
    assert rules.warranty_after_service(end) == end


# -- decisions -------------------------------------------------------------------------------------------
@given(st.sampled_from(rules.CAUSES), st.sampled_from([d.value for d in rules.Decision]))
def test_covered_causes_are_repaired_or_replaced_excluded_ones_denied(cause: str, decision: str) -> None:
    note = "sealed label broken"
    allowed = (decision == "deny") != rules.is_covered(cause)
    if allowed:
        out = rules.validate_decision("submitted", decision, cause, note)
        assert (out.decision.value, out.cause, out.note) == (decision, cause, note)
    else:
        with pytest.raises(ValidationFailed) as err:
            rules.validate_decision("submitted", decision, cause, note)
        assert err.value.errors[0].field == "cause"


def test_shipping_damage_is_covered_and_the_listed_external_causes_are_not() -> None:
    assert rules.is_covered("shipping_damage") and rules.is_covered("defect")
    for cause in ("accident", "misuse", "power_problem", "opened_sealed_unit", "other_equipment_or_network"):
        assert not rules.is_covered(cause)
    assert not rules.is_covered("unauthorised_repair")
    with pytest.raises(ValidationFailed) as err:
        rules.validate_decision("submitted", "deny", "shipping_damage", "box was crushed")
    assert err.value.errors[0].code == "warranty_cause_covered"


def test_a_denial_needs_a_reason_and_a_claim_is_decided_once() -> None:
    with pytest.raises(ValidationFailed) as err:
        rules.validate_decision("submitted", "deny", "misuse", "  ")
    assert [e.code for e in err.value.errors] == ["warranty_reason_required"]
    with pytest.raises(InvalidState):
        rules.validate_decision("replaced", "repair", "defect", "")
    with pytest.raises(ValidationFailed):
        rules.validate_decision("submitted", "refund", "defect", "")


# -- inputs ----------------------------------------------------------------------------------------------
def test_units_photos_and_descriptions_are_checked() -> None:
    assert rules.validate_unit(" vp-100 0001 ", " VP-100  Desk ") == ("VP-1000001", "VP-100 Desk")
    with pytest.raises(ValidationFailed):
        rules.validate_unit("x!", "")
    assert rules.check_photo(PNG, "image/png", 1000) == "image/png"
    assert rules.check_photo(JPEG, "", 1000) == "image/jpeg"
    for content, declared, code in [
        (b"%PDF-1.4 not a photo", "application/pdf", "warranty_photo_type"),
        (b"GIF89a", "image/gif", "warranty_photo_type"),
        (PNG, "image/jpeg", "upload_type_mismatch"),
        (PNG * 100, "image/png", "upload_too_large"),
        (b"", "image/png", "upload_empty"),
    ]:
        with pytest.raises(ValidationFailed) as err:
            rules.check_photo(content, declared, 1000)
        assert err.value.errors[0].code == code
    with pytest.raises(ValidationFailed):
        rules.check_photo_count(0)
    with pytest.raises(ValidationFailed):
        rules.check_photo_count(rules.MAX_PHOTOS + 1)
    with pytest.raises(ValidationFailed):
        rules.validate_description("broken")
    with pytest.raises(ValidationFailed):
        rules.validate_installation(date(2026, 1, 2), date(2026, 1, 1))


# -- versions --------------------------------------------------------------------------------------------
def test_versions_compare_as_semantic_versions() -> None:
    ordered = ["0.9.0", "0.10.0-alpha", "0.10.0-alpha.2", "0.10.0-alpha.10", "0.10.0-beta", "0.10.0", "1.0", "1.0.1"]
    for a, b in itertools.pairwise(ordered):
        assert rules.is_newer(b, a) and not rules.is_newer(a, b), (a, b)
    assert not rules.is_newer("1.0", "1.0.0") and not rules.is_newer("1.0.0", "1.0")
    assert rules.version_key("v1.0") is None and rules.version_key("1") is None and rules.version_key("01.2") is None
    assert rules.is_newer("1.0.0", "garbage") and not rules.is_newer("garbage", "1.0.0")


versions = st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))


@given(versions, versions)
def test_version_order_matches_numeric_tuples(a: tuple[int, int, int], b: tuple[int, int, int]) -> None:
    va, vb = ".".join(map(str, a)), ".".join(map(str, b))
    assert rules.is_newer(va, vb) == (a > b)
    assert rules.is_newer(va + "-rc.1", va) is False and rules.is_newer(va, va + "-rc.1") is True


def test_a_release_must_be_newer_than_the_newest() -> None:
    assert rules.validate_release("web", " 0.2.0 ", "notes", "0.1.0") == ("web", "0.2.0", "notes")
    with pytest.raises(ValidationFailed) as err:
        rules.validate_release("web", "0.1.0", "notes", "0.1.0")
    assert err.value.errors[0].code == "release_not_newer"
    with pytest.raises(ValidationFailed) as bad:
        rules.validate_release("fax", "x", "", None)
    assert {e.field for e in bad.value.errors} == {"platform", "version", "notes"}
