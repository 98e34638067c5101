"""Every code a console or portal script turns into words has a text in both languages (issue 15: no raw
codes on any page). Each script says a code as ``labelOf("<prefix>", code)`` (or ``t("<prefix>" + code)``);
``labelOf`` falls back to the code itself, so a code without a text would show raw. The values come from
the enums and the answer types (the API's contract) that feed those prefixes."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any, get_args

import pytest

from videophone.billing.api import billing_answers, disputes_answers, sales_answers
from videophone.calling.api import calls_answers, contacts_answers, forwarding_answers
from videophone.calling.domain.features import Feature
from videophone.collections.api import arrears_answers, payments_answers
from videophone.collections.domain.termination import OPERATOR_REASONS, RequestState
from videophone.edge.ui_text import UI
from videophone.enforcement.api import enforcement_answers
from videophone.enforcement.services import restrictions
from videophone.identity.api import me_answers
from videophone.identity.domain.kyc import ReviewAction, ReviewState
from videophone.identity.domain.numbers import NumberChangeReason
from videophone.identity.domain.staff import StaffRole
from videophone.identity.domain.subscriber import SubscriberKind
from videophone.notices.api import announcements_answers, outages_answers, preferences_answers
from videophone.terminals.api import terminals_answers


def _values(source: Any) -> list[str]:
    if isinstance(source, type) and issubclass(source, Enum):
        return [str(member.value) for member in source]
    args = get_args(source)
    if args:
        return [str(a) for a in args if a != ""]
    assert isinstance(source, Iterable)
    return [str(v) for v in source]


# (label prefix in the scripts, where its codes come from) — the scripts that use each prefix in brackets.
SOURCES: list[tuple[str, Any]] = [
    # identity: account, reviews, subscribers, staff, the audit log
    ("review_", ReviewState),  # app.js, audit-console.js
    ("kind_", SubscriberKind),  # app.js (queue, subscribers, account)
    ("action_", ReviewAction),  # app.js (review decisions)
    ("reason_", NumberChangeReason),  # app.js (number changes)
    ("role_", StaffRole),  # app.js (staff), audit-console.js
    ("session_kind_", me_answers.SessionKind),  # app.js (account sessions)
    ("audit_item_kind_", sales_answers.ItemKind),  # audit-console.js (order items; their action: order_)
    # audit-console.js: how one registered (``api.public``), accepted an agreement (``agreement_changes``)
    # or changed notice preferences (``notifications``).
    ("audit_channel_", ("web", "api", "negotiation", "announcement", *get_args(preferences_answers.Channel))),
    # enforcement: service states, restrictions, violations, lawful suspensions
    ("service_", enforcement_answers.ServiceState),  # app.js (account), arrears-console.js
    ("enf_service_", enforcement_answers.ServiceState),  # violations-console.js
    ("enf_reason_", restrictions.Reason),  # violations-console.js
    ("account_reason_", restrictions.Reason),  # arrears-console.js, audit-console.js
    ("account_scope_", restrictions.Scope),  # arrears-console.js, audit-console.js
    ("viol_action_", enforcement_answers.ViolationAction),  # violations-console.js
    ("viol_state_", enforcement_answers.ViolationState),  # violations-console.js
    ("lawful_state_", enforcement_answers.LawfulState),  # lawful-console.js
    # collections: payments, arrears, terminations
    ("pay_method_", payments_answers.PaymentMethod),  # payments-console.js, payments.js, audit-console.js
    ("pay_method_", payments_answers.RefundMethod),
    ("pay_arrival_", payments_answers.Arrival),  # payments-console.js
    ("pay_state_", payments_answers.IntentState),  # payments.js
    ("cpay_status_", ("paid", "closed")),  # payments-console.js (the gateway's trade status)
    ("arrears_bucket_", arrears_answers.Bucket),  # arrears-console.js, dashboard-console.js
    ("terminations_reason_", (*OPERATOR_REASONS, "subscriber")),  # terminations-console.js
    ("terminations_state_", RequestState),  # terminations-console.js
    # billing: bill runs, disputes, orders
    ("run_state_", billing_answers.RunState),  # bills-console.js
    ("dispute_state_", disputes_answers.DisputeState),  # disputes.js, disputes-console.js
    ("order_kind_", sales_answers.OrderKind),  # orders.js
    ("order_action_", sales_answers.ItemAction),  # orders.js, audit-console.js
    # calling: live calls, reports, forwarding, features
    ("callc_state_", calls_answers.CallState),  # calls-console.js
    ("report_state_", contacts_answers.ReportState),  # reports.js
    ("fwd_condition_", forwarding_answers.Condition),  # forwarding.js
    ("feature_", Feature),  # tariffs.js
    # notices: announcements, objections, outages, preferences
    ("ann_kind_", announcements_answers.AnnouncementKind),  # announcements.js, announcements-console.js
    ("cann_state_", announcements_answers.AnnouncementState),  # announcements-console.js
    ("ann_objection_state_", announcements_answers.ObjectionState),  # announcements*.js
    ("ann_method_", announcements_answers.AcceptanceMethod),  # announcements.js
    ("outages_state_", outages_answers.OutageState),  # outages-console.js
    ("outages_cause_", outages_answers.OutageCause),  # outages-console.js, console/outages.html
    ("prefs_category_", preferences_answers.Category),  # notifications.js
    ("prefs_col_", preferences_answers.Channel),  # notifications.js
    # terminals: units, claims, releases
    ("terminals_state_", terminals_answers.TerminalState),  # terminals-console.js
    ("warranty_state_", terminals_answers.ClaimState),  # warranty-console.js, terminals.js
    ("warranty_cause_", terminals_answers.ClaimCause),  # warranty-console.js, terminals.js
    ("creleases_platform_", terminals_answers.Platform),  # releases-console.js
]

CASES = [(prefix, code) for prefix, source in SOURCES for code in _values(source)]


@pytest.mark.parametrize(("prefix", "code"), CASES, ids=[p + c for p, c in CASES])
def test_every_code_a_page_shows_has_words_in_both_languages(prefix: str, code: str) -> None:
    text = UI.get(prefix + code)
    assert text is not None, f"no text {prefix}{code}: the page would show the code"
    assert text["zh-CN"].strip() and text["en"].strip()


def test_the_sources_are_not_empty() -> None:
    for prefix, source in SOURCES:
        assert _values(source), prefix
