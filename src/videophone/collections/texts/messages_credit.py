"""Error messages of the credit feature, by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "credit_limit_not_offered": {
        "zh-CN": "请从运营商提供的信用额度中选择：{options} 元。",
        "en": "Choose one of the credit limits offered: ¥{options}.",
    },
}
