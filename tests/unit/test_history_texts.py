"""Every way a call can end has words on the history page, in both languages (no raw codes)."""

from __future__ import annotations

import pytest

from videophone.calling.domain.calls import EndReason, Outcome
from videophone.edge.ui_text import UI


@pytest.mark.parametrize("reason", list(EndReason))
def test_every_end_reason_has_a_history_text(reason: EndReason) -> None:
    text = UI[f"hist_reason_{reason.value}"]
    assert text["zh-CN"] and text["en"]


@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_outcome_has_a_history_text(outcome: Outcome) -> None:
    text = UI[f"hist_outcome_{outcome.value}"]
    assert text["zh-CN"] and text["en"]
