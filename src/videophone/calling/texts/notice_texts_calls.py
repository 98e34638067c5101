"""Notification texts of calls (R-36): ``TEXTS[kind][language] = (subject, body)`` with ``str.format``
fields from the notification's params (see notices' services.notifications)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # params: call_id, caller_zh / caller_en (the number, or "withheld" as caller ID says), to, time
    "missed_call": {
        "zh-CN": ("未接来电", "{caller_zh} 于 {time} 呼叫了您的号码 {to}，您未接听。"),
        "en": ("Missed call", "{caller_en} called your number {to} at {time}; the call was not answered."),
    },
}
# Which preferences decide its copies (notices' domain.notification_prefs): in-app and push by default.
CATEGORIES: dict[str, str] = {"missed_call": "calls"}
