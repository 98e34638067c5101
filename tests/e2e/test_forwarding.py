"""Call forwarding in the browser (呼叫转移, R-17; issue 14): three demo subscribers on real WebRTC
phones, kept on loopback (``calls_support``) — 李明 (A) calls 王芳 (B), who forwards to the demo
organisation (C).

* forwarding on no answer (set on the /contacts page) reaches C; media flows; the history and the
  month's usage of A and B show both legs;
* unconditional forwarding rings C only;
* forwarding to a target that blocked the caller is refused: B's own phone rings;
* a loop (B → C → B) ends at the no-answer timeout instead of ringing forever;
* a service withdrawn by a violation measure stops forwarding at once (last: B loses the service).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.calls_support import (
    NetnsApp,
    create_netns,
    delete_netns,
    dial,
    launch_media_browser,
    open_phone,
    page_api,
    wait_media_flowing,
    wait_state,
)
from tests.e2e.conftest import ConsoleErrors, login_staff, login_subscriber
from tests.support.server import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

A_LOGIN, B_LOGIN, C_LOGIN = "liming@example.com", "wangfang@example.com", "office@example.org"
NO_ANSWER_SECONDS = 10  # the policy's minimum, set for this module (a loop must end within it)


@dataclass
class Phone:
    page: Any
    number: str


@pytest.fixture(scope="module")
def netns_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetnsApp]:
    name, why = create_netns()
    if name is None:
        pytest.skip(why)
    app = NetnsApp(name, tmp_path_factory.mktemp("videophone-forwarding"))
    try:
        app.start()
        yield app
    finally:
        app.stop()
        delete_netns(name)


@pytest.fixture(scope="module")
def netns_browser(browser: Any, netns_app: NetnsApp) -> Iterator[Any]:
    instance = launch_media_browser(browser.browser_type, netns_app.chromium)
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture(scope="module")
def admin(netns_browser: Any, netns_app: NetnsApp) -> Iterator[Any]:
    context = netns_browser.new_context(base_url=netns_app.base_url, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    login_staff(page, "admin")
    status, policy = page_api(page, "GET", "/api/v1/console/policy", staff=True)
    assert status == 200, policy
    body = {"values": {"no_answer_timeout_seconds": NO_ANSWER_SECONDS}, "reason": "e2e", "version": policy["version"]}
    status, saved = page_api(page, "PUT", "/api/v1/console/policy", body, staff=True)
    assert status == 200, saved
    time.sleep(11)  # past the signaling service's policy cache
    yield page
    context.close()


@pytest.fixture(scope="module")
def phones(netns_browser: Any, netns_app: NetnsApp, admin: Any) -> Iterator[dict[str, Phone]]:
    errors = ConsoleErrors()
    contexts = []
    out: dict[str, Phone] = {}
    for key, login in (("a", A_LOGIN), ("b", B_LOGIN), ("c", C_LOGIN)):
        context = netns_browser.new_context(
            base_url=netns_app.base_url, locale="zh-CN", viewport={"width": 1100, "height": 860}
        )
        context.set_default_timeout(15_000)
        context.grant_permissions(["camera", "microphone"])
        context.on("page", errors.watch)
        contexts.append(context)
        page = context.new_page()
        login_subscriber(page, login, DEMO_PASSWORD)
        out[key] = Phone(page, open_phone(page))
    # B and C are verified (demo subscribers start pending) and buy call forwarding (a value-added
    # service: an order, at once).
    for key in ("b", "c"):
        status, me = page_api(out[key].page, "GET", "/api/v1/me")
        assert status == 200, me
        if me["review_state"] != "verified":
            review = f"/api/v1/console/subscribers/{me['id']}/review"
            status, body = page_api(admin, "POST", review, {"action": "verify"}, staff=True)
            assert status == 200, body
        # … and caller ID (ADR 0009), so that a forwarded call shows who calls.
        for code in ("forwarding", "caller_id"):
            status, body = page_api(out[key].page, "POST", "/api/v1/me/orders", {"action": "add_vas", "code": code})
            assert status in (201, 409, 422), body
        status, body = page_api(out[key].page, "GET", "/api/v1/me/forwarding")
        assert status == 200 and body["subscribed"] is True, body
    yield out
    for context in contexts:
        context.close()
    unexpected = [e for e in errors if "Failed to load resource" not in e]
    assert not unexpected, unexpected


def set_rules(phone: Phone, *rules: dict[str, Any]) -> None:
    status, body = page_api(phone.page, "PUT", "/api/v1/me/forwarding", {"rules": list(rules)})
    assert status == 200, body


def calls(phone: Phone) -> list[dict[str, Any]]:
    status, data = page_api(phone.page, "GET", "/api/v1/me/calls?limit=20")
    assert status == 200, data
    return list(data["items"])


def usage_calls(phone: Phone) -> int:
    status, data = page_api(phone.page, "GET", "/api/v1/me/usage")
    assert status == 200, data
    return int(data["calls"])


def wait_for(check: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


def quiet(*phones: Phone) -> None:
    for p in phones:
        p.page.locator('[data-testid="call-status"]:not([data-state="in-call"]):not([data-state="incoming"])').wait_for(
            state="attached"
        )
        p.page.get_by_test_id("incoming").wait_for(state="hidden")


def never_rang(phone: Phone, seconds: float = 1.5) -> None:
    time.sleep(seconds)
    assert phone.page.get_by_test_id("incoming").is_hidden()


# -- scenarios --------------------------------------------------------------------------------------------
def test_forwarding_on_no_answer_reaches_the_third_subscriber_and_both_legs_are_recorded_and_billed(
    phones: dict[str, Phone],
) -> None:
    a, b, c = phones["a"], phones["b"], phones["c"]
    # B sets "forward when not answered in 5 s to C" on the /contacts page.
    b.page.goto("/contacts")
    b.page.locator('[data-testid="forwarding"][data-subscribed="true"]').wait_for()
    b.page.get_by_test_id("fwd-unconditional-target").select_option("")
    b.page.get_by_test_id("fwd-no_answer-target").select_option("number")
    b.page.get_by_test_id("fwd-no_answer-number").fill(b.number)  # first a mistake: their own number
    b.page.get_by_test_id("fwd-no_answer-delay").fill("5")
    b.page.get_by_test_id("forwarding-save").click()
    error = b.page.locator('[data-error-for="rules.no_answer.number"]')
    error.wait_for()
    assert "自己" in error.inner_text()
    b.page.get_by_test_id("fwd-no_answer-number").fill(c.number)
    b.page.get_by_test_id("forwarding-save").click()
    b.page.get_by_test_id("forwarding-saved").wait_for()
    _, settings = page_api(b.page, "GET", "/api/v1/me/forwarding")
    assert [(r["condition"], r["number"], r["delay_seconds"]) for r in settings["rules"]] == [
        ("no_answer", c.number, 5)
    ]
    b.number = open_phone(b.page)
    before_a, before_b = usage_calls(a), usage_calls(b)

    dial(a.page, b.number)
    b.page.get_by_test_id("incoming").wait_for()  # B's phone rings first …
    wait_state(b.page, "ended", "forwarded", timeout=15_000)  # … then stops: forwarded
    wait_state(a.page, "forwarded")
    c.page.get_by_test_id("incoming").wait_for()
    assert c.page.get_by_test_id("incoming-number").inner_text().strip() == a.number  # the caller still
    assert b.number in c.page.get_by_test_id("incoming-forwarded").inner_text()
    c.page.get_by_test_id("accept-button").click()
    wait_state(a.page, "in-call")
    wait_state(c.page, "in-call")
    wait_media_flowing(a.page)
    wait_media_flowing(c.page)
    time.sleep(2)
    a.page.get_by_test_id("hangup-button").click()
    wait_state(a.page, "ended", "hangup")
    wait_state(c.page, "ended", "hangup")

    # Records: A's call to B, forwarded to C; the leg B → C (paid by B) in B's and C's history.
    mine = calls(a)[0]
    assert (mine["other_number"], mine["outcome"], mine["forwarded_to"]) == (b.number, "answered", c.number)
    assert mine["billable_seconds"] >= 2
    leg_b = next(item for item in calls(b) if item["leg_of"] == mine["id"])
    assert (leg_b["direction"], leg_b["other_number"], leg_b["outcome"]) == ("outgoing", c.number, "answered")
    leg_c = next(item for item in calls(c) if item["id"] == leg_b["id"])
    assert (leg_c["direction"], leg_c["other_number"], leg_c["forwarded_by"]) == ("incoming", a.number, b.number)
    assert leg_c["billable_seconds"] == mine["billable_seconds"]
    # Bills: each leg rated for its payer (the call-ended hook rates them; give it a moment).
    assert wait_for(lambda: usage_calls(a) == before_a + 1 and usage_calls(b) == before_b + 1), (
        usage_calls(a),
        usage_calls(b),
    )
    # The history page says so.
    b.page.goto("/history")
    note = b.page.locator(f'[data-testid="call-row"][data-call-id="{leg_b["id"]}"] [data-testid="call-forwarded"]')
    assert "付费" in note.inner_text()
    a.page.goto("/history")
    assert c.number in a.page.locator(f'[data-call-id="{mine["id"]}"] [data-testid="call-forwarded"]').inner_text()
    for p in (a, b):
        p.number = open_phone(p.page)
    quiet(a, b, c)


def test_unconditional_forwarding_rings_only_the_target(phones: dict[str, Phone]) -> None:
    a, b, c = phones["a"], phones["b"], phones["c"]
    set_rules(b, {"condition": "unconditional", "target": "number", "number": c.number})
    dial(a.page, b.number)
    wait_state(a.page, "forwarded")
    c.page.get_by_test_id("incoming").wait_for()
    assert b.page.get_by_test_id("incoming").is_hidden()
    c.page.get_by_test_id("reject-button").click()
    wait_state(a.page, "ended", "rejected")
    assert b.page.get_by_test_id("incoming").is_hidden()
    item = calls(a)[0]
    assert (item["forwarded_to"], item["outcome"]) == (c.number, "rejected")
    quiet(a, b, c)


def test_forwarding_to_a_target_that_blocked_the_caller_is_refused(phones: dict[str, Phone]) -> None:
    a, b, c = phones["a"], phones["b"], phones["c"]
    set_rules(b, {"condition": "unconditional", "target": "number", "number": c.number})
    status, block = page_api(c.page, "POST", "/api/v1/me/blocks", {"number": a.number, "reason": "e2e"})
    assert status == 201, block
    try:
        dial(a.page, b.number)
        b.page.get_by_test_id("incoming").wait_for()  # B's own phone rings instead
        wait_state(a.page, "ringing")
        never_rang(c)
        a.page.get_by_test_id("hangup-button").click()  # cancel while ringing
        wait_state(a.page, "ended", "cancelled")
        assert calls(a)[0]["forwarded_to"] == ""
    finally:
        assert page_api(c.page, "DELETE", f"/api/v1/me/blocks/{block['id']}")[0] == 204
    quiet(a, b, c)


def test_a_loop_ends_without_ringing_forever(phones: dict[str, Phone]) -> None:
    a, b, c = phones["a"], phones["b"], phones["c"]
    set_rules(b, {"condition": "unconditional", "target": "number", "number": c.number})
    set_rules(c, {"condition": "unconditional", "target": "number", "number": b.number})  # back to B: a loop
    try:
        started = time.monotonic()
        dial(a.page, b.number)
        wait_state(a.page, "forwarded")
        c.page.get_by_test_id("incoming").wait_for()  # C rings: B is already in the call
        assert b.page.get_by_test_id("incoming").is_hidden()
        wait_state(a.page, "ended", "no_answer", timeout=(NO_ANSWER_SECONDS + 10) * 1000)
        assert time.monotonic() - started < NO_ANSWER_SECONDS + 10
        wait_state(c.page, "ended", "no_answer")
        item = calls(a)[0]
        assert (item["outcome"], item["forwarded_to"]) == ("missed", c.number)
    finally:
        set_rules(c)
    quiet(a, b, c)


def test_a_service_withdrawn_by_a_violation_measure_stops_forwarding_at_once(
    phones: dict[str, Phone], admin: Any
) -> None:
    a, b, c = phones["a"], phones["b"], phones["c"]
    set_rules(b, {"condition": "unconditional", "target": "number", "number": c.number})
    status, me = page_api(b.page, "GET", "/api/v1/me")
    assert status == 200, me
    withdrawn = admin.evaluate(
        """async ([subscriberId]) => {
          const part = document.cookie.split("; ").find((p) => p.startsWith("vp_staff_csrf="));
          const form = new FormData();
          form.append("subscriber_id", String(subscriberId));
          form.append("action", "withdraw_vas");
          form.append("reason", "滥用呼叫转移 (e2e)");
          form.append("vas_code", "forwarding");
          const response = await fetch("/api/v1/console/violations", {method: "POST", body: form,
            headers: {Accept: "application/json", "X-CSRF-Token": decodeURIComponent(part.split("=")[1])}});
          return {status: response.status, text: await response.text()};
        }""",
        [me["id"]],
    )
    assert withdrawn["status"] == 201, withdrawn
    dial(a.page, b.number)
    b.page.get_by_test_id("incoming").wait_for()  # not forwarded any more: B's own phone rings
    wait_state(a.page, "ringing")
    never_rang(c)
    b.page.get_by_test_id("reject-button").click()
    wait_state(a.page, "ended", "rejected")
    assert calls(a)[0]["forwarded_to"] == ""
    # The portal says the settings no longer apply.
    b.page.goto("/contacts")
    b.page.locator('[data-testid="forwarding"][data-subscribed="false"]').wait_for()
    assert b.page.get_by_test_id("forwarding-not-subscribed").is_visible()
