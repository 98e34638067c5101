"""UI labels of the console's policy editor: section headings, a hint for every parameter (what it
does and where the agreement quotes it), units, the choices of a select, and the agreement preview.
The parameters' own labels are in ``identity/domain/policy.py`` (the API gives them in both languages)."""

from __future__ import annotations

import dataclasses

from videophone.identity.domain.policy import OperatorPolicy

# Each parameter's label by its name (the audit log and the policy history say what changed).
PARAMETERS: dict[str, dict[str, str]] = {
    f"policy_param_{f.name}": {"zh-CN": f.metadata["zh"], "en": f.metadata["en"]}
    for f in dataclasses.fields(OperatorPolicy)
}

HINTS: dict[str, dict[str, str]] = {
    "policy_hint_operator_name": {
        "zh-CN": "协议中的乙方名称，也是协议 PDF 的作者；出现在协议开头、引言和签章处。",
        "en": "The operator as a party of the agreement (and the PDF's author): in its header, preamble "
        "and signature block.",
    },
    "policy_hint_operator_address": {
        "zh-CN": "协议开头乙方信息中的住所。",
        "en": "The operator's address in the agreement's header.",
    },
    "policy_hint_operator_phone": {
        "zh-CN": "协议开头乙方信息中的联系电话。",
        "en": "The operator's telephone number in the agreement's header.",
    },
    "policy_hint_operator_legal_representative": {
        "zh-CN": "协议开头乙方信息中的法定代表人。",
        "en": "The operator's legal representative in the agreement's header.",
    },
    "policy_hint_operator_credit_code": {
        "zh-CN": "协议开头乙方信息中的统一社会信用代码（18 位）。",
        "en": "The operator's unified social credit code (18 characters) in the agreement's header.",
    },
    "policy_hint_price_list_url": {
        "zh-CN": "公示服务项目和资费标准的网址（协议第 2 条）。",
        "en": "Where the services and prices are published (clause 2 of the agreement).",
    },
    "policy_hint_signing_place": {
        "zh-CN": "协议签章处的签订地点。",
        "en": "The place of signature at the end of the agreement.",
    },
    "policy_hint_arbitration_body": {
        "zh-CN": "协商不成时提交仲裁的机构（协议第 16 条）。",
        "en": "The arbitration body disputes go to when talks fail (clause 16).",
    },
    "policy_hint_warranty_years": {
        "zh-CN": "终端自安装之日起的保修期（协议第 4 条）；保修申请按此判断是否在保。",
        "en": "How long a terminal is under warranty from installation (clause 4); warranty claims are judged by it.",
    },
    "policy_hint_late_fee_per_mille_per_day": {
        "zh-CN": "逾期欠费每日按千分之几计收违约金（协议第 5 条），例如 3 即每日 0.3%。",
        "en": "The late fee per day, in thousandths of the overdue amount (clause 5): 3 means 0.3 % a day.",
    },
    "policy_hint_months_overdue_before_suspension": {
        "zh-CN": "欠费逾期超过这么多个月即中止服务（协议第 5 条）。",
        "en": "After this many months overdue the service is suspended (clause 5).",
    },
    "policy_hint_months_overdue_before_termination": {
        "zh-CN": "欠费逾期超过这么多个月即终止服务（协议第 5 条），须长于中止服务的期限。",
        "en": "After this many months overdue the service is terminated (clause 5); longer than the suspension period.",
    },
    "policy_hint_objection_window_months": {
        "zh-CN": "协议变更公告后用户提出异议的期限，期满未提出视为同意（协议第 15 条）。",
        "en": "How long subscribers may object to a changed agreement; silence after it counts as "
        "acceptance (clause 15).",
    },
    "policy_hint_number_pool_start": {
        "zh-CN": "分配给新用户的号码段的第一个号码（与结束号码位数相同）。",
        "en": "The first number of the range new subscribers get (as many digits as the last).",
    },
    "policy_hint_number_pool_end": {
        "zh-CN": "号码段的最后一个号码，不小于起始号码。",
        "en": "The last number of the range, not below the first.",
    },
    "policy_hint_number_quarantine_days": {
        "zh-CN": "号码收回后冷冻多少天才能再分配给他人。",
        "en": "How long a returned number rests before anyone else gets it.",
    },
    "policy_hint_no_answer_timeout_seconds": {
        "zh-CN": "来电无人接听多久后结束振铃（转移或留言随后生效）。",
        "en": "How long a call rings unanswered before it stops (forwarding or voicemail then apply).",
    },
    "policy_hint_reconnect_grace_seconds": {
        "zh-CN": "通话中网络中断后，等待重连多久才挂断。",
        "en": "How long a call waits for a dropped side to reconnect before it ends.",
    },
    "policy_hint_bill_due_days": {
        "zh-CN": "账单出账后多少天内缴费，逾期开始计收违约金。",
        "en": "Days a bill may be paid in after it is issued; late fees start after them.",
    },
    "policy_hint_default_plan_code": {
        "zh-CN": "新注册用户自动开通的套餐，从资费目录中选择（协议第 2 条所述资费）。",
        "en": "The plan new subscribers start on, from the tariff catalogue (the prices of clause 2).",
    },
    "policy_hint_late_fee_cap_percent": {
        "zh-CN": "违约金累计不超过欠费本金的百分比；0 表示不设上限。",
        "en": "Late fees stop at this share of the overdue principal; 0 means no cap.",
    },
    "policy_hint_credit_limit_options": {
        "zh-CN": "用户可选择的每月信用额度（元），用逗号分隔，例如 50,100,200。",
        "en": "The monthly credit limits subscribers may choose, in yuan, separated by commas (50,100,200).",
    },
    "policy_hint_credit_limit_action": {
        "zh-CN": "用户本月费用超出所选信用额度时对服务采取的措施。",
        "en": "What happens to the service when a month's charges pass the chosen credit limit.",
    },
    "policy_hint_dispute_response_days": {
        "zh-CN": "收到费用争议后答复用户的期限。",
        "en": "Days staff have to answer a billing dispute.",
    },
    "policy_hint_payment_reconcile_minutes": {
        "zh-CN": "网上支付未收到支付网关通知时，等待多久后主动向网关核对。",
        "en": "How long an online payment may wait for the gateway's notice before the service asks the "
        "gateway itself.",
    },
    "policy_hint_inactivity_days_before_termination": {
        "zh-CN": "账户连续多少天未使用时可提前终止服务。",
        "en": "After this many days without any use an account may be terminated early.",
    },
    "policy_hint_inactivity_notice_days": {
        "zh-CN": "因长期不使用终止服务前，提前多少天通知用户。",
        "en": "How many days before such a termination the subscriber is told.",
    },
    "policy_hint_document_max_bytes": {
        "zh-CN": "实名登记上传的每份证件材料的大小上限。",
        "en": "The largest identity document file a subscriber may upload.",
    },
    "policy_hint_voicemail_max_seconds": {
        "zh-CN": "一条视频留言最多录制的时长。",
        "en": "The longest video message a caller may record.",
    },
    "policy_hint_voicemail_max_bytes": {
        "zh-CN": "一条视频留言文件的大小上限。",
        "en": "The largest file one video message may be.",
    },
    "policy_hint_voicemail_retention_days": {
        "zh-CN": "视频留言保存多少天后自动删除。",
        "en": "Days a video message is kept before it is deleted.",
    },
    "policy_hint_voicemail_quota_bytes": {
        "zh-CN": "每位用户信箱的总容量，不小于单条留言上限。",
        "en": "The storage of each mailbox, at least the size of one message.",
    },
    "policy_hint_voicemail_max_messages": {
        "zh-CN": "信箱最多保存的留言条数，满后新来电不能留言。",
        "en": "The most messages a mailbox holds; when full, callers cannot leave one.",
    },
    "policy_hint_voicemail_deposit_rated": {
        "zh-CN": "开启后，主叫留言按留言时长计通话费；关闭则留言免费。",
        "en": "On: leaving a message is charged to the caller as a call of its length. Off: free.",
    },
}

UNITS: dict[str, dict[str, str]] = {
    "policy_unit_years": {"zh-CN": "年", "en": "years"},
    "policy_unit_months": {"zh-CN": "个月", "en": "months"},
    "policy_unit_days": {"zh-CN": "天", "en": "days"},
    "policy_unit_minutes": {"zh-CN": "分钟", "en": "minutes"},
    "policy_unit_seconds": {"zh-CN": "秒", "en": "seconds"},
    "policy_unit_bytes": {"zh-CN": "字节", "en": "bytes"},
    "policy_unit_percent": {"zh-CN": "%", "en": "%"},
    "policy_unit_per_mille": {"zh-CN": "‰ / 天", "en": "‰ per day"},
    "policy_unit_yuan_list": {"zh-CN": "元", "en": "yuan"},
    "policy_unit_messages": {"zh-CN": "条", "en": "messages"},
}

EDITOR: dict[str, dict[str, str]] = {
    "policy_group_billing": {"zh-CN": "计费与缴费", "en": "Billing and payment"},
    "policy_choice_outgoing_barred": {"zh-CN": "限制呼出（仍可接听）", "en": "Bar outgoing calls (still reachable)"},
    "policy_choice_suspended": {"zh-CN": "暂停全部服务", "en": "Suspend the whole service"},
    "policy_plan_inactive": {"zh-CN": "（已下架）", "en": "(off sale)"},
    "policy_switch_on": {"zh-CN": "开启", "en": "On"},
    "policy_switch_off": {"zh-CN": "关闭", "en": "Off"},
    "policy_reason_initial": {"zh-CN": "初始设置", "en": "Initial settings"},
    "policy_preview": {"zh-CN": "预览对协议的影响", "en": "Preview the effect on the agreement"},
    "policy_preview_title": {
        "zh-CN": "协议文本变化预览（尚未保存）",
        "en": "The agreement after this change (not saved)",
    },
    "policy_preview_lead": {
        "zh-CN": "以下是服务协议第 {version} 版中引用了所改参数的条款，新值已高亮。",
        "en": "The clauses of agreement version {version} that quote a changed parameter, new values highlighted.",
    },
    "policy_preview_none": {
        "zh-CN": "所改参数未写入协议文本，协议不变。",
        "en": "The changed parameters are not quoted in the agreement; its text stays as it is.",
    },
    "policy_preview_now": {"zh-CN": "现行文本", "en": "Now"},
    "policy_preview_after": {"zh-CN": "修改后", "en": "After the change"},
    "policy_preview_stale": {
        "zh-CN": "参数已再次修改，请重新预览。",
        "en": "The values changed since the preview; preview again.",
    },
}

UI: dict[str, dict[str, str]] = {**PARAMETERS, **HINTS, **UNITS, **EDITOR}
