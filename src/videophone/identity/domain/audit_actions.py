"""Every action the audit log records (``common.audit.record``), by code.

The console offers them as a filter and says each in words (``identity/texts/ui_audit.py``:
``audit_action_<code with "." as "_">``); ``tests/unit/test_audit_actions.py`` finds the codes the code
base writes — literals, both branches of a conditional, and the enum values behind an f-string — and
checks that each is here and has its words in both languages.
"""

from __future__ import annotations

ACTIONS: tuple[str, ...] = (
    # identity: sign-in, staff, subscribers, review, policy, agreement
    "auth.login",
    "auth.password_change",
    "auth.password_reset",
    "auth.password_reset_request",
    "auth.session_revoke",
    "auth.token_issue",
    "staff.create",
    "staff.activate",
    "staff.deactivate",
    "subscriber.register",
    "subscriber.contact_update",
    "subscriber.export",
    "subscriber.number_change",
    "subscriber.reveal",
    "subscriber.second_number",
    "review.verify",
    "review.request_documents",
    "review.reject",
    "review.document_upload",
    "review.document_view",
    "policy.update",
    "agreement.accept",
    "agreement.deemed_acceptance",
    "agreement.object",
    "agreement.objection_decide",
    "agreement.publish_version",
    # calling
    "call.view",
    "contact.create",
    "contact.update",
    "contact.delete",
    "block.create",
    "block.delete",
    "report.create",
    "report.start",
    "report.resolve",
    "report.dismiss",
    "forwarding.update",
    "voicemail.clear",
    # billing
    "tariff.plan_create",
    "tariff.plan_price_add",
    "tariff.plan_activate",
    "tariff.plan_deactivate",
    "tariff.vas_create",
    "tariff.vas_price_add",
    "tariff.vas_activate",
    "tariff.vas_deactivate",
    "tariff.plan_describe",
    "tariff.vas_describe",
    "order.initial_plan",
    "order.plan_change",
    "order.vas_add",
    "order.vas_remove",
    "billing.run",
    "billing.adjustment",
    "billing.credit",
    "dispute.open",
    "dispute.view",
    "dispute.adjust",
    "dispute.reject",
    # collections
    "payment.counter",
    "payment.refund",
    "payment.late_after_cancel",
    "payment.late_after_expiry",
    "payment.double_payment",
    "credit_limit.set",
    "termination.request",
    "termination.withdraw",
    "termination.close",
    # enforcement
    "service.restrict",
    "service.lift",
    "service.terminate",
    "violation.issue",
    "violation.lift",
    "violation.evidence_view",
    "lawful.record",
    "lawful.lift",
    "lawful.expire",
    # notices
    "announcement.create",
    "outage.record",
    "outage.close",
    "outage.cause",
    "notifications.preferences_changed",
    "push.subscribed",
    "push.unsubscribed",
    # terminals
    "terminal.add",
    "terminal.assign",
    "terminal.installation_date",
    "terminal.opened_by_others",
    "terminal.token_issue",
    "terminal.token_revoke",
    "sip_credential.create",
    "sip_credential.revoke",
    "warranty.claim",
    "warranty.repair",
    "warranty.replace",
    "warranty.deny",
    "release.publish",
)


def text_key(action: str) -> str:
    """The UI text key of an action's words: ``policy.update`` → ``audit_action_policy_update``."""
    return "audit_action_" + action.replace(".", "_")
