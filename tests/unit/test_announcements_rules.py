"""Announcement and agreement-change rules (R-33, R-06, R-02): advance notice per kind, the objection
window's end, the diff between agreement texts, objections and staff decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.kernel.errors import InvalidState, ValidationFailed
from videophone.notices.domain import announcements as rules

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


def draft(**overrides: Any) -> rules.AnnouncementDraft:
    values: dict[str, Any] = {
        "kind": "maintenance",
        "title": "系统维护",
        "body": "周六凌晨维护两小时。",
        "publish_at": None,
        "effective_at": NOW + timedelta(days=2),
        "now": NOW,
        "objection_window_months": 1,
    }
    values.update(overrides)
    return rules.validate_announcement(**values)


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.code for e in exc.value.errors}


@pytest.mark.parametrize(
    ("kind", "hours"),
    [("maintenance", 24), ("software_upgrade", 24), ("network_expansion", 72), ("number_change", 168)],
)
def test_each_service_changing_kind_needs_its_minimum_notice(kind: str, hours: int) -> None:
    ok = draft(kind=kind, effective_at=NOW + timedelta(hours=hours))
    assert ok.effective_at - ok.publish_at == timedelta(hours=hours)
    with pytest.raises(ValidationFailed) as exc:
        draft(kind=kind, effective_at=NOW + timedelta(hours=hours) - timedelta(minutes=1))
    assert exc.value.errors[0].code == "announcement_notice_too_short"
    assert exc.value.errors[0].params == {"hours": hours}


def test_notice_counts_from_a_future_publication_time() -> None:
    later = NOW + timedelta(days=10)
    with pytest.raises(ValidationFailed) as exc:
        draft(publish_at=later, effective_at=later + timedelta(hours=23))
    assert codes(exc) == {"effective_at": "announcement_notice_too_short"}
    ok = draft(publish_at=later, effective_at=later + timedelta(hours=24))
    assert ok.publish_at == later


def test_other_kind_only_needs_to_take_effect_after_publication() -> None:
    assert draft(kind="other", effective_at=NOW + timedelta(minutes=1)).kind is rules.AnnouncementKind.OTHER
    with pytest.raises(ValidationFailed) as exc:
        draft(kind="other", effective_at=NOW)
    assert codes(exc) == {"effective_at": "announcement_notice_too_short"}


def test_effective_time_defaults_to_the_earliest_allowed() -> None:
    assert draft(effective_at=None).effective_at == NOW + timedelta(hours=24)
    change = draft(kind="agreement_change", effective_at=None, objection_window_months=2)
    assert change.publish_at == NOW and change.effective_at == datetime(2027, 1, 21, 2, 0, tzinfo=UTC)


def test_agreement_change_is_published_now_to_everyone() -> None:
    change = draft(kind="agreement_change", publish_at=NOW + timedelta(days=3), effective_at=None)
    assert change.publish_at == NOW
    with pytest.raises(ValidationFailed) as exc:
        draft(kind="agreement_change", audience="numbers", numbers="95100000001", effective_at=None)
    assert codes(exc) == {"audience": "announcement_audience_unknown"}


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(ValidationFailed) as exc:
        draft(kind="party", title=" ", body="x" * 5001, audience="some", publish_at=NOW - timedelta(hours=1))
    assert codes(exc) == {
        "kind": "announcement_kind_unknown",
        "title": "required",
        "body": "too_long",
        "audience": "announcement_audience_unknown",
        "publish_at": "announcement_publish_in_past",
    }


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        draft(effective_at=datetime(2026, 12, 1, 8, 0))
    assert codes(exc) == {"effective_at": "announcement_time_invalid"}


def test_numbers_are_parsed_from_text_or_list_without_duplicates() -> None:
    got = draft(audience="numbers", numbers="95100000001, 95100000002\n95100000001；95100000003")
    assert got.numbers == ("95100000001", "95100000002", "95100000003")
    assert draft(audience="numbers", numbers=["95100000009"]).numbers == ("95100000009",)
    with pytest.raises(ValidationFailed) as exc:
        draft(audience="numbers", numbers="")
    assert codes(exc) == {"numbers": "announcement_numbers_required"}
    with pytest.raises(ValidationFailed) as exc:
        draft(audience="numbers", numbers="95100000001 abc")
    assert exc.value.errors[0].code == "announcement_number_invalid"
    assert exc.value.errors[0].params == {"number": "abc"}


@pytest.mark.parametrize(
    ("published", "months", "end"),
    [
        (datetime(2026, 1, 31, 8, 30, tzinfo=UTC), 1, datetime(2026, 2, 28, 8, 30, tzinfo=UTC)),
        (datetime(2028, 1, 31, 8, 30, tzinfo=UTC), 1, datetime(2028, 2, 29, 8, 30, tzinfo=UTC)),
        (datetime(2026, 11, 21, 2, 0, tzinfo=UTC), 2, datetime(2027, 1, 21, 2, 0, tzinfo=UTC)),
        (datetime(2026, 8, 31, 23, 59, tzinfo=UTC), 12, datetime(2027, 8, 31, 23, 59, tzinfo=UTC)),
    ],
)
def test_window_end_is_calendar_months_later(published: datetime, months: int, end: datetime) -> None:
    assert rules.window_end(published, months) == end


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    st.integers(min_value=1, max_value=12),
)
def test_window_end_property(published: datetime, months: int) -> None:
    end = rules.window_end(published, months)
    # later by at least 28 days a month and at most 31; same time of day; day kept unless the month is short
    assert timedelta(days=28 * months) <= end - published <= timedelta(days=31 * months)
    assert end.time() == published.time()
    assert end.day == published.day or end.day < published.day
    assert (end.year * 12 + end.month) - (published.year * 12 + published.month) == months
    assert not rules.deemed_due(end - timedelta(microseconds=1), end)
    assert rules.deemed_due(end, end)


def test_diff_shows_removed_and_added_lines_in_reading_order() -> None:
    old = "# 协议\n\n1. 月租 30 元。\n2. 保修 1 年。\n3. 争议协商解决。\n"
    new = "# 协议\n1. 月租 30 元。\n2. 保修 2 年。\n3. 争议协商解决。\n4. 新增条款。\n"
    lines = rules.diff_texts(old, new)
    assert [(x.op, x.text) for x in lines] == [
        ("same", "# 协议"),
        ("same", "1. 月租 30 元。"),
        ("removed", "2. 保修 1 年。"),
        ("added", "2. 保修 2 年。"),
        ("same", "3. 争议协商解决。"),
        ("added", "4. 新增条款。"),
    ]
    assert rules.diff_counts(lines) == {"added": 2, "removed": 1}
    assert all(x.op == "same" for x in rules.diff_texts(new, new + "\n\n"))


@given(
    st.lists(st.sampled_from(["甲", "乙", "丙", "丁", "戊"]), max_size=8),
    st.lists(st.sampled_from(["甲", "乙", "丙", "己"]), max_size=8),
)
def test_diff_rebuilds_both_texts(a: list[str], b: list[str]) -> None:
    lines = rules.diff_texts("\n".join(a), "\n".join(b))
    assert [x.text for x in lines if x.op != "added"] == a
    assert [x.text for x in lines if x.op != "removed"] == b


def test_objection_within_the_window_once_and_not_after_accepting() -> None:
    end = NOW + timedelta(days=30)
    assert (
        rules.check_objection(
            now=NOW, window_ends_at=end, text=" 不同意 ", already_objected=False, already_accepted=False
        )
        == "不同意"
    )
    with pytest.raises(InvalidState) as closed:
        rules.check_objection(now=end, window_ends_at=end, text="x", already_objected=False, already_accepted=False)
    assert closed.value.code == "objection_window_closed"
    with pytest.raises(InvalidState) as twice:
        rules.check_objection(now=NOW, window_ends_at=end, text="x", already_objected=True, already_accepted=False)
    assert twice.value.code == "objection_exists"
    with pytest.raises(InvalidState) as accepted:
        rules.check_objection(now=NOW, window_ends_at=end, text="x", already_objected=False, already_accepted=True)
    assert accepted.value.code == "agreement_already_accepted"
    with pytest.raises(ValidationFailed) as blank:
        rules.check_objection(now=NOW, window_ends_at=end, text="  ", already_objected=False, already_accepted=False)
    assert codes(blank) == {"text": "required"}


def test_staff_decide_an_open_case_once() -> None:
    assert rules.check_decision("open", "accepted", " 已解释 ") == (rules.ObjectionState.ACCEPTED, "已解释")
    assert rules.check_decision("open", "not_agreed", "x")[0] is rules.ObjectionState.NOT_AGREED
    with pytest.raises(ValidationFailed) as bad:
        rules.check_decision("open", "open", "")
    assert codes(bad) == {"outcome": "objection_outcome_unknown", "note": "required"}
    with pytest.raises(InvalidState) as done:
        rules.check_decision("accepted", "not_agreed", "x")
    assert done.value.code == "objection_already_decided"
