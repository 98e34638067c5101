"""Login throttling that cannot be raced and gives an attacker no lock-out switch (R-05, R-54
item 4), through the services, on SQLite and PostgreSQL.  A counting hasher tells how many passwords
were actually checked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, person
from tests.support.counting_hasher import CountingHasher, counting_container
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import LoginThrottle
from videophone.adapters.mail import MemoryMailer
from videophone.bootstrap import Container
from videophone.common.deps import Actor
from videophone.identity.services.subscribers import RequestInfo
from videophone.kernel.errors import NotAuthenticated, Throttled

ATTACKER, OWNER = "198.51.100.7", "203.0.113.20"
WRONG = "Wr0ng-Guess-Passw0rd"


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
async def container(
    database_url: str, clock: FakeClock, tmp_path: Path, mailer: MemoryMailer, hasher: CountingHasher
) -> AsyncIterator[Container]:
    async for c in counting_container(database_url, clock, tmp_path, mailer, hasher):
        yield c


async def outcome(attempt: asyncio.Future[object] | object) -> str:
    try:
        await attempt  # type: ignore[misc]
    except NotAuthenticated:
        return "wrong"
    except Throttled:
        return "throttled"
    return "ok"


async def test_a_hundred_wrong_passwords_at_once_check_three(container: Container, hasher: CountingHasher) -> None:
    view = await container.subscribers.register(person(), RequestInfo())
    results = await asyncio.gather(
        *(outcome(container.auth.login_subscriber(view.number, WRONG, ip=ATTACKER, user_agent="")) for _ in range(100))
    )
    assert hasher.verified == 3
    assert sorted(results) == ["throttled"] * 97 + ["wrong"] * 3
    # The owner, from their own address, logs in at once; from the attacker's they would wait 1 s.
    assert (await container.auth.login_subscriber(view.number, PASSWORD, ip=OWNER, user_agent="")).token
    with pytest.raises(Throttled) as err:
        await container.auth.login_subscriber(view.number, PASSWORD, ip=ATTACKER, user_agent="")
    assert err.value.params["retry_after"] == 1


async def test_unknown_accounts_and_staff_are_throttled_alike(container: Container, hasher: CountingHasher) -> None:
    await container.staff.create(Actor.system(), "operator7", "Operator", "Tr4in-Lamp-Mosaic-91", ["support"])
    attempts = [container.auth.login_staff("operator7", WRONG, ip=ATTACKER, user_agent="") for _ in range(50)]
    attempts += [
        container.auth.login_subscriber("Ghost@Example.com", WRONG, ip=ATTACKER, user_agent="") for _ in range(50)
    ]
    results = await asyncio.gather(*(outcome(a) for a in attempts))
    assert hasher.verified == 6 and results.count("wrong") == 6
    assert (await container.auth.login_staff("operator7", "Tr4in-Lamp-Mosaic-91", ip=OWNER, user_agent="")).token


async def test_delays_double_and_retry_after_says_how_long(container: Container, clock: FakeClock) -> None:
    view = await container.subscribers.register(person(), RequestInfo())

    async def attempt(password: str = WRONG) -> str:
        return await outcome(container.auth.login_subscriber(view.number, password, ip=ATTACKER, user_agent=""))

    assert [await attempt() for _ in range(3)] == ["wrong"] * 3
    for delay in (1, 2, 4, 8):
        with pytest.raises(Throttled) as err:
            await container.auth.login_subscriber(view.number, WRONG, ip=ATTACKER, user_agent="")
        assert err.value.params["retry_after"] == delay
        clock.advance(timedelta(seconds=delay - 0.5))
        with pytest.raises(Throttled) as err:
            await container.auth.login_subscriber(view.number, WRONG, ip=ATTACKER, user_agent="")
        assert err.value.params["retry_after"] == 1  # 0.5 s left, rounded up
        clock.advance(timedelta(seconds=0.5))
        assert await attempt() == "wrong"
    # The delay tops out at 15 minutes.
    for _ in range(12):
        clock.advance(timedelta(seconds=900))
        assert await attempt() == "wrong"
    with pytest.raises(Throttled) as err:
        await container.auth.login_subscriber(view.number, PASSWORD, ip=ATTACKER, user_agent="")
    assert err.value.params["retry_after"] == 900
    # A success after the wait starts the account and address afresh: three free attempts again.
    clock.advance(timedelta(seconds=900))
    assert await attempt(PASSWORD) == "ok"
    assert [await attempt() for _ in range(4)] == ["wrong"] * 3 + ["throttled"]


async def test_the_owner_is_never_locked_out_by_an_attacker(container: Container, clock: FakeClock) -> None:
    view = await container.subscribers.register(person(), RequestInfo())
    for i in range(20):  # a patient attacker on many addresses, waiting out every delay
        ip = f"198.51.100.{i}"
        for _ in range(10):
            await outcome(container.auth.login_subscriber(view.number, WRONG, ip=ip, user_agent=""))
            clock.advance(timedelta(seconds=1))
    assert (await container.auth.login_subscriber(view.number, PASSWORD, ip=OWNER, user_agent="")).token


async def test_one_address_is_locked_out_across_accounts(container: Container, hasher: CountingHasher) -> None:
    view = await container.subscribers.register(person(), RequestInfo())
    results = await asyncio.gather(
        *(
            outcome(container.auth.login_subscriber(f"nobody{i}@example.com", WRONG, ip=ATTACKER, user_agent=""))
            for i in range(100)
        )
    )
    assert hasher.verified == 30 and results.count("wrong") == 30
    # Locked out for 15 minutes, whichever account and even with the right password …
    with pytest.raises(Throttled) as err:
        await container.auth.login_subscriber(view.number, PASSWORD, ip=ATTACKER, user_agent="")
    assert err.value.params["retry_after"] == 900
    with pytest.raises(Throttled):
        await container.auth.login_staff("admin", WRONG, ip=ATTACKER, user_agent="")
    # … and only that address.
    assert (await container.auth.login_subscriber(view.number, PASSWORD, ip=OWNER, user_agent="")).token


async def test_successful_logins_do_not_count_toward_an_address(container: Container) -> None:
    """Many subscribers behind one address (an office, carrier NAT) are not locked out by logging in."""
    views = [await container.subscribers.register(person(), RequestInfo()) for _ in range(4)]
    for _ in range(10):
        for v in views:
            assert (await container.auth.login_subscriber(v.number, PASSWORD, ip=ATTACKER, user_agent="")).token
    for i in range(29):
        with pytest.raises(NotAuthenticated):
            await container.auth.login_subscriber(f"nobody{i}@example.com", WRONG, ip=ATTACKER, user_agent="")
    assert (await container.auth.login_subscriber(views[0].number, PASSWORD, ip=ATTACKER, user_agent="")).token


async def test_reset_requests_at_once_send_three_mails(container: Container, mailer: MemoryMailer) -> None:
    view = await container.subscribers.register(person(), RequestInfo())
    results = await asyncio.gather(
        *(outcome(container.auth.request_password_reset(view.number, ip=ATTACKER)) for _ in range(30))
    )
    assert len(mailer.sent) == 3 and results.count("throttled") == 27


async def test_a_new_password_ends_the_accounts_delays_and_old_rows_are_purged(
    container: Container, clock: FakeClock, mailer: MemoryMailer
) -> None:
    view = await container.subscribers.register(person(), RequestInfo())
    for _ in range(4):
        await outcome(container.auth.login_subscriber(view.number, WRONG, ip=OWNER, user_agent=""))
    await container.auth.request_password_reset(view.number, ip=OWNER)
    token = mailer.sent[0].body.split("token=")[1].split()[0]
    await container.auth.reset_password(token, "Brand-New-Passw0rd", ip=OWNER)
    assert (await container.auth.login_subscriber(view.number, "Brand-New-Passw0rd", ip=OWNER, user_agent="")).token

    async def rows() -> int:
        async with container.deps.uow() as uow:
            return int(await uow.session.scalar(select(func.count()).select_from(LoginThrottle)) or 0)

    assert await rows() > 0  # the address's count, the reset's counts
    clock.advance(timedelta(hours=1))
    await container.auth.purge_expired()
    assert await rows() > 0  # within the longest window (a day) rows are kept
    clock.advance(timedelta(days=1))
    await container.auth.purge_expired()
    assert await rows() == 0
