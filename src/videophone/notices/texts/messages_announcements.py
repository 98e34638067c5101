"""Error messages of the announcements feature, by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "announcement_kind_unknown": {"zh-CN": "请选择公告类型。", "en": "Choose the kind of announcement."},
    "announcement_audience_unknown": {
        "zh-CN": "请选择公告对象（协议变更公告须面向全部用户）。",
        "en": "Choose the audience (an agreement change goes to every subscriber).",
    },
    "announcement_numbers_required": {
        "zh-CN": "请填写要通知的号码。",
        "en": "Enter the numbers to notify.",
    },
    "announcement_number_invalid": {
        "zh-CN": "号码“{number}”格式不正确（5–15 位数字）。",
        "en": "“{number}” is not a number (5–15 digits).",
    },
    "announcement_number_unknown": {
        "zh-CN": "以下号码不属于任何用户：{numbers}",
        "en": "These numbers belong to no subscriber: {numbers}",
    },
    "announcement_too_many_numbers": {
        "zh-CN": "一次最多通知 {max} 个号码。",
        "en": "At most {max} numbers at a time.",
    },
    "announcement_time_invalid": {
        "zh-CN": "时间格式不正确（须包含时区）。",
        "en": "The time is not valid (it needs a time zone).",
    },
    "announcement_publish_in_past": {
        "zh-CN": "发布时间不能早于现在。",
        "en": "The publication time cannot be in the past.",
    },
    "announcement_notice_too_short": {
        "zh-CN": "须提前通知：生效时间至少在发布后 {hours} 小时（且晚于发布时间）。",
        "en": "Advance notice is required: the change may take effect no sooner than {hours} hours after publication (and after it).",
    },
    "announcement_agreement_via_version": {
        "zh-CN": "协议变更请通过“发布新版服务协议”发布。",
        "en": "Publish an agreement change with “Publish a new agreement version”.",
    },
    "agreement_unchanged": {
        "zh-CN": "新协议文本与当前版本相同。",
        "en": "The new text is the same as the current version.",
    },
    "agreement_version_not_found": {"zh-CN": "未找到该协议版本。", "en": "Agreement version not found."},
    "agreement_already_accepted": {
        "zh-CN": "您已接受该版本（或更新的版本）的服务协议。",
        "en": "You have already accepted this version (or a newer one).",
    },
    "objection_window_closed": {
        "zh-CN": "异议期已于 {window_end} 届满，不能再提出异议。",
        "en": "The objection window ended on {window_end}; an objection is no longer possible.",
    },
    "objection_exists": {
        "zh-CN": "您已对该版本提出过异议，请等待工作人员联系。",
        "en": "You have already objected to this version; our staff will contact you.",
    },
    "objection_not_found": {"zh-CN": "未找到该异议。", "en": "Objection not found."},
    "objection_outcome_unknown": {
        "zh-CN": "请选择协商结果。",
        "en": "Choose the outcome of the negotiation.",
    },
    "objection_already_decided": {
        "zh-CN": "该异议已处理。",
        "en": "This objection has already been decided.",
    },
}
