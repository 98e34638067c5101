"""The outbox survives process deaths (R-35), on SQLite and PostgreSQL, with real processes:

* a process commits a notification (in the transaction of its cause) and is SIGKILLed before it
  delivers it; a new process (`videophone jobs run deliver-notifications`) delivers it exactly once to a
  real SMTP server (aiosmtpd), and its SMS copy to the demo SMS file, once;
* a delivery worker claims a row and dies in the middle of sending (SIGKILL while the SMTP server has
  not even greeted it): the row is not lost — nobody takes it while the claim holds, and once the claim
  expires (the clock file moves every process past it) the next run delivers it exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.conftest import TEST_KEY
from tests.integration.test_billing import subscriber as new_subscriber
from tests.integration.test_notifications_smtp import Inbox, free_port, subject
from tests.support.server import videophone_command
from videophone.adapters.clock import FakeClock
from videophone.adapters.db.models import OutboxMessage
from videophone.bootstrap import Container
from videophone.jobs.scheduler import LEASE_SECONDS
from videophone.notices.services import notifications

NOTIFY_AND_HANG = """
import asyncio, sys
from videophone.bootstrap import build
from videophone.config import Settings
from videophone.notices.services import notifications

async def main() -> None:
    c = build(Settings())
    async with c.deps.uow() as uow:
        await notifications.notify(uow, c.deps.clock.now(), int(sys.argv[1]), "service_restored", {"reason": "arrears"})
        await uow.commit()
    print("committed", flush=True)
    await asyncio.sleep(120)  # killed here, before any delivery

asyncio.run(main())
"""


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def env_for(database_url: str, data_dir: Path, smtp_port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "VIDEOPHONE_DATABASE_URL": database_url,
        "VIDEOPHONE_DEMO": "true",
        "VIDEOPHONE_DATA_DIR": str(data_dir),
        "VIDEOPHONE_DATA_KEY": TEST_KEY,
        "VIDEOPHONE_SMTP_HOST": "127.0.0.1",
        "VIDEOPHONE_SMTP_PORT": str(smtp_port),
        **extra,
    }


def spawn(command: list[str], env: dict[str, str], out: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, stdout=out, stderr=out)


def deliver(env: dict[str, str]) -> str:
    done = subprocess.run(
        [*videophone_command(), "jobs", "run", "deliver-notifications"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def rows(c: Container) -> list[OutboxMessage]:
    async with c.deps.uow() as uow:
        return list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def sms_lines(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / "sms" / "sms.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_killed_after_commit_then_a_new_process_delivers_exactly_once(
    container: Container, database_url: str, tmp_path: Path, smtp: tuple[Controller, Inbox]
) -> None:
    c = container
    controller, inbox = smtp
    sub = await new_subscriber(c)
    data_dir = tmp_path / "var"
    env = env_for(database_url, data_dir, controller.port)
    process = spawn([sys.executable, "-c", NOTIFY_AND_HANG, str(sub.id)], env, subprocess.PIPE)
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.strip() == b"committed", (line, process.stderr.read() if process.stderr else b"")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert [(r.channel, r.state, r.attempts) for r in await rows(c)] == [("email", "pending", 0), ("sms", "pending", 0)]
    assert inbox.messages == [] and sms_lines(data_dir) == []

    deliver(env)
    assert [(r.channel, r.state, r.attempts) for r in await rows(c)] == [("email", "sent", 1), ("sms", "sent", 1)]
    [mail] = inbox.messages
    assert mail["To"] == sub.email and subject(mail) == "服务已恢复"
    [sms] = sms_lines(data_dir)
    assert sms["text"].startswith("服务已恢复")
    deliver(env)  # again: nothing more
    assert len(inbox.messages) == 1 and len(sms_lines(data_dir)) == 1


async def test_a_claim_whose_worker_died_is_delivered_once_after_it_expires(
    container: Container, database_url: str, tmp_path: Path, clock: FakeClock, smtp: tuple[Controller, Inbox]
) -> None:
    c = container
    controller, inbox = smtp
    sub = await new_subscriber(c)
    async with c.deps.uow() as uow:  # email only (disputes: SMS off by default)
        await notifications.notify(uow, clock.now(), sub.id, "dispute_opened", {"dispute_id": 1, "bill_number": "B1"})
        await uow.commit()
    data_dir = tmp_path / "var"
    clock_file = tmp_path / "clock"
    # A "mail server" that accepts the connection and never answers: the worker hangs mid-send.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    silent.settimeout(60)
    try:
        hung_env = env_for(database_url, data_dir, silent.getsockname()[1], VIDEOPHONE_CLOCK_FILE=str(clock_file))
        worker = spawn([*videophone_command(), "jobs", "run", "deliver-notifications"], hung_env, subprocess.DEVNULL)
        conn, _ = silent.accept()  # the worker has claimed the row and is sending it
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        conn.close()
    finally:
        silent.close()
    [row] = await rows(c)
    assert (row.state, row.attempts) == ("pending", 0)
    lease_left = (row.next_attempt_at.timestamp() - time.time()) / notifications.CLAIM_SECONDS
    assert 0.5 < lease_left <= 1.0  # claimed for CLAIM_SECONDS from the worker's "now"

    env = env_for(database_url, data_dir, controller.port, VIDEOPHONE_CLOCK_FILE=str(clock_file))
    # The dead worker's job lease (jobs once per cluster) lapses first, its outbox claim later.
    clock_file.write_text(str(int(LEASE_SECONDS) + 5))
    deliver(env)  # the claim still holds: nobody sends it
    assert inbox.messages == []
    assert [(r.state, r.attempts) for r in await rows(c)] == [("pending", 0)]

    clock_file.write_text(str(notifications.CLAIM_SECONDS + 5))  # every process's clock moves past the claim
    deliver(env)
    [mail] = inbox.messages
    assert mail["To"] == sub.email
    assert [(r.state, r.attempts) for r in await rows(c)] == [("sent", 1)]
    deliver(env)
    assert len(inbox.messages) == 1
