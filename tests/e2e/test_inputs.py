"""The inputs that were seen unstyled (issue 15) look like every other field: the amount on /payments, the
bill-run and search periods in the console's bills, the subscriber id in the console's terminations.

"Styled" is measured against the browser's own look of an input with no author style: a native input has a
2 px inset border, no rounded corners and is about 21 px high; ours have a 1 px border, rounded corners,
padding and at least 40 px of height — the same computed style as the login form's fields on that page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import login_staff, login_subscriber
from tests.support.server import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

STYLE = """el => {
  const s = getComputedStyle(el);
  return {border: s.borderTopWidth, radius: s.borderTopLeftRadius, padding: s.paddingLeft,
          height: el.getBoundingClientRect().height, font: s.fontFamily};
}"""


def looks_like_our_fields(page: Any, testid: str) -> None:
    field = page.get_by_test_id(testid)
    field.wait_for()
    style = field.evaluate(STYLE)
    assert style["border"] == "1px", (testid, style)
    assert style["radius"] == "6px", (testid, style)
    assert style["padding"] == "10px", (testid, style)
    assert style["height"] >= 40, (testid, style)
    body_font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert style["font"] == body_font, (testid, style)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_fields_once_seen_unstyled_look_like_the_others(new_context: Callable[..., Any], width: int) -> None:
    viewport = {"width": width, "height": 844}
    subscriber = new_context(viewport=viewport).new_page()
    login_subscriber(subscriber, "zhangwei@example.com", DEMO_PASSWORD)
    subscriber.goto("/payments")
    looks_like_our_fields(subscriber, "pay-amount")

    staff = new_context(viewport=viewport).new_page()
    login_staff(staff, "admin")
    staff.goto("/console/bills")
    for testid in ("bill-run-period", "bills-search-number", "bills-search-period"):
        looks_like_our_fields(staff, testid)
    staff.goto("/console/terminations")
    looks_like_our_fields(staff, "terminations-subscriber")
    # Nothing of these pages is wider than the screen.
    assert staff.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")
