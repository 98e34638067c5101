"""Error messages of call forwarding (呼叫转移, R-17), by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "forwarding_not_subscribed": {
        "zh-CN": "您尚未订购呼叫转移业务，无法设置转移。",
        "en": "You do not subscribe to call forwarding, so it cannot be set.",
    },
    "forwarding_rules_list": {"zh-CN": "转移规则格式不正确。", "en": "The forwarding rules are malformed."},
    "forwarding_rules_too_many": {
        "zh-CN": "最多设置 {max} 条转移规则。",
        "en": "At most {max} forwarding rules.",
    },
    "forwarding_condition_unknown": {
        "zh-CN": "未知的转移条件（无条件、遇忙、无应答、不可及）。",
        "en": "Unknown forwarding condition (unconditional, busy, no answer, unreachable).",
    },
    "forwarding_condition_twice": {
        "zh-CN": "每种转移条件只能设置一条规则。",
        "en": "Only one rule per forwarding condition.",
    },
    "forwarding_target_unknown": {
        "zh-CN": "转移目标只能是号码或语音信箱。",
        "en": "Calls can be forwarded to a number or to voicemail only.",
    },
    "forwarding_number_required": {"zh-CN": "请输入转移到的号码。", "en": "Enter the number to forward to."},
    "forwarding_number_own": {
        "zh-CN": "不能转移到您自己的号码。",
        "en": "Calls cannot be forwarded to your own number.",
    },
    "forwarding_number_unknown": {
        "zh-CN": "该号码不是本业务的用户号码。",
        "en": "This number is not a number of the service.",
    },
    "forwarding_voicemail_unavailable": {
        "zh-CN": "转入语音信箱需要订购视频留言业务。",
        "en": "Forwarding to voicemail needs the video voicemail service.",
    },
    "forwarding_delay_range": {
        "zh-CN": "无应答等待时间须在 {min} 到 {max} 秒之间。",
        "en": "The no-answer delay must be between {min} and {max} seconds.",
    },
    "forwarding_delay_only_no_answer": {
        "zh-CN": "只有无应答转移可以设置等待时间。",
        "en": "Only forwarding on no answer has a delay.",
    },
}
