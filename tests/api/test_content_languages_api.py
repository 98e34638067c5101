"""Stored content in the reader's language over HTTP (issue 15): the same stored notification, bill,
plan and agreement read by an English and a Chinese reader (the ``vp_lang`` cookie, else
Accept-Language) — not in the account's notice language."""

from __future__ import annotations

import io
from datetime import date

from fastapi import FastAPI
from pypdf import PdfReader

from tests.api.conftest import Session, client_for, register_and_login, staff_login
from tests.api.test_billing_api import subscriber_id
from tests.integration.test_billing import insert, make_plan, subscription
from videophone.bootstrap import Container
from videophone.collections.texts.notice_texts_payments import method_params
from videophone.notices.services.notifications import notify


def reading_in(session: Session, language: str | None) -> None:
    """The reader's interface language: the cookie the language switch sets (None: no cookie)."""
    session.client.cookies.delete("vp_lang")
    if language is not None:
        session.client.cookies.set("vp_lang", language)


async def test_a_notification_is_shown_in_the_readers_language_not_the_accounts(
    app: FastAPI, container: Container
) -> None:
    alice = await register_and_login(app)  # her notice language is Chinese (the default)
    a_id = await subscriber_id(container, alice.account["number"])
    async with container.deps.uow() as uow:
        await notify(
            uow,
            container.deps.clock.now(),
            a_id,
            "payment_received",
            {"amount": "50.00", "method": "cash", **method_params("cash")},
            email=False,
        )
        await uow.commit()

    reading_in(alice, "en")
    (item,) = (await alice.get("/api/v1/me/notifications")).json()["items"]
    assert item["title"] == "Payment of ¥50.00 received" and "by cash" in item["body"]
    reading_in(alice, "zh-CN")
    (item,) = (await alice.get("/api/v1/me/notifications")).json()["items"]
    assert item["title"] == "已收到您的缴费 50.00 元" and "现金" in item["body"]
    # Without the cookie the browser's Accept-Language decides.
    reading_in(alice, None)
    r = await alice.get("/api/v1/me/notifications", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert r.json()["items"][0]["title"] == "Payment of ¥50.00 received"
    r = await alice.get("/api/v1/me/notifications", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert r.json()["items"][0]["title"] == "已收到您的缴费 50.00 元"


async def test_a_bills_lines_are_shown_in_the_readers_language(app: FastAPI, container: Container) -> None:
    alice = await register_and_login(app)
    a_id = await subscriber_id(container, alice.account["number"])
    plan_id = await make_plan(container, rent_fen=3800, included=0, rate="0.25")
    await insert(container, subscription(a_id, plan_id, date(2026, 10, 11)))
    billing = await staff_login(app, container, "billing")
    r = await billing.request(
        "POST",
        f"/api/v1/console/subscribers/{a_id}/adjustments",
        json={"kind": "credit", "amount_yuan": "2", "reason": "补偿：服务中断"},
        headers={"Idempotency-Key": "lang-1"},
    )
    assert r.status_code in (200, 201), r.text
    r = await billing.request("POST", "/api/v1/console/bill-runs", json={"period": "2026-10"})
    assert r.status_code == 200 and r.json()["bills_created"] == 1, r.text
    bill_id = (await alice.get("/api/v1/me/bills")).json()["items"][0]["id"]

    def lines(answer: dict[str, object]) -> list[tuple[str, str, str]]:
        return [(x["kind"], x["description"], x["quantity"]) for x in answer["lines"]]  # type: ignore[attr-defined, index]

    reading_in(alice, "en")
    english = (await alice.get(f"/api/v1/me/bills/{bill_id}")).json()
    assert lines(english) == [
        ("rent", "Monthly rent · Basic", "21/31 days"),
        ("credit", "Credit · 补偿：服务中断", ""),  # a staff memo is shown as written
    ]
    reading_in(alice, "zh-CN")
    chinese = (await alice.get(f"/api/v1/me/bills/{bill_id}")).json()
    assert lines(chinese) == [("rent", "月租 · 基础套餐", "21/31 天"), ("credit", "减免 · 补偿：服务中断", "")]
    assert [x["amount"] for x in english["lines"]] == [x["amount"] for x in chinese["lines"]]

    # The console's bill view and the PDF follow the reader too.
    reading_in(billing, "en")
    staff_view = (await billing.get(f"/api/v1/console/bills/{bill_id}")).json()
    assert lines(staff_view) == lines(english)
    reading_in(billing, "zh-CN")
    assert lines((await billing.get(f"/api/v1/console/bills/{bill_id}")).json()) == lines(chinese)

    def pdf_text(content: bytes) -> str:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)

    reading_in(alice, "en")
    text = pdf_text((await alice.get(f"/api/v1/me/bills/{bill_id}.pdf")).content)
    assert "Monthly rent · Basic" in text and "21/31 days" in text
    reading_in(alice, "zh-CN")
    text = pdf_text((await alice.get(f"/api/v1/me/bills/{bill_id}.pdf")).content)
    assert "月租 · 基础套餐" in text and "Monthly rent · Basic" not in text


async def test_plan_and_service_descriptions_in_both_languages(app: FastAPI, container: Container) -> None:
    await container.tariffs.ensure_demo_catalog()
    async with client_for(app) as anonymous:
        en = (await anonymous.get("/api/v1/prices", headers={"Accept-Language": "en"})).json()
        zh = (await anonymous.get("/api/v1/prices", headers={"Accept-Language": "zh-CN"})).json()
    basic_en, basic_zh = en["plans"][0], zh["plans"][0]
    assert basic_en["code"] == basic_zh["code"] == "basic"
    assert basic_en["description_text"] == "¥18 a month with 100 minutes of video calls included."
    assert basic_zh["description_text"] == "月租 18 元，含 100 分钟视频通话。"
    assert (basic_en["description"], basic_en["description_en"]) == (
        basic_zh["description"],
        basic_zh["description_en"],
    )
    vas_en = {v["code"]: v["description_text"] for v in en["vas"]}
    vas_zh = {v["code"]: v["description_text"] for v in zh["vas"]}
    assert vas_en["voicemail"] == "Callers can leave you a video message when you do not answer."
    assert vas_zh["voicemail"] == "来电无人接听时，对方可以给您留一段视频留言。"
    assert all(vas_en.values()) and all(vas_zh.values())

    admin = await staff_login(app, container, "administrator")
    url = "/api/v1/console/tariffs/plans/basic/descriptions"
    r = await admin.request("POST", url, json={"description": "基础", "description_en": ""})
    assert r.status_code == 200, r.text
    assert (r.json()["description"], r.json()["description_en"]) == ("基础", "")
    async with client_for(app) as anonymous:
        en = (await anonymous.get("/api/v1/prices", headers={"Accept-Language": "en"})).json()
    assert en["plans"][0]["description_text"] == "基础"  # no English yet: the Chinese


async def test_the_tariff_console_saves_both_descriptions_and_refuses_bad_ones(
    app: FastAPI, container: Container
) -> None:
    admin = await staff_login(app, container, "administrator")
    plan = {
        "code": "family",
        "name_zh": "家庭套餐",
        "name_en": "Family",
        "description": "全家共享 800 分钟。",
        "description_en": "800 minutes shared by the family.",
        "monthly_rent": "58.00",
        "included_minutes": 800,
        "rate_per_minute": "0.10",
        "first_increment_seconds": 60,
        "next_increment_seconds": 60,
    }
    r = await admin.request("POST", "/api/v1/console/tariffs/plans", json=plan, headers={"Accept-Language": "en"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["description"], body["description_en"]) == (plan["description"], plan["description_en"])
    assert body["description_text"] == plan["description_en"]
    catalog = (await admin.get("/api/v1/console/tariffs")).json()
    (saved,) = [p for p in catalog["plans"] if p["code"] == "family"]
    assert saved["description_en"] == "800 minutes shared by the family."

    r = await admin.request("POST", "/api/v1/console/tariffs/vas", json={
        "code": "hd", "name_zh": "高清", "name_en": "HD", "monthly_fee": "1.00",
        "description": "高清视频。", "description_en": "HD video.",
    })  # fmt: skip
    assert r.status_code == 201 and r.json()["description_en"] == "HD video.", r.text

    too_long = {**plan, "code": "family2", "description_en": "x" * 1001}
    r = await admin.request("POST", "/api/v1/console/tariffs/plans", json=too_long)
    assert r.status_code == 422
    assert {(e["field"], e["code"]) for e in r.json()["errors"]} == {("description_en", "too_long")}
    nul = {**plan, "code": "family3", "description_en": "bad\x00text"}
    r = await admin.request("POST", "/api/v1/console/tariffs/plans", json=nul)
    assert 400 <= r.status_code < 500 and r.json()["code"] == "control_characters"
    for url in ("/api/v1/console/tariffs/plans/family/descriptions", "/api/v1/console/tariffs/vas/hd/descriptions"):
        r = await admin.request("POST", url, json={"description": "", "description_en": "y" * 1001})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "description_en"
        r = await admin.request("POST", url, json={"description_en": "a\x00"})
        assert r.status_code == 422 and r.json()["code"] == "control_characters"
    r = await admin.request(
        "POST",
        "/api/v1/console/tariffs/vas/hd/descriptions",
        json={"description": "高清视频通话。", "description_en": "HD video calls."},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 200 and r.json()["description_text"] == "HD video calls.", r.text
    # Saving the same texts again changes nothing (and records nothing).
    r = await admin.request(
        "POST",
        "/api/v1/console/tariffs/vas/hd/descriptions",
        json={"description": "高清视频通话。", "description_en": "HD video calls."},
        noop=True,
    )
    assert r.status_code == 200 and r.json()["description"] == "高清视频通话。"
    r = await admin.request("POST", "/api/v1/console/tariffs/plans/nope/descriptions", json={"description": "x"})
    assert r.status_code == 404
    catalog = (await admin.get("/api/v1/console/tariffs")).json()
    (saved,) = [p for p in catalog["plans"] if p["code"] == "family"]
    assert saved["description_en"] == "800 minutes shared by the family."  # nothing bad was stored
    support = await staff_login(app, container, "support")
    r = await support.request("POST", "/api/v1/console/tariffs/plans/family/descriptions", json={"description": "x"})
    assert r.status_code == 403


async def test_the_agreement_in_english_says_the_chinese_prevails(app: FastAPI, container: Container) -> None:
    async with client_for(app) as anonymous:
        en = (await anonymous.get("/api/v1/agreement", headers={"Accept-Language": "en"})).json()
        zh = (await anonymous.get("/api/v1/agreement", headers={"Accept-Language": "zh-CN"})).json()
        en_page = await anonymous.get("/agreement", headers={"Accept-Language": "en"})
        zh_page = await anonymous.get("/agreement", headers={"Accept-Language": "zh-CN"})
    assert (en["language"], en["has_translation"]) == ("en", True)
    assert en["title"] == "Video Telephone Video Communication Service Agreement"
    assert (zh["language"], zh["title"]) == ("zh-CN", "可视电话视频通信服务协议")
    assert len(en["paragraphs"]) == len(zh["paragraphs"])
    assert "This translation is for convenience; the Chinese text prevails." in en_page.text
    assert 'data-language="en"' in en_page.text and "Party A" in en_page.text
    assert 'data-testid="agreement-english-link"' in zh_page.text and "the Chinese text prevails" not in zh_page.text

    # The subscriber's own agreement, filled in, in the reader's language.
    alice = await register_and_login(app)
    reading_in(alice, "en")
    mine = (await alice.get("/api/v1/me/agreement")).json()
    assert mine["language"] == "en" and any(alice.account["name"] in p["text"] for p in mine["paragraphs"])
    reading_in(alice, "zh-CN")
    assert (await alice.get("/api/v1/me/agreement")).json()["language"] == "zh-CN"

    # A new version: its translation is optional, checked like the Chinese, and shown to English readers.
    admin = await staff_login(app, container, "administrator")
    current = (await admin.get("/api/v1/console/agreement/template")).json()
    assert current["template_en"].startswith("# Video Telephone")
    payload = {
        "template": current["template"].replace("## 前言", "## 前言\n\n新条款。", 1),
        "template_en": "${nope}",
        "summary": "新增条款",
        "title": "协议变更",
        "body": "服务协议有更新。",
    }
    r = await admin.request("POST", "/api/v1/console/agreement/versions", json=payload)
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert (error["field"], error["code"]) == ("template_en", "agreement_unknown_placeholder")
    r = await admin.request("POST", "/api/v1/console/agreement/versions", json={**payload, "template_en": ""})
    assert r.status_code == 201, r.text
    assert (await admin.get("/api/v1/console/agreement/template")).json()["template_en"] == ""
