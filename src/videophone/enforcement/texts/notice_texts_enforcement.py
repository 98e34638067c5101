"""Notification texts of the enforcement feature (R-30 violations, R-31 lawful suspension):
``TEXTS[kind][language] = (subject, body)`` with ``str.format`` fields from the notification's params
(see services.notifications).  A lawful suspension's notice never carries the authority's reference."""

from __future__ import annotations

_CONTACT_ZH = "如有异议，请联系客服。"
_CONTACT_EN = "If you disagree, please contact customer service."

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # params of every violation_* kind: violation_id, reason, vas_code
    "violation_warning": {
        "zh-CN": (
            "违约警告",
            "您的账户因违反用户协议收到警告（#{violation_id}）。原因：{reason}。请遵守协议，否则我们可能限制或暂停您的服务。"
            + _CONTACT_ZH,
        ),
        "en": (
            "Warning: breach of the agreement",
            "Your account received a warning for breaching the service agreement (#{violation_id}). "
            "Reason: {reason}. Please comply, or we may restrict or suspend your service. " + _CONTACT_EN,
        ),
    },
    "violation_restrict_outgoing": {
        "zh-CN": (
            "呼出功能已被限制",
            "因违反用户协议（#{violation_id}），您的呼出功能已被限制，仍可接听来电。原因：{reason}。" + _CONTACT_ZH,
        ),
        "en": (
            "Outgoing calls barred",
            "Because of a breach of the service agreement (#{violation_id}) you can no longer place calls; "
            "you can still receive them. Reason: {reason}. " + _CONTACT_EN,
        ),
    },
    "violation_withdraw_vas": {
        "zh-CN": (
            "增值业务已被停止",
            "因违反用户协议（#{violation_id}），您的增值业务 {vas_code} 已于今日停止。原因：{reason}。" + _CONTACT_ZH,
        ),
        "en": (
            "Value-added service withdrawn",
            "Because of a breach of the service agreement (#{violation_id}) your value-added service "
            "{vas_code} ends today. Reason: {reason}. " + _CONTACT_EN,
        ),
    },
    "violation_suspend": {
        "zh-CN": (
            "服务已暂停（违约）",
            "因违反用户协议（#{violation_id}），您的服务已暂停，暂停期间无法拨打或接听电话。原因：{reason}。"
            + _CONTACT_ZH,
        ),
        "en": (
            "Service suspended (breach of the agreement)",
            "Because of a breach of the service agreement (#{violation_id}) your service is suspended: "
            "you cannot place or receive calls. Reason: {reason}. " + _CONTACT_EN,
        ),
    },
    "violation_terminate": {
        "zh-CN": (
            "服务已终止（严重违约）",
            "因严重违反用户协议（#{violation_id}），我们已提前终止您的服务协议。原因：{reason}。尚未结清的费用仍需支付。"
            + _CONTACT_ZH,
        ),
        "en": (
            "Service terminated (serious breach)",
            "Because of a serious breach of the service agreement (#{violation_id}) we have terminated it "
            "early. Reason: {reason}. Any amount still owed remains due. " + _CONTACT_EN,
        ),
    },
    # params: violation_id, reason
    "violation_lifted": {
        "zh-CN": ("限制已解除", "针对违约处理 #{violation_id} 的限制已解除。说明：{reason}。"),
        "en": ("Restriction lifted", "The restriction of measure #{violation_id} has been lifted. Note: {reason}."),
    },
    # params: period_to (may be empty)
    "lawful_suspended": {
        "zh-CN": (
            "服务已依法暂停",
            "根据有权机关的要求，您的服务已依法暂停，暂停期间无法拨打或接听电话，月租费照常收取。",
        ),
        "en": (
            "Service suspended as required by law",
            "As required by law at the request of a competent authority, your service is suspended: you "
            "cannot place or receive calls. The monthly rent is still charged.",
        ),
    },
    "lawful_lifted": {
        "zh-CN": ("服务已恢复", "依法暂停已解除，您的服务已恢复（如无其他限制）。"),
        "en": (
            "Service restored",
            "The suspension required by law has ended; your service is restored (unless another restriction applies).",
        ),
    },
}

CATEGORIES: dict[str, str] = {kind: "service" for kind in TEXTS}
MANDATORY: set[str] = {"violation_suspend", "violation_terminate", "violation_restrict_outgoing", "lawful_suspended"}
