"""The dashboard renders its charts (R-52): as the administrator on the shared server, every chart is
an inline SVG whose bars and points match the API's series, with totals equal to the API's; in
English too, and on a phone-sized screen.  An outage recorded in the console (R-27) is listed, with
its cause; a cause is corrected in the console (003 §12–§14)."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import login_staff


def test_the_dashboard_renders_its_charts(new_context: Any) -> None:
    page = new_context(viewport={"width": 375, "height": 800}).new_page()
    login_staff(page, "admin")
    page.goto("/console/dashboard")
    page.locator("[data-testid=dashboard][aria-busy=false]").wait_for()
    data = page.evaluate("VP.api('GET', '/api/v1/console/dashboard')")

    def chart(name: str) -> Any:
        figure = page.get_by_test_id(f"chart-{name}")
        assert figure.locator("svg[role=img] > title").count() == 1
        return figure

    review = chart("subscribers-review")
    assert review.locator("[data-testid=chart-bar]").count() == len(data["subscribers"]["review"])
    values = [
        int(v) for v in review.locator("[data-testid=chart-bar]").evaluate_all("ns => ns.map(n => n.dataset.value)")
    ]
    assert sum(values) == data["subscribers"]["total"] and data["subscribers"]["total"] > 0
    assert review.get_attribute("data-total") == str(data["subscribers"]["total"])

    def drawn(name: str, values: list[int]) -> Any | None:
        """A chart with something to show draws it; one with nothing says so (no ¥0.01 axis)."""
        figure = page.get_by_test_id(f"chart-{name}")
        if not any(values):
            assert figure.get_attribute("data-empty") == "true"
            assert figure.get_by_test_id("chart-empty").inner_text() == "暂无数据"
            assert figure.locator("svg").count() == 0
            return None
        return chart(name)

    # A chart inside a card is named by the card's heading, not by a caption repeating it.
    assert page.locator("[data-chart=calls] figcaption, [data-chart=revenue] figcaption").count() == 0

    calls = drawn("calls", [d["calls"] + d["minutes"] for d in data["calls"]["days"]])
    if calls is not None:
        assert calls.locator("[data-testid=chart-bar]").count() == 30
        assert calls.locator("[data-testid=chart-point]").count() == 30
        bar_calls = calls.locator("[data-testid=chart-bar]").evaluate_all("ns => ns.map(n => Number(n.dataset.value))")
        assert sum(bar_calls) == data["calls"]["total_calls"]
        assert calls.locator("[data-testid=chart-table] tbody tr").count() == 30

    months = data["revenue"]["months"]
    revenue = drawn("revenue", [m["revenue_fen"] + m["payments_fen"] for m in months])
    if revenue is not None:
        assert revenue.locator("[data-testid=chart-bar][data-series=revenue]").count() == 12
        paid = revenue.locator("[data-testid=chart-bar][data-series=payments]").evaluate_all(
            "ns => ns.map(n => Number(n.dataset.value))"
        )
        assert sum(paid) == sum(m["payments_fen"] for m in months)

    arrears = drawn("arrears", [b["overdue_fen"] for b in data["arrears"]["buckets"]])
    if arrears is not None:
        assert arrears.locator("[data-testid=chart-bar]").count() == len(data["arrears"]["buckets"])
    disputes = drawn("disputes", [d["count"] for d in data["disputes"]["counts"]])
    if disputes is not None:
        counts = disputes.locator("[data-testid=chart-bar]").evaluate_all("ns => ns.map(n => Number(n.dataset.value))")
        assert counts == [d["count"] for d in data["disputes"]["counts"]]

    # Nothing overflows the phone-sized screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # English.
    en = new_context(locale="en").new_page()
    login_staff(en, "admin")
    en.goto("/console/dashboard")
    en.locator("[data-testid=dashboard][aria-busy=false]").wait_for()
    assert "Calls per day" in en.locator("[data-chart=calls] h2").inner_text()


def test_an_outage_is_recorded_and_closed_in_the_console(new_context: Any) -> None:
    page = new_context().new_page()
    login_staff(page, "admin")
    page.goto("/console/outages")
    page.get_by_test_id("outage-title").fill("E2E 机房断电")
    page.get_by_test_id("outage-started").fill("2020-01-01T08:00")
    # Not our fault without evidence: refused, the error under the field, in Chinese.
    page.get_by_test_id("outage-cause").select_option("force_majeure")
    page.get_by_test_id("outage-submit").click()
    error = page.locator("#outage-form [data-error-for=evidence]")
    error.wait_for()
    assert "依据" in error.inner_text()
    page.get_by_test_id("outage-cause").select_option("operator")
    page.get_by_test_id("outage-submit").click()
    row = page.locator("[data-testid=outage-row]", has_text="E2E 机房断电").first
    row.wait_for()
    assert row.get_attribute("data-state") == "open"
    row.get_by_test_id("outage-close-at").fill("2020-01-01T20:00")  # 12 hours: no credit
    row.get_by_test_id("outage-close").click()
    closed = page.locator("[data-testid=outage-row][data-state=closed]", has_text="E2E 机房断电").first
    closed.wait_for()
    assert "24" in closed.get_by_test_id("outage-credit-summary").inner_text()
    assert closed.get_by_test_id("outage-cause-label").get_attribute("data-cause") == "operator"
    assert closed.get_by_test_id("outage-cause-label").inner_text() == "我方自身故障"


def test_an_outage_s_cause_is_recorded_and_corrected_in_the_console(new_context: Any) -> None:
    """Force majeure of 30 hours: no credit, its evidence shown; corrected to our own fault in the
    console: credited; corrected back: the credits reversed (on the next bill); in English too."""
    page = new_context(locale="en").new_page()
    login_staff(page, "admin")
    page.goto("/console/outages")
    page.get_by_test_id("outage-title").fill("E2E typhoon")
    page.get_by_test_id("outage-started").fill("2020-02-01T08:00")
    page.get_by_test_id("outage-ended").fill("2020-02-02T14:00")  # 30 hours
    page.get_by_test_id("outage-cause").select_option("force_majeure")
    page.get_by_test_id("outage-evidence").fill("Red typhoon warning no. 7")
    page.get_by_test_id("outage-submit").click()
    row = page.locator("[data-testid=outage-row][data-state=closed]", has_text="E2E typhoon").first
    row.wait_for()
    assert row.get_by_test_id("outage-cause-label").inner_text() == "Force majeure"
    assert row.get_by_test_id("outage-evidence").inner_text() == "Red typhoon warning no. 7"
    assert row.get_by_test_id("outage-credit-summary").inner_text() == "Not our fault: no credit"
    outage_id = row.get_attribute("data-id")

    def correct(cause: str, evidence: str) -> Any:
        current = page.locator(f"[data-testid=outage-row][data-id='{outage_id}']")
        current.locator("details summary").click()
        current.get_by_test_id("outage-cause-change").select_option(cause)
        current.get_by_test_id("outage-evidence-change").fill(evidence)
        current.get_by_test_id("outage-cause-save").click()
        page.locator(f"[data-testid=outage-row][data-id='{outage_id}'] [data-cause={cause}]").wait_for()
        return page.locator(f"[data-testid=outage-row][data-id='{outage_id}']")

    ours = correct("operator", "Review: our generator failed")
    assert ours.get_by_test_id("outage-cause-label").inner_text() == "Our own fault"
    summary = ours.get_by_test_id("outage-credit-summary").inner_text()
    assert "accounts" in summary and "¥" in summary
    assert page.get_by_test_id("outage-cause-saved").inner_text() == f"The cause of outage #{outage_id} was corrected."
    detail = page.evaluate(f"VP.api('GET', '/api/v1/console/outages/{outage_id}')")
    assert detail["earns_credit"] and detail["credit_round"] == 1
    credited = detail["credited_accounts"]

    back = correct("third_party", "Carrier ticket CT-88")
    assert back.get_by_test_id("outage-credit-summary").inner_text() == "Not our fault: no credit"
    detail = page.evaluate(f"VP.api('GET', '/api/v1/console/outages/{outage_id}')")
    assert detail["credit_round"] == 2 and detail["reversed_accounts"] == credited and detail["credits"] == []
    if credited:
        reversed_note = page.get_by_test_id("outage-reversed")
        assert reversed_note.is_visible() and "reversed" in reversed_note.inner_text()
