"""UI text of the outages and dashboard pages, zh-CN and English."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    # -- outages (console) --------------------------------------------------------------------------------
    "outages_lead": {
        "zh-CN": "记录服务中断及其原因。因我方自身故障连续中断 24 小时以上的，结束时按受影响时间的服务费"
        "（月租与增值业务费按日折算）自动补偿，补偿列在用户下一期账单上；不足 24 小时的，或因其他服务提供商、"
        "互联网状况、不可抗力、政府行为造成的，不予补偿（协议第 12–14 条），受影响的用户会收到原因说明。"
        "补偿后更正原因的，补偿在下一期账单上冲回或补发。",
        "en": "Record service interruptions and their causes. When one of our own faults lasting 24 continuous "
        "hours or more is closed, each affected account is credited the service fees of the affected time (rent "
        "and value-added fees, prorated), shown on its next bill. Shorter ones, and those caused by another "
        "provider, the internet, force majeure or a government act, give no credit (clauses 12–14 of the "
        "agreement); the subscribers affected are told the cause. A cause corrected after crediting reverses "
        "or gives the credits on the next bill.",
    },
    "outages_field_cause": {"zh-CN": "中断原因", "en": "Cause"},
    "outages_field_evidence": {
        "zh-CN": "依据（非我方故障时必填：故障单号、通知文号等）",
        "en": "Evidence (required unless it is our own fault: ticket, notice reference…)",
    },
    "outages_cause_choose": {"zh-CN": "请选择原因", "en": "Choose the cause"},
    "outages_cause_operator": {"zh-CN": "我方自身故障", "en": "Our own fault"},
    "outages_cause_third_party": {"zh-CN": "其他服务提供商或第三方", "en": "Another provider or a third party"},
    "outages_cause_internet": {"zh-CN": "用户与我方之间的互联网状况", "en": "The internet between subscriber and us"},
    "outages_cause_force_majeure": {"zh-CN": "不可抗力", "en": "Force majeure"},
    "outages_cause_government": {"zh-CN": "政府行为", "en": "A government act"},
    "outages_col_cause": {"zh-CN": "原因", "en": "Cause"},
    "outages_not_our_fault": {"zh-CN": "非我方故障，不予补偿", "en": "Not our fault: no credit"},
    "outages_change_cause": {"zh-CN": "更正原因", "en": "Correct the cause"},
    "outages_cause_saved": {"zh-CN": "已更正中断 #{id} 的原因。", "en": "The cause of outage #{id} was corrected."},
    "outages_reversed_summary": {
        "zh-CN": "已冲回 {accounts} 户，共 ¥{total}（列在下一期账单上）",
        "en": "{accounts} credits reversed, ¥{total} in all (on the next bill)",
    },
    "outages_new": {"zh-CN": "记录中断", "en": "Record an outage"},
    "outages_field_title": {"zh-CN": "标题", "en": "Title"},
    "outages_field_description": {"zh-CN": "说明（可选）", "en": "Details (optional)"},
    "outages_field_started": {"zh-CN": "开始时间", "en": "Started"},
    "outages_field_ended": {"zh-CN": "结束时间（仍在中断则留空）", "en": "Ended (blank if still going on)"},
    "outages_field_scope": {"zh-CN": "受影响用户", "en": "Accounts affected"},
    "outages_scope_all": {"zh-CN": "全部用户", "en": "All subscribers"},
    "outages_scope_listed": {"zh-CN": "指定号码", "en": "These numbers"},
    "outages_field_numbers": {
        "zh-CN": "号码（用逗号、空格或换行分隔）",
        "en": "Numbers (separated by commas, spaces or lines)",
    },
    "outages_submit": {"zh-CN": "保存", "en": "Save"},
    "outages_recorded": {"zh-CN": "已记录中断 #{id}。", "en": "Outage #{id} recorded."},
    "outages_list": {"zh-CN": "中断记录", "en": "Outages"},
    "outages_empty": {"zh-CN": "暂无中断记录。", "en": "No outages recorded."},
    "outages_col_title": {"zh-CN": "中断", "en": "Outage"},
    "outages_col_scope": {"zh-CN": "范围", "en": "Scope"},
    "outages_col_period": {"zh-CN": "起止时间", "en": "From – to"},
    "outages_col_duration": {"zh-CN": "时长", "en": "Duration"},
    "outages_col_state": {"zh-CN": "状态", "en": "State"},
    "outages_col_credits": {"zh-CN": "补偿", "en": "Credits"},
    "outages_state_open": {"zh-CN": "中断中", "en": "Ongoing"},
    "outages_state_closed": {"zh-CN": "已结束", "en": "Closed"},
    "outages_hours": {"zh-CN": "{hours} 小时", "en": "{hours} h"},
    "outages_no_credit": {"zh-CN": "不足 24 小时，不予补偿", "en": "Under 24 hours: no credit"},
    "outages_credit_summary": {"zh-CN": "{accounts} 户，共 ¥{total}", "en": "{accounts} accounts, ¥{total} in all"},
    "outages_crediting": {"zh-CN": "补偿处理中…", "en": "Crediting…"},
    "outages_scope_numbers": {"zh-CN": "{count} 个号码", "en": "{count} numbers"},
    "outages_close": {"zh-CN": "结束并补偿", "en": "Close and credit"},
    "outages_close_at": {"zh-CN": "恢复时间", "en": "Service back at"},
    "outages_details": {"zh-CN": "补偿明细", "en": "Credits"},
    "outages_col_number": {"zh-CN": "号码", "en": "Number"},
    "outages_col_name": {"zh-CN": "用户", "en": "Subscriber"},
    "outages_col_amount": {"zh-CN": "补偿金额", "en": "Credit"},
    "outages_show": {"zh-CN": "明细", "en": "Details"},
    # -- dashboard (console home) ---------------------------------------------------------------------------
    "dash_lead": {"zh-CN": "数据截至 {at}。", "en": "Figures as of {at}."},
    "dash_subscribers": {"zh-CN": "用户状态", "en": "Subscribers by state"},
    "dash_subscribers_review": {"zh-CN": "实名审核状态（共 {total} 户）", "en": "Identity review ({total} in all)"},
    "dash_subscribers_service": {"zh-CN": "服务状态", "en": "Service state"},
    "dash_calls": {"zh-CN": "近 30 天每日通话", "en": "Calls per day, last 30 days"},
    "dash_calls_series": {"zh-CN": "通话次数", "en": "Calls"},
    "dash_minutes_series": {"zh-CN": "通话分钟", "en": "Minutes"},
    "dash_calls_total": {
        "zh-CN": "共 {calls} 次通话，{minutes} 分钟",
        "en": "{calls} calls, {minutes} minutes in all",
    },
    "dash_revenue": {"zh-CN": "近 12 个月收入与收款", "en": "Revenue and payments, last 12 months"},
    "dash_revenue_series": {"zh-CN": "收入", "en": "Revenue"},
    "dash_payments_series": {"zh-CN": "收款", "en": "Payments"},
    "dash_arrears": {"zh-CN": "欠费账龄", "en": "Arrears ageing"},
    "dash_arrears_accounts": {"zh-CN": "户数", "en": "Accounts"},
    "dash_arrears_amount": {"zh-CN": "逾期金额", "en": "Overdue"},
    "dash_disputes": {"zh-CN": "费用争议与答复期限", "en": "Disputes against their deadlines"},
    "dash_disputes_open_in_time": {"zh-CN": "处理中（未超期）", "en": "Open, within deadline"},
    "dash_disputes_open_overdue": {"zh-CN": "处理中（已超期）", "en": "Open, overdue"},
    "dash_disputes_answered_in_time": {"zh-CN": "按期答复", "en": "Answered in time"},
    "dash_disputes_answered_late": {"zh-CN": "逾期答复", "en": "Answered late"},
    "dash_table": {"zh-CN": "查看数据表", "en": "Show the data as a table"},
    "dash_no_data": {"zh-CN": "暂无数据", "en": "No data"},
    "dash_col_label": {"zh-CN": "项目", "en": "Item"},
    "dash_col_value": {"zh-CN": "数值", "en": "Value"},
    "dash_col_day": {"zh-CN": "日期", "en": "Day"},
    "dash_col_month": {"zh-CN": "月份", "en": "Month"},
}
