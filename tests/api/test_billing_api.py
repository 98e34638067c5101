"""Bills, usage, bill runs and adjustments over HTTP (R-22)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from fastapi import FastAPI
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.api.conftest import register_and_login, staff_login
from tests.integration.test_billing import insert, make_plan, subscription
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import BillRun, CallRecord, LedgerTransaction, Subscriber
from videophone.bootstrap import Container


async def subscriber_id(c: Container, number: str) -> int:
    async with c.deps.uow() as uow:
        found = await uow.session.scalar(select(Subscriber.id).where(Subscriber.number == number))
    assert found is not None
    return int(found)


def record(call_id: str, caller_id: int, callee_id: int, numbers: tuple[str, str], started, seconds: int) -> CallRecord:  # type: ignore[no-untyped-def]
    return CallRecord(
        id=call_id,
        caller_id=caller_id,
        callee_id=callee_id,
        caller_number=numbers[0],
        callee_number=numbers[1],
        caller_device="web",
        node_id="n",
        state="ended",
        started_at=started,
        answered_at=started,
        ended_at=started + timedelta(seconds=seconds),
        outcome="answered",
        end_reason="hangup",
        billable_seconds=seconds,
    )


async def test_bill_run_then_the_subscriber_sees_and_downloads_the_bill(
    app: FastAPI, container: Container, clock: FakeClock
) -> None:
    alice = await register_and_login(app)
    bob = await register_and_login(app)
    a_id, b_id = (
        await subscriber_id(container, alice.account["number"]),
        await subscriber_id(container, bob.account["number"]),
    )
    plan_id = await make_plan(container, rent_fen=3800, included=0, rate="0.25")
    now = clock.now()
    await insert(
        container,
        subscription(a_id, plan_id, date(2026, 10, 1)),
        record("c-oct", a_id, b_id, (alice.account["number"], bob.account["number"]),
               now - timedelta(days=5), 120),
        record("c-nov", a_id, b_id, (alice.account["number"], bob.account["number"]),
               now + timedelta(minutes=1), 90),
    )  # fmt: skip
    staff = await staff_login(app, container, "billing")
    support = await staff_login(app, container, "support")

    r = await staff.request("POST", "/api/v1/console/bill-runs", json={"period": "2026-11"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "period_not_ended"
    r = await support.request("POST", "/api/v1/console/bill-runs", json={"period": "2026-10"})
    assert r.status_code == 403
    r = await staff.request("POST", "/api/v1/console/bill-runs", json={"period": "2026-10"})
    assert r.status_code == 200, r.text
    assert r.json()["bills_created"] == 1
    runs = (await support.get("/api/v1/console/bill-runs")).json()["items"]
    assert runs[0]["state"] == "finished" and runs[0]["period"] == "2026-10"

    bills = (await alice.get("/api/v1/me/bills")).json()["items"]
    assert len(bills) == 1
    bill_id = bills[0]["id"]
    detail = (await alice.get(f"/api/v1/me/bills/{bill_id}")).json()
    assert [(line["kind"], line["amount"]) for line in detail["lines"]] == [("rent", "38.00"), ("usage", "0.50")]
    assert detail["total_due"] == "38.50" and detail["total_due_text"] == "¥38.50"
    pdf = await alice.get(f"/api/v1/me/bills/{bill_id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "¥38.50" in text and detail["number"] in text

    # Another subscriber cannot see it, even knowing the id.
    assert (await bob.get(f"/api/v1/me/bills/{bill_id}")).status_code == 404
    assert (await bob.get(f"/api/v1/me/bills/{bill_id}.pdf")).status_code == 404
    assert (await bob.get("/api/v1/me/bills")).json()["items"] == []

    found = (await support.get("/api/v1/console/bills", params={"number": alice.account["number"]})).json()
    assert found["total"] == 1 and found["items"][0]["id"] == bill_id
    staff_detail = (await support.get(f"/api/v1/console/bills/{bill_id}")).json()
    assert staff_detail["lines"] == detail["lines"]
    assert (await support.get("/api/v1/console/bills/999999")).status_code == 404

    usage = (await alice.get("/api/v1/me/usage")).json()
    assert usage["period"] == "2026-11" and usage["calls"] == 1 and usage["usage"] == "0.50"


async def test_adjustments_need_an_idempotency_key_and_post_once(app: FastAPI, container: Container) -> None:
    alice = await register_and_login(app)
    staff = await staff_login(app, container, "billing")
    url = f"/api/v1/console/subscribers/{await subscriber_id(container, alice.account['number'])}/adjustments"
    body = {"kind": "credit", "amount_yuan": "5.00", "reason": "故障补偿"}
    r = await staff.request("POST", url, json=body)
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_required"
    first = await staff.request("POST", url, json=body, headers={"Idempotency-Key": "key-1"})
    second = await staff.request("POST", url, json=body, headers={"Idempotency-Key": "key-1"})
    assert first.status_code == second.status_code == 200, first.text
    assert first.json() == second.json()
    assert first.json()["amount_yuan"] == "-5.00" and first.json()["balance_yuan"] == "-5.00"
    async with container.deps.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(LedgerTransaction)) == 1
    bad = await staff.request("POST", url, json={**body, "amount_yuan": "abc"}, headers={"Idempotency-Key": "key-2"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "amount_yuan"
    missing = await staff.request(
        "POST", "/api/v1/console/subscribers/999999/adjustments", json=body, headers={"Idempotency-Key": "key-3"}
    )
    assert missing.status_code == 404
    audit = (await (await staff_login(app, container, "legal")).get("/api/v1/console/audit")).json()
    assert any(item["action"] == "billing.credit" for item in audit["items"])


async def test_a_killed_bill_run_shows_failed_and_a_rerun_finishes_it(
    app: FastAPI, container: Container, clock: FakeClock
) -> None:
    """A run whose process was killed stays "running" with a heartbeat that no longer moves; once the
    heartbeat is older than the lease, the listing shows it failed (as of its last heartbeat), and a
    new run of the period goes ahead and finishes the accounts."""
    alice = await register_and_login(app)
    a_id = await subscriber_id(container, alice.account["number"])
    plan_id = await make_plan(container, rent_fen=3800, included=0)
    await insert(container, subscription(a_id, plan_id, date(2026, 10, 1)))
    staff = await staff_login(app, container, "billing")
    killed_at = clock.now()
    await insert(  # what `videophone billing run` leaves behind when it is killed with SIGKILL
        container,
        BillRun(period="2026-10", started_at=killed_at, accounts=1, bills_created=0, state="running",
                heartbeat_at=killed_at),
        BillRun(period="2026-09", started_at=killed_at, accounts=1, bills_created=0, state="running",
                heartbeat_at=killed_at + container.billing.lease),  # another, still alive
    )  # fmt: skip

    clock.advance(container.billing.lease - timedelta(seconds=1))
    runs = (await staff.get("/api/v1/console/bill-runs")).json()["items"]
    assert [(r["period"], r["state"]) for r in runs] == [("2026-09", "running"), ("2026-10", "running")]
    clock.advance(timedelta(seconds=2))
    runs = (await staff.get("/api/v1/console/bill-runs")).json()["items"]
    assert [(r["period"], r["state"]) for r in runs] == [("2026-09", "running"), ("2026-10", "failed")]
    assert runs[1]["finished_at"] == runs[1]["heartbeat_at"]

    r = await staff.request("POST", "/api/v1/console/bill-runs", json={"period": "2026-10"})
    assert r.status_code == 200, r.text
    assert r.json()["bills_created"] == 1
    runs = (await staff.get("/api/v1/console/bill-runs")).json()["items"]
    assert [(r["period"], r["state"]) for r in runs] == [
        ("2026-10", "finished"), ("2026-09", "running"), ("2026-10", "failed"),
    ]  # fmt: skip
    assert len((await alice.get("/api/v1/me/bills")).json()["items"]) == 1
