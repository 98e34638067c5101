"""The dashboard renders its charts (R-52): as the administrator on the shared server, every chart is
an inline SVG whose bars and points match the API's series, with totals equal to the API's; in
English too, and on a phone-sized screen.  An outage recorded in the console (R-27) is listed."""

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
    page.get_by_test_id("outage-submit").click()
    row = page.locator("[data-testid=outage-row]", has_text="E2E 机房断电").first
    row.wait_for()
    assert row.get_attribute("data-state") == "open"
    row.get_by_test_id("outage-close-at").fill("2020-01-01T20:00")  # 12 hours: no credit
    row.get_by_test_id("outage-close").click()
    closed = page.locator("[data-testid=outage-row][data-state=closed]", has_text="E2E 机房断电").first
    closed.wait_for()
    assert "24" in closed.get_by_test_id("outage-credit-summary").inner_text()
