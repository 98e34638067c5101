"""Client releases (R-34) on SQLite and PostgreSQL: publishing, semantic-version ordering, what the web
client is told at connect and what terminals are told at provisioning."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.api.test_signaling_ws import subscriber
from tests.support.live import Device, serve
from videophone import __version__
from videophone.adapters.db.models import AuditRecord
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.kernel.errors import ValidationFailed
from videophone.web.app import create_app

STAFF = Actor("staff", None, "10.0.0.9")


async def test_releases_are_ordered_as_versions_not_text(container: Container) -> None:
    c = container
    await c.releases.publish(STAFF, "terminal", "0.9.0", "first", False)
    await c.releases.publish(STAFF, "terminal", "0.10.0-rc.1", "candidate", False)
    await c.releases.publish(STAFF, "terminal", "0.10.0", "ten", True)
    with pytest.raises(ValidationFailed) as older:
        await c.releases.publish(STAFF, "terminal", "0.9.5", "late fix", False)
    assert older.value.errors[0].code == "release_not_newer"
    with pytest.raises(ValidationFailed):
        await c.releases.publish(STAFF, "terminal", "0.10", "same as 0.10.0", False)
    assert [r.version for r in await c.releases.list("terminal")] == ["0.10.0", "0.10.0-rc.1", "0.9.0"]
    newest = await c.releases.newest("terminal")
    assert newest is not None and (newest.version, newest.mandatory) == ("0.10.0", True)
    assert await c.releases.newest("web") is None
    async with c.deps.uow() as uow:
        actions = list(await uow.session.scalars(select(AuditRecord.action)))
    assert actions.count("release.publish") == 3


async def test_the_web_client_is_offered_the_newest_web_release(container: Container) -> None:
    c = container
    # Nothing published: the version the server ships is current.
    assert await c.releases.web_offer(__version__) == {
        "version": __version__,
        "notes": "",
        "mandatory": False,
        "update": False,
    }
    with pytest.raises(ValidationFailed):
        await c.releases.publish(STAFF, "web", __version__, "not newer than what is shipped", False)
    await c.releases.publish(STAFF, "web", "9.1.0", "Optional polish", False)
    offer = await c.releases.web_offer(__version__)
    assert offer == {"version": "9.1.0", "notes": "Optional polish", "mandatory": False, "update": True}
    await c.releases.publish(STAFF, "web", "9.2.0", "Security fix", True)
    offer = await c.releases.web_offer("9.1.0")
    assert (offer["version"], offer["mandatory"], offer["update"]) == ("9.2.0", True, True)
    assert (await c.releases.web_offer("9.2.0"))["update"] is False
    # A client that reports nothing is told the version but not asked to update.
    assert (await c.releases.web_offer(""))["update"] is False


async def test_the_signaling_welcome_tells_the_web_client_its_release(container: Container) -> None:
    """docs/signaling.md: ``hello.client.version`` in, ``welcome.client_release`` out."""
    c = container
    await c.releases.publish(STAFF, "web", "9.0.0", "New call screen", True)
    sub = await subscriber(c)
    async with serve(create_app(c, manage_lifecycle=False)) as host:
        old = await Device.open(host, sub.token, "web-old-0001", hello=False)
        await old.send(
            {"type": "hello", "protocol": 1, "device_id": "web-old-0001", "client": {"kind": "web", "version": "0.1.0"}}
        )
        welcome = await old.expect("welcome")
        assert welcome["client_release"] == {
            "version": "9.0.0",
            "notes": "New call screen",
            "mandatory": True,
            "update": True,
        }
        await old.close()
        current = await Device.open(host, sub.token, "web-new-0001", hello=False)
        await current.send(
            {"type": "hello", "protocol": 1, "device_id": "web-new-0001", "client": {"kind": "web", "version": "9.0.0"}}
        )
        assert (await current.expect("welcome"))["client_release"]["update"] is False
        await current.close()
