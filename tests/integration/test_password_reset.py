"""Password reset by emailed one-time link (R-05), on SQLite and PostgreSQL, and real SMTP delivery."""

from __future__ import annotations

import asyncio
import re
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from tests.factories import PASSWORD, person
from videophone.adapters.clock import FakeClock
from videophone.adapters.mail import Mail, MemoryMailer, SmtpMailer
from videophone.bootstrap import Container
from videophone.identity.services.subscribers import RequestInfo
from videophone.kernel.errors import NotAuthenticated, Throttled, ValidationFailed


def token_from(mail: Mail) -> str:
    match = re.search(r"token=([\w-]+)", mail.body)
    assert match, mail.body
    return match.group(1)


async def test_reset_by_emailed_link(container: Container, mailer: MemoryMailer) -> None:
    view = await container.subscribers.register(person(email="r@example.com"), RequestInfo())
    old_session = await container.auth.login_subscriber(view.number, PASSWORD, ip="", user_agent="")
    await container.auth.request_password_reset(view.number, ip="1.2.3.4")
    assert [m.to for m in mailer.sent] == ["r@example.com"]
    assert view.number in mailer.sent[0].body and "/reset-password?token=" in mailer.sent[0].body
    token = token_from(mailer.sent[0])
    with pytest.raises(ValidationFailed) as err:
        await container.auth.reset_password(token, "weak", ip="")
    assert err.value.errors[0].field == "new_password"
    await container.auth.reset_password(token, "Brand-New-Passw0rd", ip="")
    with pytest.raises(NotAuthenticated):  # every session ended
        await container.auth.authenticate(old_session.token)
    assert await container.auth.login_subscriber(view.number, "Brand-New-Passw0rd", ip="", user_agent="")
    with pytest.raises(ValidationFailed) as err:  # once only
        await container.auth.reset_password(token, "Another-Passw0rd-2", ip="")
    assert err.value.errors[0].code == "reset_token_invalid"


async def test_unknown_accounts_get_the_same_answer_and_no_mail(container: Container, mailer: MemoryMailer) -> None:
    await container.auth.request_password_reset("nobody@example.com", ip="1.2.3.4")
    assert mailer.sent == []


async def test_links_expire_and_requests_are_throttled(
    container: Container, mailer: MemoryMailer, clock: FakeClock
) -> None:
    view = await container.subscribers.register(person(), RequestInfo())
    await container.auth.request_password_reset(view.number, ip="")
    clock.advance(timedelta(minutes=31))
    with pytest.raises(ValidationFailed):
        await container.auth.reset_password(token_from(mailer.sent[0]), "Brand-New-Passw0rd", ip="")
    for _ in range(3):  # three requests per window …
        await container.auth.request_password_reset(view.number, ip="")
    with pytest.raises(Throttled):  # … then "try again in N s"
        await container.auth.request_password_reset(view.number, ip="")


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(envelope.content)  # type: ignore[attr-defined]
        return "250 OK"


async def test_smtp_mailer_delivers_to_a_real_smtp_server() -> None:
    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await SmtpMailer("127.0.0.1", port, "noreply@videophone.test").send(
            Mail(to="li@example.com", subject="重置密码", body="链接：http://x/reset")
        )
        await asyncio.sleep(0.05)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    assert b"li@example.com" in inbox.messages[0]
