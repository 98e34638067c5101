"""Notification texts of the termination feature: ``TEXTS[kind][language] = (subject, body)`` with
``str.format`` fields from the notification's params (see services.notifications)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "termination_requested": {
        "zh-CN": (
            "已收到您的终止协议申请",
            "您申请自 {date} 起终止协议，号码 {number} 的服务已停止，最终账单已出具。尚需缴纳 {owed} 元；"
            "缴清全部费用后账户即关闭。关闭前您可以撤回申请。",
        ),
        "en": (
            "Your request to terminate the agreement",
            "You asked to terminate the agreement from {date}. Service on {number} has stopped and the final "
            "bill is issued. ¥{owed} remains to be paid; the account closes once everything owed is paid. "
            "You may withdraw the request until then.",
        ),
    },
    "termination_closed": {
        "zh-CN": (
            "您的账户已关闭",
            "全部费用已结清，协议自 {date} 起终止，账户已关闭，号码 {number} 已收回。应退金额：{refund} 元"
            "（如有，工作人员将为您办理退款）。",
        ),
        "en": (
            "Your account is closed",
            "Everything owed is paid: the agreement ended on {date}, the account is closed and the number "
            "{number} is withdrawn. Refund due: ¥{refund} (staff will pay it back if any).",
        ),
    },
    "termination_withdrawn": {
        "zh-CN": ("终止申请已撤回", "您已于 {date} 撤回终止协议的申请，服务已恢复。"),
        "en": (
            "Termination request withdrawn",
            "You withdrew your request to terminate on {date}; service is restored.",
        ),
    },
    "termination_inactivity_notice": {
        "zh-CN": (
            "长期未使用，服务即将终止",
            "您的账户自 {last} 起未使用（无通话、未登录）。根据协议第六条，如在 {date} 前仍未使用，"
            "我们将提前终止协议。登录或拨打电话即可保留服务。",
        ),
        "en": (
            "Your unused account will be terminated",
            "Your account has not been used since {last} (no calls, no sign-in). Under clause 6 of the "
            "agreement it will be terminated early if still unused on {date}. Sign in or place a call to keep it.",
        ),
    },
    "termination_by_operator_breach": {
        "zh-CN": (
            "因严重违约，协议已终止",
            "因严重违反协议约定，协议已于 {date} 终止，号码 {number} 已收回。尚欠 {owed} 元仍须缴纳。",
        ),
        "en": (
            "Agreement terminated for serious breach",
            "The agreement was terminated on {date} for a serious breach; the number {number} is withdrawn. "
            "¥{owed} still owed remains payable.",
        ),
    },
    "termination_by_operator_illegal": {
        "zh-CN": (
            "因违法行为，协议已终止",
            "因存在违法行为，协议已于 {date} 终止，号码 {number} 已收回。尚欠 {owed} 元仍须缴纳。",
        ),
        "en": (
            "Agreement terminated for illegal acts",
            "The agreement was terminated on {date} because of illegal acts; the number {number} is withdrawn. "
            "¥{owed} still owed remains payable.",
        ),
    },
    "termination_by_operator_violation": {
        "zh-CN": (
            "因违规，协议已终止",
            "因违规使用服务，协议已于 {date} 终止，号码 {number} 已收回。尚欠 {owed} 元仍须缴纳。",
        ),
        "en": (
            "Agreement terminated for a violation",
            "The agreement was terminated on {date} for a violation; the number {number} is withdrawn. "
            "¥{owed} still owed remains payable.",
        ),
    },
    "termination_by_operator_inactivity": {
        "zh-CN": (
            "因长期未使用，协议已终止",
            "账户长期未使用，且通知期内仍未使用，协议已于 {date} 终止，号码 {number} 已收回。尚欠 {owed} 元仍须缴纳。",
        ),
        "en": (
            "Agreement terminated for inactivity",
            "The account stayed unused after our notice; the agreement was terminated on {date} and the number "
            "{number} is withdrawn. ¥{owed} still owed remains payable.",
        ),
    },
}
