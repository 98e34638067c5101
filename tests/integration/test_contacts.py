"""Contacts, block list and harassment reports in the store, on SQLite and PostgreSQL (R-12)."""

from __future__ import annotations

import asyncio

import pytest

from tests.factories import person
from videophone.adapters.db.models import CallRecord
from videophone.bootstrap import Container
from videophone.calling.services.contacts import is_blocked
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import AccountView, RequestInfo
from videophone.kernel.errors import InvalidState, NotFound, ValidationFailed


async def subscriber(c: Container) -> tuple[AccountView, Actor]:
    view = await c.subscribers.register(person(), RequestInfo())
    return view, Actor("subscriber", view.id, "198.51.100.7")


async def staff(c: Container, username: str, role: str) -> Actor:
    view = await c.staff.create(Actor.system(), username, username, "Staff-Passw0rd!", [role])
    return Actor("staff", view.id, "10.0.0.2")


async def a_call(c: Container, caller: AccountView, callee: AccountView, call_id: str) -> None:
    now = c.deps.clock.now()
    async with c.deps.uow() as uow:
        uow.session.add(
            CallRecord(
                id=call_id,
                caller_id=caller.id,
                callee_id=callee.id,
                caller_number=caller.number,
                callee_number=callee.number,
                caller_device="web-a",
                node_id="node-1",
                state="ended",
                started_at=now,
                ended_at=now,
                outcome="answered",
                end_reason="hangup",
            )
        )
        await uow.commit()


def field_codes(err: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.code for e in err.value.errors}


async def test_contacts_crud_search_and_paging(container: Container) -> None:
    me, actor = await subscriber(container)
    svc = container.contacts
    zhang = await svc.create_contact(actor, me.id, {"name": "张三", "number": "010-8888 1234", "note": "同事"})
    assert (zhang.number, zhang.favourite) == ("01088881234", False)
    await svc.create_contact(actor, me.id, {"name": "Alice Smith", "number": "13912345678", "favourite": True})
    await svc.create_contact(actor, me.id, {"name": "王五", "number": "12345", "note": "plumber 100%"})

    total, items = await svc.contacts(me.id)
    assert total == 3 and items[0].name == "Alice Smith"  # favourites first
    assert [i.name for i in (await svc.contacts(me.id, q="alice"))[1]] == ["Alice Smith"]  # case-insensitive
    assert [i.name for i in (await svc.contacts(me.id, q="8888-12"))[1]] == ["张三"]  # number, typed with a dash
    assert [i.name for i in (await svc.contacts(me.id, q="同事"))[1]] == ["张三"]  # note
    assert [i.name for i in (await svc.contacts(me.id, q="100%"))[1]] == ["王五"]  # wildcards are literal
    assert (await svc.contacts(me.id, q="_"))[0] == 0
    assert [i.name for i in (await svc.contacts(me.id, favourites_only=True))[1]] == ["Alice Smith"]
    total, page = await svc.contacts(me.id, offset=1, limit=1)
    assert total == 3 and len(page) == 1

    updated = await svc.update_contact(actor, me.id, zhang.id, {"favourite": True, "name": "张三丰"})
    assert (updated.name, updated.number, updated.note, updated.favourite) == ("张三丰", "01088881234", "同事", True)
    await svc.delete_contact(actor, me.id, zhang.id)
    assert (await svc.contacts(me.id))[0] == 2
    _, records = await container.audit.search(subject_type="contact", subject_id=str(zhang.id))
    assert [r.action for r in records] == ["contact.delete", "contact.update", "contact.create"]


async def test_a_number_appears_once_per_address_book(container: Container) -> None:
    me, actor = await subscriber(container)
    other, other_actor = await subscriber(container)
    first = await container.contacts.create_contact(actor, me.id, {"name": "A", "number": "13912345678"})
    with pytest.raises(ValidationFailed) as err:
        await container.contacts.create_contact(actor, me.id, {"name": "B", "number": "139 1234 5678"})
    assert field_codes(err) == {"number": "contact_number_taken"}
    second = await container.contacts.create_contact(actor, me.id, {"name": "B", "number": "13900000000"})
    with pytest.raises(ValidationFailed) as err:
        await container.contacts.update_contact(actor, me.id, second.id, {"number": first.number})
    assert field_codes(err) == {"number": "contact_number_taken"}
    # Another subscriber's book is separate.
    await container.contacts.create_contact(other_actor, other.id, {"name": "A", "number": "13912345678"})


async def test_simultaneous_duplicates_give_a_field_error_not_a_crash(container: Container) -> None:
    me, actor = await subscriber(container)
    results = await asyncio.gather(
        *(container.contacts.create_contact(actor, me.id, {"name": f"n{i}", "number": "55555"}) for i in range(3)),
        return_exceptions=True,
    )
    created = [r for r in results if not isinstance(r, BaseException)]
    failed = [r for r in results if isinstance(r, BaseException)]
    assert len(created) == 1
    assert all(isinstance(f, ValidationFailed) and f.errors[0].code == "contact_number_taken" for f in failed)


async def test_someone_elses_contact_behaves_as_not_found(container: Container) -> None:
    me, actor = await subscriber(container)
    other, other_actor = await subscriber(container)
    mine = await container.contacts.create_contact(actor, me.id, {"name": "A", "number": "12345"})
    with pytest.raises(NotFound) as err:
        await container.contacts.update_contact(other_actor, other.id, mine.id, {"name": "hijack"})
    assert err.value.code == "contact_not_found"
    with pytest.raises(NotFound):
        await container.contacts.delete_contact(other_actor, other.id, mine.id)
    assert (await container.contacts.contacts(other.id))[0] == 0
    assert (await container.contacts.contacts(me.id))[1][0].name == "A"


async def test_block_list_and_is_blocked(container: Container) -> None:
    me, actor = await subscriber(container)
    caller, caller_actor = await subscriber(container)
    entry = await container.contacts.block(actor, me.id, caller.number, "推销电话")
    assert entry.number == caller.number
    async with container.deps.uow() as uow:
        assert await is_blocked(uow, me.id, caller.number)
        assert await is_blocked(uow, me.id, " " + caller.number[:3] + "-" + caller.number[3:])
        assert not await is_blocked(uow, caller.id, me.number)  # blocking is one-way
        assert not await is_blocked(uow, me.id, "")
    with pytest.raises(ValidationFailed) as err:
        await container.contacts.block(actor, me.id, caller.number)
    assert field_codes(err) == {"number": "number_already_blocked"}
    with pytest.raises(ValidationFailed) as err:
        await container.contacts.block(actor, me.id, me.number)
    assert field_codes(err) == {"number": "number_is_own"}
    # Any number can be blocked, a subscriber's or not.
    await container.contacts.block(actor, me.id, "4008001234")
    assert [b.number for b in await container.contacts.blocks(me.id)] == ["4008001234", caller.number]

    with pytest.raises(NotFound):
        await container.contacts.unblock(caller_actor, caller.id, entry.id)
    await container.contacts.unblock(actor, me.id, entry.id)
    async with container.deps.uow() as uow:
        assert not await is_blocked(uow, me.id, caller.number)
    _, records = await container.audit.search(subject_type="subscriber", subject_id=str(me.id))
    assert [r.action for r in records if r.action.startswith("block.")] == [
        "block.delete",
        "block.create",
        "block.create",
    ]


async def test_report_lifecycle_and_audit(container: Container) -> None:
    me, actor = await subscriber(container)
    pest, _ = await subscriber(container)
    support = await staff(container, "support1", "support")

    call_id = "c0ffee00-0000-4000-8000-000000000001"
    await a_call(container, pest, me, call_id)
    report = await container.contacts.report(actor, me.id, pest.number, "深夜反复来电骚扰", call_id=call_id, block=True)
    assert report.state == "open" and report.resolution == ""
    async with container.deps.uow() as uow:
        assert await is_blocked(uow, me.id, pest.number)
    unknown = await container.contacts.report(actor, me.id, "4008009999", "陌生号码推销诈骗")

    total, _ = await container.contacts.reports(state="open")
    assert total == 2
    detail = await container.contacts.report_detail(report.id)
    assert (detail.reported_id, detail.reporter_id, detail.reporter_number) == (pest.id, me.id, me.number)
    assert detail.allowed_actions == ["start", "resolve", "dismiss"]
    assert detail.reports_against_number == 1
    assert (await container.contacts.report_detail(unknown.id)).reported_id is None

    with pytest.raises(ValidationFailed) as err:
        await container.contacts.handle_report(support, report.id, "resolve", " ")
    assert field_codes(err) == {"resolution": "report_resolution_required"}
    started = await container.contacts.handle_report(support, report.id, "start")
    assert (started.state, started.handled_by) == ("in_progress", support.id)
    with pytest.raises(InvalidState):
        await container.contacts.handle_report(support, report.id, "start")
    done = await container.contacts.handle_report(support, report.id, "resolve", "已向对方发出警告")
    assert (done.state, done.resolution, done.allowed_actions) == ("resolved", "已向对方发出警告", [])
    with pytest.raises(InvalidState):
        await container.contacts.handle_report(support, report.id, "dismiss", "x")
    dismissed = await container.contacts.handle_report(support, unknown.id, "dismiss", "非本网号码")
    assert dismissed.state == "dismissed"

    total, mine = await container.contacts.my_reports(me.id)
    assert total == 2 and {(r.id, r.state) for r in mine} == {(report.id, "resolved"), (unknown.id, "dismissed")}
    assert (await container.contacts.my_reports(pest.id))[0] == 0
    assert (await container.contacts.reports(state="in_progress"))[0] == 0
    assert (await container.contacts.reports(number=pest.number[-6:]))[0] == 1
    with pytest.raises(ValidationFailed):
        await container.contacts.reports(state="bogus")
    with pytest.raises(NotFound):
        await container.contacts.report_detail(999_999)

    _, records = await container.audit.search(subject_type="harassment_report", subject_id=str(report.id))
    assert [r.action for r in records] == ["report.resolve", "report.start", "report.create"]
    assert records[0].actor_id == support.id and records[0].details["resolution"] == "已向对方发出警告"
    assert records[2].details["blocked"] is True


async def test_reporting_an_already_blocked_number_keeps_the_block(container: Container) -> None:
    me, actor = await subscriber(container)
    await container.contacts.block(actor, me.id, "13500000000")
    await container.contacts.report(actor, me.id, "135-0000-0000", "再次骚扰，已拉黑", block=True)
    assert len(await container.contacts.blocks(me.id)) == 1
    with pytest.raises(ValidationFailed) as err:
        await container.contacts.report(actor, me.id, me.number, "自己举报自己")
    assert field_codes(err) == {"number": "number_is_own"}
