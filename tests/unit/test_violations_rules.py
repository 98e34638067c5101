"""Rules of enforcement (R-30 violations, R-31 lawful suspension): what staff may do, what it
restricts, which calls in progress a service state forbids, and lawful periods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.calling.domain.call_rules import ServiceState
from videophone.calling.domain.calls import EndReason, Outcome, outcome_of
from videophone.enforcement.domain import violations as rules
from videophone.kernel.errors import InvalidState, ValidationFailed

TODAY = date(2026, 11, 21)


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.code for e in exc.value.errors}


def test_every_action_needs_a_reason_and_a_known_action() -> None:
    with pytest.raises(ValidationFailed) as exc:
        rules.validate_issue("fine", "  ", "", evidence_count=0, service_state="active")
    assert codes(exc) == {"action": "invalid_choice", "reason": "required"}


def test_withdrawing_a_vas_needs_the_service() -> None:
    with pytest.raises(ValidationFailed) as exc:
        rules.validate_issue("withdraw_vas", "spam", "", evidence_count=0, service_state="active")
    assert codes(exc) == {"vas_code": "required"}
    issue = rules.validate_issue("withdraw_vas", " spam ", " voicemail ", evidence_count=1, service_state="active")
    assert issue == rules.Issue(rules.Action.WITHDRAW_VAS, "spam", "voicemail")


def test_vas_code_is_ignored_for_other_actions_and_files_are_limited() -> None:
    assert rules.validate_issue("warning", "x", "voicemail", evidence_count=0, service_state="active").vas_code == ""
    with pytest.raises(ValidationFailed) as exc:
        rules.validate_issue("warning", "x", "", evidence_count=rules.MAX_EVIDENCE_FILES + 1, service_state="active")
    assert codes(exc) == {"files": "violation_too_many_files"}
    with pytest.raises(ValidationFailed) as exc:
        rules.validate_issue("warning", "x" * (rules.REASON_MAX + 1), "", evidence_count=0, service_state="active")
    assert codes(exc) == {"reason": "too_long"}


def test_nothing_more_against_a_terminated_subscriber() -> None:
    with pytest.raises(InvalidState) as exc:
        rules.validate_issue("warning", "x", "", evidence_count=0, service_state="terminated")
    assert exc.value.code == "violation_subscriber_terminated"


@pytest.mark.parametrize(
    ("action", "scope", "state"),
    [
        ("warning", None, "done"),
        ("restrict_outgoing", "outgoing", "open"),
        ("withdraw_vas", None, "done"),
        ("suspend", "all", "open"),
        ("terminate", None, "done"),
    ],
)
def test_what_each_action_restricts(action: str, scope: str | None, state: str) -> None:
    assert rules.restriction_scope(rules.Action(action)) == scope
    assert rules.initial_state(rules.Action(action)).value == state


@given(st.lists(st.sampled_from(list(rules.Action)), max_size=6))
def test_the_violation_restriction_is_the_widest_of_the_measures_still_open(actions: list[rules.Action]) -> None:
    scope = rules.widest_scope(actions)
    if rules.Action.SUSPEND in actions:
        assert scope == "all"
    elif rules.Action.RESTRICT_OUTGOING in actions:
        assert scope == "outgoing"
    else:
        assert scope is None


def test_only_an_open_measure_is_lifted_and_with_a_reason() -> None:
    assert rules.validate_lift("open", " paid ") == "paid"
    with pytest.raises(ValidationFailed):
        rules.validate_lift("open", "")
    with pytest.raises(InvalidState) as exc:
        rules.validate_lift("lifted", "again")
    assert exc.value.code == "violation_not_liftable"


@given(st.sampled_from(list(ServiceState)), st.booleans())
def test_calls_forbidden_by_a_state(state: ServiceState, is_caller: bool) -> None:
    forbidden = rules.call_forbidden(state.value, is_caller=is_caller)
    if state in (ServiceState.SUSPENDED, ServiceState.TERMINATED):
        assert forbidden  # every call of the subscriber ends
    elif state is ServiceState.OUTGOING_BARRED:
        assert forbidden is is_caller  # only the calls they placed
    else:
        assert not forbidden


def test_the_detail_the_parties_see_matches_the_invite_refusal() -> None:
    assert rules.end_detail("suspended", "violation") == "suspended_violation"
    assert rules.end_detail("suspended", "lawful") == "suspended_lawful"
    assert rules.end_detail("outgoing_barred", "violation") == "outgoing_barred_violation"
    assert rules.end_detail("terminated", "") == "terminated"


def test_a_call_ended_by_a_restriction_after_the_answer_is_an_answered_call() -> None:
    # The time talked before the suspension is rated; an invite refused is a failed attempt.
    assert outcome_of(EndReason.NOT_ALLOWED, answered=True) is Outcome.ANSWERED
    assert outcome_of(EndReason.NOT_ALLOWED, answered=False) is Outcome.FAILED


def test_lawful_request_fields() -> None:
    with pytest.raises(ValidationFailed) as exc:
        rules.validate_lawful("", "", "2026-13-01", "", TODAY)
    assert codes(exc) == {"authority": "required", "reference": "required", "period_from": "lawful_invalid_date"}
    req = rules.validate_lawful(" 某市公安局 ", " (2026)公字第1号 ", "", "", TODAY)
    assert req == rules.LawfulRequest("某市公安局", "(2026)公字第1号", TODAY, None)


def test_lawful_period_starts_today_at_the_latest_and_ends_after_it_starts() -> None:
    with pytest.raises(ValidationFailed) as exc:
        rules.validate_lawful("a", "r", (TODAY + timedelta(days=1)).isoformat(), "", TODAY)
    assert codes(exc) == {"period_from": "lawful_from_in_future"}
    with pytest.raises(ValidationFailed) as exc:
        rules.validate_lawful("a", "r", "2026-11-01", "2026-11-20", TODAY)
    assert codes(exc) == {"period_to": "lawful_to_before_from"}
    req = rules.validate_lawful("a", "r", "2026-11-01", TODAY.isoformat(), TODAY)
    assert (req.period_from, req.period_to) == (date(2026, 11, 1), TODAY)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)), st.integers(-5, 5))
def test_a_lawful_suspension_expires_only_after_its_last_day(last: date, offset: int) -> None:
    today = last + timedelta(days=offset)
    assert rules.lawful_expired(last, today) is (offset > 0)
    assert not rules.lawful_expired(None, today)


def test_reference_is_masked_and_lift_needs_an_active_suspension() -> None:
    assert rules.mask_reference("(2026)公字第1号") == "****"
    assert rules.mask_reference("") == ""
    assert rules.validate_lawful_lift("active", " done ") == "done"
    with pytest.raises(InvalidState):
        rules.validate_lawful_lift("expired", "done")
