"""Dispute rules (R-25): what may be disputed, the deadline, and deciding exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.billing.domain.disputes import (
    EXPLANATION_MAX,
    REASON_MAX,
    DisputeState,
    deadline,
    ensure_none_open,
    is_overdue,
    validate_adjustment,
    validate_opening,
    validate_rejection,
)
from videophone.kernel.errors import Conflict, InvalidState, ValidationFailed
from videophone.kernel.money import Money

OPENED = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
charges = st.integers(min_value=1, max_value=10**8).map(Money)


def codes(exc: ValidationFailed) -> dict[str, str]:
    return {e.field: e.code for e in exc.errors}


def test_the_amount_defaults_to_the_whole_charge() -> None:
    for blank in (None, "", "  "):
        opening = validate_opening(Money(450), blank, "  通话未接通却被计费  ", target_field="call_id")
        assert opening.amount == Money(450)
        assert opening.reason == "通话未接通却被计费"


def test_a_lower_amount_is_kept_a_higher_or_non_positive_one_refused() -> None:
    assert validate_opening(Money(450), "1.5", "r", target_field="call_id").amount == Money(150)
    assert validate_opening(Money(450), "4.50", "r", target_field="call_id").amount == Money(450)
    for raw, code in (("4.51", "dispute_amount_too_high"), ("0", "dispute_amount_not_positive"),
                      ("-1", "dispute_amount_not_positive"), ("1.234", "money_format"), ("abc", "money_format"),
                      (1.5, "money_format")):  # fmt: skip
        with pytest.raises(ValidationFailed) as err:
            validate_opening(Money(450), raw, "r", target_field="call_id")
        assert codes(err.value) == {"amount_yuan": code}, raw
    with pytest.raises(ValidationFailed) as err:
        validate_opening(Money(450), "9", "r", target_field="call_id")
    assert err.value.errors[0].params == {"max": "4.50"}


def test_nothing_charged_cannot_be_disputed() -> None:
    for disputable in (Money(0), Money(-300)):
        with pytest.raises(ValidationFailed) as err:
            validate_opening(disputable, "", "r", target_field="bill_id")
        assert codes(err.value) == {"bill_id": "dispute_nothing_to_dispute"}


def test_the_reason_is_required_and_bounded() -> None:
    for reason, code in (
        (None, "required"),
        ("   ", "required"),
        ("x" * (REASON_MAX + 1), "too_long"),
        (5, "invalid_input"),
    ):
        with pytest.raises(ValidationFailed) as err:
            validate_opening(Money(100), "", reason, target_field="call_id")
        assert codes(err.value) == {"reason": code}
    assert validate_opening(Money(100), "", "x" * REASON_MAX, target_field="call_id").reason == "x" * REASON_MAX
    # Every fault at once.
    with pytest.raises(ValidationFailed) as err:
        validate_opening(Money(100), "2", "", target_field="call_id")
    assert codes(err.value) == {"amount_yuan": "dispute_amount_too_high", "reason": "required"}


@given(charges, st.integers(min_value=-(10**8), max_value=10**8))
def test_an_accepted_amount_is_always_positive_and_at_most_the_charge(disputable: Money, fen: int) -> None:
    raw = str(Money(fen).yuan)
    try:
        opening = validate_opening(disputable, raw, "reason", target_field="call_id")
    except ValidationFailed as exc:
        assert fen <= 0 or fen > disputable.fen
        assert [e.field for e in exc.errors] == ["amount_yuan"]
    else:
        assert 0 < opening.amount.fen <= disputable.fen
        assert opening.amount == Money(fen)


def test_only_one_open_dispute_per_bill_and_call() -> None:
    ensure_none_open(None)
    with pytest.raises(Conflict) as err:
        ensure_none_open(17)
    assert err.value.code == "dispute_already_open" and err.value.params == {"dispute_id": 17}


def test_deadline_and_overdue() -> None:
    due = deadline(OPENED, 15)
    assert due == OPENED + timedelta(days=15)
    assert not is_overdue("open", due, due)
    assert is_overdue("open", due, due + timedelta(seconds=1))
    assert not is_overdue("adjusted", due, due + timedelta(days=30))
    assert not is_overdue("rejected", due, due + timedelta(days=30))


def test_adjustment_needs_a_credit_up_to_the_disputed_amount_and_an_explanation() -> None:
    decision = validate_adjustment("open", Money(450), "4.5", " 系统计费错误，已核实 ")
    assert decision == validate_adjustment("open", Money(450), "4.50", "系统计费错误，已核实")
    assert (decision.state, decision.credit, decision.explanation) == (
        DisputeState.ADJUSTED,
        Money(450),
        "系统计费错误，已核实",
    )
    assert validate_adjustment("open", Money(450), 1, "ok").credit == Money(100)
    for raw, code in (("4.51", "dispute_credit_too_high"), ("0", "dispute_credit_not_positive"),
                      ("-2", "dispute_credit_not_positive"), ("", "required"), (None, "required"),
                      ("x", "money_format")):  # fmt: skip
        with pytest.raises(ValidationFailed) as err:
            validate_adjustment("open", Money(450), raw, "ok")
        assert codes(err.value) == {"credit_yuan": code}, raw
    for text, code in (("", "required"), ("x" * (EXPLANATION_MAX + 1), "too_long")):
        with pytest.raises(ValidationFailed) as err:
            validate_adjustment("open", Money(450), "1", text)
        assert codes(err.value) == {"explanation": code}


def test_rejection_needs_an_explanation() -> None:
    decision = validate_rejection("open", " 通话记录显示已接通 150 秒 ")
    assert (decision.state, decision.credit, decision.explanation) == (
        DisputeState.REJECTED,
        Money.zero(),
        "通话记录显示已接通 150 秒",
    )
    with pytest.raises(ValidationFailed) as err:
        validate_rejection("open", "  ")
    assert codes(err.value) == {"explanation": "required"}


@pytest.mark.parametrize("state", ["adjusted", "rejected"])
def test_a_dispute_is_decided_once(state: str) -> None:
    with pytest.raises(InvalidState) as err:
        validate_adjustment(state, Money(450), "1", "again")
    assert err.value.code == "dispute_already_decided" and err.value.params == {"state": state}
    with pytest.raises(InvalidState):
        validate_rejection(state, "again")
    # The state is checked before the input: a decided dispute is refused even with bad input.
    with pytest.raises(InvalidState):
        validate_adjustment(state, Money(450), "", "")
