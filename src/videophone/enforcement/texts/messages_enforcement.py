"""Error messages of the enforcement feature, by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "violation_subscriber_not_found": {"zh-CN": "未找到该号码的用户。", "en": "No subscriber has this number."},
    "violation_not_found": {"zh-CN": "未找到该违约处理记录。", "en": "Violation record not found."},
    "violation_evidence_not_found": {"zh-CN": "未找到该证据文件。", "en": "Evidence file not found."},
    "violation_too_many_files": {
        "zh-CN": "证据文件最多 {max} 个。",
        "en": "At most {max} evidence files.",
    },
    "violation_vas_not_subscribed": {
        "zh-CN": "该用户没有开通此增值业务。",
        "en": "The subscriber does not have this value-added service.",
    },
    "violation_subscriber_terminated": {
        "zh-CN": "该用户的服务已终止，无法再采取措施。",
        "en": "This subscriber's service is terminated; no further measure can be taken.",
    },
    "violation_not_liftable": {
        "zh-CN": "只有生效中的限制或暂停可以解除。",
        "en": "Only a restriction or suspension in force can be lifted.",
    },
    "violation_staff_only": {"zh-CN": "只有工作人员可以执行此操作。", "en": "Only staff can do this."},
    "violation_termination_unavailable": {
        "zh-CN": "暂时无法办理终止，请稍后再试。",
        "en": "Termination is not available right now; please try again later.",
    },
    "lawful_number_unknown": {"zh-CN": "未找到该号码的用户。", "en": "No subscriber has this number."},
    "lawful_invalid_date": {"zh-CN": "请输入有效日期（年-月-日）。", "en": "Enter a valid date (YYYY-MM-DD)."},
    "lawful_from_in_future": {
        "zh-CN": "依法暂停立即生效，开始日期不能晚于今天。",
        "en": "A lawful suspension takes effect at once; it cannot start after today.",
    },
    "lawful_to_before_from": {
        "zh-CN": "结束日期不能早于开始日期或今天。",
        "en": "The end date cannot be before the start date or today.",
    },
    "lawful_already_active": {
        "zh-CN": "该用户已有生效中的依法暂停（#{id}）。",
        "en": "This subscriber already has a lawful suspension in force (#{id}).",
    },
    "lawful_subscriber_terminated": {
        "zh-CN": "该用户的服务已终止。",
        "en": "This subscriber's service is terminated.",
    },
    "lawful_not_found": {"zh-CN": "未找到该依法暂停记录。", "en": "Lawful suspension not found."},
    "lawful_not_active": {
        "zh-CN": "该依法暂停已解除或已到期。",
        "en": "This lawful suspension has already been lifted or has expired.",
    },
    "lawful_staff_only": {"zh-CN": "只有法务人员可以执行此操作。", "en": "Only legal staff can do this."},
}
