"""Start real `videophone serve` processes on loopback for browser tests, screenshots and benchmarks."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
DEMO_PASSWORD = "Demo-Passw0rd!"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def videophone_command() -> list[str]:
    """The venv's `videophone` script next to the interpreter, else the module."""
    script = Path(sys.executable).with_name("videophone")
    return [str(script)] if script.exists() else [sys.executable, "-m", "videophone.cli"]


def unit_command(port: int, host: str = "127.0.0.1") -> list[str]:
    """A serving node's command line as deploy/systemd/videophone.service has it, run with this checkout's
    CLI (the cluster test and the signaling benchmark start their nodes so)."""
    unit = (Path(__file__).resolve().parents[2] / "deploy" / "systemd" / "videophone.service").read_text()
    line = next(x for x in unit.splitlines() if x.startswith("ExecStart="))
    args = shlex.split(line.removeprefix("ExecStart="))[1:]  # after the installed binary
    values = {"${VIDEOPHONE_HOST}": host, "${VIDEOPHONE_PORT}": str(port)}
    return [*videophone_command(), *(values.get(a, a) for a in args)]


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"videophone serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError("videophone serve did not become healthy in time")


@dataclass
class RunningApp:
    base_url: str
    workdir: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_app(
    workdir: Path,
    *,
    demo: bool = True,
    extra_env: dict[str, str] | None = None,
    command: list[str] | None = None,
) -> RunningApp:
    """`videophone demo` (optional) then `videophone serve` on a free loopback port, in ``workdir``
    (``command``: another way to run the CLI, e.g. tests/support/poisoned_serve.py).  ``demo`` asks
    for demo mode (off by default) unless ``extra_env`` says otherwise."""
    demo_env = {"VIDEOPHONE_DEMO": "true"} if demo else {}
    env = {**os.environ, "VIDEOPHONE_DATA_DIR": str(workdir / "var"), **demo_env, **(extra_env or {})}
    if not extra_env or "VIDEOPHONE_DATABASE_URL" not in extra_env:
        env.pop("VIDEOPHONE_DATABASE_URL", None)
    command = command or videophone_command()
    if demo:
        subprocess.run([*command, "demo"], cwd=workdir, env=env, check=True, capture_output=True, timeout=180)
    port = free_port()
    log = open(workdir / f"serve-{port}.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [*command, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    app = RunningApp(f"http://127.0.0.1:{port}", workdir, process)
    try:
        wait_healthy(app.base_url, process)
    except Exception:
        app.stop()
        raise
    return app


def start_gateway(workdir: Path, *, port: int, env: dict[str, str] | None = None) -> RunningApp:
    """`videophone gateway` (the built-in payment gateway) on ``port``, with its store in ``workdir``."""
    full_env = {**os.environ, "VIDEOPHONE_DATA_DIR": str(workdir / "var"), "VIDEOPHONE_DEMO": "true", **(env or {})}
    log = open(workdir / f"gateway-{port}.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [*videophone_command(), "gateway", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    gateway = RunningApp(f"http://127.0.0.1:{port}", workdir, process)
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"videophone gateway exited with {process.returncode}")
        try:
            with urllib.request.urlopen(gateway.base_url + "/health", timeout=2) as response:
                if response.status == 200:
                    return gateway
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            gateway.stop()
            raise RuntimeError("videophone gateway did not answer in time")
        time.sleep(0.2)
