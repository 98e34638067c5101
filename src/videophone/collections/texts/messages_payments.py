"""Error messages of the payments feature, by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "payment_bill_unknown": {"zh-CN": "找不到这张账单。", "en": "This bill was not found."},
    "receipt_no_taken": {
        "zh-CN": "收据号 {receipt_no} 已用于另一笔收款，请核对收据号。",
        "en": "Receipt number {receipt_no} is already used for another payment; check the receipt number.",
    },
    "refund_no_credit": {
        "zh-CN": "该账户没有可退的预存余额。",
        "en": "This account holds no credit to refund.",
    },
    "refund_exceeds_credit": {
        "zh-CN": "退款金额不能超过账户预存余额 {max} 元。",
        "en": "A refund cannot exceed the credit on the account (¥{max}).",
    },
    "payment_received_at_format": {
        "zh-CN": "收款时间格式应为 年-月-日 时:分（如 2026-11-05T10:30）。",
        "en": "Use the format YYYY-MM-DDTHH:MM for the time received.",
    },
    "payment_received_at_future": {
        "zh-CN": "收款时间不能晚于现在。",
        "en": "The time received cannot be in the future.",
    },
    "payment_subscriber_unknown": {
        "zh-CN": "找不到号码为 {number} 的用户。",
        "en": "No subscriber has the number {number}.",
    },
    "payment_notification_refused": {
        "zh-CN": "支付通知签名无效，已拒绝。",
        "en": "The payment notification's signature is not valid; refused.",
    },
}
