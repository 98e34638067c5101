"""Error messages of video voicemail (R-18), by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "voicemail_deposit_not_found": {
        "zh-CN": "留言链接无效。",
        "en": "This voicemail link is not valid.",
    },
    "voicemail_deposit_used": {
        "zh-CN": "这次通话已经留过言了。",
        "en": "A message has already been left for this call.",
    },
    "voicemail_deposit_expired": {
        "zh-CN": "留言时间已过，请重新拨打。",
        "en": "The time to leave a message is over; please call again.",
    },
    "voicemail_mailbox_full": {
        "zh-CN": "对方的留言信箱已满，无法留言。",
        "en": "The mailbox is full; no message can be left.",
    },
    "voicemail_not_webm": {
        "zh-CN": "留言必须是 WebM 视频。",
        "en": "A message must be a WebM video.",
    },
    "voicemail_no_video": {
        "zh-CN": "留言必须包含视频画面。",
        "en": "A message must contain video.",
    },
    "voicemail_empty": {
        "zh-CN": "录制内容为空。",
        "en": "The recording is empty.",
    },
    "voicemail_too_large": {
        "zh-CN": "留言不能超过 {max_mb} MB。",
        "en": "A message must not exceed {max_mb} MB.",
    },
    "voicemail_too_long": {
        "zh-CN": "留言不能超过 {max_seconds} 秒。",
        "en": "A message must not be longer than {max_seconds} seconds.",
    },
    "voicemail_message_not_found": {
        "zh-CN": "未找到该留言。",
        "en": "Message not found.",
    },
    "voicemail_greeting_not_found": {
        "zh-CN": "没有自定义问候语。",
        "en": "There is no greeting of your own.",
    },
    "voicemail_not_subscribed": {
        "zh-CN": "您尚未订购视频留言业务。",
        "en": "You have not subscribed to video voicemail.",
    },
    "voicemail_storage_unavailable": {
        "zh-CN": "留言存储暂不可用，请稍后再试。",
        "en": "Message storage is unavailable; please try again later.",
    },
}
