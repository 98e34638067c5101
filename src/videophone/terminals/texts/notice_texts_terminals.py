"""Notification texts of the terminals feature: ``TEXTS[kind][language] = (subject, body)`` with
``str.format`` fields from the notification's params (see services.notifications)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # params: serial, model, warranty_end
    "terminal_assigned": {
        "zh-CN": (
            "终端 {serial} 已为您安装",
            "您的终端（{model}，序列号 {serial}）已安装，保修期至 {warranty_end}。"
            "保修期内如有故障，请在“终端设备”页面提交书面保修申请。",
        ),
        "en": (
            "Terminal {serial} installed",
            "Your terminal ({model}, serial {serial}) is installed; its warranty runs until {warranty_end}. "
            "For a fault within the warranty, file a written claim on the Terminals page.",
        ),
    },
    # params: serial, date, note
    "terminal_warranty_voided": {
        "zh-CN": (
            "终端 {serial} 的保修已终止",
            "经检查，您的终端 {serial} 被非本公司人员拆开，依协议第 4 条第 (5) 款，保修自 {date} 起终止。说明：{note}",
        ),
        "en": (
            "The warranty of terminal {serial} has ended",
            "Your terminal {serial} was found opened by someone other than the operator; under clause 4(5) of "
            "the agreement its warranty ended on {date}. Note: {note}",
        ),
    },
    # params: claim_id, serial
    "warranty_claim_filed": {
        "zh-CN": ("已收到保修申请 #{claim_id}", "我们已收到您关于终端 {serial} 的书面保修申请，技术支持将尽快处理。"),
        "en": (
            "Warranty claim #{claim_id} received",
            "We received your written warranty claim for terminal {serial}; technical support will handle it soon.",
        ),
    },
    # params: claim_id, serial, warranty_end, note
    "warranty_claim_repaired": {
        "zh-CN": (
            "保修申请 #{claim_id}：修理",
            "您的终端 {serial} 将予以免费修理，保修期不变（至 {warranty_end}）。{note}",
        ),
        "en": (
            "Warranty claim #{claim_id}: repair",
            "Your terminal {serial} will be repaired free of charge; the warranty is unchanged (until "
            "{warranty_end}). {note}",
        ),
    },
    # params: claim_id, serial, replacement_serial, warranty_end, note
    "warranty_claim_replaced": {
        "zh-CN": (
            "保修申请 #{claim_id}：调换",
            "您的终端 {serial} 已调换为 {replacement_serial}，保修期不变（至 {warranty_end}）。"
            "换下的设备归本公司所有。{note}",
        ),
        "en": (
            "Warranty claim #{claim_id}: replacement",
            "Your terminal {serial} is replaced by {replacement_serial}; the warranty is unchanged (until "
            "{warranty_end}). The replaced unit belongs to the operator. {note}",
        ),
    },
    # params: claim_id, serial, cause, note
    "warranty_claim_denied": {
        "zh-CN": (
            "保修申请 #{claim_id} 未予受理",
            "您关于终端 {serial} 的保修申请属于保修范围以外的外部原因，不予保修。理由：{note}",
        ),
        "en": (
            "Warranty claim #{claim_id} denied",
            "Your claim for terminal {serial} is for an external cause the warranty excludes. Reason: {note}",
        ),
    },
}

# Terminal and warranty notices are about the subscriber's service (domain.notification_prefs).
CATEGORIES: dict[str, str] = {kind: "service" for kind in TEXTS}
