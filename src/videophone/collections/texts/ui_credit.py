"""UI text of the credit pages, zh-CN and English."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    "credit_title": {"zh-CN": "信用额度", "en": "Credit limit"},
    "credit_lead": {
        "zh-CN": "选择每月通信费的信用额度。本月通信费达到额度后将限制服务，直至缴清已发生的费用（协议第九条）。",
        "en": "Choose a monthly limit for your call charges. When this month's charges reach it, the service "
        "is restricted until you pay the charges incurred (agreement clause 9).",
    },
    "credit_usage_title": {"zh-CN": "本月用量", "en": "This month"},
    "credit_limit_label": {"zh-CN": "信用额度", "en": "Limit"},
    "credit_used_label": {"zh-CN": "已用通信费", "en": "Charges so far"},
    "credit_prepaid_label": {"zh-CN": "预付余额", "en": "Paid in advance"},
    "credit_reserved_label": {"zh-CN": "通话中预留", "en": "Held by calls in progress"},
    "credit_remaining_label": {"zh-CN": "剩余额度", "en": "Remaining"},
    "credit_none": {"zh-CN": "未设置", "en": "None"},
    "credit_bar_label": {"zh-CN": "额度使用情况", "en": "Share of the limit used"},
    "credit_mark_80": {"zh-CN": "80% 提醒", "en": "80% warning"},
    "credit_mark_100": {"zh-CN": "100% 限制", "en": "100% limit"},
    "credit_state_ok": {"zh-CN": "服务正常", "en": "Service normal"},
    "credit_state_warning": {"zh-CN": "已达到额度的 80%", "en": "80% of the limit reached"},
    "credit_state_barred_outgoing": {
        "zh-CN": "已达到信用额度：呼出已受限，缴费或提高额度后立即恢复。",
        "en": "Credit limit reached: outgoing calls are barred until you pay or raise the limit.",
    },
    "credit_state_barred_all": {
        "zh-CN": "已达到信用额度：服务已暂停，缴费或提高额度后立即恢复。",
        "en": "Credit limit reached: the service is suspended until you pay or raise the limit.",
    },
    "credit_choose_title": {"zh-CN": "选择额度", "en": "Choose a limit"},
    "credit_option_none": {"zh-CN": "不设信用额度", "en": "No limit"},
    "credit_option_yuan": {"zh-CN": "每月 {amount} 元", "en": "¥{amount} a month"},
    "credit_save": {"zh-CN": "保存", "en": "Save"},
    "credit_saved": {"zh-CN": "信用额度已更新。", "en": "Your credit limit was updated."},
    "credit_pay_link": {"zh-CN": "去缴费", "en": "Pay now"},
    "credit_action_outgoing": {
        "zh-CN": "超出额度时：限制呼出（仍可接听来电）。",
        "en": "Over the limit: outgoing calls are barred (incoming calls still work).",
    },
    "credit_action_all": {
        "zh-CN": "超出额度时：暂停全部视频通信服务。",
        "en": "Over the limit: the whole service is suspended.",
    },
}
