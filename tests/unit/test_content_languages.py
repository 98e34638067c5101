"""Stored content in the reader's language (issue 15): every notice kind renders in both languages with
the params its cause stores, bill lines are written in both languages, and texts kept in both are
shown in the reader's."""

from __future__ import annotations

import re
from datetime import date
from string import Formatter
from typing import Any

import pytest

from videophone.billing.domain import bill_lines
from videophone.collections.texts.notice_texts_payments import method_params
from videophone.identity.domain.agreement import check_template, render_agreement, template_placeholders
from videophone.identity.domain.policy import OperatorPolicy
from videophone.identity.services.agreement import shipped_template
from videophone.kernel.text import in_language
from videophone.notices.services.notifications import TEXTS, render
from videophone.notices.texts.notice_texts_outages import cause_params

CJK = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")

_VIOLATION = {"violation_id": 7, "reason": "spam calls / 骚扰电话", "vas_code": "forwarding"}
_TERMINATION = {"number": "95013000123", "owed": "12.50", "date": "2026-11-30"}
_ANNOUNCEMENT = {
    "announcement_id": 3,
    "announcement_kind": "maintenance",
    "title": "系统维护",
    "body": "12 月 1 日凌晨维护。",
    "title_en": "Maintenance",
    "body_en": "Maintenance early on 1 December.",
    "effective": "2026-12-01 02:00",
}
# What each cause stores (see the ``notify`` call sites): language-dependent values as codes or as
# both languages (``*_zh`` / ``*_en``), rendered when read.  Staff free text (a reason, a note) and
# outage titles are written once and shown as written.
PARAMS: dict[str, dict[str, Any]] = {
    "bill_issued": {
        "bill_id": 1,
        "number": "B2026110000000001",
        "period": "2026-11",
        "new_charges": "38.00",
        "total_due": "38.50",
        "due_date": "2026-12-15",
    },
    "payment_received": {"amount": "50.00", "method": "gateway", **method_params("gateway")},
    "refund_issued": {"amount": "5.00", "method": "cash", **method_params("cash")},
    "payment_overdue": {"due_date": "2026-11-15", "overdue": "38.50", "per_mille": "3", "months": 2},
    "service_suspended_arrears": {"due_date": "2026-09-15", "months": 2, "overdue": "80.00"},
    "service_restored": {"reason": "arrears"},
    "service_terminated": {"due_date": "2026-08-15", "months": 3, "number": "95013000123", "owed": "120.00"},
    "credit_limit_warning": {"level": 80, "limit": "100.00", "used": "80.00"},
    "credit_limit_barred": {
        "limit": "100.00",
        "used": "100.00",
        "scope_zh": "呼出已受限",
        "scope_en": "outgoing calls are barred",
    },
    "credit_limit_restored": {"limit": "", "used": ""},
    "dispute_opened": {"dispute_id": 4, "bill_number": "B2026110000000001", "amount": "1.20", "due_date": "2026-12-20"},
    "dispute_adjusted": {"dispute_id": 4, "credit": "1.20", "explanation": "rated twice"},
    "dispute_rejected": {"dispute_id": 4, "explanation": "the call took place"},
    "violation_warning": _VIOLATION,
    "violation_restrict_outgoing": _VIOLATION,
    "violation_withdraw_vas": _VIOLATION,
    "violation_suspend": _VIOLATION,
    "violation_terminate": _VIOLATION,
    "violation_lifted": {"violation_id": 7, "reason": "resolved"},
    "lawful_suspended": {"period_to": ""},
    "lawful_lifted": {},
    "termination_requested": _TERMINATION,
    "termination_closed": {"number": "95013000123", "refund": "0.00", "date": "2026-11-30"},
    "termination_withdrawn": {"date": "2026-11-30"},
    "termination_inactivity_notice": {"last": "2026-05-01", "date": "2026-12-31"},
    "termination_by_operator_breach": _TERMINATION,
    "termination_by_operator_illegal": _TERMINATION,
    "termination_by_operator_violation": _TERMINATION,
    "termination_by_operator_inactivity": _TERMINATION,
    "announcement": _ANNOUNCEMENT,
    "agreement_change": {**_ANNOUNCEMENT, "version": 2, "window_end": "2027-01-31 00:00"},
    "agreement_objection_received": {"version": 2},
    "agreement_objection_decided": {
        "version": 2,
        "outcome": "accepted",
        "outcome_zh": "双方协商一致，您已接受新版本",
        "outcome_en": "agreed: you accepted the new version",
        "note": "thanks",
    },
    "agreement_deemed_accepted": {"version": 2},
    "outage_credit": {
        "outage_id": 2,
        "title": "Fibre cut",
        "hours": 26.5,
        "started": "2026-11-01 08:00",
        "ended": "2026-11-02 10:30",
        "credit": "1.10",
    },
    "outage_no_credit": {
        "outage_id": 3,
        "title": "Typhoon",
        "hours": 30.0,
        "started": "2026-11-01 08:00",
        "ended": "2026-11-02 14:00",
        **cause_params("force_majeure"),
    },
    "outage_credit_reversed": {"outage_id": 2, "title": "Fibre cut", "credit": "1.10", **cause_params("third_party")},
    "terminal_assigned": {"serial": "VP-0001", "model": "VP-200", "warranty_end": "2027-11-01"},
    "terminal_warranty_voided": {"serial": "VP-0001", "date": "2026-11-03", "note": "seal broken"},
    "warranty_claim_filed": {"claim_id": 5, "serial": "VP-0001"},
    "warranty_claim_repaired": {"claim_id": 5, "serial": "VP-0001", "warranty_end": "2027-11-01", "note": ""},
    "warranty_claim_replaced": {
        "claim_id": 5,
        "serial": "VP-0001",
        "replacement_serial": "VP-0002",
        "warranty_end": "2027-11-01",
        "note": "",
    },
    "warranty_claim_denied": {"claim_id": 5, "serial": "VP-0001", "cause": "water", "note": "water damage"},
    "missed_call": {
        "call_id": "c-1",
        "caller_zh": "号码未显示",
        "caller_en": "Number withheld",
        "to": "95100000001",
        "time": "2026-12-06 10:00",
    },
    "voicemail_left": {
        "caller_zh": "号码未显示",
        "caller_en": "Number withheld",
        "seconds": 12,
        "time": "2026-11-03 09:15",
    },
}
# Params that are staff free text or shared (shown as written in both languages).
FREE_TEXT = {"reason", "explanation", "note", "title", "body", "cause"}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_notice_kind_has_the_params_of_its_cause() -> None:
    assert set(PARAMS) == set(TEXTS)


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_every_notice_kind_renders_in_both_languages(kind: str) -> None:
    params = PARAMS[kind]
    zh_subject, zh_body = render(kind, "zh-CN", params)
    en_subject, en_body = render(kind, "en", params)
    for language in ("zh-CN", "en"):
        subject, body = TEXTS[kind][language]
        missing = (_fields(subject) | _fields(body)) - set(params)
        assert not missing, f"{kind} ({language}) needs {missing}"
    assert "{" not in zh_subject + zh_body + en_subject + en_body
    assert CJK.search(zh_subject) and CJK.search(zh_body)
    # The English text has no Chinese but from values written once (staff free text).
    shared = "".join(str(params[f]) for f in FREE_TEXT & set(params))
    assert not CJK.search(en_subject + en_body.replace(shared, "")), (kind, en_subject, en_body)
    # A language-dependent value is stored in both languages, and each text reads its own.
    en_fields = _fields(TEXTS[kind]["en"][0]) | _fields(TEXTS[kind]["en"][1])
    zh_fields = _fields(TEXTS[kind]["zh-CN"][0]) | _fields(TEXTS[kind]["zh-CN"][1])
    assert not any(f.endswith("_zh") for f in en_fields) and not any(f.endswith("_en") for f in zh_fields)


def test_a_notice_in_an_unknown_language_is_in_chinese() -> None:
    assert render("lawful_lifted", "fr", {}) == render("lawful_lifted", "zh-CN", {})


def test_bill_lines_say_what_they_are_in_both_languages() -> None:
    assert bill_lines.described("rent", ("基础套餐", "Basic")) == ("月租 · 基础套餐", "Monthly rent · Basic")
    assert bill_lines.described("vas", ("视频留言", "")) == ("增值业务 · 视频留言", "Value-added service · 视频留言")
    assert bill_lines.described("usage") == ("通话费", "Call charges")
    assert bill_lines.described("late_fee") == ("违约金", "Late fee")
    assert bill_lines.days(12, 30) == ("12/30 天", "12/30 days")
    assert bill_lines.days(1) == ("1 天", "1 day") and bill_lines.days(3) == ("3 天", "3 days")
    # The memos the system writes are translated; a staff memo is kept as written.
    assert bill_lines.described("credit", bill_lines.memo_text("费用争议 #12")) == (
        "减免 · 费用争议 #12",
        "Credit · Billing dispute #12",
    )
    assert bill_lines.memo_text("服务中断补偿 #3 光缆中断") == ("服务中断补偿 #3 光缆中断", "Outage credit #3 光缆中断")
    assert bill_lines.memo_text("服务中断补偿冲回 #3 光缆中断") == (
        "服务中断补偿冲回 #3 光缆中断",
        "Outage credit reversed #3 光缆中断",
    )
    assert bill_lines.memo_text("补收九月月租") == ("补收九月月租", "补收九月月租")
    long = bill_lines.described("adjustment", ("长" * 300, "x" * 300))
    assert len(long[0]) == len(long[1]) == bill_lines.DESCRIPTION_MAX
    for kind in bill_lines.LABELS:
        zh, en = bill_lines.described(kind)
        assert CJK.search(zh) and not CJK.search(en)


def test_a_text_in_both_languages_is_shown_in_the_readers() -> None:
    assert in_language("en", "中文", "English") == "English"
    assert in_language("zh-CN", "中文", "English") == "中文"
    assert in_language("en", "中文", "") == "中文"  # no English yet: the Chinese
    assert in_language("zh-CN", "", "English") == "English"
    assert in_language("fr", "中文", "English") == "中文"


def test_the_shipped_agreement_has_an_english_translation_with_the_same_blanks() -> None:
    zh, en = shipped_template(1), shipped_template(1, "en")
    assert check_template(en) == []
    assert template_placeholders(en) == template_placeholders(zh)

    # Clause for clause: the same numbered clauses and items, the same sections and party lines.
    def shape(text: str) -> list[str]:
        marks = (re.match(r"\d+\.|\(\d+\)|#+|\[\w+\]", line) for line in text.splitlines() if line.strip())
        return [m.group(0) if m else "text" for m in marks]

    assert shape(en) == shape(zh)
    doc = render_agreement(
        en, version=1, policy=OperatorPolicy(), subscriber=None, signed_on=date(2026, 11, 21), language="en"
    )
    assert doc.language == "en" and doc.has_translation
    text = doc.plain_text()
    assert "21 November 2026" in text and "Party A" in text
    assert not CJK.search(en.replace("＿", ""))  # the translation itself is all English
    blank = render_agreement(en, version=1, policy=OperatorPolicy(), subscriber=None, signed_on=None, language="en")
    assert "(day)" in blank.plain_text()
