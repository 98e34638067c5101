"""Notification texts of the payments feature: ``TEXTS[kind][language] = (subject, body)`` with
``str.format`` fields from the notification's params (see services.notifications)."""

from __future__ import annotations

METHOD_LABELS: dict[str, tuple[str, str]] = {
    "gateway": ("在线支付", "online payment"),
    "cash": ("现金", "cash"),
    "bank_transfer": ("银行转账", "bank transfer"),
}

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "payment_received": {
        "zh-CN": (
            "已收到您的缴费 {amount} 元",
            "我们已收到您通过{method_zh}缴纳的 {amount} 元，款项按欠费发生先后依次冲抵；多缴部分留作预存余额。"
            "缴费记录可在「缴费」页面查看。",
        ),
        "en": (
            "Payment of ¥{amount} received",
            "We received your payment of ¥{amount} by {method_en}. It settles the oldest amounts owed first; "
            "anything beyond what you owe stays as credit. See the Pay page for your payment history.",
        ),
    },
    "refund_issued": {
        "zh-CN": (
            "已为您退款 {amount} 元",
            "您账户中的预存余额已退还 {amount} 元（{method_zh}）。如有疑问请联系客服。",
        ),
        "en": (
            "Refund of ¥{amount} issued",
            "¥{amount} of the credit on your account was refunded to you ({method_en}). "
            "Contact us if you have any questions.",
        ),
    },
}


def method_params(method: str) -> dict[str, str]:
    zh, en = METHOD_LABELS.get(method, (method, method))
    return {"method_zh": zh, "method_en": en}
