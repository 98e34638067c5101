"""Error messages of the termination feature, by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "termination_password_wrong": {
        "zh-CN": "密码不正确，未提交终止申请。",
        "en": "The password is wrong; nothing was submitted.",
    },
    "termination_note_too_long": {
        "zh-CN": "说明不能超过 {max} 个字符。",
        "en": "The note cannot be longer than {max} characters.",
    },
    "termination_already_requested": {
        "zh-CN": "您已申请终止协议，请缴清剩余费用或撤回申请。",
        "en": "You have already asked to terminate; pay what remains or withdraw the request.",
    },
    "termination_already_terminated": {
        "zh-CN": "该账户已终止。",
        "en": "This account is already terminated.",
    },
    "termination_nothing_to_withdraw": {
        "zh-CN": "没有可撤回的终止申请（已关闭的账户不能撤回）。",
        "en": "There is no termination request to withdraw (a closed account cannot be reopened).",
    },
    "termination_reason_unknown": {
        "zh-CN": "请选择终止原因：严重违约或违法行为。",
        "en": "Choose the reason: serious breach or illegal acts.",
    },
    "termination_note_required": {
        "zh-CN": "请填写终止的事实依据。",
        "en": "Describe what happened (required).",
    },
}
