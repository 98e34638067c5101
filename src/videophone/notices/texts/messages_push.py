"""Error messages of Web Push subscriptions (R-36), by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "push_endpoint_invalid": {
        "zh-CN": "推送地址无效（须为不超过 1000 个字符的网址）。",
        "en": "The push endpoint is not a valid URL of at most 1000 characters.",
    },
    "push_endpoint_credentials": {
        "zh-CN": "推送地址中不能包含用户名或密码。",
        "en": "The push endpoint must not contain a user name or password.",
    },
    "push_endpoint_not_https": {
        "zh-CN": "推送地址必须使用 https。",
        "en": "The push endpoint must use https.",
    },
    "push_key_invalid": {
        "zh-CN": "浏览器的推送公钥（p256dh）无效。",
        "en": "The browser's push key (p256dh) is not valid.",
    },
    "push_auth_invalid": {
        "zh-CN": "浏览器的推送认证密钥（auth）无效。",
        "en": "The browser's push secret (auth) is not valid.",
    },
    "push_device_invalid": {
        "zh-CN": "设备标识无效（6 到 64 个字母、数字、- 或 _）。",
        "en": "The device id is not valid (6 to 64 letters, digits, - or _).",
    },
    "push_unavailable": {
        "zh-CN": "本服务未启用推送通知。",
        "en": "Push notifications are not enabled on this service.",
    },
    "push_subscription_not_found": {
        "zh-CN": "未找到该设备的推送订阅。",
        "en": "There is no such push subscription.",
    },
}
