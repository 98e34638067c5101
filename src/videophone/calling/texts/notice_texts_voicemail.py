"""Notification texts of video voicemail (R-18): ``TEXTS[kind][language] = (subject, body)`` with
``str.format`` fields from the notification's params (see notices' services.notifications)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # params: caller_zh / caller_en (the number, or "withheld" as caller ID says), seconds, time
    "voicemail_left": {
        "zh-CN": (
            "新的视频留言",
            "{caller_zh} 于 {time} 给您留了一条 {seconds} 秒的视频留言。请登录后在“视频留言”页面查看。",
        ),
        "en": (
            "New video message",
            "{caller_en} left you a {seconds}-second video message at {time}. Log in and open "
            '"Video messages" to play it.',
        ),
    },
}
# Which preferences decide its email and SMS copies (notices' domain.notification_prefs).
CATEGORIES: dict[str, str] = {"voicemail_left": "other"}
