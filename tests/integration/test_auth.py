"""Login, sessions and throttling on SQLite and PostgreSQL (more throttling: test_login_throttling.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import PASSWORD, person
from videophone.adapters.clock import FakeClock
from videophone.bootstrap import Container
from videophone.identity.services.subscribers import RequestInfo
from videophone.kernel.errors import NotAuthenticated, NotFound, Throttled, ValidationFailed


async def test_login_by_number_or_email_and_logout(container: Container) -> None:
    view = await container.subscribers.register(person(email="a@example.com"), RequestInfo())
    by_number = await container.auth.login_subscriber(view.number, PASSWORD, ip="1.1.1.1", user_agent="ua")
    by_email = await container.auth.login_subscriber("A@example.com", PASSWORD, ip="1.1.1.1", user_agent="ua")
    principal = await container.auth.authenticate(by_number.token)
    assert (principal.type, principal.id) == ("subscriber", view.id)
    sessions = await container.auth.sessions(principal)
    assert len(sessions) == 2 and sum(s.current for s in sessions) == 1
    await container.auth.logout(principal)
    with pytest.raises(NotAuthenticated):
        await container.auth.authenticate(by_number.token)
    assert (await container.auth.authenticate(by_email.token)).id == view.id


async def test_throttling_per_ip(container: Container) -> None:
    for i in range(30):
        with pytest.raises(NotAuthenticated):
            await container.auth.login_subscriber(f"nobody{i}@example.com", "x", ip="9.9.9.9", user_agent="")
    with pytest.raises(Throttled):
        await container.auth.login_subscriber("someone@example.com", "x", ip="9.9.9.9", user_agent="")


async def test_sessions_expire(container: Container, clock: FakeClock) -> None:
    view = await container.subscribers.register(person(), RequestInfo())
    issued = await container.auth.login_subscriber(view.number, PASSWORD, ip="", user_agent="")
    clock.advance(timedelta(days=31))
    with pytest.raises(NotAuthenticated):
        await container.auth.authenticate(issued.token)


async def test_password_change_ends_other_sessions(container: Container) -> None:
    view = await container.subscribers.register(person(), RequestInfo())
    here = await container.auth.login_subscriber(view.number, PASSWORD, ip="", user_agent="")
    there = await container.auth.login_subscriber(view.number, PASSWORD, ip="", user_agent="")
    principal = await container.auth.authenticate(here.token)
    with pytest.raises(ValidationFailed) as err:
        await container.auth.change_password(principal, "wrong", "New-Passw0rd-1", "")
    assert err.value.errors[0].code == "password_wrong"
    with pytest.raises(ValidationFailed) as err:
        await container.auth.change_password(principal, PASSWORD, "weak", "")
    assert err.value.errors[0].code == "password_too_short"
    await container.auth.change_password(principal, PASSWORD, "New-Passw0rd-1", "")
    assert (await container.auth.authenticate(here.token)).id == view.id
    with pytest.raises(NotAuthenticated):
        await container.auth.authenticate(there.token)
    with pytest.raises(NotAuthenticated):
        await container.auth.login_subscriber(view.number, PASSWORD, ip="", user_agent="")
    assert await container.auth.login_subscriber(view.number, "New-Passw0rd-1", ip="", user_agent="")


async def test_a_subscriber_cannot_revoke_someone_elses_session(container: Container) -> None:
    a = await container.subscribers.register(person(), RequestInfo())
    b = await container.subscribers.register(person(), RequestInfo())
    a_session = await container.auth.login_subscriber(a.number, PASSWORD, ip="", user_agent="")
    b_session = await container.auth.login_subscriber(b.number, PASSWORD, ip="", user_agent="")
    b_principal = await container.auth.authenticate(b_session.token)
    a_principal = await container.auth.authenticate(a_session.token)
    with pytest.raises(NotFound):
        await container.auth.revoke(b_principal, a_principal.session_id)
    assert (await container.auth.authenticate(a_session.token)).id == a.id
