"""What a bill line says, in both languages (issue 15): the bill run writes each line's description and
quantity in Chinese and in English, and the reader's language picks one when the bill is read (the
portal, the console, the PDF).  Pure: no I/O.

A text is a pair ``(zh-CN, en)``.  Names that exist in both languages (plans, value-added services)
are given as pairs; a memo written by staff (an adjustment's reason) exists in one language only and
is shown as written in both.  The memos the system writes itself (a dispute's credit, an outage's
credit) are recognised and said in English too.
"""

from __future__ import annotations

Text = tuple[str, str]  # (zh-CN, en)

LABELS: dict[str, Text] = {
    "rent": ("月租", "Monthly rent"),
    "vas": ("增值业务", "Value-added service"),
    "usage": ("通话费", "Call charges"),
    "adjustment": ("调账", "Adjustment"),
    "credit": ("减免", "Credit"),
    "late_fee": ("违约金", "Late fee"),
    "refund": ("退款", "Refund"),
}

# Memo prefixes the system writes in Chinese (billing disputes, outage credits) and their English.
SYSTEM_MEMOS: tuple[Text, ...] = (
    ("费用争议 #", "Billing dispute #"),
    ("服务中断补偿 #", "Outage credit #"),
    ("服务中断补偿冲回 #", "Outage credit reversed #"),
)

DESCRIPTION_MAX = 200  # bill_lines.description(_en)
QUANTITY_MAX = 40  # bill_lines.quantity(_en)


def memo_text(memo: str) -> Text:
    """A posting's memo in both languages: a system memo translated, any other as written."""
    for zh, en in SYSTEM_MEMOS:
        if memo.startswith(zh):
            return memo, en + memo[len(zh) :]
    return memo, memo


def described(kind: str, name: Text = ("", "")) -> Text:
    """``月租 · 基础套餐`` / ``Monthly rent · Basic``: the kind's label and what it is for (if anything).
    An English name left empty falls back to the Chinese one."""
    zh_label, en_label = LABELS[kind]
    zh_name, en_name = name[0].strip(), (name[1].strip() or name[0].strip())
    zh = f"{zh_label} · {zh_name}" if zh_name else zh_label
    en = f"{en_label} · {en_name}" if en_name else en_label
    return zh[:DESCRIPTION_MAX], en[:DESCRIPTION_MAX]


def days(count: int, of: int | None = None) -> Text:
    """A quantity of days: ``12/30 天`` / ``12/30 days`` (of the period's days), or ``3 天`` / ``3 days``."""
    shown = f"{count}/{of}" if of is not None else str(count)
    unit = "day" if of is None and count == 1 else "days"
    return f"{shown} 天", f"{shown} {unit}"
