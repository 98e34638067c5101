"""Outgoing email: SMTP in production, files in demo mode, memory in tests."""

from __future__ import annotations

import asyncio
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


def _message(mail: Mail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "videophone.local")
    msg.set_content(mail.body)
    return msg


class SmtpMailer:
    def __init__(
        self, host: str, port: int, sender: str, *, username: str = "", password: str = "", starttls: bool = False
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls = username, password, starttls

    def _send_sync(self, mail: Mail) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=15) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(_message(mail, self.sender))

    async def send(self, mail: Mail) -> None:
        await asyncio.to_thread(self._send_sync, mail)


class FileMailer:
    """Demo mode without SMTP: each mail is written as an .eml file an operator can open."""

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory, self.sender = directory, sender
        self._count = 0

    async def send(self, mail: Mail) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        msg = _message(mail, self.sender)
        name = (msg["Message-ID"] or "mail").strip("<>").replace("/", "_") + ".eml"
        await asyncio.to_thread((self.directory / name).write_bytes, bytes(msg))


class MemoryMailer:
    def __init__(self) -> None:
        self.sent: list[Mail] = []

    async def send(self, mail: Mail) -> None:
        self.sent.append(mail)
