"""Page labels of video voicemail (R-18), by locale (merged into ``ui_text.UI``): the mailbox page
(``/voicemail``), the caller's side on the phone page (greeting, recording, sending), the console's
mailbox section of a subscriber, and the policy group."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    "nav_voicemail": {"zh-CN": "视频留言", "en": "Video messages"},
    "policy_group_voicemail": {"zh-CN": "视频留言", "en": "Video voicemail"},
    # -- the mailbox page --------------------------------------------------------------------------------
    "vm_title": {"zh-CN": "视频留言", "en": "Video messages"},
    "vm_lead": {
        "zh-CN": "订购“视频留言”业务后，您忙、无人接听或无法接通时，来电者可以给您留下视频留言。",
        "en": "With the video voicemail service, callers can leave you a video message when you are busy, "
        "do not answer or cannot be reached.",
    },
    "vm_subscribed": {
        "zh-CN": "视频留言已开通：来电无人接听、忙或无法接通时转入您的留言信箱。",
        "en": "Video voicemail is on: calls you do not take go to your mailbox.",
    },
    "vm_not_subscribed": {
        "zh-CN": "您尚未订购视频留言业务，来电不会转入留言信箱。",
        "en": "You have not subscribed to video voicemail: calls do not go to a mailbox.",
    },
    "vm_subscribe": {"zh-CN": "订购业务", "en": "Subscribe"},
    "vm_usage": {
        "zh-CN": "{count}/{max} 条留言，已用 {used}（共 {quota}）",
        "en": "{count} of {max} messages, {used} of {quota} used",
    },
    "vm_retention": {
        "zh-CN": "每条留言最长 {seconds} 秒，保存 {days} 天后自动删除。",
        "en": "A message lasts at most {seconds} seconds and is deleted {days} days after it was left.",
    },
    "vm_unread": {"zh-CN": "{count} 条未读", "en": "{count} unread"},
    "vm_messages": {"zh-CN": "留言", "en": "Messages"},
    "vm_empty": {"zh-CN": "暂无留言。", "en": "No messages."},
    "vm_withheld": {"zh-CN": "号码未显示", "en": "Number withheld"},
    "vm_new": {"zh-CN": "新", "en": "New"},
    "vm_length": {"zh-CN": "时长 {duration}", "en": "Length {duration}"},
    "vm_expires": {"zh-CN": "保留至 {date}", "en": "Kept until {date}"},
    "vm_play": {"zh-CN": "播放", "en": "Play"},
    "vm_delete": {"zh-CN": "删除", "en": "Delete"},
    "vm_delete_confirm": {
        "zh-CN": "确定删除这条留言吗？删除后无法恢复。",
        "en": "Delete this message? This cannot be undone.",
    },
    "vm_deleted": {"zh-CN": "留言已删除。", "en": "Message deleted."},
    "vm_player": {"zh-CN": "留言播放", "en": "Message player"},
    "vm_call_back": {"zh-CN": "回拨", "en": "Call back"},
    # -- the greeting ------------------------------------------------------------------------------------
    "vm_greeting_title": {"zh-CN": "问候语", "en": "Greeting"},
    "vm_greeting_default": {
        "zh-CN": "来电者看到的是默认问候语。",
        "en": "Callers see the default greeting.",
    },
    "vm_greeting_own": {
        "zh-CN": "来电者看到的是您录制的问候语（{seconds} 秒）。",
        "en": "Callers see your own greeting ({seconds} s).",
    },
    "vm_greeting_record": {"zh-CN": "录制问候语", "en": "Record a greeting"},
    "vm_greeting_upload": {"zh-CN": "上传问候语（WebM 视频）", "en": "Upload a greeting (WebM video)"},
    "vm_greeting_play": {"zh-CN": "播放我的问候语", "en": "Play my greeting"},
    "vm_greeting_use_default": {"zh-CN": "改用默认问候语", "en": "Use the default greeting"},
    "vm_greeting_saved": {"zh-CN": "问候语已保存。", "en": "Greeting saved."},
    "vm_greeting_needs_service": {
        "zh-CN": "订购视频留言业务后才能设置自己的问候语。",
        "en": "Subscribe to video voicemail to set a greeting of your own.",
    },
    # -- recording (greeting and message) ----------------------------------------------------------------
    "vm_rec_start": {"zh-CN": "开始录制", "en": "Start recording"},
    "vm_rec_stop": {"zh-CN": "停止", "en": "Stop"},
    "vm_rec_cancel": {"zh-CN": "取消", "en": "Cancel"},
    "vm_rec_send": {"zh-CN": "发送留言", "en": "Send the message"},
    "vm_rec_remaining": {"zh-CN": "剩余 {seconds} 秒", "en": "{seconds} s left"},
    "vm_rec_recorded": {
        "zh-CN": "已录制 {seconds} 秒，可以回放确认。",
        "en": "{seconds} s recorded; play it back to check.",
    },
    "vm_rec_unsupported": {
        "zh-CN": "您的浏览器无法录制视频（不支持 MediaRecorder 或无法使用摄像头）。",
        "en": "This browser cannot record video (no MediaRecorder, or the camera cannot be used).",
    },
    "vm_rec_preview": {"zh-CN": "录制预览", "en": "Recording preview"},
    # -- the caller's side on the phone page ---------------------------------------------------------------
    "vm_dep_title": {"zh-CN": "视频留言", "en": "Leave a video message"},
    "vm_dep_lead": {
        "zh-CN": "{peer} 现在无法接听，您可以留言。",
        "en": "{peer} cannot answer now; you can leave a message.",
    },
    "vm_dep_default_greeting": {
        "zh-CN": "您好，我现在无法接听您的视频电话。请留下视频留言，最长 {seconds} 秒，谢谢。",
        "en": "Hello, I cannot take your video call right now. Please leave a video message of up to "
        "{seconds} seconds. Thank you.",
    },
    "vm_dep_greeting": {"zh-CN": "对方的问候语", "en": "Their greeting"},
    "vm_dep_sending": {"zh-CN": "正在发送…", "en": "Sending…"},
    "vm_dep_sent": {"zh-CN": "留言已发送，对方会收到通知。", "en": "Your message was sent; they will be notified."},
    "vm_dep_cancelled": {"zh-CN": "没有留言。", "en": "No message was left."},
    "vm_dep_close": {"zh-CN": "关闭", "en": "Close"},
    # -- the console -------------------------------------------------------------------------------------
    "vm_console_title": {"zh-CN": "视频留言信箱", "en": "Video mailbox"},
    "vm_console_subscribed": {"zh-CN": "已订购视频留言", "en": "Subscribed to video voicemail"},
    "vm_console_not_subscribed": {"zh-CN": "未订购视频留言", "en": "Not subscribed to video voicemail"},
    "vm_console_usage": {
        "zh-CN": "{count} 条留言，已用 {used}（共 {quota}）",
        "en": "{count} messages, {used} of {quota} used",
    },
    "vm_console_greeting": {"zh-CN": "自定义问候语", "en": "Own greeting"},
    "vm_console_clear_title": {"zh-CN": "依法清空信箱", "en": "Clear the mailbox on a legal request"},
    "vm_console_clear_note": {
        "zh-CN": "将删除该用户的全部留言和问候语，不可恢复；原因与文书编号记入审计日志。",
        "en": "Deletes every message and the greeting of this subscriber for good; the reason and the "
        "reference are written to the audit log.",
    },
    "vm_console_reason": {"zh-CN": "原因", "en": "Reason"},
    "vm_console_reference": {"zh-CN": "法律文书编号", "en": "Legal request reference"},
    "vm_console_clear": {"zh-CN": "清空信箱", "en": "Clear the mailbox"},
    "vm_console_cleared": {"zh-CN": "信箱已清空（已记入审计日志）。", "en": "Mailbox cleared (audited)."},
}
