"""Operator policy parameters (R-51).

The contract (seeds/003) leaves blanks — warranty years, the late-fee rate, months overdue before
suspension and termination, the objection window, the arbitration body, the price-list address — and
the service needs its own knobs (number pool, quarantine, no-answer timeout).  They all live in one
typed, immutable object.  The rules read it and the agreement text is rendered from it, so the two
cannot disagree.  Every stored change is a new version (see ``services.policy``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from videophone.kernel.errors import FieldError, ValidationFailed

ParamKind = Literal["int", "decimal", "str", "number"]
InputKind = Literal["text", "integer", "decimal", "select", "switch", "plan"]
"""How the console's editor shows a parameter: a text box, a number box (with its unit), a select of
``choices``, a switch (an integer 0/1), or a select of the tariff catalogue's plans."""

_INPUTS: dict[str, InputKind] = {"int": "integer", "decimal": "decimal", "str": "text", "number": "text"}

CREDIT_LIMIT_ACTIONS: tuple[str, ...] = ("outgoing_barred", "suspended")


def _param(
    default: Any,
    *,
    kind: ParamKind,
    zh: str,
    en: str,
    group: str,
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
    max_length: int = 200,
    clause: str = "",
    unit: str = "",
    choices: tuple[str, ...] = (),
    input: InputKind | None = None,
) -> Any:
    return field(
        default=default,
        metadata={
            "kind": kind,
            "zh": zh,
            "en": en,
            "group": group,
            "min": minimum,
            "max": maximum,
            "max_length": max_length,
            "clause": clause,
            "unit": unit,
            "choices": choices,
            "input": input or _INPUTS[kind],
        },
    )


@dataclass(frozen=True)
class OperatorPolicy:
    """Every operator policy parameter, with the defaults a new installation starts from."""

    # -- the operator as a party of the agreement (乙方) ------------------------------------------
    operator_name: str = _param(
        "示例可视电话通信有限公司",
        kind="str",
        zh="运营商名称",
        en="Operator name",
        group="operator",
        clause="003 header",
    )
    operator_address: str = _param(
        "北京市海淀区中关村大街1号 100080",
        kind="str",
        zh="运营商住所",
        en="Operator address",
        group="operator",
        clause="003 header",
    )
    operator_phone: str = _param(
        "010-12345678",
        kind="str",
        zh="运营商联系电话",
        en="Operator phone",
        group="operator",
        clause="003 header",
    )
    operator_legal_representative: str = _param(
        "张三",
        kind="str",
        zh="法定代表人",
        en="Legal representative",
        group="operator",
        clause="003 header",
    )
    operator_credit_code: str = _param(
        "91110108MA01ABCD2X",
        kind="str",
        zh="运营商统一社会信用代码",
        en="Operator unified social credit code",
        group="operator",
        clause="003 header",
    )
    price_list_url: str = _param(
        "http://localhost:8000/prices",
        kind="str",
        zh="资费公示网址",
        en="Price list address",
        group="operator",
        clause="003 §2",
    )
    signing_place: str = _param(
        "北京市海淀区",
        kind="str",
        zh="签订地点",
        en="Place of signature",
        group="operator",
        clause="003 end",
    )
    arbitration_body: str = _param(
        "北京仲裁委员会",
        kind="str",
        zh="仲裁委员会",
        en="Arbitration body",
        group="operator",
        clause="003 §16",
    )
    # -- the contract's blanks ----------------------------------------------------------------------
    warranty_years: int = _param(
        1,
        kind="int",
        minimum=0,
        maximum=10,
        zh="终端保修期",
        en="Terminal warranty",
        group="contract",
        clause="003 §4",
        unit="years",
    )
    late_fee_per_mille_per_day: Decimal = _param(
        Decimal("3"),
        kind="decimal",
        minimum=Decimal("0"),
        maximum=Decimal("10"),
        zh="违约金日费率",
        en="Late fee per day",
        group="contract",
        clause="003 §5",
        unit="per_mille",
    )
    months_overdue_before_suspension: int = _param(
        1,
        kind="int",
        minimum=1,
        maximum=24,
        zh="逾期多久中止服务",
        en="Overdue before suspension",
        group="contract",
        clause="003 §5",
        unit="months",
    )
    months_overdue_before_termination: int = _param(
        3,
        kind="int",
        minimum=1,
        maximum=36,
        zh="逾期多久终止服务",
        en="Overdue before termination",
        group="contract",
        clause="003 §5",
        unit="months",
    )
    objection_window_months: int = _param(
        1,
        kind="int",
        minimum=1,
        maximum=12,
        zh="协议变更异议期",
        en="Objection window",
        group="contract",
        clause="003 §15",
        unit="months",
    )
    # -- the service's own parameters ----------------------------------------------------------------
    number_pool_start: str = _param(
        "95100000000",
        kind="number",
        zh="号码池起始",
        en="Number pool start",
        group="service",
        max_length=15,
        clause="003 §7",
    )
    number_pool_end: str = _param(
        "95100099999",
        kind="number",
        zh="号码池结束",
        en="Number pool end",
        group="service",
        max_length=15,
        clause="003 §7",
    )
    number_quarantine_days: int = _param(
        90,
        kind="int",
        minimum=0,
        maximum=3650,
        zh="号码冷冻期",
        en="Number quarantine",
        group="service",
        clause="003 §7",
        unit="days",
    )
    no_answer_timeout_seconds: int = _param(
        45,
        kind="int",
        minimum=10,
        maximum=300,
        zh="无应答超时",
        en="No-answer timeout",
        group="service",
        unit="seconds",
    )
    reconnect_grace_seconds: int = _param(
        20,
        kind="int",
        minimum=5,
        maximum=120,
        zh="断线重连宽限",
        en="Reconnection grace",
        group="service",
        unit="seconds",
    )
    bill_due_days: int = _param(
        15,
        kind="int",
        minimum=1,
        maximum=60,
        zh="账单缴费期限",
        en="Days from bill issue to due date",
        group="billing",
        clause="003 §5",
        unit="days",
    )
    default_plan_code: str = _param(
        "basic",
        kind="str",
        zh="默认套餐（新用户）",
        en="Default plan (new subscribers)",
        group="billing",
        max_length=32,
        clause="003 §2",
        input="plan",
    )
    late_fee_cap_percent: int = _param(
        0,
        kind="int",
        minimum=0,
        maximum=100,
        zh="违约金上限",
        en="Late fee cap",
        group="contract",
        clause="003 §5",
        unit="percent",
    )
    credit_limit_options: str = _param(
        "50,100,200,500,1000",
        kind="str",
        zh="可选信用额度",
        en="Credit limit options",
        group="billing",
        max_length=200,
        clause="003 §9",
        unit="yuan_list",
    )
    credit_limit_action: str = _param(
        "outgoing_barred",
        kind="str",
        zh="超出信用额度时",
        en="Over the credit limit",
        group="billing",
        max_length=20,
        clause="003 §9",
        choices=CREDIT_LIMIT_ACTIONS,
        input="select",
    )
    dispute_response_days: int = _param(
        15,
        kind="int",
        minimum=1,
        maximum=60,
        zh="费用争议答复期限",
        en="Days to answer a billing dispute",
        group="billing",
        clause="003 §6",
        unit="days",
    )
    payment_reconcile_minutes: int = _param(
        10,
        kind="int",
        minimum=1,
        maximum=1440,
        zh="支付对账等待",
        en="Wait before reconciling a payment",
        group="billing",
        clause="篇1 §4.2",
        unit="minutes",
    )
    inactivity_days_before_termination: int = _param(
        365,
        kind="int",
        minimum=30,
        maximum=3650,
        zh="长期不使用提前终止",
        en="Inactivity before early termination",
        group="contract",
        clause="篇1 §6",
        unit="days",
    )
    inactivity_notice_days: int = _param(
        30,
        kind="int",
        minimum=1,
        maximum=365,
        zh="不活跃终止提前通知",
        en="Notice before terminating an inactive account",
        group="contract",
        clause="篇1 §6",
        unit="days",
    )
    document_max_bytes: int = _param(
        5_000_000,
        kind="int",
        minimum=100_000,
        maximum=50_000_000,
        zh="证件上传大小上限",
        en="Document upload size limit",
        group="service",
        clause="003 §1",
        unit="bytes",
    )
    # -- video voicemail (R-18, 篇2 §6.3) -------------------------------------------------------------
    voicemail_max_seconds: int = _param(
        60,
        kind="int",
        minimum=10,
        maximum=300,
        zh="视频留言最长时长",
        en="Longest video message",
        group="voicemail",
        clause="篇2 §6.3",
        unit="seconds",
    )
    voicemail_max_bytes: int = _param(
        16_000_000,
        kind="int",
        minimum=1_000_000,
        maximum=100_000_000,
        zh="单条视频留言大小上限",
        en="Largest video message",
        group="voicemail",
        clause="篇2 §6.3",
        unit="bytes",
    )
    voicemail_retention_days: int = _param(
        30,
        kind="int",
        minimum=1,
        maximum=365,
        zh="视频留言保存期",
        en="Video messages kept for",
        group="voicemail",
        clause="篇2 §6.3",
        unit="days",
    )
    voicemail_quota_bytes: int = _param(
        200_000_000,
        kind="int",
        minimum=1_000_000,
        maximum=10_000_000_000,
        zh="每位用户留言信箱容量",
        en="Mailbox storage per subscriber",
        group="voicemail",
        clause="篇2 §6.3",
        unit="bytes",
    )
    voicemail_max_messages: int = _param(
        50,
        kind="int",
        minimum=1,
        maximum=1000,
        zh="每位用户留言信箱最多留言数",
        en="Most messages in a mailbox",
        group="voicemail",
        clause="篇2 §6.3",
        unit="messages",
    )
    voicemail_deposit_rated: int = _param(
        0,
        kind="int",
        minimum=0,
        maximum=1,
        zh="向留言的主叫计费",
        en="Charge callers for leaving a message",
        group="voicemail",
        clause="篇2 §6.3",
        input="switch",
    )

    # ------------------------------------------------------------------------------------------------
    def to_mapping(self) -> dict[str, str | int]:
        """A JSON-safe mapping (decimals as strings) — what is stored and shown."""
        out: dict[str, str | int] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = str(value) if isinstance(value, Decimal) else value
        return out

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, base: OperatorPolicy | None = None) -> OperatorPolicy:
        """Build a policy from user input, starting from ``base`` (or the defaults).

        Unknown keys, wrong types and out-of-range values are reported per field; nothing partial
        is ever returned.
        """
        start = base if base is not None else cls()
        known = {f.name: f for f in dataclasses.fields(cls)}
        errors: list[FieldError] = []
        changes: dict[str, Any] = {}
        for key, raw in values.items():
            spec = known.get(key)
            if spec is None:
                errors.append(FieldError(key, "unknown_parameter"))
                continue
            try:
                changes[key] = _coerce(spec.metadata, raw)
            except _Invalid as exc:
                errors.append(FieldError(key, exc.code, exc.params))
        candidate = dataclasses.replace(start, **changes) if not errors else start
        if not errors:
            errors.extend(candidate.consistency_errors())
        if errors:
            raise ValidationFailed(errors)
        return candidate

    def consistency_errors(self) -> list[FieldError]:
        """Rules that involve more than one parameter."""
        errors: list[FieldError] = []
        if self.months_overdue_before_termination <= self.months_overdue_before_suspension:
            errors.append(
                FieldError(
                    "months_overdue_before_termination",
                    "must_exceed",
                    {"other": "months_overdue_before_suspension"},
                )
            )
        if self.credit_limit_action not in CREDIT_LIMIT_ACTIONS:
            errors.append(FieldError("credit_limit_action", "invalid_choice"))
        try:
            options = self.credit_limit_yuan_options()
        except ValueError:
            options = []
        if not options:
            errors.append(FieldError("credit_limit_options", "invalid_credit_limit_options"))
        if self.voicemail_quota_bytes < self.voicemail_max_bytes:
            errors.append(FieldError("voicemail_quota_bytes", "must_exceed", {"other": "voicemail_max_bytes"}))
        if len(self.number_pool_start) != len(self.number_pool_end):
            errors.append(FieldError("number_pool_end", "pool_length_mismatch"))
        elif int(self.number_pool_end) < int(self.number_pool_start):
            errors.append(FieldError("number_pool_end", "pool_range_empty"))
        return errors

    def credit_limit_yuan_options(self) -> list[int]:
        """The monthly credit limits a subscriber may choose (whole yuan, ascending, 1..1,000,000).
        Raises ``ValueError`` when the parameter is malformed."""
        values = sorted({int(part.strip()) for part in self.credit_limit_options.split(",") if part.strip()})
        if not values or values[0] < 1 or values[-1] > 1_000_000:
            raise ValueError(self.credit_limit_options)
        return values

    def pool_size(self) -> int:
        return int(self.number_pool_end) - int(self.number_pool_start) + 1


def parameter_specs() -> list[dict[str, Any]]:
    """Describe every parameter (name, labels, group, bounds, contract clause) for forms and docs."""
    specs = []
    defaults = OperatorPolicy()
    for f in dataclasses.fields(OperatorPolicy):
        meta = f.metadata
        specs.append(
            {
                "name": f.name,
                "kind": meta["kind"],
                "group": meta["group"],
                "label_zh": meta["zh"],
                "label_en": meta["en"],
                "min": None if meta["min"] is None else str(meta["min"]),
                "max": None if meta["max"] is None else str(meta["max"]),
                "clause": meta["clause"],
                "unit": meta["unit"],
                "input": meta["input"],
                "choices": list(meta["choices"]),
                "default": defaults.to_mapping()[f.name],
            }
        )
    return specs


def diff_policies(before: OperatorPolicy, after: OperatorPolicy) -> dict[str, dict[str, str | int]]:
    """``{name: {"before": old, "after": new}}`` for every parameter that changed."""
    old, new = before.to_mapping(), after.to_mapping()
    return {k: {"before": old[k], "after": new[k]} for k in old if old[k] != new[k]}


class _Invalid(Exception):
    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.params = dict(params or {})


def _coerce(meta: Mapping[str, Any], raw: Any) -> Any:
    kind = meta["kind"]
    if kind == "int":
        if isinstance(raw, bool):
            raise _Invalid("not_an_integer")
        try:
            value: Any = int(str(raw).strip())
        except ValueError as exc:
            raise _Invalid("not_an_integer") from exc
    elif kind == "decimal":
        if isinstance(raw, float | bool):
            raise _Invalid("not_a_decimal")
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation as exc:
            raise _Invalid("not_a_decimal") from exc
        if not value.is_finite():
            raise _Invalid("not_a_decimal")
    elif kind == "number":
        value = str(raw).strip()
        if not value.isascii() or not value.isdigit() or not 5 <= len(value) <= meta["max_length"]:
            raise _Invalid("not_a_phone_number")
    else:
        value = str(raw).strip()
        if not value:
            raise _Invalid("required")
        if len(value) > meta["max_length"]:
            raise _Invalid("too_long", {"max": meta["max_length"]})
        return value
    lo, hi = meta["min"], meta["max"]
    if lo is not None and value < lo:
        raise _Invalid("below_minimum", {"min": str(lo)})
    if hi is not None and value > hi:
        raise _Invalid("above_maximum", {"max": str(hi)})
    return value
