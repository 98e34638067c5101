"""UI text of the disputes pages, zh-CN and English."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    # -- shared ---------------------------------------------------------------------------------------
    "dispute_state_open": {"zh-CN": "处理中", "en": "Open"},
    "dispute_state_adjusted": {"zh-CN": "已调整", "en": "Adjusted"},
    "dispute_state_rejected": {"zh-CN": "已驳回", "en": "Rejected"},
    "disputes_overdue": {"zh-CN": "已超期", "en": "Overdue"},
    "disputes_subject_bill": {"zh-CN": "整张账单", "en": "Whole bill"},
    "disputes_subject_call": {"zh-CN": "通话 {number}", "en": "Call to {number}"},
    # -- portal ---------------------------------------------------------------------------------------
    "disputes_title": {"zh-CN": "费用争议", "en": "Billing disputes"},
    "disputes_lead": {
        "zh-CN": "对账单或某次通话的收费有异议？请提交争议，我们会在答复期限内调查核实并答复您。"
        "争议处理期间，争议金额不计违约金，也不会因此暂停服务。",
        "en": "Think a bill or a call was charged wrongly? File a dispute and we will investigate and answer "
        "by the deadline. While it is open, the disputed amount accrues no late fee and does not lead to a "
        "suspension.",
    },
    "disputes_new_title": {"zh-CN": "提交争议", "en": "File a dispute"},
    "disputes_field_bill": {"zh-CN": "账单", "en": "Bill"},
    "disputes_bill_option": {
        "zh-CN": "{period}（{number}，本期费用 ¥{amount}）",
        "en": "{period} ({number}, new charges ¥{amount})",
    },
    "disputes_field_call": {"zh-CN": "争议项目", "en": "What is disputed"},
    "disputes_whole_bill": {"zh-CN": "整张账单（本期费用 ¥{amount}）", "en": "The whole bill (new charges ¥{amount})"},
    "disputes_call_option": {
        "zh-CN": "{time} 呼叫 {number}，{duration}，¥{amount}",
        "en": "{time} call to {number}, {duration}, ¥{amount}",
    },
    "disputes_already_open_mark": {"zh-CN": "（已有处理中的争议）", "en": " (dispute open)"},
    "disputes_field_amount": {"zh-CN": "争议金额（元）", "en": "Amount disputed (yuan)"},
    "disputes_amount_hint": {
        "zh-CN": "留空表示全部费用；最多 ¥{max}。",
        "en": "Leave blank for the whole charge; at most ¥{max}.",
    },
    "disputes_field_reason": {"zh-CN": "原因", "en": "Reason"},
    "disputes_reason_hint": {
        "zh-CN": "请说明您认为收费有误的原因（最多 1000 字）。",
        "en": "Say why you think the charge is wrong (at most 1000 characters).",
    },
    "disputes_submit": {"zh-CN": "提交争议", "en": "File the dispute"},
    "disputes_submitted": {
        "zh-CN": "已提交争议 #{id}，我们将在 {due} 前答复。",
        "en": "Dispute #{id} filed; we will answer by {due}.",
    },
    "disputes_no_bills": {
        "zh-CN": "您还没有账单，暂时无需提交争议。",
        "en": "You have no bills yet, so nothing to dispute.",
    },
    "disputes_list_title": {"zh-CN": "我的争议", "en": "My disputes"},
    "disputes_col_id": {"zh-CN": "编号", "en": "No."},
    "disputes_col_bill": {"zh-CN": "账单", "en": "Bill"},
    "disputes_col_subject": {"zh-CN": "争议项目", "en": "Disputed"},
    "disputes_col_amount": {"zh-CN": "争议金额", "en": "Amount"},
    "disputes_col_state": {"zh-CN": "状态", "en": "State"},
    "disputes_col_deadline": {"zh-CN": "答复期限", "en": "Answer due"},
    "disputes_col_answer": {"zh-CN": "处理结果", "en": "Answer"},
    "disputes_answer_pending": {"zh-CN": "等待答复", "en": "Awaiting an answer"},
    "disputes_answer_credit": {
        "zh-CN": "已减免 ¥{credit}，将列入下期账单。{explanation}",
        "en": "¥{credit} credited, shown on your next bill. {explanation}",
    },
    "disputes_answer_rejected": {"zh-CN": "未予调整：{explanation}", "en": "No adjustment: {explanation}"},
    # -- console --------------------------------------------------------------------------------------
    "cdisputes_title": {"zh-CN": "费用争议处理", "en": "Billing disputes"},
    "cdisputes_summary": {
        "zh-CN": "处理中 {open} 件，其中已超期 {overdue} 件。",
        "en": "{open} open, {overdue} of them overdue.",
    },
    "cdisputes_filter_state": {"zh-CN": "状态", "en": "State"},
    "cdisputes_filter_all": {"zh-CN": "全部", "en": "All"},
    "cdisputes_filter_number": {"zh-CN": "用户号码", "en": "Subscriber number"},
    "cdisputes_filter_submit": {"zh-CN": "筛选", "en": "Filter"},
    "cdisputes_col_subscriber": {"zh-CN": "用户", "en": "Subscriber"},
    "cdisputes_col_opened": {"zh-CN": "提交时间", "en": "Filed"},
    "cdisputes_open": {"zh-CN": "查看", "en": "Open"},
    "cdisputes_detail": {"zh-CN": "争议", "en": "Dispute"},
    "cdisputes_reason": {"zh-CN": "用户陈述", "en": "The subscriber says"},
    "cdisputes_bill_title": {"zh-CN": "账单", "en": "Bill"},
    "cdisputes_calls_title": {"zh-CN": "通话记录、计费与质量", "en": "Call records, rating and quality"},
    "cdisputes_no_calls": {"zh-CN": "该账单没有计费通话。", "en": "No rated calls on this bill."},
    "cdisputes_call_parties": {"zh-CN": "主叫 → 被叫", "en": "Caller → callee"},
    "cdisputes_call_times": {"zh-CN": "发起 / 接通 / 结束", "en": "Started / answered / ended"},
    "cdisputes_call_end": {"zh-CN": "结果与结束原因", "en": "Outcome and end reason"},
    "cdisputes_call_node": {"zh-CN": "信令节点", "en": "Signaling node"},
    "cdisputes_call_rating": {"zh-CN": "计费", "en": "Rating"},
    "cdisputes_rating_text": {
        "zh-CN": "计费 {rated} 秒（套餐内 {included} 秒，收费 {charged} 秒）：¥{amount}",
        "en": "{rated} s rated ({included} s included, {charged} s charged): ¥{amount}",
    },
    "cdisputes_not_rated": {"zh-CN": "未计费", "en": "Not rated"},
    "cdisputes_quality_caller": {"zh-CN": "主叫侧质量", "en": "Caller's quality"},
    "cdisputes_quality_callee": {"zh-CN": "被叫侧质量", "en": "Callee's quality"},
    "cdisputes_decision_title": {"zh-CN": "处理", "en": "Decision"},
    "cdisputes_field_credit": {"zh-CN": "减免金额（元）", "en": "Credit (yuan)"},
    "cdisputes_credit_hint": {
        "zh-CN": "大于 0，最多为争议金额 ¥{max}。",
        "en": "More than 0, at most the disputed ¥{max}.",
    },
    "cdisputes_field_explanation": {"zh-CN": "说明（用户可见）", "en": "Explanation (the subscriber reads it)"},
    "cdisputes_adjust": {"zh-CN": "减免并结案", "en": "Credit and close"},
    "cdisputes_reject": {"zh-CN": "驳回", "en": "Reject"},
    "cdisputes_close": {"zh-CN": "关闭", "en": "Close"},
    "cdisputes_done": {"zh-CN": "已处理。", "en": "Decided."},
    "cdisputes_decided_note": {"zh-CN": "该争议已处理，不能再次处理。", "en": "This dispute has been decided."},
}
