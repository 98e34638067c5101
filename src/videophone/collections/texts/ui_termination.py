"""UI text of the termination pages, zh-CN and English."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    "termination_status_title": {"zh-CN": "协议状态", "en": "Agreement status"},
    "termination_state_active": {"zh-CN": "服务正常，协议有效。", "en": "Service active; the agreement is in force."},
    "termination_state_awaiting": {
        "zh-CN": "已申请终止：服务已停止，缴清剩余费用后账户关闭。",
        "en": "Termination requested: service has stopped; the account closes once what remains is paid.",
    },
    "termination_state_closed": {
        "zh-CN": "协议已终止，账户已关闭。",
        "en": "The agreement has ended; the account is closed.",
    },
    "termination_remaining": {"zh-CN": "尚需缴纳", "en": "Still to pay"},
    "termination_refund_due": {"zh-CN": "应退金额", "en": "Refund due"},
    "termination_final_bill": {"zh-CN": "最终账单", "en": "Final bill"},
    "termination_pay_link": {"zh-CN": "缴纳剩余费用", "en": "Pay what remains"},
    "termination_withdraw": {"zh-CN": "撤回终止申请", "en": "Withdraw the request"},
    "termination_form_title": {"zh-CN": "申请终止协议", "en": "Terminate the agreement"},
    "termination_warning": {
        "zh-CN": "终止后将立即停止通话服务并出具截至今日的最终账单；缴清全部费用后账户关闭，号码将被收回且不能恢复。",
        "en": "Terminating stops calling at once and issues a final bill to today; once everything owed is "
        "paid the account closes and the number is withdrawn for good.",
    },
    "termination_note_label": {"zh-CN": "原因（选填）", "en": "Reason (optional)"},
    "termination_password_label": {"zh-CN": "请输入密码以确认", "en": "Enter your password to confirm"},
    "termination_submit": {"zh-CN": "终止协议", "en": "Terminate"},
    "termination_confirm": {"zh-CN": "确定要终止协议吗？", "en": "Terminate the agreement?"},
    # the reason the caller is told when a call is refused, and the account history
    "phone_reason_not_allowed_suspended_termination": {
        "zh-CN": "您已申请终止协议，服务已停止。",
        "en": "You asked to terminate the agreement; the service has stopped.",
    },
    "account_reason_termination": {"zh-CN": "申请终止", "en": "Termination requested"},
    # console
    "terminations_pending_title": {"zh-CN": "待结清的终止申请", "en": "Requests awaiting payment"},
    "terminations_col_number": {"zh-CN": "号码", "en": "Number"},
    "terminations_col_name": {"zh-CN": "用户", "en": "Subscriber"},
    "terminations_col_date": {"zh-CN": "终止日期", "en": "Termination date"},
    "terminations_col_outstanding": {"zh-CN": "未缴金额", "en": "Outstanding"},
    "terminations_col_last": {"zh-CN": "最后使用", "en": "Last activity"},
    "terminations_col_terminate_on": {"zh-CN": "拟终止日期", "en": "To terminate on"},
    "terminations_col_reason": {"zh-CN": "原因", "en": "Reason"},
    "terminations_col_state": {"zh-CN": "状态", "en": "State"},
    "terminations_col_refund": {"zh-CN": "应退金额", "en": "Refund due"},
    "terminations_form_title": {"zh-CN": "运营方提前终止", "en": "Terminate early (operator)"},
    "terminations_subscriber_id": {"zh-CN": "用户编号", "en": "Subscriber ID"},
    "terminations_reason": {"zh-CN": "终止原因", "en": "Reason"},
    "terminations_reason_breach": {"zh-CN": "严重违约", "en": "Serious breach"},
    "terminations_reason_illegal": {"zh-CN": "违法行为", "en": "Illegal acts"},
    "terminations_reason_subscriber": {"zh-CN": "用户申请", "en": "Subscriber's request"},
    "terminations_reason_inactivity": {"zh-CN": "长期未使用", "en": "Inactivity"},
    "terminations_reason_violation": {"zh-CN": "违规处理", "en": "Violation"},
    "terminations_reason_arrears": {"zh-CN": "欠费", "en": "Arrears"},
    "terminations_state_awaiting_payment": {"zh-CN": "待结清", "en": "Awaiting payment"},
    "terminations_state_closed": {"zh-CN": "已关闭", "en": "Closed"},
    "terminations_state_withdrawn": {"zh-CN": "已撤回", "en": "Withdrawn"},
    "terminations_note": {"zh-CN": "事实依据（必填）", "en": "What happened (required)"},
    "terminations_submit": {"zh-CN": "立即终止", "en": "Terminate now"},
    "terminations_confirm": {"zh-CN": "确定立即终止该账户吗？", "en": "Terminate this account now?"},
    "terminations_done": {"zh-CN": "账户已终止。", "en": "The account is terminated."},
    "terminations_notice_title": {"zh-CN": "长期未使用（已通知）", "en": "Inactive accounts under notice"},
    "terminations_recent_title": {"zh-CN": "最近的终止", "en": "Recent terminations"},
}
