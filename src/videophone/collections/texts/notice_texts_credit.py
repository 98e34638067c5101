"""Notification texts of the credit feature: ``TEXTS[kind][language] = (subject, body)`` with
``str.format`` fields from the notification's params (see services.notifications)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "credit_limit_warning": {
        "zh-CN": (
            "本月通信费已达到信用额度的 {level}%",
            "您本月的通信费已达到所选信用额度（{limit} 元）的 {level}%，已计费 {used} 元。"
            "达到 100% 后将暂停呼出，直至缴清已发生的费用。",
        ),
        "en": (
            "This month's charges reached {level}% of your credit limit",
            "This month's charges have reached {level}% of your credit limit of ¥{limit} (¥{used} so far). "
            "At 100% outgoing calls are barred until you pay the charges incurred.",
        ),
    },
    "credit_limit_barred": {
        "zh-CN": (
            "已达到信用额度，服务已暂停",
            "您本月的通信费（{used} 元）已达到所选信用额度（{limit} 元），"
            "根据协议第九条，{scope_zh}直至您缴清已发生的费用。缴费或提高信用额度后立即恢复。",
        ),
        "en": (
            "Credit limit reached: service restricted",
            "This month's charges (¥{used}) reached your credit limit of ¥{limit}. Under clause 9 of the "
            "agreement {scope_en} until you pay the charges incurred. Paying or raising the limit restores "
            "it at once.",
        ),
    },
    "credit_limit_restored": {
        "zh-CN": ("服务已恢复", "您的信用额度已有余额，因超出信用额度而暂停的服务已恢复。"),
        "en": ("Service restored", "You have credit again: the service restricted for the credit limit is restored."),
    },
}
