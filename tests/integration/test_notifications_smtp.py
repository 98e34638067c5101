"""Email notifications end to end through a real SMTP server (aiosmtpd on a local port) and
``adapters.mail.SmtpMailer`` (R-24, R-35): committed → delivered; server down → retried with back-off,
then delivered; rolled back → no notification and no outbox row."""

from __future__ import annotations

import dataclasses
import email
import socket
from collections.abc import Iterator
from datetime import timedelta
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tests.integration.test_billing import subscriber as new_subscriber
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import Notification, OutboxMessage
from videophone.adapters.mail import SmtpMailer
from videophone.adapters.sms import MemorySmsSender
from videophone.bootstrap import Container
from videophone.notices.services import notifications


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def subject(msg: Message) -> str:
    return str(make_header(decode_header(msg["Subject"])))


def body(msg: Message) -> str:
    part = msg.get_payload(decode=True) if not msg.is_multipart() else msg.get_payload(0).get_payload(decode=True)  # type: ignore[union-attr]
    assert isinstance(part, bytes)
    return part.decode("utf-8")


def use_mailer(c: Container, mailer: SmtpMailer) -> None:
    # SMS copies (suspension/restoration go by SMS too, R-35 preferences) go to a memory sender.
    c.notifications.deps = dataclasses.replace(c.deps, mailer=mailer, sms=MemorySmsSender())


async def counts(c: Container) -> tuple[int, int]:
    async with c.deps.uow() as uow:
        n = await uow.session.scalar(select(func.count()).select_from(Notification))
        o = await uow.session.scalar(select(func.count()).select_from(OutboxMessage))
    return int(n or 0), int(o or 0)


async def test_committed_notification_is_delivered_by_smtp(
    container: Container, clock: FakeClock, smtp: tuple[Controller, Inbox]
) -> None:
    c = container
    controller, inbox = smtp
    use_mailer(c, SmtpMailer("127.0.0.1", controller.port, "noreply@videophone.test"))
    sub = await new_subscriber(c)
    params = {"due_date": "2026-11-16", "months": 1, "overdue": "31.54"}
    async with c.deps.uow() as uow:
        await notifications.notify(uow, clock.now(), sub.id, "service_suspended_arrears", params)
        await uow.commit()
    assert await c.notifications.deliver_due() == {"sent": 2, "retry": 0, "failed": 0}  # email and SMS
    [msg] = inbox.messages
    assert msg["To"] == sub.email
    assert subject(msg) == "因欠费，服务已中止"
    assert "31.54" in body(msg) and "2026-11-16" in body(msg)
    assert await c.notifications.deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(inbox.messages) == 1


async def test_server_down_is_retried_with_back_off_then_delivered(
    container: Container, clock: FakeClock, smtp: tuple[Controller, Inbox]
) -> None:
    c = container
    controller, inbox = smtp
    dead = free_port()  # nothing listens there
    use_mailer(c, SmtpMailer("127.0.0.1", dead, "noreply@videophone.test"))
    sub = await new_subscriber(c)
    async with c.deps.uow() as uow:
        await notifications.notify(uow, clock.now(), sub.id, "service_restored", {"reason": "arrears"})
        await uow.commit()
    assert await c.notifications.deliver_due() == {"sent": 1, "retry": 1, "failed": 0}  # the SMS went
    async with c.deps.uow() as uow:
        row = await uow.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "email"))
        assert row is not None
        assert (row.state, row.attempts) == ("pending", 1) and row.last_error
        assert row.next_attempt_at == clock.now() + timedelta(seconds=notifications.BACKOFF[0])
    # Not due yet: nothing is tried even though the server is back.
    use_mailer(c, SmtpMailer("127.0.0.1", controller.port, "noreply@videophone.test"))
    assert await c.notifications.deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    clock.advance(timedelta(seconds=notifications.BACKOFF[0]))
    assert await c.notifications.deliver_due() == {"sent": 1, "retry": 0, "failed": 0}
    [msg] = inbox.messages
    assert subject(msg) == "服务已恢复"


async def test_rolled_back_transaction_leaves_no_notification_nor_outbox_row(
    container: Container, clock: FakeClock, smtp: tuple[Controller, Inbox]
) -> None:
    c = container
    controller, inbox = smtp
    use_mailer(c, SmtpMailer("127.0.0.1", controller.port, "noreply@videophone.test"))
    sub = await new_subscriber(c)
    with pytest.raises(RuntimeError):
        async with c.deps.uow() as uow:
            await notifications.notify(uow, clock.now(), sub.id, "service_restored", {"reason": "arrears"})
            raise RuntimeError("the cause failed")
    assert await counts(c) == (0, 0)
    assert await c.notifications.deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert inbox.messages == []
