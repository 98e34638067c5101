"""Contacts, block list and harassment report rules (R-12)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.calling.domain import contacts as rules
from videophone.calling.domain.contacts import ContactInput, ReportAction, ReportState
from videophone.kernel.errors import InvalidState, ValidationFailed


def codes(err: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.code for e in err.value.errors}


# -- numbers ---------------------------------------------------------------------------------------------
def test_numbers_lose_spaces_dashes_and_full_width_digits() -> None:
    assert rules.normalize_number(" 010-8888 1234 ") == "01088881234"
    assert rules.normalize_number("１３９－１２３４") == "1391234"


@given(st.text(alphabet="0123456789", min_size=5, max_size=20))
def test_any_5_to_20_digits_are_a_number(digits: str) -> None:
    assert rules.check_number(digits) == []
    spaced = " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))
    assert rules.normalize_number(spaced.replace(" ", "-", 1)) == digits


@given(st.one_of(st.text(alphabet="0123456789", min_size=1, max_size=4), st.text(alphabet="0123456789", min_size=21)))
def test_too_short_or_too_long_numbers_are_refused(digits: str) -> None:
    assert [e.code for e in rules.check_number(digits)] == ["contact_number_format"]


@pytest.mark.parametrize("value", ["+8613912345678", "12345a", "１２３ab45", "(010)12345"])
def test_numbers_with_other_characters_are_refused(value: str) -> None:
    assert [e.code for e in rules.check_number(rules.normalize_number(value))] == ["contact_number_format"]


# -- contacts -------------------------------------------------------------------------------------------
def test_a_valid_contact_is_normalized() -> None:
    got = rules.validate_contact({"name": "  张三 ", "number": "0755-1234 5678", "note": " 同事 ", "favourite": True})
    assert got == ContactInput("张三", "075512345678", "同事", True)


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(ValidationFailed) as err:
        rules.validate_contact({"name": "x" * 101, "number": "12", "note": "n" * 501, "favourite": "yes"})
    assert codes(err) == {
        "name": "too_long",
        "number": "contact_number_format",
        "note": "too_long",
        "favourite": "invalid_input",
    }


def test_name_and_number_are_required() -> None:
    with pytest.raises(ValidationFailed) as err:
        rules.validate_contact({"name": "   ", "number": None})
    assert codes(err) == {"name": "required", "number": "required"}


def test_wrong_types_are_field_errors_not_crashes() -> None:
    with pytest.raises(ValidationFailed) as err:
        rules.validate_contact({"name": 5, "number": ["1"]})
    assert codes(err) == {"name": "invalid_input", "number": "invalid_input"}


def test_a_change_keeps_what_it_does_not_mention() -> None:
    current = ContactInput("李四", "13912345678", "老同学", False)
    assert rules.validate_contact({"favourite": True}, current) == ContactInput("李四", "13912345678", "老同学", True)
    assert rules.validate_contact({"note": ""}, current).note == ""
    with pytest.raises(ValidationFailed):
        rules.validate_contact({"name": ""}, current)


@given(
    name=st.text(min_size=1, max_size=100).filter(lambda s: s.strip() == s and s != ""),
    digits=st.text(alphabet="0123456789", min_size=5, max_size=20),
    note=st.text(max_size=500).map(str.strip),
    favourite=st.booleans(),
)
def test_valid_contacts_round_trip(name: str, digits: str, note: str, favourite: bool) -> None:
    got = rules.validate_contact({"name": name, "number": digits, "note": note, "favourite": favourite})
    assert got == ContactInput(name, digits, note, favourite)


# -- block entries and reports -----------------------------------------------------------------------------
def test_block_entry() -> None:
    assert rules.validate_block({"number": "139 1234 5678", "reason": " 推销 "}) == rules.BlockInput(
        "13912345678", "推销"
    )
    with pytest.raises(ValidationFailed) as err:
        rules.validate_block({"number": "", "reason": "r" * 501})
    assert codes(err) == {"number": "required", "reason": "too_long"}


def test_report_description_is_5_to_2000_characters() -> None:
    ok = rules.validate_report({"number": "13912345678", "description": "反复骚扰电话", "block": True})
    assert ok == rules.ReportInput("13912345678", "反复骚扰电话", None, True)
    for text, code in (("", "required"), ("abcd", "report_description_too_short"), ("x" * 2001, "too_long")):
        with pytest.raises(ValidationFailed) as err:
            rules.validate_report({"number": "13912345678", "description": text})
        assert codes(err) == {"description": code}
    assert rules.validate_report({"number": "12345", "description": "abcde"}).description == "abcde"


def test_report_block_flag_must_be_boolean() -> None:
    with pytest.raises(ValidationFailed) as err:
        rules.validate_report({"number": "12345", "description": "abcde", "block": "on"})
    assert codes(err) == {"block": "invalid_input"}


# -- report state machine ----------------------------------------------------------------------------------
def test_report_lifecycle() -> None:
    assert rules.handle(ReportState.OPEN, ReportAction.START) is ReportState.IN_PROGRESS
    assert rules.handle(ReportState.IN_PROGRESS, ReportAction.RESOLVE) is ReportState.RESOLVED
    assert rules.handle(ReportState.IN_PROGRESS, ReportAction.DISMISS) is ReportState.DISMISSED
    assert rules.handle(ReportState.OPEN, ReportAction.RESOLVE) is ReportState.RESOLVED
    assert rules.handle(ReportState.OPEN, ReportAction.DISMISS) is ReportState.DISMISSED


def test_in_progress_cannot_be_started_again() -> None:
    with pytest.raises(InvalidState) as err:
        rules.handle(ReportState.IN_PROGRESS, ReportAction.START)
    assert err.value.code == "report_transition_invalid"


@given(st.sampled_from(sorted(rules.FINAL_STATES)), st.sampled_from(list(ReportAction)))
def test_closed_reports_are_final(state: ReportState, action: ReportAction) -> None:
    with pytest.raises(InvalidState):
        rules.handle(state, action)
    assert rules.allowed_actions(state) == []


@given(st.sampled_from(list(ReportState)), st.sampled_from(list(ReportAction)))
def test_allowed_actions_agree_with_transitions(state: ReportState, action: ReportAction) -> None:
    if action in rules.allowed_actions(state):
        assert rules.handle(state, action) is not state
    else:
        with pytest.raises(InvalidState):
            rules.handle(state, action)


def test_handling_needs_a_known_action_and_a_resolution_to_close() -> None:
    assert rules.validate_handling("start", "") == (ReportAction.START, "")
    assert rules.validate_handling("resolve", "  已警告对方 ") == (ReportAction.RESOLVE, "已警告对方")
    with pytest.raises(ValidationFailed) as err:
        rules.validate_handling("dismiss", "   ")
    assert codes(err) == {"resolution": "report_resolution_required"}
    with pytest.raises(ValidationFailed) as err:
        rules.validate_handling("escalate", "x")
    assert codes(err) == {"action": "report_action_unknown"}
