"""The page shells: every page renders in both languages, redirects when login is needed, 404s."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from fastapi import FastAPI

from tests.api.conftest import register_and_login, staff_login
from videophone.bootstrap import Container
from videophone.edge.ui_text import UI

PUBLIC_PAGES = [
    "/",
    "/register",
    "/login",
    "/agreement",
    "/forgot-password",
    "/reset-password?token=x",
    "/console/login",
]


@pytest.mark.parametrize("language", ["zh-CN", "en"])
async def test_public_pages_render_in_both_languages(client: httpx.AsyncClient, language: str) -> None:
    client.cookies.set("vp_lang", language)
    for path in PUBLIC_PAGES:
        r = await client.get(path)
        assert r.status_code == 200, path
        assert f'<html lang="{language}">' in r.text
    agreement = await client.get("/agreement")
    if language == "en":  # an English translation, saying that the Chinese text prevails
        assert "Video Telephone Video Communication Service Agreement" in agreement.text
        assert "the Chinese text prevails" in agreement.text
    else:
        assert "可视电话视频通信服务协议" in agreement.text


async def test_pages_that_need_a_login_redirect(client: httpx.AsyncClient) -> None:
    for path, target in [
        ("/account", "/login?next=/account"),
        ("/console", "/console/login"),
        ("/console/reviews", "/console/login"),
        ("/console/subscribers/1", "/console/login"),
    ]:
        r = await client.get(path)
        assert (r.status_code, r.headers["location"]) == (303, target), path


async def test_logged_in_pages(app: FastAPI, container: Container) -> None:
    sub = await register_and_login(app)
    assert (await sub.get("/account")).status_code == 200
    mine = await sub.get("/account/agreement")
    assert sub.account["name"] in mine.text
    staff = await staff_login(app, container, "administrator")
    for section in ("reviews", "subscribers", "policy", "audit", "staff", "subscribers/1"):
        assert (await staff.get(f"/console/{section}")).status_code == 200, section
    assert (await staff.get("/console/nothing-here")).status_code == 404


async def test_unknown_pages_and_routes(client: httpx.AsyncClient) -> None:
    r = await client.get("/no-such-page", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "not-found" in r.text
    r = await client.get("/api/v1/no-such-route")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


async def test_language_switch_only_redirects_locally(client: httpx.AsyncClient) -> None:
    r = await client.get("/lang/en", params={"next": "/register"})
    assert (r.status_code, r.headers["location"]) == (303, "/register")
    assert r.cookies.get("vp_lang") == "en"
    r = await client.get("/lang/en", params={"next": "//evil.example/"})
    assert r.headers["location"] == "/"


def _inlined_texts(html: str) -> dict[str, str]:
    match = re.search(r"<script>window\.VP = \{.*, t: (\{.*?\}), idTypes: ", html)
    assert match, "no inlined texts"
    texts: dict[str, str] = json.loads(match.group(1))
    return texts


async def test_a_page_inlines_the_texts_its_scripts_use_not_the_whole_catalogue(
    app: FastAPI, container: Container
) -> None:
    sub = await register_and_login(app)
    sub.client.cookies.set("vp_lang", "en")
    bills = _inlined_texts((await sub.get("/bills")).text)
    phone = _inlined_texts((await sub.get("/phone")).text)
    staff = await staff_login(app, container, "administrator")
    subscribers = _inlined_texts((await staff.get("/console/subscribers")).text)
    assert bills["empty_list"] == "Nothing to show." and "bill_line_rent" in bills
    assert phone["phone_reason_busy"] and "phone_check_granted" in phone
    assert "phone_reason_busy" not in bills and "bill_line_rent" not in phone
    assert "phone_reason_busy" not in subscribers and "bill_line_rent" not in subscribers
    for texts in (bills, phone, subscribers):
        assert len(texts) < len(UI) / 5
