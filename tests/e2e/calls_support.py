"""Helpers for browser tests of real WebRTC calls that must stay on loopback.

Two set-ups keep media and ICE checks off the machine's real network interface:

* ``NetnsApp``: a private network namespace that has only ``lo``.  ``videophone serve`` runs inside it and
  Chromium is started inside it through a tiny wrapper script given to Playwright as ``executable_path``
  (Playwright talks to Chromium over pipes, so it needs no network).  The test process cannot reach the
  server, so all set-up goes through the pages (``page_api`` runs ``fetch`` inside the page).
* ``TurnServer``: coturn on 127.0.0.1 with ``use-auth-secret``; the server hands out credentials for it and
  the pages force ``iceTransportPolicy: "relay"`` (``/phone?relay=1``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.server import CHROMIUM, CHROMIUM_ARGS, free_port, videophone_command

MEDIA_ARGS = [
    "--allow-loopback-in-peer-connection",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
TURNSERVER = Path("/usr/bin/turnserver")


# -- network namespace ------------------------------------------------------------------------------------
def create_netns() -> tuple[str | None, str]:
    """A fresh namespace with only ``lo`` up; (name, "") or (None, why not)."""
    if shutil.which("ip") is None:
        return None, "the `ip` tool (iproute2) is not installed"
    name = "vp-e2e-" + secrets.token_hex(4)
    done = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if done.returncode != 0:
        return None, f"cannot create a network namespace (needs root): {done.stderr.strip()}"
    up = subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], capture_output=True, text=True)
    if up.returncode != 0:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
        return None, f"cannot bring up lo in the namespace: {up.stderr.strip()}"
    return name, ""


def delete_netns(name: str) -> None:
    subprocess.run(["ip", "netns", "del", name], capture_output=True)


CLONE_NEWNET = 0x40000000


@contextlib.contextmanager
def in_netns(name: str) -> Iterator[None]:
    """This thread inside namespace ``name`` for a moment: a socket made meanwhile (a test's own
    server) lives there, reachable by the app in it, and stays there after the thread comes back."""
    libc = ctypes.CDLL(None, use_errno=True)
    with open("/proc/thread-self/ns/net") as home, open(f"/run/netns/{name}") as target:
        if libc.setns(target.fileno(), CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns into the test namespace")
        try:
            yield
        finally:
            if libc.setns(home.fileno(), CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back home")


@dataclass
class NetnsApp:
    """``videophone serve`` (with demo data) inside a loopback-only namespace, plus a Chromium wrapper."""

    netns: str
    workdir: Path
    base_url: str = ""
    chromium: Path = field(default_factory=Path)
    process: subprocess.Popen[bytes] | None = None

    def _exec(self, *command: str) -> list[str]:
        return ["ip", "netns", "exec", self.netns, *command]

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        # Demo mode is off unless asked for (issue 17): the demo data needs it.
        env = {
            **os.environ,
            "VIDEOPHONE_DEMO": "true",
            "VIDEOPHONE_DATA_DIR": str(self.workdir / "var"),
            **(extra_env or {}),
        }
        env.pop("VIDEOPHONE_DATABASE_URL", None)
        command = videophone_command()
        subprocess.run(
            self._exec(*command, "demo"), cwd=self.workdir, env=env, check=True, capture_output=True, timeout=180
        )
        port = free_port()  # any port is free in a brand-new namespace; this one is simply unprivileged
        self.base_url = f"http://127.0.0.1:{port}"
        log = open(self.workdir / "serve.log", "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            self._exec(*command, "serve", "--host", "127.0.0.1", "--port", str(port)),
            cwd=self.workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._wait_healthy()
        self.chromium = self.workdir / "chromium-in-netns.sh"
        self.chromium.write_text(f'#!/bin/sh\nexec ip netns exec {self.netns} {CHROMIUM} "$@"\n')
        self.chromium.chmod(0o755)

    def _wait_healthy(self, timeout: float = 60.0) -> None:
        probe = (
            "import sys, urllib.request\n"
            "try:\n"
            "    urllib.request.urlopen(sys.argv[1] + '/api/v1/health', timeout=2)\n"
            "except Exception:\n"
            "    sys.exit(1)\n"
        )
        deadline = time.monotonic() + timeout
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"videophone serve (netns) exited with {self.process.returncode}")
            if subprocess.run(self._exec(sys.executable, "-c", probe, self.base_url)).returncode == 0:
                return
            time.sleep(0.3)
        raise RuntimeError("videophone serve (netns) did not become healthy in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def launch_media_browser(browser_type: Any, executable: Path) -> Any:
    """Headless Chromium with a fake camera and microphone that may use loopback for WebRTC."""
    return browser_type.launch(executable_path=str(executable), headless=True, args=[*CHROMIUM_ARGS, *MEDIA_ARGS])


# -- coturn -----------------------------------------------------------------------------------------------
def free_udp_range(size: int = 40) -> tuple[int, int]:
    """A run of ports whose first one is free for UDP now (coturn copes with later collisions)."""
    for _ in range(50):
        start = secrets.randbelow(20000) + 30000
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", start))
            except OSError:
                continue
        return start, start + size - 1
    raise RuntimeError("no free UDP port range")


@dataclass
class TurnServer:
    workdir: Path
    secret: str = field(default_factory=lambda: secrets.token_hex(16))
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"turn:127.0.0.1:{self.port}?transport=udp"

    def start(self) -> None:
        self.port = free_port()
        low, high = free_udp_range()
        log = open(self.workdir / "turnserver.log", "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                str(TURNSERVER),
                "-n",
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                f"--listening-port={self.port}",
                f"--min-port={low}",
                f"--max-port={high}",
                "--allow-loopback-peers",
                "--use-auth-secret",
                f"--static-auth-secret={self.secret}",
                "--realm=videophone.test",
                "--no-cli",
                "--no-tls",
                "--no-dtls",
                "--no-multicast-peers",
                "--log-file=stdout",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"turnserver exited with {self.process.returncode}")
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:  # coturn listens on TCP too
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("turnserver did not start listening")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


# -- page helpers -----------------------------------------------------------------------------------------
_FETCH = """async ([method, url, body, staff]) => {
  const name = staff ? "vp_staff_csrf" : "vp_csrf";
  const part = document.cookie.split("; ").find((p) => p.startsWith(name + "="));
  const headers = {Accept: "application/json"};
  if (method !== "GET" && part) headers["X-CSRF-Token"] = decodeURIComponent(part.slice(name.length + 1));
  if (body !== null) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {method, headers, credentials: "same-origin",
                                     body: body === null ? undefined : JSON.stringify(body)});
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
  return {status: response.status, data};
}"""


def page_api(page: Any, method: str, url: str, body: Any = None, *, staff: bool = False) -> tuple[int, Any]:
    """Call the API from inside the page (same origin, its cookies and CSRF token)."""
    result = page.evaluate(_FETCH, [method, url, body, staff])
    return int(result["status"]), result["data"]


_MEDIA = """async () => {
  const pc = window.VP && window.VP.phone && window.VP.phone.pc;
  if (!pc || pc.connectionState === "closed") return null;
  const report = await pc.getStats();
  const out = {video_frames_decoded: 0, audio_packets_received: 0, local_type: null, remote_type: null,
               local_address: null, remote_address: null};
  const byId = new Map();
  report.forEach((s) => byId.set(s.id, s));
  report.forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") out.video_frames_decoded += s.framesDecoded || 0;
    if (s.type === "inbound-rtp" && s.kind === "audio") out.audio_packets_received += s.packetsReceived || 0;
    if (s.type === "transport" && s.selectedCandidatePairId) {
      const pair = byId.get(s.selectedCandidatePairId);
      const local = pair && byId.get(pair.localCandidateId);
      const remote = pair && byId.get(pair.remoteCandidateId);
      if (local) { out.local_type = local.candidateType; out.local_address = local.address || local.ip; }
      if (remote) { out.remote_type = remote.candidateType; out.remote_address = remote.address || remote.ip; }
    }
  });
  return out;
}"""


def media_stats(page: Any) -> dict[str, Any] | None:
    result: dict[str, Any] | None = page.evaluate(_MEDIA)
    return result


def wait_media_flowing(page: Any, timeout: float = 20.0) -> dict[str, Any]:
    """Poll the page's RTCPeerConnection until video frames are decoded and audio packets arrive."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        last = media_stats(page)
        if last and last["video_frames_decoded"] > 0 and last["audio_packets_received"] > 0 and last["local_type"]:
            return last
        time.sleep(0.3)
    raise AssertionError(f"media did not flow within {timeout}s: {last}")


def open_phone(page: Any, query: str = "") -> str:
    """Go to /phone, wait for the signaling connection; returns the subscriber's number."""
    page.goto("/phone" + query)
    page.locator('[data-testid="connection"][data-state="online"]').wait_for()
    number = str(page.get_by_test_id("my-number").inner_text()).strip()
    assert number.isdigit(), number
    return number


def status(page: Any) -> tuple[str | None, str | None]:
    node = page.get_by_test_id("call-status")
    return node.get_attribute("data-state"), node.get_attribute("data-reason")


def wait_state(page: Any, state: str, reason: str | None = None, timeout: float = 15_000) -> None:
    selector = f'[data-testid="call-status"][data-state="{state}"]'
    if reason is not None:
        selector += f'[data-reason="{reason}"]'
    page.locator(selector).wait_for(state="attached", timeout=timeout)


def call_id(page: Any) -> str:
    value: str = page.evaluate("() => window.VP.phone.call && window.VP.phone.call.id")
    return value


def dial(page: Any, number: str) -> None:
    page.get_by_test_id("dial-number").fill(number)
    page.get_by_test_id("call-button").click()
