"""Error messages of notification preferences, by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "notification_pref_category_unknown": {
        "zh-CN": "未知的通知类别：{value}。",
        "en": "Unknown notification category: {value}.",
    },
    "notification_pref_channel_unknown": {
        "zh-CN": "未知的通知方式：{value}（可选 email、sms、push）。",
        "en": "Unknown notification channel: {value} (email, sms or push).",
    },
    "notification_pref_enabled_invalid": {
        "zh-CN": "请选择开启或关闭。",
        "en": "Choose on or off.",
    },
    "notification_pref_contradictory": {
        "zh-CN": "同一类别和方式不能同时设置为开启和关闭。",
        "en": "The same category and channel cannot be both on and off.",
    },
}
