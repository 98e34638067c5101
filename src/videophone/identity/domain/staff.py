"""Staff roles and what each may do (R-50)."""

from __future__ import annotations

from enum import StrEnum


class StaffRole(StrEnum):
    ADMINISTRATOR = "administrator"
    REVIEWER = "reviewer"
    BILLING = "billing"
    SUPPORT = "support"
    LEGAL = "legal"


class Permission(StrEnum):
    VIEW_SUBSCRIBERS = "view_subscribers"
    REVIEW_IDENTITY = "review_identity"
    REVEAL_PERSONAL_DATA = "reveal_personal_data"
    CHANGE_NUMBER = "change_number"
    EDIT_POLICY = "edit_policy"
    VIEW_POLICY = "view_policy"
    VIEW_AUDIT = "view_audit"
    MANAGE_STAFF = "manage_staff"
    VIEW_CALLS = "view_calls"
    HANDLE_REPORTS = "handle_reports"
    MANAGE_TARIFFS = "manage_tariffs"
    VIEW_BILLING = "view_billing"
    RUN_BILLING = "run_billing"
    ADJUST_BILLS = "adjust_bills"
    RECORD_PAYMENTS = "record_payments"
    REFUND_PAYMENTS = "refund_payments"
    HANDLE_DISPUTES = "handle_disputes"
    HANDLE_VIOLATIONS = "handle_violations"
    LAWFUL_SUSPENSION = "lawful_suspension"
    TERMINATE_ACCOUNTS = "terminate_accounts"
    MANAGE_ANNOUNCEMENTS = "manage_announcements"
    MANAGE_OUTAGES = "manage_outages"
    MANAGE_TERMINALS = "manage_terminals"
    HANDLE_WARRANTY = "handle_warranty"
    MANAGE_RELEASES = "manage_releases"
    VIEW_DASHBOARD = "view_dashboard"
    CLEAR_MAILBOX = "clear_mailbox"  # delete a subscriber's video messages on a legal request


ROLE_PERMISSIONS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.ADMINISTRATOR: frozenset(Permission),
    StaffRole.REVIEWER: frozenset(
        {
            Permission.VIEW_SUBSCRIBERS,
            Permission.REVIEW_IDENTITY,
            Permission.REVEAL_PERSONAL_DATA,
            Permission.VIEW_POLICY,
            Permission.VIEW_DASHBOARD,
        }
    ),
    StaffRole.BILLING: frozenset(
        {
            Permission.VIEW_SUBSCRIBERS,
            Permission.VIEW_POLICY,
            Permission.VIEW_CALLS,
            Permission.VIEW_BILLING,
            Permission.RUN_BILLING,
            Permission.ADJUST_BILLS,
            Permission.RECORD_PAYMENTS,
            Permission.REFUND_PAYMENTS,
            Permission.HANDLE_DISPUTES,
            Permission.TERMINATE_ACCOUNTS,
            Permission.MANAGE_OUTAGES,
            Permission.VIEW_DASHBOARD,
        }
    ),
    StaffRole.SUPPORT: frozenset(
        {
            Permission.VIEW_SUBSCRIBERS,
            Permission.CHANGE_NUMBER,
            Permission.VIEW_POLICY,
            Permission.VIEW_CALLS,
            Permission.HANDLE_REPORTS,
            Permission.VIEW_BILLING,
            Permission.HANDLE_VIOLATIONS,
            Permission.MANAGE_OUTAGES,
            Permission.MANAGE_TERMINALS,
            Permission.HANDLE_WARRANTY,
            Permission.VIEW_DASHBOARD,
            Permission.CLEAR_MAILBOX,
        }
    ),
    StaffRole.LEGAL: frozenset(
        {
            Permission.VIEW_SUBSCRIBERS,
            Permission.REVEAL_PERSONAL_DATA,
            Permission.VIEW_AUDIT,
            Permission.VIEW_POLICY,
            Permission.VIEW_CALLS,
            Permission.HANDLE_VIOLATIONS,
            Permission.LAWFUL_SUSPENSION,
            Permission.TERMINATE_ACCOUNTS,
            Permission.VIEW_DASHBOARD,
        }
    ),
}


def has_permission(roles: frozenset[StaffRole] | set[StaffRole], permission: Permission) -> bool:
    return any(permission in ROLE_PERMISSIONS[role] for role in roles)
