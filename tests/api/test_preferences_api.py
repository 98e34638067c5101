"""Notification preferences over HTTP (R-35): see the defaults, change some switches, coded errors in
zh-CN and English that change nothing, and each subscriber sees only their own."""

from __future__ import annotations

from fastapi import FastAPI

from tests.api.conftest import register_and_login

URL = "/api/v1/me/notification-preferences"


def table(body: dict) -> dict[str, tuple[bool, bool]]:  # type: ignore[type-arg]
    return {c["category"]: (c["email"], c["sms"]) for c in body["categories"]}


async def test_see_and_change_preferences(app: FastAPI) -> None:
    alice = await register_and_login(app)
    bob = await register_and_login(app)
    body = (await alice.get(URL)).json()
    assert body["channels"] == ["email", "sms", "push"]
    assert table(body)["billing"] == (True, False) and table(body)["service"] == (True, True)
    # push on for every category; missed calls by push (and in-app) only.
    calls = next(c for c in body["categories"] if c["category"] == "calls")
    assert (calls["email"], calls["sms"], calls["push"]) == (False, False, True)
    assert all(c["push"] and c["push_default"] for c in body["categories"])
    assert body["email_to"] and "*" in body["sms_to"]
    assert "service_termination" in body["always_sent"]

    r = await alice.request(
        "PUT",
        URL,
        json={"preferences": [{"category": "billing", "channel": "sms", "enabled": True},
                              {"category": "announcements", "channel": "email", "enabled": False}]},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert table(r.json())["billing"] == (True, True) and table(r.json())["announcements"] == (False, False)
    assert table((await alice.get(URL)).json())["billing"] == (True, True)
    assert table((await bob.get(URL)).json())["billing"] == (True, False)  # Bob's are his own


async def test_bad_changes_are_refused_with_coded_errors_and_change_nothing(app: FastAPI) -> None:
    alice = await register_and_login(app)
    r = await alice.request(
        "PUT",
        URL,
        json={"preferences": [{"category": "billing", "channel": "sms", "enabled": True},
                              {"category": "billing", "channel": "fax", "enabled": True}]},
    )  # fmt: skip
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert (error["field"], error["code"]) == ("preferences.1.channel", "notification_pref_channel_unknown")
    assert "fax" in error["message"] and "email" in error["message"]
    alice.client.cookies.set("vp_lang", "en")
    r = await alice.request("PUT", URL, json={"preferences": [{"category": "fun", "channel": "sms", "enabled": True}]})
    assert r.json()["errors"][0]["message"] == "Unknown notification category: fun."
    for bad in ({}, {"preferences": [{"category": "billing", "channel": "sms"}]}, {"preferences": [], "x": 1}):
        r = await alice.request("PUT", URL, json=bad)
        assert r.status_code == 422, bad
    assert table((await alice.get(URL)).json())["billing"] == (True, False)  # nothing changed
