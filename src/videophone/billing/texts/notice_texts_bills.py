"""Notification texts of bills (R-22, R-35): ``TEXTS[kind][language] = (subject, body)`` with
``str.format`` fields from the notification's params (see services.notifications)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "bill_issued": {
        "zh-CN": (
            "{period} 账单已出：应缴 {total_due} 元",
            "您 {period} 的账单（{number}）已出，本期新增费用 {new_charges} 元，应缴总额 {total_due} 元，"
            "请于 {due_date} 前缴清。可登录“我的账单”查看明细。",
        ),
        "en": (
            "Your {period} bill: ¥{total_due} due",
            "Your bill for {period} ({number}) is ready: new charges ¥{new_charges}, total due ¥{total_due}, "
            "to be paid by {due_date}. See “Bills” in your account for the details.",
        ),
    },
}
CATEGORIES: dict[str, str] = {"bill_issued": "billing"}
MANDATORY: frozenset[str] = frozenset()
