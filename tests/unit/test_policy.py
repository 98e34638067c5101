from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.identity.domain.policy import OperatorPolicy, diff_policies, parameter_specs
from videophone.kernel.errors import ValidationFailed


def codes(exc: ValidationFailed) -> dict[str, str]:
    return {e.field: e.code for e in exc.errors}


def test_defaults_cover_every_blank_of_the_contract() -> None:
    names = {spec["name"] for spec in parameter_specs()}
    for blank in (
        "warranty_years",
        "late_fee_per_mille_per_day",
        "months_overdue_before_suspension",
        "months_overdue_before_termination",
        "objection_window_months",
        "arbitration_body",
        "price_list_url",
        "signing_place",
        "operator_name",
    ):
        assert blank in names
    for own in ("number_pool_start", "number_pool_end", "number_quarantine_days", "no_answer_timeout_seconds"):
        assert own in names
    assert OperatorPolicy().consistency_errors() == []


def test_values_are_coerced_and_checked() -> None:
    p = OperatorPolicy.from_mapping({"warranty_years": "3", "late_fee_per_mille_per_day": "0.5"})
    assert p.warranty_years == 3
    assert p.late_fee_per_mille_per_day == Decimal("0.5")
    with pytest.raises(ValidationFailed) as err:
        OperatorPolicy.from_mapping(
            {
                "warranty_years": "x",
                "late_fee_per_mille_per_day": 0.5,
                "nope": 1,
                "no_answer_timeout_seconds": 5,
                "arbitration_body": "  ",
            }
        )
    assert codes(err.value) == {
        "warranty_years": "not_an_integer",
        "late_fee_per_mille_per_day": "not_a_decimal",  # floats are refused: money-related values are exact
        "nope": "unknown_parameter",
        "no_answer_timeout_seconds": "below_minimum",
        "arbitration_body": "required",
    }


def test_termination_must_come_after_suspension() -> None:
    with pytest.raises(ValidationFailed) as err:
        OperatorPolicy.from_mapping({"months_overdue_before_suspension": 3, "months_overdue_before_termination": 3})
    assert codes(err.value) == {"months_overdue_before_termination": "must_exceed"}


def test_number_pool_must_be_a_range() -> None:
    with pytest.raises(ValidationFailed) as err:
        OperatorPolicy.from_mapping({"number_pool_start": "95100000100", "number_pool_end": "95100000099"})
    assert codes(err.value) == {"number_pool_end": "pool_range_empty"}
    with pytest.raises(ValidationFailed) as err:
        OperatorPolicy.from_mapping({"number_pool_end": "951000999"})
    assert codes(err.value) == {"number_pool_end": "pool_length_mismatch"}


def test_diff_lists_only_changes() -> None:
    before = OperatorPolicy()
    after = OperatorPolicy.from_mapping({"warranty_years": 2}, base=before)
    assert diff_policies(before, after) == {"warranty_years": {"before": 1, "after": 2}}


int_fields = [f for f in dataclasses.fields(OperatorPolicy) if f.metadata["kind"] == "int"]


@given(st.data())
def test_round_trip_through_storage(data: st.DataObject) -> None:
    changes: dict[str, object] = {}
    for f in int_fields:
        if data.draw(st.booleans()):
            changes[f.name] = data.draw(st.integers(f.metadata["min"], f.metadata["max"]))
    changes["late_fee_per_mille_per_day"] = str(
        data.draw(st.decimals(min_value=0, max_value=10, places=2, allow_nan=False, allow_infinity=False))
    )
    try:
        policy = OperatorPolicy.from_mapping(changes)
    except ValidationFailed as exc:
        assert {e.code for e in exc.errors} == {"must_exceed"}
        return
    assert OperatorPolicy.from_mapping(policy.to_mapping()) == policy
