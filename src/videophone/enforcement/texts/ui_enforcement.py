"""UI text of the enforcement pages (violations R-30, lawful suspension R-31), zh-CN and English."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    # -- shared ---------------------------------------------------------------------------------------
    "enf_service_active": {"zh-CN": "正常", "en": "Active"},
    "enf_service_outgoing_barred": {"zh-CN": "限制呼出", "en": "Outgoing barred"},
    "enf_service_suspended": {"zh-CN": "已暂停", "en": "Suspended"},
    "enf_service_terminated": {"zh-CN": "已终止", "en": "Terminated"},
    "enf_reason_arrears": {"zh-CN": "欠费", "en": "arrears"},
    "enf_reason_credit_limit": {"zh-CN": "信用额度", "en": "credit limit"},
    "enf_reason_violation": {"zh-CN": "违约", "en": "violation"},
    "enf_reason_lawful": {"zh-CN": "依法", "en": "by law"},
    "enf_reason_termination": {"zh-CN": "销户", "en": "account closing"},
    "enf_field_number": {"zh-CN": "用户号码", "en": "Subscriber number"},
    "enf_field_reason": {"zh-CN": "原因", "en": "Reason"},
    "enf_col_id": {"zh-CN": "编号", "en": "No."},
    "enf_col_subscriber": {"zh-CN": "用户", "en": "Subscriber"},
    "enf_col_state": {"zh-CN": "状态", "en": "State"},
    "enf_col_issued": {"zh-CN": "时间 / 经办人", "en": "When / by"},
    "enf_lift": {"zh-CN": "解除", "en": "Lift"},
    "enf_lift_submit": {"zh-CN": "确认解除", "en": "Lift it"},
    "enf_cancel": {"zh-CN": "取消", "en": "Cancel"},
    "enf_lifted_note": {"zh-CN": "{at} 由 {by} 解除：{reason}", "en": "Lifted {at} by {by}: {reason}"},
    # -- violations (console) -------------------------------------------------------------------------
    "viol_lead": {
        "zh-CN": "对违反用户协议的用户采取警告、限制功能、暂停或终止服务等措施。每项措施须写明原因，可附证据文件；"
        "用户会收到附原因的通知，限制和暂停立即生效（进行中的通话随即结束），可随时解除。",
        "en": "Take a measure against a subscriber who breached the agreement: a warning, a function restriction, "
        "a suspension or termination. Each needs a reason and may carry evidence files; the subscriber is "
        "notified with the reason; restrictions and suspensions take effect at once (calls in progress end) "
        "and can be lifted.",
    },
    "viol_find_title": {"zh-CN": "查找用户", "en": "Find the subscriber"},
    "viol_find_submit": {"zh-CN": "查找", "en": "Find"},
    "viol_target_state": {"zh-CN": "服务状态", "en": "Service"},
    "viol_issue_title": {"zh-CN": "采取措施", "en": "Take a measure"},
    "viol_field_action": {"zh-CN": "措施", "en": "Measure"},
    "viol_action_warning": {"zh-CN": "警告", "en": "Warning"},
    "viol_action_restrict_outgoing": {"zh-CN": "限制呼出", "en": "Bar outgoing calls"},
    "viol_action_withdraw_vas": {"zh-CN": "停止增值业务", "en": "Withdraw a value-added service"},
    "viol_action_suspend": {"zh-CN": "暂停服务", "en": "Suspend the service"},
    "viol_action_terminate": {"zh-CN": "终止服务（严重违约）", "en": "Terminate (serious breach)"},
    "viol_field_vas": {"zh-CN": "增值业务", "en": "Value-added service"},
    "viol_no_vas": {"zh-CN": "该用户没有生效中的增值业务", "en": "No value-added service in force"},
    "viol_field_files": {"zh-CN": "证据文件（图片或 PDF，最多 5 个）", "en": "Evidence (images or PDF, at most 5)"},
    "viol_issue_submit": {"zh-CN": "执行", "en": "Apply"},
    "viol_confirm_terminate": {
        "zh-CN": "确定要提前终止该用户的服务吗？此操作不可撤销。",
        "en": "Terminate this subscriber's service early? This cannot be undone.",
    },
    "viol_issued": {
        "zh-CN": "已执行措施 #{id}，已通知用户。",
        "en": "Measure #{id} applied; the subscriber was notified.",
    },
    "viol_list_title": {"zh-CN": "处理记录", "en": "Measures taken"},
    "viol_col_action": {"zh-CN": "措施", "en": "Measure"},
    "viol_col_evidence": {"zh-CN": "证据", "en": "Evidence"},
    "viol_state_open": {"zh-CN": "生效中", "en": "In force"},
    "viol_state_lifted": {"zh-CN": "已解除", "en": "Lifted"},
    "viol_state_done": {"zh-CN": "已执行", "en": "Done"},
    "viol_lift_title": {"zh-CN": "解除措施 #{id}", "en": "Lift measure #{id}"},
    "viol_lifted": {"zh-CN": "措施 #{id} 已解除。", "en": "Measure #{id} lifted."},
    # -- lawful suspension (console) --------------------------------------------------------------------
    "lawful_lead": {
        "zh-CN": "根据司法机关等有权机关的要求暂停用户服务（双向停止通话）。暂停期间月租费照常收取。"
        "文号仅法务人员可见；用户只会被告知服务已依法暂停。",
        "en": "Suspend a subscriber's service (no calls either way) as a competent authority requires. The "
        "monthly rent is still charged. The reference is visible to legal staff only; the subscriber is "
        "only told that the service is suspended as required by law.",
    },
    "lawful_record_title": {"zh-CN": "登记依法暂停", "en": "Record a lawful suspension"},
    "lawful_field_authority": {"zh-CN": "要求机关", "en": "Authority"},
    "lawful_field_reference": {"zh-CN": "文书编号", "en": "Reference"},
    "lawful_field_from": {"zh-CN": "开始日期（留空为今天）", "en": "From (blank: today)"},
    "lawful_field_to": {"zh-CN": "结束日期（含当日，留空为至解除）", "en": "To, inclusive (blank: until lifted)"},
    "lawful_scope_note": {
        "zh-CN": "范围：双向暂停（不能拨打，也不能接听）。",
        "en": "Scope: both ways (no calls out or in).",
    },
    "lawful_record_submit": {"zh-CN": "登记并立即暂停", "en": "Record and suspend now"},
    "lawful_recorded": {"zh-CN": "已登记 #{id}，服务已暂停。", "en": "Recorded #{id}; the service is suspended."},
    "lawful_list_title": {"zh-CN": "依法暂停记录", "en": "Lawful suspensions"},
    "lawful_col_period": {"zh-CN": "期间", "en": "Period"},
    "lawful_until_lifted": {"zh-CN": "至解除", "en": "until lifted"},
    "lawful_state_active": {"zh-CN": "生效中", "en": "In force"},
    "lawful_state_lifted": {"zh-CN": "已解除", "en": "Lifted"},
    "lawful_state_expired": {"zh-CN": "已到期", "en": "Expired"},
    "lawful_lift_title": {"zh-CN": "解除依法暂停 #{id}", "en": "Lift lawful suspension #{id}"},
    "lawful_lifted": {"zh-CN": "#{id} 已解除。", "en": "#{id} lifted."},
    # -- the subscriber's account history ---------------------------------------------------------------
    "account_event_violation_notice": {"zh-CN": "违约处理通知", "en": "Notice of a breach measure"},
}
