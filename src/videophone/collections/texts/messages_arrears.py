"""Error messages of the arrears feature, by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "arrears_bucket_invalid": {
        "zh-CN": "账龄分组无效，可选：0-30、31-60、61-90、90+、late_fees。",
        "en": "Unknown ageing bucket; choose 0-30, 31-60, 61-90, 90+ or late_fees.",
    },
    "notifications_up_to_invalid": {
        "zh-CN": "通知编号无效。",
        "en": "The notification id is not valid.",
    },
}
