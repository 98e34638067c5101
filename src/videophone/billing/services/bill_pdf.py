"""The bill as a printable PDF."""

from __future__ import annotations

from videophone.adapters.pdf import PdfKeyValues, PdfParagraph, PdfTable, render_document_pdf
from videophone.billing.services.bill_views import BillView
from videophone.identity.domain.policy import OperatorPolicy
from videophone.kernel.money import Money


def render_bill_pdf(view: BillView, pol: OperatorPolicy) -> bytes:
    """The bill as an A4 PDF: header, lines, totals (amounts as ``¥123.45``) and the due date."""
    header = PdfKeyValues(
        rows=(
            ("运营商 Operator", pol.operator_name),
            ("账单编号 Bill number", view.number),
            ("账期 Period", view.period),
            ("用户 Subscriber", f"{view.subscriber_name} ({view.subscriber_number})"),
            ("出账日期 Issued", view.issued_at.date().isoformat()),
            ("缴费截止日 Due date", view.due_date.isoformat()),
        )
    )
    table = PdfTable(
        header=("项目 Item", "数量 Quantity", "金额 Amount"),
        rows=tuple((line.description, line.quantity, str(Money(line.amount_fen))) for line in view.lines)
        or (("—", "", str(Money.zero())),),
        col_widths=(0.55, 0.2, 0.25),
        align_right=frozenset({2}),
    )
    totals = PdfKeyValues(
        title="合计 Totals",
        rows=(
            ("上期余额 Previous balance", str(Money.of_yuan(view.previous_balance))),
            ("已收款项 Payments", str(Money.of_yuan(view.payments))),
            ("本期费用 New charges", str(Money.of_yuan(view.new_charges))),
            ("应缴总额 Total due", view.total_due_text),
        ),
    )
    note = PdfParagraph(
        f"请于 {view.due_date.isoformat()} 前缴清应缴总额 {view.total_due_text}。"
        f" Please pay {view.total_due_text} by {view.due_date.isoformat()}."
    )
    return render_document_pdf(
        "可视电话业务账单", [header, table, totals, note], author=pol.operator_name, subject=view.number
    )
