"""The agreement template and its rendering (R-06, R-51)."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.identity.domain.agreement import (
    BLANK,
    AgreementDocument,
    SubscriberParty,
    check_template,
    format_decimal,
    known_placeholders,
    render_agreement,
    template_placeholders,
)
from videophone.identity.domain.policy import OperatorPolicy
from videophone.kernel.errors import FieldError, ValidationFailed

SHIPPED = resources.files("videophone").joinpath("resources/agreement_v1.txt").read_text(encoding="utf-8")

PERSON = SubscriberParty(
    kind="person",
    name="王小明",
    address="上海市徐汇区漕溪北路88号",
    postal_code="200030",
    phone="13800138000",
    id_type_label="居民身份证",
    id_number_display="3101**********1234",
)
ORGANIZATION = SubscriberParty(
    kind="organization",
    name="上海某某视讯科技有限公司",
    address="上海市浦东新区世纪大道100号",
    postal_code="200120",
    phone="021-55556666",
    id_type_label="营业执照",
    id_number_display="91310115MA1K00AB3Q",
    legal_representative="李四",
    credit_code="91310115MA1K00AB3Q",
)


def render(
    policy: OperatorPolicy | None = None,
    subscriber: SubscriberParty | None = None,
    signed_on: date | None = None,
) -> AgreementDocument:
    return render_agreement(
        SHIPPED,
        version=1,
        policy=policy or OperatorPolicy(),
        subscriber=subscriber,
        signed_on=signed_on,
    )


def clause(doc: AgreementDocument, number: int) -> str:
    prefix = f"{number}. "
    matches = [p.text for p in doc.paragraphs if p.text.startswith(prefix)]
    assert len(matches) == 1, f"clause {number} not found exactly once"
    return matches[0]


def changed_clauses(before: AgreementDocument, after: AgreementDocument) -> set[str]:
    """The leading clause numbers ("4", "5", …) of the paragraphs that differ."""
    assert len(before.paragraphs) == len(after.paragraphs)
    return {
        b.text.split(".", 1)[0] for b, a in zip(before.paragraphs, after.paragraphs, strict=True) if b.text != a.text
    }


# -- the shipped template --------------------------------------------------------------------------------


def test_shipped_template_is_valid_and_fully_rendered() -> None:
    assert check_template(SHIPPED) == []
    for subscriber in (None, PERSON, ORGANIZATION):
        text = render(subscriber=subscriber, signed_on=date(2026, 11, 21)).plain_text()
        assert "${" not in text
        assert "$" not in text


def test_shipped_template_uses_the_contract_blanks() -> None:
    used = template_placeholders(SHIPPED)
    for name in (
        "operator_name",
        "operator_legal_representative",
        "operator_address",
        "operator_phone",
        "operator_credit_code",
        "price_list_url",
        "warranty_years",
        "late_fee_per_mille_per_day",
        "months_overdue_before_suspension",
        "months_overdue_before_termination",
        "objection_window_months",
        "arbitration_body",
        "signing_place",
        "signed_date",
        "subscriber_name",
        "subscriber_address",
        "subscriber_postal_code",
        "subscriber_phone",
        "subscriber_id_type",
        "subscriber_id_number",
        "subscriber_legal_representative",
        "subscriber_credit_code",
    ):
        assert name in used, name
    assert used <= known_placeholders()


def test_structure_title_clauses_party_and_signature() -> None:
    doc = render()
    assert doc.title == "可视电话视频通信服务协议"
    assert doc.version == 1
    assert doc.paragraphs[0].kind == "title"
    kinds = {p.kind for p in doc.paragraphs}
    assert kinds == {"title", "heading", "text", "party", "signature"}
    for n in range(1, 19):
        clause(doc, n)
    # the party block comes before the clauses, the signature block after them
    first_party = next(i for i, p in enumerate(doc.paragraphs) if p.kind == "party")
    first_clause = next(i for i, p in enumerate(doc.paragraphs) if p.text.startswith("1. "))
    last_signature = max(i for i, p in enumerate(doc.paragraphs) if p.kind == "signature")
    assert first_party < first_clause < last_signature
    assert doc.plain_text().startswith("可视电话视频通信服务协议\n\n")


def test_default_policy_values_appear_in_their_clauses() -> None:
    doc = render()
    policy = OperatorPolicy()
    assert f"网址 {policy.price_list_url} " in clause(doc, 2)
    assert "保修期限为1年" in clause(doc, 4)
    assert "千分之3支付违约金" in clause(doc, 5)
    assert "逾期超过1个月的，乙方有权中止" in clause(doc, 5)
    assert "逾期超过3个月的，乙方有权终止" in clause(doc, 5)
    assert "发布后1个月内" in clause(doc, 15)
    assert "提交北京仲裁委员会进行仲裁" in clause(doc, 16)
    preamble = next(p.text for p in doc.paragraphs if p.text.startswith("为满足"))
    assert f"{policy.operator_name}推出" in preamble


# -- a policy change changes exactly the clause that holds the blank --------------------------------


@pytest.mark.parametrize(
    ("change", "clause_number", "expected"),
    [
        ({"warranty_years": 3}, 4, "保修期限为3年，自终端安装之日起计算"),
        ({"late_fee_per_mille_per_day": Decimal("0.5")}, 5, "每日所欠费用的千分之0.5支付违约金"),
        ({"late_fee_per_mille_per_day": Decimal("2.50")}, 5, "千分之2.5支付"),
        ({"months_overdue_before_suspension": 2}, 5, "逾期超过2个月的，乙方有权中止提供服务"),
        ({"months_overdue_before_termination": 6}, 5, "逾期超过6个月的，乙方有权终止提供服务"),
        ({"objection_window_months": 2}, 15, "应在业务公告发布后2个月内与乙方协商"),
        ({"arbitration_body": "上海仲裁委员会"}, 16, "直接提交上海仲裁委员会进行仲裁"),
        ({"price_list_url": "https://vp.example.cn/prices"}, 2, "乙方网址 https://vp.example.cn/prices 公示"),
    ],
)
def test_policy_change_changes_only_its_clause(change: dict[str, Any], clause_number: int, expected: str) -> None:
    before = render()
    after = render(policy=replace(OperatorPolicy(), **change))
    assert expected in clause(after, clause_number)
    assert expected not in clause(before, clause_number)
    assert changed_clauses(before, after) == {str(clause_number)}


def test_operator_details_fill_the_party_block() -> None:
    policy = replace(
        OperatorPolicy(),
        operator_name="华东视讯通信有限公司",
        operator_legal_representative="赵六",
        operator_credit_code="91310000MA1FL0XX1Y",
    )
    doc = render(policy=policy)
    party = [p.text for p in doc.paragraphs if p.kind == "party"]
    assert "乙方（运营商）：华东视讯通信有限公司" in party
    assert "法定代表人：赵六" in party
    assert "统一社会信用代码：91310000MA1FL0XX1Y" in party
    signature = [p.text for p in doc.paragraphs if p.kind == "signature"]
    assert "乙方（盖章）：华东视讯通信有限公司" in signature


def test_decimal_formatting() -> None:
    assert format_decimal(Decimal("3")) == "3"
    assert format_decimal(Decimal("3.00")) == "3"
    assert format_decimal(Decimal("0.5")) == "0.5"
    assert format_decimal(Decimal("0.50")) == "0.5"
    assert format_decimal(Decimal("10")) == "10"
    assert format_decimal(Decimal("1E+1")) == "10"
    assert format_decimal(Decimal("0.00")) == "0"


# -- parties and the signature block ---------------------------------------------------------------------


def test_unsigned_template_shows_blanks() -> None:
    doc = render()
    party = [p.text for p in doc.paragraphs if p.kind == "party"]
    assert f"甲方（用户名称/姓名）：{BLANK}" in party
    # without a subscriber, the organization-only lines stay so the page reads like the contract
    assert any(t.startswith("法定代表人（单位用户）：") for t in party)
    assert any(t.startswith("统一社会信用代码（单位用户）：") for t in party)
    signature = [p.text for p in doc.paragraphs if p.kind == "signature"]
    assert "签订日期：＿＿＿＿年＿＿月＿＿日" in signature
    assert f"甲方（盖章）：{BLANK}" in signature


def test_person_party_block() -> None:
    doc = render(subscriber=PERSON, signed_on=date(2026, 11, 21))
    party = [p.text for p in doc.paragraphs if p.kind == "party"]
    assert "甲方（用户名称/姓名）：王小明" in party
    assert "住所：上海市徐汇区漕溪北路88号（邮政编码：200030）" in party
    assert "联系电话：13800138000" in party
    assert "证件类型及编码：居民身份证 3101**********1234" in party
    assert not any("单位用户" in t for t in party)
    assert BLANK not in "\n".join(party)
    signature = [p.text for p in doc.paragraphs if p.kind == "signature"]
    assert "甲方（盖章）：王小明" in signature
    assert signature.count("签订日期：2026年11月21日") == 2
    assert signature.count("签订地点：北京市海淀区") == 2


def test_organization_party_block() -> None:
    doc = render(subscriber=ORGANIZATION, signed_on=date(2026, 1, 5))
    party = [p.text for p in doc.paragraphs if p.kind == "party"]
    assert "甲方（用户名称/姓名）：上海某某视讯科技有限公司" in party
    assert "法定代表人（单位用户）：李四" in party
    assert "统一社会信用代码（单位用户）：91310115MA1K00AB3Q" in party
    assert "签订日期：2026年1月5日" in doc.plain_text()


def test_empty_subscriber_detail_renders_as_blank() -> None:
    org = replace(ORGANIZATION, legal_representative="", phone="  ")
    party = [p.text for p in render(subscriber=org).paragraphs if p.kind == "party"]
    assert f"法定代表人（单位用户）：{BLANK}" in party
    assert f"联系电话：{BLANK}" in party


def test_values_are_kept_on_one_line() -> None:
    person = replace(PERSON, address="上海市徐汇区\n漕溪北路88号")
    doc = render(subscriber=person)
    assert all("\n" not in p.text for p in doc.paragraphs)


def test_subscriber_kind_is_checked() -> None:
    with pytest.raises(ValidationFailed):
        SubscriberParty("robot", "x", "x", "x", "x", "x", "x")  # type: ignore[arg-type]


# -- broken templates --------------------------------------------------------------------------------------


def test_unknown_placeholder_is_reported() -> None:
    template = "# 协议\n\n保修期限为${warranty_years}年，押金${deposit_amount}元，$bogus。\n"
    assert check_template(template) == [
        FieldError("template", "agreement_unknown_placeholder", {"name": "bogus"}),
        FieldError("template", "agreement_unknown_placeholder", {"name": "deposit_amount"}),
    ]
    with pytest.raises(ValidationFailed) as info:
        render_agreement(template, version=2, policy=OperatorPolicy(), subscriber=None, signed_on=None)
    assert {e.code for e in info.value.errors} == {"agreement_unknown_placeholder"}


@pytest.mark.parametrize("bad", ["费用 $ 元", "费用 ${warranty_years 元", "${1abc}", "价格 $5"])
def test_malformed_template_is_reported(bad: str) -> None:
    errors = check_template(f"# 协议\n\n第一行\n\n{bad}\n")
    assert FieldError("template", "agreement_template_malformed", {"line": 5}) in errors
    with pytest.raises(ValidationFailed):
        render_agreement(bad, version=1, policy=OperatorPolicy(), subscriber=None, signed_on=None)


def test_escaped_dollar_is_allowed() -> None:
    template = "# 协议\n\n价格以 $$ 计，保修${warranty_years}年\n"
    assert check_template(template) == []
    doc = render_agreement(template, version=1, policy=OperatorPolicy(), subscriber=None, signed_on=None)
    assert doc.paragraphs[1].text == "价格以 $ 计，保修1年"


# -- property: integer policy values always reach the text --------------------------------------------------


def _int_range(name: str) -> tuple[int, int]:
    spec = next(f for f in dataclasses.fields(OperatorPolicy) if f.name == name)
    return int(spec.metadata["min"]), int(spec.metadata["max"])


@st.composite
def int_policies(draw: st.DrawFn) -> OperatorPolicy:
    w_lo, w_hi = _int_range("warranty_years")
    s_lo, s_hi = _int_range("months_overdue_before_suspension")
    t_lo, t_hi = _int_range("months_overdue_before_termination")
    o_lo, o_hi = _int_range("objection_window_months")
    suspension = draw(st.integers(s_lo, min(s_hi, t_hi - 1)))
    values = {
        "warranty_years": draw(st.integers(w_lo, w_hi)),
        "months_overdue_before_suspension": suspension,
        "months_overdue_before_termination": draw(st.integers(max(t_lo, suspension + 1), t_hi)),
        "objection_window_months": draw(st.integers(o_lo, o_hi)),
    }
    return OperatorPolicy.from_mapping(values)  # validated like operator input


@given(int_policies())
def test_integer_policy_values_reach_their_clauses(policy: OperatorPolicy) -> None:
    doc = render(policy=policy)
    assert f"保修期限为{policy.warranty_years}年" in clause(doc, 4)
    assert f"逾期超过{policy.months_overdue_before_suspension}个月的，乙方有权中止" in clause(doc, 5)
    assert f"逾期超过{policy.months_overdue_before_termination}个月的，乙方有权终止" in clause(doc, 5)
    assert f"发布后{policy.objection_window_months}个月内" in clause(doc, 15)
