"""No raw codes on any console or portal page (issue 15): staff and 张伟 of the demo visit every page in
Chinese and English, and what a person reads (``document.body.innerText``) holds no code (``pending_review``,
``late_fee``…), no ``null``/``undefined``/``NaN``/``[object Object]`` and no raw ISO instant; on the Chinese
pages no English code word either (``paid``, ``organization``, ``basic``…).

The demo leaves some console lists empty (violations, lawful suspensions, outages, reports, recent
terminations); the test first fills them for a subscriber of its own, through the pages' own API calls."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import fill_person_form, login_staff, login_subscriber, person_data
from tests.support.server import DEMO_PASSWORD

TOUR_LOGIN = "zhangwei@example.com"
CONSOLE_PAGES = [
    *("reports", "violations", "terminations", "arrears", "payments", "disputes", "lawful", "warranty"),
    *("terminals", "calls", "reviews", "staff", "tariffs", "announcements", "outages", "releases", "bills"),
    "subscribers",
]
PORTAL_PAGES = [
    *("bills", "payments", "disputes", "orders", "terminals", "history", "voicemail", "notifications"),
    *("credit", "termination", "account"),
]

# What must not be read anywhere.
SNAKE_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")
NOT_A_VALUE = re.compile(r"\b(?:null|undefined|NaN)\b|\[object Object\]")
ISO_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT")
# On a Chinese page an all-lowercase English word is a code that was not said in words.
LOWER_WORD = re.compile(r"(?<![\w.@/-])[a-z]{3,}(?![\w.@/-])")
EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+")

# The visible text, without what is shown as a machine identifier on purpose: cells in monospace (numbers,
# serials, usernames, payment and receipt ids, the tariff codes the operator types), a browser's user
# agent (account sessions) and what staff typed in their own words (`.user-text`: an outage's evidence).
VISIBLE_TEXT = """() => {
  const skip = document.querySelectorAll('.mono, code, .ua, .user-text');
  skip.forEach((n) => n.setAttribute('data-raw-skip', n.style.display));
  skip.forEach((n) => { n.style.display = 'none'; });
  const text = document.body.innerText;
  skip.forEach((n) => { n.style.display = n.getAttribute('data-raw-skip'); n.removeAttribute('data-raw-skip'); });
  return text;
}"""

# Allowed, and why:
ALLOWED_LOWER = {
    # The tariff codes are the operator's own identifiers of plans and services: the tariffs page shows them
    # in its code column and in the price form's choice ("basic · 基础套餐") next to the name.
    "basic",
    "plus",
    "voicemail",
    "forwarding",
    # Staff are named by their username (the audit log's and the subscriber history's "员工 admin"): the
    # demo's staff accounts.
    "admin",
    "reviewer",
    "billing",
    "support",
    "legal",
    # A softphone's own name, as its authors write it (the SIP section of /account names Linphone, baresip,
    # MicroSIP as examples).
    "baresip",
    # The media relay's own name: the console's live calls say a SIP phone's call goes "媒体中继 (rtpengine)".
    "rtpengine",
}
ALLOWED_SNAKE = {
    # Tariff codes too (see above): the demo's services are coded after the call feature they give.
    "caller_id",
    "second_number",
}


def _problems(text: str, language: str) -> list[str]:
    found = [m.group(0) for m in SNAKE_CODE.finditer(text) if m.group(0) not in ALLOWED_SNAKE]
    found += [m.group(0) for m in NOT_A_VALUE.finditer(text)]
    found += [m.group(0) for m in ISO_INSTANT.finditer(text)]
    if language == "zh-CN":
        words = EMAIL_OR_URL.sub(" ", text)
        found += [m.group(0) for m in LOWER_WORD.finditer(words) if m.group(0) not in ALLOWED_LOWER]
    return sorted(set(found))


def _settle(page: Any, ready: str | None = None) -> None:
    """Wait for the page's data: its first row (when the demo has one), then no request in flight."""
    if ready:
        page.locator(ready).first.wait_for()
    page.wait_for_load_state("networkidle")


def _seed(staff: Any, subscriber: Any, new_context: Any) -> None:
    """A subscriber of the test's own with a warning, a lawful suspension, an outage, a report against them
    and, last, their termination for breach — so those console lists have a row to read."""
    page = new_context().new_page()
    page.goto("/register")
    fill_person_form(page, person_data(name="钱无码"))
    page.get_by_test_id("register-submit").click()
    page.wait_for_function("document.querySelector('[data-testid=new-number]').textContent.trim() !== ''")
    number = re.sub(r"\D", "", page.get_by_test_id("new-number").inner_text())
    staff.goto("/console/violations")
    _settle(staff)
    subscriber_id = staff.evaluate(
        """async (number) => {
          const found = await VP.api("GET", "/api/v1/console/subscribers?q=" + encodeURIComponent(number));
          const id = found.items.find((s) => s.number === number).id;
          const warning = new FormData();
          warning.set("subscriber_id", id);
          warning.set("action", "warning");
          warning.set("reason", "测试：群发广告");
          await VP.api("POST", "/api/v1/console/violations", warning);
          await VP.api("POST", "/api/v1/console/lawful", { number, authority: "某区公安分局", reference: "某公（网）字 1 号" });
          await VP.api("POST", "/api/v1/console/outages", {
            title: "测试中断", started_at: new Date(Date.now() - 3600e3).toISOString(), scope: "listed", numbers: [number],
            cause: "force_majeure", evidence: "气象台暴雨红色预警",
          });
          return id;
        }""",
        number,
    )
    subscriber.goto("/contacts")
    _settle(subscriber)
    subscriber.evaluate(
        """(number) => VP.api("POST", "/api/v1/me/reports", { number, description: "测试：骚扰来电" })""", number
    )
    staff.evaluate(
        """(id) => VP.api("POST", "/api/v1/console/terminations", { subscriber_id: id, reason: "breach", note: "测试" })""",
        subscriber_id,
    )


def test_no_page_shows_a_raw_code(new_context: Any) -> None:
    staff = new_context().new_page()
    login_staff(staff, "admin")
    subscriber = new_context().new_page()
    login_subscriber(subscriber, TOUR_LOGIN, DEMO_PASSWORD)
    _seed(staff, subscriber, new_context)

    staff.goto("/console/subscribers")
    _settle(staff, "[data-testid=subscriber-row]")
    zhang = (
        staff.locator("[data-testid=subscriber-row]", has_text="张伟")
        .get_by_test_id("subscriber-open")
        .get_attribute("href")
    )
    console = [(f"/console/{name}", None) for name in CONSOLE_PAGES]
    console += [(zhang, "[data-testid=history-row]")]
    portal = [(f"/{name}", None) for name in PORTAL_PAGES]

    seen: dict[str, list[str]] = {}
    for language in ("zh-CN", "en"):
        for page, pages in ((staff, console), (subscriber, portal)):
            page.goto(f"/lang/{language}?next=/")
            for url, ready in pages:
                page.goto(url)
                _settle(page, ready)
                assert page.evaluate("document.documentElement.lang") == language
                problems = _problems(page.evaluate(VISIBLE_TEXT), language)
                if problems:
                    seen[f"{language} {url}"] = problems
    assert seen == {}


def test_the_check_sees_codes_and_lets_words_pass() -> None:
    assert _problems("状态 pending_review · null · 2026-12-06T10:00:00Z", "en") == [
        "2026-12-06T",
        "null",
        "pending_review",
    ]
    assert _problems("网关通知 paid", "zh-CN") == ["paid"]
    assert _problems("Paid · zhangwei@example.com · basic", "zh-CN") == []
    assert _problems("Payment received in full", "en") == []
