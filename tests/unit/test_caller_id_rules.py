"""Caller ID (来电显示, R-16, ADR 0009): what a callee is shown of who calls (``calling/domain/caller_id.py``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from videophone.calling.domain.caller_id import WITHHELD, hidden_from, peer, presented, shown_to_callee
from videophone.calling.domain.features import in_force, serving

states = st.sampled_from(["active", "outgoing_barred", "suspended", "terminated", ""])
numbers = st.from_regex(r"[0-9]{5,20}", fullmatch=True)
names = st.text(min_size=0, max_size=20)


def test_the_callee_with_caller_id_sees_the_number_the_name_and_their_contact_name() -> None:
    shown = shown_to_callee(True, "95100012345", "李明", "老李")
    assert shown.message() == {"number": "95100012345", "name": "李明", "contact_name": "老李", "withheld": False}
    assert shown_to_callee(True, "95100012345", "李明", None).contact_name is None
    assert shown_to_callee(True, "95100012345", "李明", "").contact_name is None


def test_without_caller_id_nothing_of_the_caller_is_shown_not_even_the_contact_name() -> None:
    shown = shown_to_callee(False, "95100012345", "李明", "老李")
    assert shown is WITHHELD
    assert shown.message() == {"number": "", "name": "", "contact_name": None, "withheld": True}


def test_the_decision_follows_the_entitlement_rule() -> None:
    assert presented(True, "active") and presented(True, "outgoing_barred")  # incoming calls still come
    assert not presented(True, "suspended") and not presented(True, "terminated")
    assert not presented(False, "active")


def test_a_resumed_call_shows_the_callee_what_its_incoming_showed() -> None:
    assert peer("callee", False, "95100012345", "李明") == WITHHELD.message()
    assert peer("callee", True, "95100012345", "李明")["number"] == "95100012345"
    # The caller always sees whom they called, whatever the callee subscribes to.
    assert peer("caller", False, "95100067890", "王芳") == {"number": "95100067890", "name": "王芳"}


@given(st.booleans(), states)
def test_presented_is_exactly_the_features_in_force(covered: bool, state: str) -> None:
    assert presented(covered, state) == in_force(covered, state) == (covered and serving(state))


@given(st.booleans(), numbers, names, st.none() | names)
def test_a_withheld_caller_leaks_nothing(is_presented: bool, number: str, name: str, contact: str | None) -> None:
    shown = shown_to_callee(is_presented, number, name, contact)
    assert shown.withheld is not is_presented
    if shown.withheld:
        assert shown.message() == {"number": "", "name": "", "contact_name": None, "withheld": True}
    else:
        assert (shown.number, shown.name) == (number, name)


@given(st.integers(1, 50), st.integers(1, 50), st.booleans())
def test_only_the_callee_of_a_withheld_call_is_kept_from_the_caller(viewer: int, caller: int, flag: bool) -> None:
    hidden = hidden_from(viewer, caller, flag)
    assert hidden == (viewer != caller and not flag)
    assert not hidden_from(caller, caller, flag)  # the caller's own history never hides anything
