"""SIP phones register at the real SIP edge with the credentials the service provisioned (issue 16).

Everything runs in a network namespace that has only ``lo``: ``videophone serve`` (demo data), Kamailio
with the configuration ``videophone sip-edge render`` writes, and the phones — a headless ``baresip``
for the provisioned terminal, and a small Python SIP client (tests/support/sip_client.py) for the
refusals, whose digest it computes itself.  The test process reaches the namespace from one worker
thread that joined it (``setns`` acts on the calling thread only).
"""

from __future__ import annotations

import asyncio
import ctypes
import http.cookiejar
import json
import os
import shutil
import sqlite3
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.e2e.calls_support import NetnsApp, create_netns, delete_netns
from tests.support.server import DEMO_PASSWORD
from tests.support.sip_client import SipPhone
from videophone.adapters.sip_edge import EdgeConfig, command, render, wait_answering
from videophone.adapters.sip_edge_rpc import EdgeRpc, EdgeRpcError

pytestmark = pytest.mark.skipif(shutil.which("kamailio") is None, reason="kamailio is not installed")

T = TypeVar("T")
EDGE_SECRET = "edge-secret-for-tests-0123456789"
SIP_PORT = 5060
TLS_PORT = 5061
RPC_URL = "http://127.0.0.1:5071/RPC"
DOMAIN = "videophone.local"
CLONE_NEWNET = 0x40000000


def _join_netns(name: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
    finally:
        os.close(fd)


@dataclass
class SipWorld:
    """The service, the edge and a worker thread inside the namespace."""

    app: NetnsApp
    edge: subprocess.Popen[bytes]
    pool: ThreadPoolExecutor
    cert: Path | None = None  # the edge's TLS certificate (self-signed, made by the fixture)
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    serial: int = 0

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        return self.pool.submit(fn, *args).result(timeout=120)

    # -- the API, from inside the namespace ---------------------------------------------------------------
    def _call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        sent = {"Content-Type": "application/json", **(headers or {})}
        csrf = next((c.value for c in self.jar if c.name == "vp_staff_csrf"), None)
        if csrf:
            sent["X-CSRF-Token"] = csrf
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.app.base_url + path, data=data, method=method, headers=sent)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def api(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        return self.run(self._call, method, path, body, headers)

    def staff_login(self) -> None:
        status, _ = self.api("POST", "/api/v1/console/auth/login", {"username": "admin", "password": DEMO_PASSWORD})
        assert status == 200

    def installed_terminal(self, number: str) -> tuple[dict[str, Any], str]:
        """A new unit installed at ``number``'s: (the unit, its token)."""
        self.serial += 1
        status, unit = self.api(
            "POST", "/api/v1/console/terminals", {"serial": f"SIP-{self.serial:04d}", "model": "GXV3350"}
        )
        assert status == 201, unit
        status, issued = self.api("POST", f"/api/v1/console/terminals/{unit['id']}/assign", {"number": number})
        assert status == 200, issued
        return issued["terminal"], issued["token"]

    def provision(self, token: str) -> dict[str, Any]:
        status, answer = self.api("GET", "/api/v1/terminal/provisioning", headers={"Authorization": f"Bearer {token}"})
        assert status == 200, answer
        return answer

    def console_sip(self, terminal_id: int, serial: str) -> dict[str, Any] | None:
        status, page = self.api("GET", f"/api/v1/console/terminals?q={serial}")
        assert status == 200
        (unit,) = [t for t in page["items"] if t["id"] == terminal_id]
        return unit["sip"]

    def console_sip_once(
        self, terminal_id: int, serial: str, seen: Callable[[dict[str, Any]], bool], timeout: float = 10.0
    ) -> dict[str, Any]:
        """The console's view of the terminal's SIP account once it shows ``seen`` (or the last view, for
        the assertion to fail on).  The edge answers a REGISTER first (``save`` replies) and then tells
        the service: the console catches up a moment after the phone has its answer."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.console_sip(terminal_id, serial)
            assert state is not None
            if seen(state) or time.monotonic() > deadline:
                return state
            time.sleep(0.05)

    def kept_ha1(self, user: str) -> bool:
        """Does the edge keep ``user``'s HA1 for its INVITEs (``htable.get ha1``)?"""

        async def get() -> bool:
            try:
                return bool(await EdgeRpc(RPC_URL).call("htable.get", ["ha1", user]))
            except EdgeRpcError:
                return False  # no such key

        return self.run(lambda: asyncio.run(get()))

    def registered_aors(self) -> set[str]:
        """What Kamailio holds in memory (``ul.dump`` over its JSON-RPC, from inside the namespace)."""
        return self.run(lambda: asyncio.run(EdgeRpc(RPC_URL).registered_aors()))

    # -- phones ---------------------------------------------------------------------------------------------
    def register(self, user: str, password: str, user_agent: str = "vp-test-phone/1.0") -> list[int]:
        def go() -> list[int]:
            phone = SipPhone(("127.0.0.1", SIP_PORT), user, DOMAIN, user_agent)
            try:
                return phone.register(password).statuses
            finally:
                phone.close()

        return self.run(go)


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), made here with ``cryptography``."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "videophone test edge")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "edge-cert.pem", directory / "edge-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _numbers(app: NetnsApp) -> list[str]:
    with sqlite3.connect(app.workdir / "var" / "videophone.sqlite3") as db:
        return [
            str(n) for (n,) in db.execute("SELECT number FROM subscribers WHERE service_state = 'active' ORDER BY id")
        ]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SipWorld]:
    name, why = create_netns()
    if name is None:
        pytest.skip(why)
    workdir = tmp_path_factory.mktemp("sip-register")
    app = NetnsApp(name, workdir)
    edge: subprocess.Popen[bytes] | None = None
    pool = ThreadPoolExecutor(max_workers=1, initializer=_join_netns, initargs=(name,))
    try:
        app.start(
            {
                "VIDEOPHONE_SIP_EDGE_SECRET": EDGE_SECRET,
                "VIDEOPHONE_SIP_REGISTRAR": f"127.0.0.1:{SIP_PORT}",
                "VIDEOPHONE_SIP_DOMAIN": DOMAIN,
                "VIDEOPHONE_SIP_FREE_FAILURES": "3",
                "VIDEOPHONE_SIP_MAX_FAILURES_PER_SOURCE": "1000",
                "VIDEOPHONE_SIP_EDGE_RPC_URL": RPC_URL,
            }
        )
        cert, key = _self_signed(workdir)
        config = EdgeConfig(
            "127.0.0.1",
            SIP_PORT,
            DOMAIN,
            app.base_url,
            EDGE_SECRET,
            children=2,
            rpc_url=RPC_URL,
            tls_cert=str(cert),
            tls_key=str(key),
            tls_port=TLS_PORT,
        )
        cfg = render(config, workdir / "edge")
        log = open(workdir / "kamailio.log", "wb")  # noqa: SIM115 - closed with the process
        edge = subprocess.Popen(["ip", "netns", "exec", name, *command(cfg)], stdout=log, stderr=subprocess.STDOUT)
        world = SipWorld(app, edge, pool, cert=cert)
        world.run(_wait_for_edge)
        world.staff_login()
        yield world
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        if edge is not None and edge.poll() is None:
            edge.terminate()
            edge.wait(timeout=10)
        app.stop()
        delete_netns(name)


def _wait_for_edge() -> None:
    """Kamailio answers (an OPTIONS gets its 403: nothing but REGISTER is served)."""
    wait_answering(("127.0.0.1", SIP_PORT))


def _baresip_registers(workdir: Path, user: str, password: str) -> tuple[bool, str]:
    """A headless baresip with the provisioned account: (registered, its output)."""
    home = workdir / f"baresip-{user}"
    home.mkdir()
    (home / "accounts").write_text(
        f'<sip:{user}@{DOMAIN};transport=udp>;auth_pass={password};outbound="sip:127.0.0.1:{SIP_PORT}";regint=300\n'
    )
    (home / "config").write_text(
        # Only ``lo`` in the namespace: baresip must be told to use its address.
        "sip_listen\t127.0.0.1:0\nnet_interface\t127.0.0.1\nmodule_path\t/usr/lib/baresip/modules\n"
        "module_app\taccount.so\n"
    )
    process = subprocess.Popen(
        ["baresip", "-4", "-f", str(home), "-t", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    out, _ = process.communicate(timeout=30)
    text = out.decode(errors="replace")
    return "200 OK" in text or "registered successfully" in text, text


# -- the tests --------------------------------------------------------------------------------------------
def test_provisioned_terminal_registers_and_the_console_shows_it(world: SipWorld) -> None:
    number = _numbers(world.app)[0]
    unit, token = world.installed_terminal(number)
    first = world.provision(token)
    sip = first["sip"]
    assert sip["auth_user"].startswith(number) and len(sip["password"]) >= 20
    assert sip["registrar"] == {
        "domain": DOMAIN,
        "registrar_host": "127.0.0.1",
        "registrar_port": SIP_PORT,
        "transports": ["udp", "tcp"],
        "realm": DOMAIN,
        "stun_urls": [],
        "video_codecs": ["H264/90000 profile-level-id=42e01f", "VP8/90000"],
        "audio_codecs": ["opus/48000/2", "PCMA/8000"],
    }
    # Shown once: the next provisioning has the account without its password.
    again = world.provision(token)["sip"]
    assert again["auth_user"] == sip["auth_user"] and again["password"] == ""
    assert world.console_sip(unit["id"], unit["serial"])["registered"] is False

    if shutil.which("baresip") is not None:
        # A real SIP phone: baresip, in the namespace, registers with the provisioned account.
        def go() -> tuple[bool, str]:
            return _baresip_registers(world.app.workdir, sip["auth_user"], sip["password"])

        registered, output = subprocess_in(world, go)
        assert registered, output
        # baresip quit (``-t``) and unregistered on its way out: the console saw both.
        state = world.console_sip_once(
            unit["id"], unit["serial"], lambda s: s["registered"] is False and s["last_register_at"] is not None
        )
        assert state["last_register_at"] is not None
        assert state["user_agent"].lower().startswith("baresip")
        assert state["registered"] is False and state["registered_until"] is None
    assert world.register(sip["auth_user"], sip["password"], "Grandstream GXV3350 1.0.3.56") == [401, 200]
    state = world.console_sip_once(
        unit["id"], unit["serial"], lambda s: s["user_agent"] == "Grandstream GXV3350 1.0.3.56" and s["registered"]
    )
    assert state["registered"] is True and state["user_agent"] == "Grandstream GXV3350 1.0.3.56"
    assert state["address"].startswith("127.0.0.1:") and state["last_register_at"] is not None
    # Its firmware version, from the User-Agent the edge passed on.
    status, page = world.api("GET", f"/api/v1/console/terminals?q={unit['serial']}")
    assert status == 200 and page["items"][0]["reported_version"] == "1.0.3.56"


def subprocess_in(world: SipWorld, fn: Callable[[], T]) -> T:
    """Run ``fn`` (which starts processes) in the namespace: children of the worker thread inherit it."""
    return world.run(fn)


def test_a_wrong_password_is_challenged_again_and_refused(world: SipWorld) -> None:
    number = _numbers(world.app)[1]
    _, token = world.installed_terminal(number)
    sip = world.provision(token)["sip"]
    assert world.register(sip["auth_user"], sip["password"]) == [401, 200]
    assert world.kept_ha1(sip["auth_user"])
    assert world.register(sip["auth_user"], sip["password"] + "x") == [401, 401]
    # A wrong digest: the edge forgets the user's HA1, so its next tries are the service's to throttle.
    assert not world.kept_ha1(sip["auth_user"])
    assert world.register(sip["auth_user"], sip["password"]) == [401, 200]


def test_revoked_credentials_are_refused(world: SipWorld) -> None:
    number = _numbers(world.app)[2]
    unit, token = world.installed_terminal(number)
    sip = world.provision(token)["sip"]
    assert world.register(sip["auth_user"], sip["password"]) == [401, 200]
    assert sip["auth_user"] in world.registered_aors()
    assert world.kept_ha1(sip["auth_user"])  # for its INVITEs, without asking the service each time
    status, _ = world.api("DELETE", f"/api/v1/console/terminals/{unit['id']}/token")
    assert status == 200
    # Revoking ended the registration Kamailio held, at once (not at its expiry), and its kept HA1.
    assert sip["auth_user"] not in world.registered_aors()
    assert not world.kept_ha1(sip["auth_user"])
    assert world.register(sip["auth_user"], sip["password"]) == [401, 403]
    assert world.console_sip(unit["id"], unit["serial"]) is None  # no credential in force


def test_a_lawfully_suspended_or_terminated_subscribers_phone_is_refused(world: SipWorld) -> None:
    lawful_number, ended_number = _numbers(world.app)[3:5]
    _, lawful_token = world.installed_terminal(lawful_number)
    ended_unit, ended_token = world.installed_terminal(ended_number)
    lawful_sip = world.provision(lawful_token)["sip"]
    ended_sip = world.provision(ended_token)["sip"]
    assert world.register(lawful_sip["auth_user"], lawful_sip["password"]) == [401, 200]
    assert world.register(ended_sip["auth_user"], ended_sip["password"]) == [401, 200]
    assert {lawful_sip["auth_user"], ended_sip["auth_user"]} <= world.registered_aors()

    status, body = world.api(
        "POST", "/api/v1/console/lawful", {"number": lawful_number, "authority": "市公安局", "reference": "2027-001"}
    )
    assert status == 201, body
    status, body = world.api(
        "POST",
        "/api/v1/console/terminations",
        {"subscriber_id": ended_unit["subscriber_id"], "reason": "breach", "note": "Serious breach of contract."},
    )
    assert status == 201, body
    # Both registrations ended with the suspension and the termination.
    assert not {lawful_sip["auth_user"], ended_sip["auth_user"]} & world.registered_aors()
    assert world.register(lawful_sip["auth_user"], lawful_sip["password"]) == [401, 403]
    assert world.register(ended_sip["auth_user"], ended_sip["password"]) == [401, 403]


def test_repeated_wrong_passwords_from_one_source_are_throttled(world: SipWorld) -> None:
    number = _numbers(world.app)[0]
    _, token = world.installed_terminal(number)
    sip = world.provision(token)["sip"]
    # Three free failures (VIDEOPHONE_SIP_FREE_FAILURES), then this user from this address must wait:
    # even the right password is refused meanwhile.
    for _ in range(3):
        assert world.register(sip["auth_user"], "not-the-password") == [401, 401]
    assert world.register(sip["auth_user"], sip["password"]) == [401, 403]
    # An unknown user is refused outright.
    assert world.register("95100000000-s-00000000", "whatever") == [401, 403]


def test_a_phone_registers_its_own_address_only(world: SipWorld) -> None:
    number = _numbers(world.app)[1]
    _, token = world.installed_terminal(number)
    sip = world.provision(token)["sip"]

    def go() -> list[int]:
        phone = SipPhone(("127.0.0.1", SIP_PORT), sip["auth_user"], DOMAIN, to_user="someone-else")
        try:
            return phone.register(sip["password"]).statuses
        finally:
            phone.close()

    assert world.run(go) == [401, 403]
    assert "someone-else" not in world.registered_aors()


def test_the_edge_rpc_is_served_on_its_loopback_port_only(world: SipWorld) -> None:
    def over_sip_port() -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{SIP_PORT}/RPC", data=b'{"jsonrpc":"2.0","method":"ul.dump","id":1}', method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    assert world.run(over_sip_port) == 403


def test_ending_a_registration_the_edge_does_not_hold_is_no_error(world: SipWorld) -> None:
    """A reissued token of a phone that never registered ends nothing: the edge answers success."""
    assert world.run(lambda: asyncio.run(EdgeRpc(RPC_URL).call("ul.rm", ["location", "nobody-registered"]))) == {}


def test_a_phone_registers_over_tls_with_the_configured_certificate(world: SipWorld) -> None:
    number = _numbers(world.app)[2]
    _, token = world.installed_terminal(number)
    sip = world.provision(token)["sip"]
    assert world.cert is not None
    # The client trusts only the edge's self-signed certificate and checks it names 127.0.0.1.
    context = ssl.create_default_context(cafile=str(world.cert))

    def go() -> list[int]:
        phone = SipPhone(("127.0.0.1", TLS_PORT), sip["auth_user"], DOMAIN, "Yealink SIP-T58A 58.86.0.20", tls=context)
        try:
            return phone.register(sip["password"]).statuses
        finally:
            phone.close()

    assert world.run(go) == [401, 200]
    assert sip["auth_user"] in world.registered_aors()
