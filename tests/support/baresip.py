"""A headless baresip as a SIP video phone for tests (issue 16), driven over its ``ctrl_tcp`` module.

The phone sends a fake camera (``fakevideo``) in VP8 and a sine tone in opus/PCMA, and shows what it
receives on the fake display; its events (``CALL_INCOMING``, ``CALL_ESTABLISHED``, ``CALL_CLOSED`` …)
and the answers to commands (``dial``, ``accept``, ``hangup``) come over one TCP connection as
netstrings of JSON.  Runs in whatever network namespace the thread that starts it is in.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MODULES = (
    "stdio.so",  # none: keeps baresip quiet on a pipe
    "g711.so",
    "opus.so",
    "ausine.so",
    "aufile.so",
    "fakevideo.so",
    "vp8.so",
    "avcodec.so",
)
APPS = ("account.so", "menu.so", "ctrl_tcp.so")
# "video           Transmit:     Receive:" then "packets:            412          398"
_STATS = re.compile(r"^(audio|video)\s+Transmit:\s+Receive:\s*\n\s*packets:\s+(\d+)\s+(\d+)", re.MULTILINE)


@dataclass
class Baresip:
    home: Path
    user: str
    password: str
    domain: str
    edge: tuple[str, int]
    control_port: int
    process: subprocess.Popen[bytes] | None = None
    sock: socket.socket | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    _buffer: bytes = b""

    def start(self, register: bool = True) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        regint = 600 if register else 0
        (self.home / "accounts").write_text(
            f"<sip:{self.user}@{self.domain};transport=udp>;auth_pass={self.password};"
            f'outbound="sip:{self.edge[0]}:{self.edge[1]}";regint={regint};'
            "audio_codecs=opus/48000/2,PCMA,PCMU;video_codecs=VP8,H264\n"
        )
        modules = "".join(f"module\t{m}\n" for m in MODULES if m != "stdio.so")
        (self.home / "config").write_text(
            "sip_listen\t127.0.0.1:0\n"
            "net_interface\t127.0.0.1\n"
            "module_path\t/usr/lib/baresip/modules\n"
            f"{modules}"
            "module_app\taccount.so\nmodule_app\tmenu.so\nmodule_app\tctrl_tcp.so\n"
            f"ctrl_tcp_listen\t127.0.0.1:{self.control_port}\n"
            "audio_source\tausine,440\n"
            "audio_player\taufile,/dev/null\n"
            "video_source\tfakevideo,nil\n"
            "video_display\tfakevideo,nil\n"
            "video_size\t320x240\nvideo_fps\t15\nvideo_bitrate\t300000\n"
            "rtp_stats\tyes\n"
        )
        (self.home / "contacts").write_text("")
        self.process = subprocess.Popen(
            ["baresip", "-4", "-f", str(self.home)],
            stdout=open(self.home / "baresip.log", "wb"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.control_port), timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"baresip did not start: {self.log()}")
        self.sock.settimeout(0.2)
        if register:  # the REGISTER may be answered before the control connection is up: read the log
            deadline = time.monotonic() + 15
            while "binding]" not in self.log():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"baresip did not register: {self.log()}")
                time.sleep(0.1)

    def log(self) -> str:
        return self.full_log()[-4000:]

    def full_log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.home / "baresip.log").read_text(errors="replace")
        return ""

    def log_mark(self) -> int:
        """Where the log ends now: pass it to ``wait_log``/``rtp_stats`` to read only what comes after."""
        return len(self.full_log())

    def wait_log(self, text: str, timeout: float = 10.0, since: int = 0) -> float:
        """Wait until ``text`` appears in the log after ``since``; the monotonic time it was seen."""
        deadline = time.monotonic() + timeout
        while text not in self.full_log()[since:]:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.user}: no {text!r} in the log within {timeout}s\n{self.log()}")
            time.sleep(0.02)
        return time.monotonic()

    def rtp_stats(self, since: int = 0) -> dict[str, dict[str, int]]:
        """The RTP statistics baresip prints when a call ends (``rtp_stats yes``), per media:
        ``{"video": {"tx_packets": …, "rx_packets": …}, …}``; the last call's after ``since``."""
        found: dict[str, dict[str, int]] = {}
        for media, tx, rx in _STATS.findall(self.full_log()[since:]):
            found[media] = {"tx_packets": int(tx), "rx_packets": int(rx)}
        return found

    def stop(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()

    # -- control ----------------------------------------------------------------------------------------
    def command(self, name: str, params: str = "") -> None:
        assert self.sock is not None
        body = json.dumps({"command": name, "params": params, "token": name}).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body + b",")

    def _read(self) -> None:
        assert self.sock is not None
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return
        except OSError:
            return
        self._buffer += data
        while True:
            length, colon, rest = self._buffer.partition(b":")
            if not colon or not length.isdigit() or len(rest) < int(length) + 1:
                return
            size = int(length)
            with contextlib.suppress(ValueError):
                message = json.loads(rest[:size])
                message["_at"] = time.monotonic()  # when it arrived (event_times)
                if message.get("event"):
                    self.events.append(message)
            self._buffer = rest[size + 1 :]

    def wait_event(self, kind: str, timeout: float = 10.0, since: int = 0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events[since:]:
                if event.get("type") == kind:
                    return event
            if time.monotonic() > deadline:
                seen = [e.get("type") for e in self.events]
                raise AssertionError(f"{self.user}: no {kind} within {timeout}s; events {seen}\n{self.log()}")
            self._read()

    def event_times(self, kind: str) -> list[float]:
        return [float(e.get("_at", 0)) for e in self.events if e.get("type") == kind]

    def dial(self, number: str) -> int:
        """Call a number; the index of the events from here on."""
        mark = len(self.events)
        self.command("dial", f"sip:{number}@{self.domain}")
        return mark

    def accept(self) -> None:
        self.command("accept")

    def hangup(self) -> None:
        self.command("hangup")
