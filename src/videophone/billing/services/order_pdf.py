"""The order as a printable annex of the agreement (003 §2)."""

from __future__ import annotations

from videophone.adapters.pdf import PdfBlock, PdfHeading, PdfKeyValues, PdfParagraph, PdfTable, render_document_pdf
from videophone.billing.domain import tariffs as rules
from videophone.billing.services.order_views import OrderView
from videophone.common.deps import Deps
from videophone.kernel.money import Money

KIND_LABELS = {
    rules.OrderKind.INITIAL_PLAN: ("开通套餐", "Initial plan"),
    rules.OrderKind.PLAN_CHANGE: ("变更套餐", "Plan change"),
    rules.OrderKind.VAS_ADD: ("开通增值业务", "Value-added service added"),
    rules.OrderKind.VAS_REMOVE: ("取消增值业务", "Value-added service removed"),
}
ACTION_LABELS = {"subscribe": "开通", "change": "变更为", "add": "开通", "remove": "取消"}


def _yuan(fen: int) -> str:
    return f"{Money(fen).yuan} 元"


def render_order_pdf(view: OrderView, number: str, name: str, operator_name: str, deps: Deps) -> bytes:
    kind = rules.OrderKind(view.kind)
    created = view.created_at.astimezone(deps.operator_tz)
    rows: list[tuple[str, ...]] = []
    for item in view.items:
        rows.append(
            (
                "套餐" if item.item_kind == "plan" else "增值业务",
                f"{item.name}（{item.code}）",
                ACTION_LABELS.get(item.action, item.action),
                _yuan(item.monthly_fee_fen),
            )
        )
    rows.append(("合计", "", "", _yuan(view.monthly_fee_fen)))
    blocks: list[PdfBlock] = [
        PdfKeyValues(
            (
                ("订单编号", view.number),
                ("订单类型", KIND_LABELS[kind][0]),
                ("下单时间", created.strftime("%Y-%m-%d %H:%M")),
                ("生效日期", view.effective_date.isoformat()),
                ("用户号码", number),
                ("用户名称", name),
                ("协议版本", f"第{view.agreement_version}版"),
            ),
            title="订单信息",
        ),
        PdfHeading("订购内容"),
        PdfTable(("类别", "业务", "操作", "月费"), tuple(rows), (0.16, 0.44, 0.16, 0.24), frozenset({3})),
    ]
    for item in view.items:
        if item.item_kind == "plan":
            d = item.price_detail
            blocks.append(
                PdfParagraph(
                    f"{item.name}资费：月租 {d['monthly_rent']} 元，含 {d['included_minutes']} 分钟视频通话，"
                    f"超出部分 {d['rate_per_minute']} 元/分钟，计费单元首 {d['first_increment_seconds']} 秒、"
                    f"其后每 {d['next_increment_seconds']} 秒（资费自 {d['effective_from']} 起执行）。"
                )
            )
    effect = {
        rules.OrderKind.INITIAL_PLAN: "套餐自生效日期起开通，当月月租按天折算。",
        rules.OrderKind.PLAN_CHANGE: "套餐变更自下一个计费月首日起生效，本月仍按原套餐计费。",
        rules.OrderKind.VAS_ADD: "增值业务自生效日期起开通，当月费用按天折算。",
        rules.OrderKind.VAS_REMOVE: "增值业务于生效日期当日结束，当月费用按天折算至该日。",
    }[kind]
    blocks += [
        PdfParagraph(effect),
        PdfParagraph(
            f"本订单为双方签订的《可视电话视频通信服务协议》（第{view.agreement_version}版）的附件，"
            "与协议具有同等法律效力。"
        ),
        PdfKeyValues((("乙方（运营商）", operator_name), ("订单状态", "已确认")), title="运营商"),
    ]
    return render_document_pdf(
        "可视电话业务订单（协议附件）",
        blocks,
        author=operator_name,
        subject=f"订单 {view.number}",
    )
