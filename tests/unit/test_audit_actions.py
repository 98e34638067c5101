"""Every action the code base writes to the audit log is in the registry and has words in both
languages; every policy parameter has a label and a hint in both (issue 15, the console)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from videophone.billing.domain.tariffs import OrderKind
from videophone.calling.domain.contacts import ReportAction
from videophone.collections.services.gateway_payments import CLOSED_ARRIVAL
from videophone.edge.ui_text import UI
from videophone.identity.domain.audit_actions import ACTIONS, text_key
from videophone.identity.domain.kyc import ReviewAction
from videophone.identity.domain.policy import OperatorPolicy, parameter_specs
from videophone.terminals.domain.terminals import Decision

SRC = Path(__file__).resolve().parents[2] / "src" / "videophone"

# The values behind the f-string codes (``f"review.{what.value}"``), by the code's head.
COMPUTED = {
    "review.": [a.value for a in ReviewAction],
    "report.": [a.value for a in ReportAction],
    "warranty.": [d.value for d in Decision],
    "order.": [k.value for k in OrderKind],
    "billing.": ["adjustment", "credit"],
    "payment.": [*CLOSED_ARRIVAL.values(), "double_payment"],
    "tariff.": ["plan_describe", "vas_describe"],  # f"tariff.{kind}_describe", kind plan | vas
}


def _codes(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _codes(node.body) + _codes(node.orelse)
    if isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
        head = str(node.values[0].value)
        assert head in COMPUTED, f"an f-string action code this test cannot expand: {ast.unparse(node)}"
        return [head + value for value in COMPUTED[head]]
    raise AssertionError(f"an action code this test cannot follow: {ast.unparse(node)}")


def written_codes() -> set[str]:
    """The action of every ``audit.record(uow, at, actor, action, …)`` call in ``src``."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_record = (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            )
            if is_record:
                assert isinstance(node, ast.Call)
                action = (
                    node.args[3] if len(node.args) > 3 else next(k.value for k in node.keywords if k.arg == "action")
                )
                found.update(_codes(action))
    return found


def test_every_action_the_code_writes_is_registered() -> None:
    written = written_codes()
    assert len(written) > 80
    assert sorted(written - set(ACTIONS)) == []


def test_every_registered_action_is_written_somewhere_and_listed_once() -> None:
    assert sorted(set(ACTIONS) - written_codes()) == []
    assert len(ACTIONS) == len(set(ACTIONS))
    assert len({text_key(a) for a in ACTIONS}) == len(ACTIONS)


def test_every_action_has_words_in_both_languages() -> None:
    missing = [a for a in ACTIONS if text_key(a) not in UI]
    assert missing == []
    for action in ACTIONS:
        words = UI[text_key(action)]
        assert words["zh-CN"].strip() and words["en"].strip() and "." not in words["en"], action


def test_every_policy_parameter_has_a_label_and_a_hint_in_both_languages() -> None:
    for spec in parameter_specs():
        name = spec["name"]
        assert spec["label_zh"].strip() and spec["label_en"].strip(), name
        assert "=" not in spec["label_zh"] + spec["label_en"], f"{name}: a raw code in the label"
        hint = UI[f"policy_hint_{name}"]
        assert hint["zh-CN"].strip() and hint["en"].strip(), name
        assert "003" not in hint["zh-CN"] + hint["en"], f"{name}: a clause number for a hint"
        if spec["unit"]:
            assert f"policy_unit_{spec['unit']}" in UI, name
        for choice in spec["choices"]:
            assert f"policy_choice_{choice}" in UI, (name, choice)
    groups = {f.metadata["group"] for f in dataclasses.fields(OperatorPolicy)}
    assert sorted(g for g in groups if f"policy_group_{g}" not in UI) == []
    assert UI["policy_reason_initial"] == {"zh-CN": "初始设置", "en": "Initial settings"}
