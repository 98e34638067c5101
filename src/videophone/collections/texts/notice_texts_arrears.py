"""Notification texts of the arrears feature: ``TEXTS[kind][language] = (subject, body)`` with
``str.format`` fields from the notification's params (see services.notifications)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "payment_overdue": {
        "zh-CN": (
            "您的账单已逾期",
            "您于 {due_date} 到期的费用尚未缴清，逾期金额 {overdue} 元。根据协议第五条，自到期日次日起"
            "每日按所欠费用的千分之 {per_mille} 计收违约金；逾期超过 {months} 个月将中止服务。请尽快缴费。",
        ),
        "en": (
            "Your bill is overdue",
            "The charges due on {due_date} are not fully paid: ¥{overdue} is overdue. Under clause 5 of the "
            "agreement a late fee of {per_mille}‰ of the overdue amount accrues per day from the day after the "
            "due date, and the service is suspended after {months} month(s) overdue. Please pay soon.",
        ),
    },
    "service_suspended_arrears": {
        "zh-CN": (
            "因欠费，服务已中止",
            "您的费用自 {due_date} 起逾期超过 {months} 个月，逾期金额 {overdue} 元（含违约金）。根据协议第五条，"
            "视频电话服务已中止（不能拨打和接听）。缴清全部应缴费用后立即恢复。",
        ),
        "en": (
            "Service suspended for arrears",
            "Your charges have been overdue since {due_date}, more than {months} month(s); ¥{overdue} is overdue "
            "(late fees included). Under clause 5 of the agreement the video telephone service is suspended "
            "(no calls either way). Paying everything due restores it at once.",
        ),
    },
    "service_restored": {
        "zh-CN": ("服务已恢复", "您已缴清逾期费用，因欠费中止的服务已恢复，现在可以正常通话。"),
        "en": ("Service restored", "Everything overdue is paid: the service suspended for arrears is restored."),
    },
    "service_terminated": {
        "zh-CN": (
            "因欠费，服务已终止",
            "您的费用自 {due_date} 起逾期超过 {months} 个月。根据协议第五条，服务已终止，号码 {number} "
            "已收回。欠费 {owed} 元及违约金仍须缴纳，我们将依法追缴。",
        ),
        "en": (
            "Service terminated for arrears",
            "Your charges have been overdue since {due_date}, more than {months} month(s). Under clause 5 of "
            "the agreement the service is terminated and the number {number} withdrawn. The arrears of ¥{owed} "
            "and the late fees remain due and will be collected.",
        ),
    },
}
