"""The demo/test clock file and the derivation of the service state from open restrictions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from videophone.adapters.clock import OffsetFileClock
from videophone.enforcement.services.restrictions import derive_state


def test_offset_file_clock_follows_the_file(tmp_path: Path) -> None:
    clock = OffsetFileClock(tmp_path / "clock")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)  # no file: real time
    clock.set_offset(timedelta(days=40))
    assert timedelta(days=40) - timedelta(seconds=5) < clock.now() - datetime.now(UTC) < timedelta(days=40, seconds=5)
    other = OffsetFileClock(tmp_path / "clock")  # another process reading the same file
    assert abs(other.now() - clock.now()) < timedelta(seconds=5)
    (tmp_path / "clock").write_text("not a number")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)  # unreadable: no offset
    assert clock.now().tzinfo is UTC


def test_service_state_from_restrictions() -> None:
    assert derive_state("active", []) == ("active", "")
    assert derive_state("suspended", []) == ("active", "")
    assert derive_state("active", [("credit_limit", "outgoing")]) == ("outgoing_barred", "credit_limit")
    # "all" wins over "outgoing"; among equals the oldest gives the reason.
    assert derive_state("active", [("credit_limit", "outgoing"), ("arrears", "all"), ("lawful", "all")]) == (
        "suspended",
        "arrears",
    )
    assert derive_state("terminated", [("arrears", "all")]) == ("terminated", "")
