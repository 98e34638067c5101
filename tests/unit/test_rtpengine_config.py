"""rtpengine's configuration from the settings (adapters/rtpengine_config.py): checked values only."""

from __future__ import annotations

from pathlib import Path

import pytest

from videophone.adapters.rtpengine_config import (
    MediaConfig,
    MediaConfigError,
    command,
    parse_address,
    parse_ports,
    render,
)


def test_render_fills_every_mark_and_the_command_is_userspace_foreground(tmp_path: Path) -> None:
    conf = render(MediaConfig(("127.0.0.1", 2300), "10.0.0.5!203.0.113.7", 40000, 40099), tmp_path)
    text = conf.read_text()
    assert "@" not in text and "table = -1" in text and "listen-ng = 127.0.0.1:2300" in text
    assert "interface = 10.0.0.5!203.0.113.7" in text and "port-min = 40000" in text and "port-max = 40099" in text
    settings = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert not [line for line in settings if line.startswith(("redis", "recording", "listen-http", "b2b-url"))]
    assert command(conf) == [
        "rtpengine",
        f"--config-file={conf}",
        "--config-section=rtpengine",
        "--foreground",
        "--log-stderr",
        "--table=-1",
    ]


@pytest.mark.parametrize(
    "config",
    [
        MediaConfig(("localhost", 2223)),
        MediaConfig(interface="127.0.0.1\nlisten-ng = 0.0.0.0:1"),
        MediaConfig(interface="127.0.0.1!x"),
        MediaConfig(port_min=30000, port_max=29000),
        MediaConfig(port_min=80, port_max=1000),
        MediaConfig(("127.0.0.1", 30005)),
        MediaConfig(table=0),
    ],
)
def test_unusable_values_are_refused(config: MediaConfig, tmp_path: Path) -> None:
    with pytest.raises(MediaConfigError):
        render(config, tmp_path)


def test_settings_parsing() -> None:
    assert parse_address("127.0.0.1:2223") == ("127.0.0.1", 2223)
    assert parse_address("[::1]:2223") == ("::1", 2223)
    assert parse_ports("30000-30999") == (30000, 30999)
    for bad in ("127.0.0.1", "host:2223", "127.0.0.1:0", "127.0.0.1:99999"):
        with pytest.raises(MediaConfigError):
            parse_address(bad)
    for bad in ("30000", "a-b", "30000-"):
        with pytest.raises(MediaConfigError):
            parse_ports(bad)
