"""Which channels a notification goes to (R-35): categories of kinds, defaults, preferences, the legally
required notices that ignore "off", missing addresses, and validation of a change."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.kernel.errors import ValidationFailed
from videophone.notices.domain import notification_prefs as p

BOTH = p.Addresses("a@example.com", "13800138000")


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("bill_issued", "billing"),
        ("payment_received", "billing"),
        ("refund_issued", "billing"),
        ("payment_overdue", "overdue"),
        ("service_suspended_arrears", "service"),
        ("service_restored", "service"),
        ("service_terminated", "service"),
        ("credit_limit_warning", "credit_limit"),
        ("dispute_adjusted", "disputes"),
        # kinds of features written later are classified by their names
        ("announcement_published", "announcements"),
        ("agreement_changed", "announcements"),
        ("outage_credit", "billing"),
        ("warranty_claim_decided", "other"),
        ("terminal_assigned", "other"),
        ("violation_warning", "service"),
        ("lawful_suspension", "service"),
        ("inactivity_termination_notice", "service"),
        ("something_new", "other"),
        ("missed_call", "calls"),
    ],
)
def test_each_kind_has_a_category(kind: str, category: str) -> None:
    assert p.category_of(kind) == category


def test_a_feature_can_declare_the_category_of_its_kinds() -> None:
    assert p.category_of("something_new", {"something_new": "disputes"}) == "disputes"
    assert p.category_of("something_new", {"something_new": "no-such-category"}) == "other"


def test_defaults_email_everywhere_sms_for_service_critical_categories() -> None:
    assert all(p.DEFAULTS[(c, "email")] for c in p.CATEGORIES if c != "calls")
    assert {c for c in p.CATEGORIES if p.DEFAULTS[(c, "sms")]} == {"overdue", "service"}
    switches = p.effective({})
    assert p.channels_for("bill_issued", switches, BOTH) == ("email",)
    assert p.channels_for("payment_overdue", switches, BOTH) == ("email", "sms")
    assert p.channels_for("service_restored", switches, BOTH) == ("email", "sms")
    assert p.channels_for("credit_limit_warning", switches, BOTH) == ("email",)


def test_preferences_turn_channels_on_and_off() -> None:
    switches = p.effective({("billing", "sms"): True, ("billing", "email"): False, ("service", "sms"): False})
    assert p.channels_for("bill_issued", switches, BOTH) == ("sms",)
    assert p.channels_for("service_restored", switches, BOTH) == ("email",)
    off = p.effective({(c, ch): False for c in p.CATEGORIES for ch in p.CHANNELS})
    assert p.channels_for("dispute_rejected", off, BOTH) == ()
    assert p.channels_for("payment_overdue", off, BOTH) == ()


@pytest.mark.parametrize(
    "kind", ["service_suspended_arrears", "service_terminated", "agreement_changed", "lawful_suspension"]
)
def test_legally_required_notices_ignore_off(kind: str) -> None:
    off = p.effective({(c, ch): False for c in p.CATEGORIES for ch in p.CHANNELS})
    assert p.is_mandatory(kind)
    assert p.channels_for(kind, off, BOTH) == ("email", "sms")
    # … but not a missing address, nor the caller's "in-app only"
    assert p.channels_for(kind, off, p.Addresses("a@example.com", "")) == ("email",)
    assert p.channels_for(kind, off, BOTH, email_wanted=False) == ()


def test_terminals_are_not_terminations_and_declared_kinds_are_mandatory() -> None:
    assert not p.is_mandatory("terminal_assigned")
    assert not p.is_mandatory("service_restored")
    assert not p.is_mandatory("bill_issued")
    assert p.is_mandatory("bill_issued", {"bill_issued"})


def test_no_address_no_channel() -> None:
    switches = p.effective({("disputes", "sms"): True})
    assert p.channels_for("dispute_opened", switches, p.Addresses("", "13800138000")) == ("sms",)
    assert p.channels_for("dispute_opened", switches, p.Addresses("a@b.c", "  ")) == ("email",)


def test_parse_update_accepts_good_items_and_reports_every_bad_one() -> None:
    ok = p.parse_update(
        [
            {"category": "billing", "channel": "sms", "enabled": True},
            {"category": "other", "channel": "email", "enabled": False},
        ]
    )
    assert ok == {("billing", "sms"): True, ("other", "email"): False}
    with pytest.raises(ValidationFailed) as err:
        p.parse_update(
            [
                {"category": "billing", "channel": "sms", "enabled": True},
                {"category": "nope", "channel": "fax", "enabled": "yes"},
                {"category": "billing", "channel": "sms", "enabled": False},
            ]
        )
    assert [(e.field, e.code) for e in err.value.errors] == [
        ("preferences.1.category", "notification_pref_category_unknown"),
        ("preferences.1.channel", "notification_pref_channel_unknown"),
        ("preferences.1.enabled", "notification_pref_enabled_invalid"),
        ("preferences.2", "notification_pref_contradictory"),
    ]


def test_sms_text_is_one_line_and_cut_with_an_ellipsis() -> None:
    assert p.sms_text("账单已出", "应缴\n31.54 元") == "账单已出：应缴 31.54 元"
    long = p.sms_text("S", "x" * 500, limit=300)
    assert len(long) == 300 and long.endswith("…")


kinds = st.sampled_from(
    [
        "bill_issued",
        "payment_overdue",
        "service_restored",
        "service_terminated",
        "dispute_opened",
        "credit_limit_barred",
        "agreement_changed",
        "warranty_claim_decided",
        "announcement_published",
    ]
)
choices = st.dictionaries(st.tuples(st.sampled_from(p.CATEGORIES), st.sampled_from(p.CHANNELS)), st.booleans())


@given(kind=kinds, chosen=choices, email=st.sampled_from(["", "a@b.c"]), phone=st.sampled_from(["", "13800138000"]))
def test_channels_follow_the_switch_unless_mandatory(
    kind: str, chosen: dict[p.Key, bool], email: str, phone: str
) -> None:
    switches = p.effective(chosen)
    got = p.channels_for(kind, switches, p.Addresses(email, phone))
    category = p.category_of(kind)
    for channel, address in (("email", email), ("sms", phone)):
        expected = bool(address) and (p.is_mandatory(kind) or switches[(category, channel)])
        assert (channel in got) == expected
    assert list(got) == [c for c in p.CHANNELS if c in got]  # no duplicates, fixed order


PUSHED = p.Addresses("a@example.com", "13800138000", push=True)


def test_push_is_on_by_default_for_every_category_and_needs_a_subscription() -> None:
    """R-36: every category goes by push by default; missed calls (``calls``) go in-app and by push only."""
    assert "push" in p.CHANNELS and "calls" in p.CATEGORIES
    assert all(p.DEFAULTS[(c, "push")] for c in p.CATEGORIES)
    assert (p.DEFAULTS[("calls", "email")], p.DEFAULTS[("calls", "sms")]) == (False, False)
    switches = p.effective({})
    assert p.channels_for("bill_issued", switches, PUSHED) == ("email", "push")
    assert p.channels_for("missed_call", switches, PUSHED) == ("push",)
    assert p.channels_for("missed_call", switches, BOTH) == ()  # no browser enabled: nothing to push to
    off = p.effective({("calls", "push"): False})
    assert p.channels_for("missed_call", off, PUSHED) == ()
    # A legally required notice goes by push too when there is a subscription.
    none = p.effective({(c, ch): False for c in p.CATEGORIES for ch in p.CHANNELS})
    assert p.channels_for("service_terminated", none, PUSHED) == ("email", "sms", "push")


def test_a_change_of_the_push_switch_is_accepted() -> None:
    assert p.parse_update([{"category": "calls", "channel": "push", "enabled": False}]) == {("calls", "push"): False}
