"""The call screen people enjoy (issue 15): real calls between two Chromium pages on loopback (a private
network namespace, see ``calls_support``) at phone (390×844) and desktop (1280×800) size.

Every control is visible over the video and usable; the peer sees a placeholder when the camera is off
(signaling ``media``); the self view can be dragged and stays inside; full screen; the screen is kept awake;
a hidden tab rings (WebAudio running) and raises a notification; no emoji in the call UI; ``?answer=``.
Demo subscribers: 李明 (A), 王芳 (B).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.calls_support import (
    MEDIA_ARGS,
    NetnsApp,
    create_netns,
    delete_netns,
    dial,
    open_phone,
    wait_media_flowing,
    wait_state,
)
from tests.e2e.conftest import ConsoleErrors, login_subscriber
from tests.support.server import CHROMIUM_ARGS, DEMO_PASSWORD

pytestmark = pytest.mark.e2e

A_LOGIN, B_LOGIN = "liming@example.com", "wangfang@example.com"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
# The notifications the portal's service worker shows (R-36: the page shows its call alerts through it).
NOTIFICATIONS = "(await navigator.serviceWorker.ready).getNotifications()"
CONTROLS = (
    "mute-button",
    "camera-button",
    "hangup-button",
    "switch-camera-button",
    "devices-button",
    "fullscreen-button",
)
# Emoji and pictographs (and the dingbats/symbols ranges an emoji font draws), variation selector 16.
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f]")

# Headless Chromium keeps every Playwright page visible (microsoft/playwright#2286: bringing another page
# to the front or minimizing the window does not hide it). Failing that, the Page Visibility API of this
# page is made to report "hidden" as a background tab's does, with the event a tab switch fires.
HIDE_PAGE = """() => {
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => "hidden"});
  Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW_PAGE = """() => {
  delete document.visibilityState;
  delete document.hidden;
  document.dispatchEvent(new Event("visibilitychange"));
}"""


@pytest.fixture(scope="module")
def netns_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetnsApp]:
    name, why = create_netns()
    if name is None:
        pytest.skip(why)
    app = NetnsApp(name, tmp_path_factory.mktemp("videophone-call-screen"))
    try:
        app.start()
        yield app
    finally:
        app.stop()
        delete_netns(name)


@pytest.fixture(scope="module")
def netns_browser(browser: Any, netns_app: NetnsApp) -> Iterator[Any]:
    # Two fake cameras, so that "switch camera" is offered (a phone's front and back camera).
    args = [*CHROMIUM_ARGS, *MEDIA_ARGS, "--use-fake-device-for-media-stream=device-count=2"]
    instance = browser.browser_type.launch(executable_path=str(netns_app.chromium), headless=True, args=args)
    try:
        yield instance
    finally:
        instance.close()


class Phones:
    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser, self.base_url, self.errors, self.contexts = browser, base_url, ConsoleErrors(), []

    def open(self, login: str, viewport: dict[str, int], query: str = "", locale: str = "zh-CN") -> tuple[Any, str]:
        context = self.browser.new_context(base_url=self.base_url, locale=locale, viewport=viewport)
        context.set_default_timeout(15_000)
        context.grant_permissions(["camera", "microphone", "notifications"])
        context.on("page", self.errors.watch)
        self.contexts.append(context)
        page = context.new_page()
        # Screen Wake Lock: a visible page gets it in Chrome; headless Chromium asks, so it is granted here.
        cdp = context.new_cdp_session(page)
        target = cdp.send("Target.getTargetInfo")["targetInfo"]
        # (setPermission, not grantPermissions: that would replace the grants made above.)
        self.browser.new_browser_cdp_session().send(
            "Browser.setPermission",
            {
                "permission": {"name": "screen-wake-lock"},
                "setting": "granted",
                "origin": self.base_url,
                "browserContextId": target["browserContextId"],
            },
        )
        login_subscriber(page, login, DEMO_PASSWORD)
        return page, open_phone(page, query)

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        unexpected = [e for e in self.errors if "Failed to load resource" not in e]
        assert not unexpected, unexpected


@pytest.fixture
def phones(netns_browser: Any, netns_app: NetnsApp) -> Iterator[Phones]:
    made = Phones(netns_browser, netns_app.base_url)
    yield made
    made.close()


def connect_call(a: Any, b: Any, b_number: str) -> None:
    dial(a, b_number)
    b.get_by_test_id("incoming").wait_for()
    b.get_by_test_id("accept-button").click()
    wait_state(a, "in-call")
    wait_state(b, "in-call")
    wait_media_flowing(a)
    wait_media_flowing(b)


def visible_and_on_top(page: Any, testid: str, viewport: dict[str, int]) -> None:
    """Inside the viewport, at least 44×44, and the element at its centre is the control itself."""
    box = page.get_by_test_id(testid).bounding_box()
    assert box is not None, testid
    assert box["x"] >= 0 and box["y"] >= 0, (testid, box)
    assert box["x"] + box["width"] <= viewport["width"] and box["y"] + box["height"] <= viewport["height"], (
        testid,
        box,
    )
    assert box["width"] >= 44 and box["height"] >= 44, (testid, box)
    on_top = page.evaluate(
        """([id, x, y]) => {
             const node = document.querySelector(`[data-testid="${id}"]`);
             const hit = document.elementFromPoint(x, y);
             return Boolean(hit && node.contains(hit));
           }""",
        [testid, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top, f"{testid} is covered"


def tile_inside(page: Any, viewport: dict[str, int]) -> dict[str, float]:
    box = page.get_by_test_id("local-video").bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"] and box["y"] + box["height"] <= viewport["height"], box
    return dict(box)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_call_screen_controls_are_over_the_video_and_work(phones: Phones, size: str) -> None:
    viewport = PHONE if size == "phone" else DESKTOP
    a, _ = phones.open(A_LOGIN, viewport)
    b, b_number = phones.open(B_LOGIN, viewport)
    connect_call(a, b, b_number)

    # The call fills the viewport and every control is visible over it, not below the fold.
    stage = a.get_by_test_id("stage").bounding_box()
    assert stage == {"x": 0, "y": 0, "width": viewport["width"], "height": viewport["height"]}, stage
    a.get_by_test_id("switch-camera-button").wait_for()  # two cameras: the switch is offered
    for testid in CONTROLS:
        visible_and_on_top(a, testid, viewport)
        label = a.get_by_test_id(testid).get_attribute("aria-label")
        assert label and not EMOJI.search(label), (testid, label)

    # The call timer runs.
    a.wait_for_function("() => document.querySelector('[data-testid=call-timer]').textContent >= '00:02'")

    # Mute toggles the microphone track that is sent.
    a.get_by_test_id("mute-button").click()
    assert a.get_by_test_id("mute-button").get_attribute("aria-pressed") == "true"
    assert a.get_by_test_id("mute-button").get_attribute("aria-label") == "取消静音"
    sent = "kind => window.VP.phone.pc.getSenders().filter(s => s.track && s.track.kind === kind).map(s => s.track.enabled)"
    assert a.evaluate(sent, "audio") == [False]
    a.get_by_test_id("mute-button").click()
    assert a.evaluate(sent, "audio") == [True]

    # Camera off: the peer is told (signaling `media`) and shows the placeholder with the name/number as
    # B may see A (B holds no caller ID: "number withheld"); camera on again removes it.
    b_placeholder = b.get_by_test_id("peer-placeholder")
    assert b_placeholder.is_hidden()
    a.get_by_test_id("camera-button").click()
    assert a.evaluate(sent, "video") == [False]
    b_placeholder.wait_for()
    assert b.get_by_test_id("placeholder-name").inner_text() == "号码未显示"
    assert b.get_by_test_id("placeholder-note").inner_text() == "对方已关闭摄像头"
    a.get_by_test_id("camera-button").click()
    b_placeholder.wait_for(state="hidden")
    # A sees B by name and number (A's contact or B's name on the service): that is the placeholder's text.
    b.get_by_test_id("camera-button").click()
    a.get_by_test_id("peer-placeholder").wait_for()
    peer = a.get_by_test_id("call-peer").inner_text()
    assert a.get_by_test_id("placeholder-name").inner_text() == peer and b_number in peer
    assert a.get_by_test_id("peer-avatar").inner_text().strip()
    b.get_by_test_id("camera-button").click()
    a.get_by_test_id("peer-placeholder").wait_for(state="hidden")

    # Switch camera: the other fake camera is sent (replaceTrack), the call goes on.
    device = "() => window.VP.phone.call.localStream.getVideoTracks()[0].getSettings().deviceId"
    before = a.evaluate(device)
    a.get_by_test_id("switch-camera-button").click()
    a.wait_for_function(f"d => ({device})() !== d", arg=before)
    assert a.evaluate(sent, "video") == [True]
    assert a.evaluate(
        "() => window.VP.phone.pc.getSenders().some(s => s.track && s.track.readyState === 'live' && s.track.kind === 'video')"
    )
    # The device menu lists speakers, microphones and cameras.
    a.get_by_test_id("devices-button").click()
    a.get_by_test_id("device-menu").wait_for()
    for kind in ("audiooutput", "audioinput", "videoinput"):
        assert a.get_by_test_id(f"device-{kind}").locator("option").count() >= 2, kind
    a.get_by_test_id("device-audiooutput").select_option(index=1)
    a.wait_for_function("() => document.querySelector('[data-testid=remote-video]').sinkId !== ''")
    a.get_by_test_id("devices-button").click()
    a.get_by_test_id("device-menu").wait_for(state="hidden")

    # The self view is dragged around and stays inside the viewport.
    start = tile_inside(a, viewport)
    a.mouse.move(start["x"] + 20, start["y"] + 20)
    a.mouse.down()
    a.mouse.move(20, viewport["height"] - 200, steps=5)
    a.mouse.move(-300, viewport["height"] + 300, steps=5)  # far outside: it stops at the edge
    a.mouse.up()
    moved = tile_inside(a, viewport)
    assert moved["x"] < start["x"] and moved["y"] > start["y"], (start, moved)

    # The screen stays awake during the call; full screen on request.
    assert a.evaluate("() => document.body.dataset.wakeLock") == "held"
    assert b.evaluate("() => document.body.dataset.wakeLock") == "held"
    a.get_by_test_id("fullscreen-button").click()
    a.wait_for_function("() => document.fullscreenElement && document.fullscreenElement.dataset.testid === 'in-call'")
    expect(a.get_by_test_id("fullscreen-button")).to_have_attribute("aria-pressed", "true")  # on fullscreenchange
    visible_and_on_top(a, "hangup-button", viewport)

    a.get_by_test_id("hangup-button").click()
    wait_state(a, "ended", "hangup")
    wait_state(b, "ended", "hangup")
    for page in (a, b):
        assert page.get_by_test_id("in-call").is_hidden()
        page.wait_for_function("() => document.body.dataset.wakeLock === 'released'")
    assert a.evaluate("() => document.fullscreenElement") is None


def test_no_emoji_in_the_call_ui_and_every_button_has_a_name(phones: Phones) -> None:
    a, _ = phones.open(A_LOGIN, PHONE)
    b, b_number = phones.open(B_LOGIN, PHONE)
    dial(a, b_number)
    b.get_by_test_id("incoming").wait_for()
    for page, section in ((b, "incoming"), (a, "in-call"), (a, "idle"), (b, "idle")):
        found = page.evaluate(
            """id => {
                 const root = document.querySelector(`[data-testid="${id}"]`);
                 const buttons = [...root.querySelectorAll("button")].filter((b) => !b.hidden);
                 const text = root.innerText + " " + [...root.querySelectorAll("*")].map(
                   (n) => getComputedStyle(n, "::before").content + getComputedStyle(n, "::after").content).join(" ");
                 return {text, names: buttons.map((b) => [b.dataset.testid || b.dataset.key || "",
                   (b.getAttribute("aria-label") || b.innerText || "").trim()])};
               }""",
            section,
        )
        assert not EMOJI.search(found["text"]), (section, EMOJI.findall(found["text"]))
        assert found["names"], section
        assert all(name for _, name in found["names"]), (section, found["names"])
    # In the page's language (the demo accounts read Chinese).
    assert b.get_by_test_id("accept-button").get_attribute("aria-label") == "接听"
    assert b.get_by_test_id("reject-button").get_attribute("aria-label") == "拒接"
    # The accept and decline buttons draw an SVG handset.
    assert b.get_by_test_id("accept-button").locator("svg use").get_attribute("href") == "#i-handset"
    b.get_by_test_id("reject-button").click()
    wait_state(a, "ended", "rejected")


def test_a_hidden_tab_rings_and_shows_a_notification_until_the_call_stops_ringing(phones: Phones) -> None:
    a, _ = phones.open(A_LOGIN, DESKTOP)
    b, b_number = phones.open(B_LOGIN, DESKTOP)
    b.get_by_test_id("notify-hint").wait_for(state="hidden")  # notifications are allowed already
    b.mouse.click(5, 5)  # a user gesture on the page once (a browser then lets it start audio later)
    # B's tab goes to the background: another page of the same browser in front.
    other = b.context.new_page()
    other.goto("/")
    other.bring_to_front()
    if b.evaluate("() => document.visibilityState") != "hidden":
        b.evaluate(HIDE_PAGE)
    assert b.evaluate("() => document.visibilityState") == "hidden"
    # The portal's service worker shows the notification: wait until it controls the page.
    assert b.evaluate("async () => Boolean(await navigator.serviceWorker.ready)")

    dial(a, b_number)
    wait_state(a, "ringing")
    b.wait_for_function("() => document.body.dataset.tone === 'ringtone'")
    assert b.evaluate("() => window.VP.tones.audible()")
    assert b.evaluate("() => window.VP.tones.ctx.state") == "running"
    assert b.evaluate("() => window.VP.tones.playing.oscillators.length") == 2
    # The caller hears the ringback meanwhile.
    assert a.evaluate("() => document.body.dataset.tone") == "ringback"
    b.wait_for_function(f"async () => (await {NOTIFICATIONS}).length === 1")
    [shown] = b.evaluate(
        f"async () => (await {NOTIFICATIONS}).map((n) => ({{title: n.title, body: n.body, tag: n.tag}}))"
    )
    assert shown["title"] == "来电"
    assert shown["body"] == "号码未显示 来电" and shown["tag"].startswith("vp-call-")

    # The caller gives up: the ringing stops and the notification closes.
    a.get_by_test_id("hangup-button").click()
    wait_state(b, "ended", "cancelled")
    b.wait_for_function(f"async () => (await {NOTIFICATIONS}).length === 0")
    assert b.evaluate("() => document.body.dataset.tone") is None
    assert a.evaluate("() => document.body.dataset.tone") is None
    b.evaluate(SHOW_PAGE)
    other.close()


def test_the_notification_hint_asks_only_when_the_person_clicks(netns_browser: Any, netns_app: NetnsApp) -> None:
    context = netns_browser.new_context(base_url=netns_app.base_url, locale="en")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        login_subscriber(page, B_LOGIN, DEMO_PASSWORD)
        open_phone(page)
        if page.evaluate("() => Notification.permission") != "default":
            pytest.skip("this Chromium decides notification permission without asking")
        hint = page.get_by_test_id("notify-hint")
        hint.wait_for()
        assert "background" in hint.inner_text()  # in the page's language (the browser's: English)
        assert page.evaluate("() => Notification.permission") == "default"  # not asked on load
    finally:
        context.close()


def test_answer_from_url_answers_that_call_when_it_arrives(phones: Phones) -> None:
    a, _ = phones.open(A_LOGIN, DESKTOP)
    the_call = str(uuid.uuid4())
    b, b_number = phones.open(B_LOGIN, DESKTOP, query=f"?answer={the_call}")
    # A's next call gets this id (crypto.randomUUID is what the page uses for a new call).
    a.evaluate(
        "id => { const real = crypto.randomUUID.bind(crypto); crypto.randomUUID = () => {"
        " crypto.randomUUID = real; return id; }; }",
        the_call,
    )
    dial(a, b_number)
    wait_state(a, "in-call")
    wait_state(b, "in-call")
    assert b.evaluate("() => window.VP.phone.call.id") == the_call
    assert "answer=" not in b.url
    b.get_by_test_id("hangup-button").click()
    wait_state(a, "ended", "hangup")
