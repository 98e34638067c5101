"""SIP phones call through the service's gateway (issue 16, ADR 0012): the real Kamailio edge, the real
rtpengine and headless baresip phones (fake camera, VP8), all in a network namespace that has only ``lo``.

The service decides every call as it does for browsers: the same call records, the same refusals, and
the phone hears them as SIP statuses.  Helpers to reach the namespace come from test_sip_register.
"""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.calls_support import NetnsApp, create_netns, delete_netns
from tests.e2e.test_credit_limit import prepare as prepare_credit
from tests.integration.test_sip_register import DOMAIN, EDGE_SECRET, SipWorld, _join_netns, _numbers, _wait_for_edge
from tests.support.baresip import Baresip
from tests.support.server import DEMO_PASSWORD
from tests.support.sip_client import SipPhone
from videophone.adapters import bencode
from videophone.adapters.clock import OffsetFileClock
from videophone.adapters.rtpengine_config import MediaConfig
from videophone.adapters.rtpengine_config import command as media_command
from videophone.adapters.rtpengine_config import render as render_media
from videophone.adapters.sip_edge import EdgeConfig, command, render

pytestmark = pytest.mark.skipif(
    shutil.which("kamailio") is None or shutil.which("rtpengine") is None or shutil.which("baresip") is None,
    reason="kamailio, rtpengine and baresip are needed",
)

SIP_PORT = 5060
GATEWAY = ("127.0.0.1", 5070)
MEDIA_NG = ("127.0.0.1", 2223)


@dataclass
class CallWorld(SipWorld):
    clock: OffsetFileClock | None = None
    media: subprocess.Popen[bytes] | None = None
    phones: list[Baresip] = field(default_factory=list)
    next_control: int = 4444

    def phone(self, number: str, *, register: bool = True) -> Baresip:
        """A baresip registered with a freshly provisioned terminal of ``number``."""
        _, token = self.installed_terminal(number)
        sip = self.provision(token)["sip"]
        self.next_control += 1
        phone = Baresip(
            self.app.workdir / f"phone-{sip['auth_user']}",
            sip["auth_user"],
            sip["password"],
            DOMAIN,
            ("127.0.0.1", SIP_PORT),
            self.next_control,
        )
        self.run(phone.start, register)
        self.phones.append(phone)
        return phone

    def call_records(self, number: str) -> list[dict[str, Any]]:
        status, page = self.api("GET", f"/api/v1/console/calls?number={number}")
        assert status == 200, page
        return list(page["items"])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallWorld]:
    name, why = create_netns()
    if name is None:
        pytest.skip(why)
    workdir = tmp_path_factory.mktemp("sip-calls")
    app = NetnsApp(name, workdir)
    edge: subprocess.Popen[bytes] | None = None
    media: subprocess.Popen[bytes] | None = None
    pool = ThreadPoolExecutor(max_workers=1, initializer=_join_netns, initargs=(name,))
    world: CallWorld | None = None
    try:
        conf = render_media(MediaConfig(listen_ng=MEDIA_NG, port_min=31000, port_max=31999), workdir / "media")
        media = subprocess.Popen(
            ["ip", "netns", "exec", name, *media_command(conf)],
            stdout=open(workdir / "rtpengine.log", "wb"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
        )
        app.start(
            {
                "VIDEOPHONE_SIP_EDGE_SECRET": EDGE_SECRET,
                "VIDEOPHONE_SIP_REGISTRAR": f"127.0.0.1:{SIP_PORT}",
                "VIDEOPHONE_SIP_DOMAIN": DOMAIN,
                "VIDEOPHONE_SIP_GATEWAY_LISTEN": f"{GATEWAY[0]}:{GATEWAY[1]}",
                "VIDEOPHONE_SIP_MEDIA_NG": f"{MEDIA_NG[0]}:{MEDIA_NG[1]}",
                "VIDEOPHONE_CLOCK_FILE": str(workdir / "clock-offset"),  # the credit test moves it on
            }
        )
        config = EdgeConfig("127.0.0.1", SIP_PORT, DOMAIN, app.base_url, EDGE_SECRET, children=2, gateway=GATEWAY)
        cfg = render(config, workdir / "edge")
        edge = subprocess.Popen(
            ["ip", "netns", "exec", name, *command(cfg)],
            stdout=open(workdir / "kamailio.log", "wb"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
        )
        world = CallWorld(app, edge, pool, media=media, clock=OffsetFileClock(workdir / "clock-offset"))
        world.run(_wait_for_edge)
        world.staff_login()
        yield world
    finally:
        if world is not None:
            for phone in world.phones:
                phone.stop()
        pool.shutdown(wait=False, cancel_futures=True)
        for process in (edge, media):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
        app.stop()
        delete_netns(name)


def test_a_phone_calls_a_phone_with_video_both_ways(world: CallWorld) -> None:
    caller_number, callee_number = _numbers(world.app)[:2]
    caller = world.phone(caller_number)
    callee = world.phone(callee_number)
    mark = world.run(caller.dial, callee_number)
    world.run(callee.wait_event, "CALL_INCOMING", 10)
    world.run(caller.wait_event, "CALL_RINGING", 10, mark)
    world.run(callee.accept)
    world.run(caller.wait_event, "CALL_ESTABLISHED", 10, mark)
    world.run(callee.wait_event, "CALL_ESTABLISHED", 10)
    talk = time.monotonic()
    # Two phones of one gateway are joined directly: one relay call carries the media (not two chained
    # through WebRTC), the caller's own relay call is gone.
    assert len(world.run(_relay_calls)) == 1
    time.sleep(1)
    # Hold and resume (re-INVITEs with sendonly, then sendrecv): answered 200, and the call goes on.
    held = caller.log_mark()
    world.run(caller.command, "hold")
    time.sleep(1)
    world.run(caller.command, "resume")
    time.sleep(1)
    world.run(caller.hangup)
    world.run(callee.wait_event, "CALL_CLOSED", 10)
    talked = time.monotonic() - talk
    world.run(caller.wait_event, "CALL_CLOSED", 10, mark)
    seen = [(e.get("type"), e.get("param")) for e in caller.events[mark:]]
    # The first answer, then the answers to hold and to resume; the call closed once, by the hang-up.
    assert seen.count(("CALL_REMOTE_SDP", "answer")) == 3, seen
    assert [p for t, p in seen if t == "CALL_CLOSED"] == ["Connection reset by user"], seen
    assert "call: hold" in caller.full_log()[held:]
    # Both phones decoded the other's camera (baresip: the received picture's size) and got video.
    for phone in (caller, callee):
        assert "video: receiving with resolution 320 x 240" in phone.log(), phone.log()
    records = world.call_records(caller_number)
    assert records and records[0]["outcome"] == "answered", records
    assert abs(records[0]["billable_seconds"] - talked) <= 1.0, (records[0], talked)


def test_a_phone_that_sends_its_answer_again_gets_it_acknowledged_again(world: CallWorld) -> None:
    """RFC 3261 §13.3.1.4: a phone repeats its 200 until it sees the ACK; the gateway acknowledges every
    copy (before, it read only the first and the phone went on repeating, then gave the call up)."""
    # Not 李明 as the caller: the credit-limit test counts his minutes.
    liming = _number_of(world, "liming@example.com")
    caller_number, callee_number = [n for n in _numbers(world.app) if n != liming][:2]
    caller = world.phone(caller_number)
    unit, sip = _sip_phone(world, callee_number)
    callee = world.run(SipPhone, ("127.0.0.1", SIP_PORT), sip["auth_user"], DOMAIN)  # its socket in the namespace
    try:
        assert world.run(callee.register, sip["password"]).statuses == [401, 200]
        mark = world.run(caller.dial, callee_number)
        assert world.run(callee.answer_twice) == 2
        world.run(caller.wait_event, "CALL_ESTABLISHED", 10, mark)
        world.run(caller.hangup)
        world.run(callee.answer_bye)
        # Its registration ends with the terminal's token: later tests ring no one here.
        assert world.api("DELETE", f"/api/v1/console/terminals/{unit['id']}/token")[0] == 200
    finally:
        callee.close()


def _subscriber_token(world: CallWorld, email: str) -> str:
    status, body = world.api("POST", "/api/v1/auth/login", {"login": email, "password": DEMO_PASSWORD, "kind": "api"})
    assert status == 200, body
    return str(body["token"])


def _number_of(world: CallWorld, email: str) -> str:
    with sqlite3.connect(world.app.workdir / "var" / "videophone.sqlite3") as db:
        (number,) = db.execute("SELECT number FROM subscribers WHERE email = ?", (email,)).fetchone()
    return str(number)


def _relay_calls() -> list[str]:
    """The calls rtpengine relays now (its *ng* ``list``), asked from inside the namespace."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(b"list1 " + bencode.encode({"command": "list"}), MEDIA_NG)
        cookie, _, body = sock.recv(65_535).partition(b" ")
    answer = bencode.decode(body)
    assert cookie == b"list1" and isinstance(answer, dict) and answer.get(b"result") == b"ok", answer
    calls = answer.get(b"calls")
    assert isinstance(calls, list)
    return [c.decode() for c in calls if isinstance(c, bytes)]


def _closed(phone: Baresip, mark: int) -> str:
    """Why the phone's call ended (baresip's CALL_CLOSED ``param``: the SIP status it got)."""
    return str(phone.wait_event("CALL_CLOSED", 10, mark).get("param", ""))


def test_a_number_that_does_not_exist_is_404(world: CallWorld) -> None:
    caller = world.phone(_numbers(world.app)[2])
    mark = world.run(caller.dial, "95199999999")
    assert "404" in world.run(_closed, caller, mark)


def test_a_blocked_caller_hears_only_that_the_callee_is_unavailable(world: CallWorld) -> None:
    callee_number = _number_of(world, "wangfang@example.com")
    caller_number = next(n for n in _numbers(world.app) if n != callee_number)
    caller = world.phone(caller_number)
    token = _subscriber_token(world, "wangfang@example.com")
    status, body = world.api(
        "POST", "/api/v1/me/blocks", {"number": caller_number}, {"Authorization": f"Bearer {token}"}
    )
    assert status == 201, body
    mark = world.run(caller.dial, callee_number)
    assert "480" in world.run(_closed, caller, mark)
    (record,) = [r for r in world.call_records(caller_number) if r["callee_number"] == callee_number][:1]
    assert record["end_reason"] == "blocked"  # the truth on record; the caller was told "unavailable"


def _sip_phone(world: CallWorld, number: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A provisioned terminal of ``number``: (the unit, its SIP account with the password)."""
    unit, token = world.installed_terminal(number)
    return unit, world.provision(token)["sip"]


def _invite(world: CallWorld, sip: dict[str, Any], password: str, to: str, *, register: bool) -> list[int]:
    def go() -> list[int]:
        phone = SipPhone(("127.0.0.1", SIP_PORT), sip["auth_user"], DOMAIN)
        try:
            if register:
                assert phone.register(sip["password"]).statuses == [401, 200]
            return phone.invite_statuses(password, to)
        finally:
            phone.close()

    return world.run(go)


def test_a_wrong_password_an_unregistered_phone_and_a_revoked_terminal_cannot_call(world: CallWorld) -> None:
    numbers = _numbers(world.app)
    unit, sip = _sip_phone(world, numbers[2])
    # The wrong password: challenged again, nothing reaches the service's gateway.
    assert _invite(world, sip, sip["password"] + "x", numbers[3], register=True) == [407, 407]
    # The right password, but this phone is not registered at the edge: no open relay.
    _, other = _sip_phone(world, numbers[2])
    assert _invite(world, other, other["password"], numbers[3], register=False) == [407, 403]
    # A revoked terminal: its registration ends, and its calls are refused.
    status, _ = world.api("DELETE", f"/api/v1/console/terminals/{unit['id']}/token")
    assert status == 200
    assert _invite(world, sip, sip["password"], numbers[3], register=False) == [407, 403]


def test_a_phones_call_is_cut_off_at_the_credit_limit_and_billed_as_a_browsers(world: CallWorld) -> None:
    caller_number = _number_of(world, "liming@example.com")
    callee_number = _number_of(world, "office@example.org")
    prepare_credit(world.app)  # 李明: a plan of 1.00 yuan a minute, 48 minutes called this month
    token = _subscriber_token(world, "liming@example.com")
    # A limit of 50 yuan with 48 used: two minutes are left.
    status, body = world.api("PUT", "/api/v1/me/credit-limit", {"limit_yuan": 50}, {"Authorization": f"Bearer {token}"})
    assert status == 200, body
    caller, callee = world.phone(caller_number), world.phone(callee_number)
    assert world.clock is not None
    try:
        mark = world.run(caller.dial, callee_number)
        world.run(callee.wait_event, "CALL_INCOMING", 10)
        world.run(callee.accept)
        world.run(caller.wait_event, "CALL_ESTABLISHED", 10, mark)
        world.clock.set_offset(timedelta(seconds=125))  # past the limit on the service's clock
        world.run(caller.wait_event, "CALL_CLOSED", 5, mark)
        world.run(callee.wait_event, "CALL_CLOSED", 5)
    finally:
        world.clock.set_offset(timedelta())
    record = next(r for r in world.call_records(caller_number) if r["callee_number"] == callee_number)
    assert record["outcome"] == "cut_off_credit" and record["billable_seconds"] == 120, record
    # Over the limit now: the phone's next call is refused by the same rule as a browser's (402).
    mark = world.run(caller.dial, callee_number)
    assert "402" in world.run(_closed, caller, mark)
    status, body = world.api(
        "PUT", "/api/v1/me/credit-limit", {"limit_yuan": None}, {"Authorization": f"Bearer {token}"}
    )
    assert status == 200, body


def test_a_lawful_suspension_ends_a_phones_call_within_a_second(world: CallWorld) -> None:
    numbers = _numbers(world.app)  # the last test: the suspended subscriber stays suspended
    caller_number, callee_number = numbers[4], numbers[1]
    caller, callee = world.phone(caller_number), world.phone(callee_number)
    mark = world.run(caller.dial, callee_number)
    world.run(callee.wait_event, "CALL_INCOMING", 10)
    world.run(callee.accept)
    world.run(caller.wait_event, "CALL_ESTABLISHED", 10, mark)
    status, body = world.api(
        "POST", "/api/v1/console/lawful", {"number": caller_number, "authority": "市公安局", "reference": "2027-SIP"}
    )
    assert status == 201, body
    ordered = time.monotonic()
    world.run(caller.wait_event, "CALL_CLOSED", 5, mark)
    world.run(callee.wait_event, "CALL_CLOSED", 5)
    assert time.monotonic() - ordered <= 1.0
    # The suspended subscriber's phone may not call any more: the edge refuses its INVITE.
    mark = world.run(caller.dial, callee_number)
    assert "403" in world.run(_closed, caller, mark)
