"""Labels of Web Push and the installable portal (R-36), by locale (zh-CN default, English)."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    "push_heading": {"zh-CN": "本设备的通知", "en": "Notifications on this device"},
    "push_lead": {
        "zh-CN": "开启后，即使没有打开本网站，来电、未接来电、视频留言和通知也会在本设备上提醒您。",
        "en": "When on, this device alerts you to calls, missed calls, video messages and notices even when "
        "this site is closed.",
    },
    "push_switch": {"zh-CN": "在本设备上接收通知", "en": "Receive notifications on this device"},
    "push_state_on": {
        "zh-CN": "已开启：本设备会收到来电和通知提醒。",
        "en": "On: this device rings and shows notices.",
    },
    "push_state_off": {"zh-CN": "已关闭。", "en": "Off."},
    "push_state_unsupported": {
        "zh-CN": "此浏览器不支持推送通知。请使用最新版 Chrome、Edge、Firefox 或 Safari，并通过 https 访问。",
        "en": "This browser does not support push notifications. Use a recent Chrome, Edge, Firefox or Safari "
        "over https.",
    },
    "push_state_denied": {
        "zh-CN": "通知权限已被拒绝。请在浏览器的网站设置中允许通知后再试。",
        "en": "Notifications are blocked for this site. Allow them in the browser's site settings and try again.",
    },
    "push_state_failed": {
        "zh-CN": "无法在此浏览器上开启推送（无法连接浏览器的推送服务）。请稍后再试。",
        "en": "Could not turn on push in this browser (its push service could not be reached). Try again later.",
    },
    "push_state_working": {"zh-CN": "正在设置…", "en": "Setting up…"},
    "prefs_col_push": {"zh-CN": "推送", "en": "Push"},
    "prefs_category_calls": {"zh-CN": "未接来电", "en": "Missed calls"},
    "offline_title": {"zh-CN": "暂时无法连接", "en": "You are offline"},
    "offline_text": {
        "zh-CN": "无法连接到可视电话服务。请检查网络连接，恢复后将自动重新加载。",
        "en": "The videophone service cannot be reached. Check your connection; the page reloads when it is back.",
    },
    "offline_retry": {"zh-CN": "重试", "en": "Try again"},
}
