"""Error messages of the outages feature, by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "outage_not_found": {"zh-CN": "未找到该服务中断记录。", "en": "Outage not found."},
    "outage_in_future": {"zh-CN": "时间不能晚于现在。", "en": "The time cannot be in the future."},
    "outage_end_before_start": {
        "zh-CN": "结束时间必须晚于开始时间。",
        "en": "The end must be after the start.",
    },
    "outage_numbers_required": {
        "zh-CN": "请填写受影响的号码，或选择“全部用户”。",
        "en": 'Enter the numbers affected, or choose "all subscribers".',
    },
    "outage_too_many_numbers": {
        "zh-CN": "一次最多填写 {max} 个号码；影响更广请选择“全部用户”。",
        "en": 'At most {max} numbers at once; for a wider outage choose "all subscribers".',
    },
    "outage_unknown_numbers": {
        "zh-CN": "以下号码不存在：{numbers}",
        "en": "These numbers do not exist: {numbers}",
    },
    "outage_already_closed": {
        "zh-CN": "该中断已于 {ended_at} 结束，不能更改结束时间。",
        "en": "This outage was already closed (ended {ended_at}); its end cannot be changed.",
    },
    "outage_evidence_required": {
        "zh-CN": "非我方自身故障的中断须填写依据（如对方的故障单号、主管部门的通知）。",
        "en": "An outage that is not our own fault needs evidence (the provider's ticket, the authority's notice…).",
    },
    "outage_time_format": {
        "zh-CN": "请填写有效的日期和时间。",
        "en": "Enter a valid date and time.",
    },
}
