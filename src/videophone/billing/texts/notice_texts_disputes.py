"""Notification texts of the disputes feature: ``TEXTS[kind][language] = (subject, body)`` with
``str.format`` fields from the notification's params (see services.notifications)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # params: dispute_id, bill_number, amount, due_date
    "dispute_opened": {
        "zh-CN": (
            "已收到您的费用争议 #{dispute_id}",
            "我们已收到您对账单 {bill_number} 的费用争议（争议金额 ¥{amount}），"
            "将在 {due_date} 前调查核实并答复您。争议处理期间，争议金额不计违约金，也不会因此暂停服务。",
        ),
        "en": (
            "We received your billing dispute #{dispute_id}",
            "We received your dispute about bill {bill_number} (¥{amount} disputed) and will investigate "
            "and answer by {due_date}. While it is open, the disputed amount accrues no late fee and does "
            "not lead to a suspension.",
        ),
    },
    # params: dispute_id, credit, explanation
    "dispute_adjusted": {
        "zh-CN": (
            "费用争议 #{dispute_id} 已处理：减免 ¥{credit}",
            "经核实，我们已为您减免 ¥{credit}，将在下期账单中以减免项列出。说明：{explanation}",
        ),
        "en": (
            "Dispute #{dispute_id} resolved: ¥{credit} credited",
            "We checked your dispute and credited ¥{credit}; it appears as a credit on your next bill. "
            "Explanation: {explanation}",
        ),
    },
    # params: dispute_id, explanation
    "dispute_rejected": {
        "zh-CN": (
            "费用争议 #{dispute_id} 的处理结果",
            "经调查核实，您的费用争议未予调整。原因：{explanation}。如有疑问，请联系客服。",
        ),
        "en": (
            "The answer to your dispute #{dispute_id}",
            "We investigated your dispute and made no adjustment. Reason: {explanation}. "
            "Contact customer service if you have questions.",
        ),
    },
}
