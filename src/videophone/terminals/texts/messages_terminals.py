"""Error messages of the terminals feature, by locale."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "terminal_not_found": {"zh-CN": "未找到该终端。", "en": "Terminal not found."},
    "sip_credential_not_found": {"zh-CN": "未找到该 SIP 账号。", "en": "SIP credentials not found."},
    "sip_softphone_limit": {
        "zh-CN": "软电话 SIP 账号最多 {max} 个，请先吊销一个。",
        "en": "At most {max} softphone SIP credentials: revoke one first.",
    },
    "sip_registration_refused": {
        "zh-CN": "该 SIP 账号现在不能注册（{reason}）。",
        "en": "These SIP credentials may not register now ({reason}).",
    },
    "terminal_serial_invalid": {
        "zh-CN": "序列号应为 4–40 位字母、数字或连字符。",
        "en": "The serial number must be 4–40 letters, digits or hyphens.",
    },
    "terminal_serial_taken": {
        "zh-CN": "序列号 {serial} 已在库存中。",
        "en": "Serial number {serial} is already in the inventory.",
    },
    "terminal_not_assignable": {
        "zh-CN": "该终端当前状态不能分配（仅库存或已退回的终端可分配）。",
        "en": "This terminal cannot be assigned in its current state (only units in stock or returned can).",
    },
    "terminal_not_installed": {
        "zh-CN": "该终端未安装在用户处。",
        "en": "This terminal is not installed at a subscriber's.",
    },
    "terminal_already_voided": {
        "zh-CN": "该终端的保修已于 {date} 因被他人拆开而终止。",
        "en": "This terminal's warranty already ended on {date} because it was opened by others.",
    },
    "terminal_subscriber_unknown": {
        "zh-CN": "没有使用该号码的用户。",
        "en": "No subscriber has this number.",
    },
    "terminal_installed_in_future": {
        "zh-CN": "安装日期不能晚于今天。",
        "en": "The installation date cannot be later than today.",
    },
    "terminal_installed_too_early": {
        "zh-CN": "安装日期不能早于 2000 年。",
        "en": "The installation date cannot be before 2000.",
    },
    "terminal_replacement_unknown": {
        "zh-CN": "库存中没有该序列号的终端。",
        "en": "There is no terminal with this serial number in the inventory.",
    },
    "terminal_replacement_not_in_stock": {
        "zh-CN": "调换用的终端必须是库存中的终端。",
        "en": "The replacement must be a unit in stock.",
    },
    "warranty_expired": {
        "zh-CN": "该终端的保修期已于 {date} 结束，不能受理保修申请。",
        "en": "This terminal's warranty ended on {date}; the claim cannot be accepted.",
    },
    "warranty_voided": {
        "zh-CN": "该终端于 {date} 被非本公司人员拆开，保修已自动终止，不能受理保修申请。",
        "en": "This terminal was opened by someone other than the operator on {date}; its warranty ended "
        "then and the claim cannot be accepted.",
    },
    "warranty_claim_pending": {
        "zh-CN": "该终端已有处理中的保修申请（#{claim_id}）。",
        "en": "There is already an open warranty claim (#{claim_id}) for this terminal.",
    },
    "warranty_claim_not_found": {"zh-CN": "未找到该保修申请。", "en": "Warranty claim not found."},
    "warranty_photo_not_found": {"zh-CN": "未找到该照片。", "en": "Photo not found."},
    "warranty_claim_decided": {
        "zh-CN": "该保修申请已经处理过了。",
        "en": "This warranty claim has already been decided.",
    },
    "warranty_description_too_short": {
        "zh-CN": "请描述故障情况（至少 {min} 个字）。",
        "en": "Please describe the fault (at least {min} characters).",
    },
    "warranty_photo_required": {
        "zh-CN": "请至少上传一张照片。",
        "en": "Please attach at least one photo.",
    },
    "warranty_too_many_photos": {
        "zh-CN": "最多上传 {max} 张照片。",
        "en": "At most {max} photos can be attached.",
    },
    "warranty_photo_type": {
        "zh-CN": "照片须为 JPEG 或 PNG 图片。",
        "en": "Photos must be JPEG or PNG images.",
    },
    "warranty_cause_covered": {
        "zh-CN": "该原因在保修范围内（产品缺陷或运输损坏），不能据此拒绝。",
        "en": "This cause is covered (a defect or damage in shipping); it is no reason to deny the claim.",
    },
    "warranty_cause_excluded": {
        "zh-CN": "该原因属于外部原因，不在保修范围内；请选择拒绝并说明理由。",
        "en": "This is an external cause, not covered; deny the claim and give the reason.",
    },
    "warranty_reason_required": {
        "zh-CN": "拒绝保修须说明理由。",
        "en": "A denial needs the reason.",
    },
    "release_version_invalid": {
        "zh-CN": "版本号格式应为 主版本.次版本[.修订号][-预发布]，例如 1.2.0。",
        "en": "The version must look like major.minor[.patch][-pre], e.g. 1.2.0.",
    },
    "release_not_newer": {
        "zh-CN": "新版本必须高于当前最新版本 {newest}。",
        "en": "The new version must be newer than the current newest, {newest}.",
    },
}
