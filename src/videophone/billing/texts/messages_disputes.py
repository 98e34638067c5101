"""Error messages of the disputes feature, by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "dispute_not_found": {"zh-CN": "未找到该费用争议。", "en": "Dispute not found."},
    "dispute_bill_not_found": {"zh-CN": "未找到该账单。", "en": "Bill not found."},
    "dispute_call_not_on_bill": {
        "zh-CN": "该通话不在所选账单中计费，请从账单的通话中选择。",
        "en": "This call was not charged on the chosen bill; pick one of the bill's calls.",
    },
    "dispute_nothing_to_dispute": {
        "zh-CN": "所选项目没有可争议的费用。",
        "en": "Nothing was charged for this, so there is nothing to dispute.",
    },
    "dispute_amount_not_positive": {
        "zh-CN": "争议金额必须大于零。",
        "en": "The amount disputed must be more than zero.",
    },
    "dispute_amount_too_high": {
        "zh-CN": "争议金额不能超过所收费用 ¥{max}。",
        "en": "The amount disputed cannot exceed the charge of ¥{max}.",
    },
    "dispute_already_open": {
        "zh-CN": "该项费用已有处理中的争议（#{dispute_id}），请等待答复。",
        "en": "There is already an open dispute about this charge (#{dispute_id}); please wait for the answer.",
    },
    "dispute_credit_not_positive": {
        "zh-CN": "减免金额必须大于零；不予调整请选择驳回。",
        "en": "The credit must be more than zero; to make no adjustment, reject the dispute.",
    },
    "dispute_credit_too_high": {
        "zh-CN": "减免金额不能超过争议金额 ¥{max}。",
        "en": "The credit cannot exceed the disputed amount of ¥{max}.",
    },
    "dispute_already_decided": {
        "zh-CN": "该争议已处理，不能再次处理。",
        "en": "This dispute has already been decided.",
    },
}
