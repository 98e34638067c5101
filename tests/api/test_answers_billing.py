"""Typed answers (issue 13): every JSON route declares its answer model, so ``/openapi.json`` shows the
fields of every answer, and the answers the routes send are exactly those models."""

from __future__ import annotations

import json
import typing
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from tests.api.conftest import register_and_login, staff_login
from tests.api.test_billing_api import record, subscriber_id
from tests.integration.test_billing import insert, make_plan, subscription
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import CallQualitySample
from videophone.billing.api import billing_answers as billing
from videophone.billing.api import disputes_answers as disputes
from videophone.billing.api import sales_answers as sales
from videophone.billing.domain import disputes as dispute_rules
from videophone.billing.domain import tariffs as tariff_rules
from videophone.bootstrap import Container
from videophone.calling.domain import call_quality
from videophone.collections.api import payments_answers as payments
from videophone.collections.services import payment_views as payment_service
from videophone.notices.api import announcements_answers as announcements
from videophone.notices.api import outages_answers as outages
from videophone.notices.domain import announcements as announcement_rules

# -- billing, collections and notices: sales, billing, payments, disputes, outages, announcements -------------
BILLING_AND_NOTICE_ROUTES = tuple(
    f"videophone.{module}"
    for module in (
        "billing.api.sales",
        "billing.api.billing",
        "collections.api.payments",
        "billing.api.disputes",
        "notices.api.outages",
        "notices.api.announcements",
    )
)


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _describes_fields(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """An object schema with its properties, or an array of them (``dict[str, Any]`` has no properties)."""
    schema = _resolve(schema, components)
    if schema.get("type") == "array":
        return _describes_fields(schema.get("items", {}), components)
    return schema.get("type") == "object" and bool(schema.get("properties"))


def test_billing_and_notice_routes_document_every_json_answer(app: FastAPI) -> None:
    document = app.openapi()
    components = document["components"]["schemas"]
    seen, undocumented = 0, []
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if not isinstance(original, APIRoute) or original.endpoint.__module__ not in BILLING_AND_NOTICE_ROUTES:
            continue
        for method in route.methods:
            operation = document["paths"][route.path_format][method.lower()]
            for status, answer in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                for media_type, content in answer.get("content", {}).items():
                    if media_type != "application/json":
                        continue  # PDFs, the gateway's plain-text acknowledgement
                    seen += 1
                    if not content.get("schema") or not _describes_fields(content["schema"], components):
                        undocumented.append(f"{method} {route.path_format} {status}")
    assert seen >= 45
    assert undocumented == []


def _args(alias: Any) -> set[str]:
    return set(typing.get_args(alias))


def test_closed_sets_of_the_answers_are_the_domain_s() -> None:
    assert _args(disputes.DisputeState) == {s.value for s in dispute_rules.DisputeState}
    assert _args(disputes.Grade) == set(typing.get_args(call_quality.Grade))
    assert _args(announcements.AnnouncementKind) == {k.value for k in announcement_rules.AnnouncementKind}
    assert _args(announcements.Audience) == {a.value for a in announcement_rules.Audience}
    assert _args(announcements.ObjectionState) == {s.value for s in announcement_rules.ObjectionState}
    assert _args(sales.OrderKind) == {k.value for k in tariff_rules.OrderKind}
    assert _args(sales.ItemAction) == {a.value for a in tariff_rules.ItemAction}
    assert _args(payments.Arrival) == set(payment_service.ARRIVALS)
    assert _args(payments.RefundMethod) == set(payment_service.REFUND_METHODS)
    assert _args(payments.PaymentMethod) == {"gateway", *payment_service.METHODS}


def _utc(at: datetime) -> str:
    """An instant as the API has always written it (Pydantic's form: UTC as ``Z``)."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _exactly(model: type[BaseModel], body: Any) -> None:
    """The answer is the model: it validates, and written again it is the same JSON text (no key more or
    less, same order, same forms)."""
    again = model.model_validate(body).model_dump(mode="json")
    assert json.dumps(again, ensure_ascii=False) == json.dumps(body, ensure_ascii=False)


async def test_real_answers_are_their_models(app: FastAPI, container: Container, clock: FakeClock) -> None:
    await container.tariffs.ensure_demo_catalog()
    alice = await register_and_login(app)
    bob = await register_and_login(app)
    a_id = await subscriber_id(container, alice.account["number"])
    b_id = await subscriber_id(container, bob.account["number"])
    numbers = (alice.account["number"], bob.account["number"])
    plan_id = await make_plan(container, rent_fen=3800, included=0, rate="0.25")
    now = clock.now()
    await insert(
        container,
        subscription(a_id, plan_id, date(2026, 10, 1)),
        record("c-1", a_id, b_id, numbers, now - timedelta(days=4), 300),
    )
    await insert(
        container,
        CallQualitySample(
            call_id="c-1", subscriber_id=a_id, at=now - timedelta(days=4), final=True, rtt_ms=80.5, frame_width=640
        ),
    )
    admin = await staff_login(app, container, "administrator")
    r = await admin.request("POST", "/api/v1/console/bill-runs", json={"period": "2026-10"})
    assert r.status_code == 200, r.text
    _exactly(billing.RunSummaryAnswer, r.json())
    bills = (await alice.get("/api/v1/me/bills")).json()
    _exactly(billing.BillsAnswer, bills)
    bill_id = bills["items"][0]["id"]
    r = await alice.request("POST", "/api/v1/me/disputes", json={"bill_id": bill_id, "call_id": "c-1", "reason": "x"})
    assert r.status_code == 201, r.text
    dispute = r.json()
    _exactly(disputes.DisputeAnswer, dispute)
    assert dispute["opened_at"] == _utc(now)

    detail = (await admin.get(f"/api/v1/console/disputes/{dispute['id']}")).json()
    _exactly(disputes.DisputeDetailAnswer, detail)
    assert detail["calls"][0]["samples"] == [
        {
            "side": "caller",
            "at": _utc(now - timedelta(days=4)),
            "final": True,
            "rtt_ms": 80.5,
            "packet_loss_pct": None,
            "bitrate_in_kbps": None,
            "bitrate_out_kbps": None,
            "frames_per_second": None,
            "frame_width": 640,
            "frame_height": None,
            "frames_decoded": None,
            "audio_packets_received": None,
        }
    ]
    assert detail["calls"][0]["quality"]["caller"]["summary"]["rtt_avg_ms"] == 80.5

    r = await alice.request("POST", "/api/v1/me/payments", json={"amount_yuan": "1.00"})
    assert r.status_code == 200, r.text
    _exactly(payments.StartedPaymentAnswer, r.json())
    r = await admin.request(
        "POST",
        f"/api/v1/console/subscribers/{a_id}/payments",
        json={"amount_yuan": "2", "method": "cash", "receipt_no": "R-1"},
    )
    assert r.status_code == 200, r.text
    _exactly(payments.PaymentAnswer, r.json())
    r = await admin.request(
        "POST",
        "/api/v1/console/outages",
        json={
            "title": "断电",
            "started_at": (now - timedelta(days=3)).isoformat(),
            "ended_at": now.isoformat(),
            "cause": "operator",
        },
    )
    assert r.status_code == 201, r.text
    _exactly(outages.OutageDetailAnswer, r.json())

    subscriber_reads: list[tuple[str, type[BaseModel]]] = [
        ("/api/v1/me/services", sales.CurrentServicesAnswer),
        (f"/api/v1/me/bills/{bill_id}", billing.BillAnswer),
        ("/api/v1/me/usage", billing.UsageAnswer),
        ("/api/v1/me/payments", payments.MyPaymentsAnswer),
        ("/api/v1/me/disputes", disputes.DisputesAnswer),
        (f"/api/v1/me/bills/{bill_id}/disputable", disputes.DisputableAnswer),
        ("/api/v1/me/announcements", announcements.MyAnnouncementsAnswer),
        ("/api/v1/me/agreement/changes", announcements.AgreementChangesAnswer),
    ]
    staff_reads: list[tuple[str, type[BaseModel]]] = [
        ("/api/v1/console/tariffs", sales.CatalogAnswer),
        ("/api/v1/console/bills", billing.BillPageAnswer),
        ("/api/v1/console/bill-runs", billing.RunsAnswer),
        (f"/api/v1/console/payments?number={numbers[0]}", payments.PaymentsConsoleAnswer),
        ("/api/v1/console/disputes", disputes.DisputeQueueAnswer),
        ("/api/v1/console/outages", outages.OutagePageAnswer),
        ("/api/v1/console/dashboard", outages.DashboardAnswer),
        ("/api/v1/console/announcements", announcements.AnnouncementPageAnswer),
        ("/api/v1/console/agreement/template", announcements.AgreementTemplateAnswer),
        ("/api/v1/console/agreement/objections", announcements.ObjectionQueueAnswer),
    ]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as anyone:
        r = await anyone.get("/api/v1/prices")
        _exactly(sales.PriceListAnswer, r.json())
    for url, model in subscriber_reads:
        r = await alice.get(url)
        assert r.status_code == 200, (url, r.text)
        _exactly(model, r.json())
    for url, model in staff_reads:
        r = await admin.get(url)
        assert r.status_code == 200, (url, r.text)
        _exactly(model, r.json())
