"""Web Push in Chromium (R-36), kept on loopback: the /account switch's "failed" and "denied" states; a
call to a subscriber whose /phone is closed pushes to a push service the test runs (inside the app's
loopback-only namespace, where it decrypts what the server sent); that exact payload delivered to the
page's service worker (DevTools ``ServiceWorker.deliverPushMessage``) shows "<who> is calling" with
Answer / Decline; the service worker's click routine opens ``/phone?answer=<id>`` in a new page while it
rings and the call is answered with media both ways (the late-join path: the caller's early ICE
candidates replayed); the "call over" push closes the notification; Decline declines; a missed call
while the phone is closed leaves a missed-call notification whose click opens /history.

A notification click itself cannot be simulated through DevTools: the test runs the service worker's own
``clickTarget`` (``self.VPSW``, evaluated from /sw.js) on the notification's data and opens that URL.
Demo subscribers: 李明 (A, calls), 王芳 (B, is called; her language is Chinese), the organisation (C).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.calls_support import (
    NetnsApp,
    call_id,
    create_netns,
    delete_netns,
    dial,
    in_netns,
    launch_media_browser,
    open_phone,
    page_api,
    wait_media_flowing,
    wait_state,
)
from tests.e2e.conftest import ConsoleErrors, login_subscriber
from tests.support.push_service import PushService, Received
from tests.support.server import DEMO_PASSWORD
from videophone.notices.texts.ui_push import UI as PUSH_TEXTS

pytestmark = pytest.mark.e2e

A_LOGIN, B_LOGIN, C_LOGIN = "liming@example.com", "wangfang@example.com", "office@example.org"


# -- the app, its push service and the browsers, all inside one loopback-only namespace ----------------------
@pytest.fixture(scope="module")
def netns_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetnsApp]:
    name, why = create_netns()
    if name is None:
        pytest.skip(why)
    app = NetnsApp(name, tmp_path_factory.mktemp("videophone-push"))
    try:
        app.start({"VIDEOPHONE_PUSH_ALLOW_INSECURE": "true"})  # the test's push service speaks http
        yield app
    finally:
        app.stop()
        delete_netns(name)


@pytest.fixture(scope="module")
def pushsvc(netns_app: NetnsApp) -> Iterator[PushService]:
    with in_netns(netns_app.netns):
        service = PushService()  # its socket is made (and stays) in the namespace
    with service:
        yield service


@pytest.fixture(scope="module")
def netns_browser(browser: Any, netns_app: NetnsApp) -> Iterator[Any]:
    instance = launch_media_browser(browser.browser_type, netns_app.chromium)
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture(scope="module")
def errors() -> Iterator[ConsoleErrors]:
    seen = ConsoleErrors()
    yield seen
    # Failed loads are expected 4xx.  Chromium logs why it refuses the switch's subscription: a Playwright
    # context is an off-the-record profile, where it has no Push API (crbug.com/41124656).
    unexpected = [e for e in seen if "Failed to load resource" not in e and "Push API in incognito" not in e]
    assert not unexpected, unexpected


@pytest.fixture(scope="module")
def contexts(netns_browser: Any, netns_app: NetnsApp, errors: ConsoleErrors) -> Iterator[Callable[..., Any]]:
    made: list[Any] = []

    def make(locale: str = "zh-CN", permissions: tuple[str, ...] = ("camera", "microphone", "notifications")) -> Any:
        context = netns_browser.new_context(
            base_url=netns_app.base_url, locale=locale, viewport={"width": 1100, "height": 860}
        )
        context.set_default_timeout(15_000)
        context.grant_permissions(list(permissions))
        context.on("page", errors.watch)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@dataclass
class Phone:
    context: Any
    page: Any
    number: str


@pytest.fixture(scope="module")
def phones(contexts: Callable[..., Any]) -> dict[str, Phone]:
    out = {}
    for key, login in (("a", A_LOGIN), ("b", B_LOGIN)):
        context = contexts()
        page = context.new_page()
        login_subscriber(page, login, DEMO_PASSWORD)
        out[key] = Phone(context, page, open_phone(page))
    return out


# -- helpers -------------------------------------------------------------------------------------------------
def received(pushsvc: PushService, check: Callable[[Received], bool], what: str, within: float = 30.0) -> Received:
    """The first message the push service decrypted that passes ``check`` (bounded wait)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert pushsvc.errors == [], pushsvc.errors
        found = [r for r in pushsvc.received if check(r)]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"the push service never got {what}: {[r.payload for r in pushsvc.received]}")


class ServiceWorker:
    """The portal's service worker in one browser context, through a DevTools session on ``page``."""

    def __init__(self, page: Any, origin: str) -> None:
        self.page, self.origin = page, origin
        self.registrations: dict[str, str] = {}
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.on("ServiceWorker.workerRegistrationUpdated", self._updated)
        self.cdp.send("ServiceWorker.enable")

    def _updated(self, event: dict[str, Any]) -> None:
        for reg in event["registrations"]:
            if not reg.get("isDeleted"):
                self.registrations[reg["scopeURL"]] = reg["registrationId"]

    def deliver(self, message: Received) -> None:
        """Hand the push message's decrypted body, byte for byte, to the service worker's push event."""
        deadline = time.monotonic() + 15
        while self.origin + "/" not in self.registrations:
            assert time.monotonic() < deadline, f"no service worker registration seen: {self.registrations}"
            self.page.wait_for_timeout(100)  # lets the DevTools events in
        self.cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": self.origin, "registrationId": self.registrations[self.origin + "/"], "data": message.text},
        )


_NOTIFICATIONS = """async (tag) => {
  const registration = await navigator.serviceWorker.ready;
  const shown = await registration.getNotifications(tag ? {tag} : {});
  return shown.map((n) => ({title: n.title, body: n.body, tag: n.tag, data: n.data,
                            requireInteraction: n.requireInteraction,
                            actions: (n.actions || []).map((a) => ({action: a.action, title: a.title}))}));
}"""

# The service worker's own click routine (sw.js, self.VPSW.clickTarget) on a notification's data, then the
# notification closes as the worker closes it on a click.
_CLICK_TARGET = """async ([tag, action]) => {
  const source = await (await fetch("/sw.js")).text();
  const scope = {addEventListener() {}, location: self.location};
  new Function("self", "caches", "clients", source)(scope, undefined, undefined);
  const registration = await navigator.serviceWorker.ready;
  const [notification] = await registration.getNotifications({tag});
  const target = scope.VPSW.clickTarget(notification.data, location.origin, action);
  notification.close();
  return target;
}"""


def notifications(page: Any, tag: str = "", expect: int | None = None) -> list[dict[str, Any]]:
    """The notifications the service worker shows (with ``tag``); waits (bounded) for ``expect`` of them."""
    deadline = time.monotonic() + 10
    while True:
        shown: list[dict[str, Any]] = page.evaluate(_NOTIFICATIONS, tag)
        if expect is None or len(shown) == expect or time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(100)


def enable_push_for_page(page: Any, pushsvc: PushService) -> str:
    """Subscribe this browser's device (its /phone device id) with an endpoint on the test's push service
    and keys the test made (Chromium's own pushManager cannot reach a push service here)."""
    device = str(page.evaluate("() => localStorage.getItem('vpDeviceId')"))
    endpoint, keys = pushsvc.endpoint(device)
    body = {"device_id": device, "endpoint": endpoint, "keys": {"p256dh": keys.p256dh, "auth": keys.auth_b64}}
    status, made = page_api(page, "POST", "/api/v1/me/push-subscriptions", body)
    assert status == 201, made
    return device


def ring_b_while_closed(a: Phone, b_number: str, pushsvc: PushService) -> tuple[str, Received]:
    """A calls B, whose /phone is closed: the call rings and B's device is pushed."""
    open_phone(a.page)
    dial(a.page, b_number)
    wait_state(a.page, "ringing")
    the_call = call_id(a.page)
    push = received(pushsvc, lambda r: r.payload.get("type") == "call" and r.payload["call_id"] == the_call, "a call")
    return the_call, push


# -- the switch ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_switch_says_why_push_could_not_be_turned_on(contexts: Callable[..., Any], locale: str) -> None:
    language = "en" if locale == "en" else "zh-CN"
    # Allowed notifications, but Chromium's push service is out of reach: "failed", in the page's language.
    page = contexts(locale).new_page()
    login_subscriber(page, C_LOGIN, DEMO_PASSWORD)
    page.locator('[data-testid=push-section][data-state="off"]').wait_for()
    page.get_by_test_id("push-switch").click()
    page.locator('[data-testid=push-section][data-state="failed"]').wait_for(timeout=30_000)
    assert page.get_by_test_id("push-state").inner_text() == PUSH_TEXTS["push_state_failed"][language]
    assert not page.get_by_test_id("push-switch").is_checked()
    status, mine = page_api(page, "GET", "/api/v1/me/push-subscriptions")
    assert status == 200 and mine == []
    # Notifications not allowed (headless Chromium answers a permission request "denied" at once, so the
    # page may know before any click): "denied", and the switch stays off.
    page = contexts(locale, permissions=()).new_page()
    login_subscriber(page, C_LOGIN, DEMO_PASSWORD)
    section = page.locator(
        '[data-testid=push-section][data-state="off"], [data-testid=push-section][data-state="denied"]'
    )
    section.wait_for()
    if section.get_attribute("data-state") == "off":
        page.get_by_test_id("push-switch").click()
    page.locator('[data-testid=push-section][data-state="denied"]').wait_for()
    assert page.get_by_test_id("push-state").inner_text() == PUSH_TEXTS["push_state_denied"][language]
    assert not page.get_by_test_id("push-switch").is_checked()


# -- a pushed call, answered from its notification --------------------------------------------------------
@pytest.fixture(scope="module")
def b_pushable(phones: dict[str, Phone], pushsvc: PushService, netns_app: NetnsApp) -> ServiceWorker:
    """B's browser subscribed to the test's push service, its /phone closed (only /account is open)."""
    b = phones["b"]
    enable_push_for_page(b.page, pushsvc)
    b.page.goto("/account")  # the signaling connection goes with the phone page
    b.page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    return ServiceWorker(b.page, netns_app.base_url)


def test_a_pushed_call_rings_in_a_notification_and_its_click_answers_it(
    phones: dict[str, Phone], pushsvc: PushService, b_pushable: ServiceWorker
) -> None:
    a, b = phones["a"], phones["b"]
    the_call, push = ring_b_while_closed(a, b.number, pushsvc)
    b_pushable.deliver(push)  # exactly what the server sent
    [shown] = notifications(b.page, f"call-{the_call}", expect=1)
    # B holds no caller ID (ADR 0009): a withheld number calls; B reads Chinese.
    assert shown["title"] == "号码未显示 来电" and b.number in shown["body"]
    assert shown["requireInteraction"] is True
    assert shown["actions"] == [{"action": "answer", "title": "接听"}, {"action": "decline", "title": "拒绝"}]
    assert shown["data"]["url"] == f"/phone?answer={the_call}"

    # The click, while it still rings: the worker's routine names /phone?answer=<id>; a new page opens it.
    target = b.page.evaluate(_CLICK_TARGET, [f"call-{the_call}", ""])
    assert target == f"{b_pushable.origin}/phone?answer={the_call}"
    answering = b.context.new_page()
    answering.goto(target)
    wait_state(answering, "in-call")
    wait_state(a.page, "in-call")
    assert call_id(answering) == the_call and "answer=" not in answering.url
    for page in (a.page, answering):
        stats = wait_media_flowing(page)
        assert stats["local_address"] == "127.0.0.1" and stats["remote_address"] == "127.0.0.1", stats
        assert page.get_by_test_id("remote-video").evaluate("v => v.videoWidth") > 0

    # Answered: the pushed device hears "call over"; a call notification still up (B's other device,
    # here the same worker shown the call again) closes, and nothing takes its place.
    over = received(pushsvc, lambda r: r.payload.get("type") == "call_over" and r.payload["call_id"] == the_call, "")
    assert over.payload["missed"] is False
    b_pushable.deliver(push)
    notifications(b.page, f"call-{the_call}", expect=1)
    b_pushable.deliver(over)
    assert notifications(b.page, expect=0) == []

    a.page.get_by_test_id("hangup-button").click()
    wait_state(answering, "ended", "hangup")
    answering.close()


def test_decline_from_the_notification(
    phones: dict[str, Phone], pushsvc: PushService, b_pushable: ServiceWorker
) -> None:
    a, b = phones["a"], phones["b"]
    the_call, push = ring_b_while_closed(a, b.number, pushsvc)
    b_pushable.deliver(push)
    notifications(b.page, f"call-{the_call}", expect=1)
    target = b.page.evaluate(_CLICK_TARGET, [f"call-{the_call}", "decline"])
    assert target == f"{b_pushable.origin}/phone?decline={the_call}"
    declining = b.context.new_page()
    declining.goto(target)
    wait_state(a.page, "ended", "rejected")
    wait_state(declining, "ended", "rejected")
    over = received(pushsvc, lambda r: r.payload.get("type") == "call_over" and r.payload["call_id"] == the_call, "")
    assert over.payload["missed"] is False  # declined by its callee: not a missed call
    declining.close()


def test_a_missed_call_while_the_phone_is_closed(
    phones: dict[str, Phone], pushsvc: PushService, b_pushable: ServiceWorker
) -> None:
    a, b = phones["a"], phones["b"]
    b.page.goto("about:blank")  # no portal page open at all: only the service worker is there
    the_call, push = ring_b_while_closed(a, b.number, pushsvc)
    b_pushable.deliver(push)
    a.page.get_by_test_id("hangup-button").click()  # the caller gives up while it rings
    wait_state(a.page, "ended")
    over = received(pushsvc, lambda r: r.payload.get("type") == "call_over" and r.payload["call_id"] == the_call, "")
    assert over.payload["missed"] is True
    b_pushable.deliver(over)
    # Later the missed-call notice (the outbox's push, sent within the delivery job's 10 s).
    notice = received(
        pushsvc, lambda r: r.payload.get("type") == "notice" and r.payload.get("tag") == f"call-{the_call}", "a notice"
    )
    b.page.goto("/account")
    [missed] = notifications(b.page, f"call-{the_call}", expect=1)
    assert missed["title"] == "号码未显示 的未接来电" and missed["actions"] == []
    assert missed["data"]["url"] == "/history" and missed["requireInteraction"] is False
    b_pushable.deliver(notice)  # the same tag: it replaces the missed call, no second notification
    deadline = time.monotonic() + 10
    while notifications(b.page, f"call-{the_call}")[0]["title"] != notice.payload["title"]:
        assert time.monotonic() < deadline, notifications(b.page)
        b.page.wait_for_timeout(100)
    [shown] = notifications(b.page, expect=1)
    assert shown["title"] == "未接来电" and shown["data"]["url"] == "/history"
    target = b.page.evaluate(_CLICK_TARGET, [f"call-{the_call}", ""])
    assert target == f"{b_pushable.origin}/history"
    history = b.context.new_page()
    history.goto(target)
    assert history.url == target
    history.close()
