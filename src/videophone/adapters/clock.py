"""Clocks: the system one, and a settable one for tests and demos."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 1, 2, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, instant: datetime) -> None:
        self._now = instant


class OffsetFileClock:
    """Real time plus an offset in seconds read from a file (demo mode and tests only): every process
    pointed at the same file — the server, `videophone` commands, a browser test — sees the same
    "now", and writing the file moves it for all of them at once.  A missing or unreadable file means
    no offset."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._offset = timedelta()

    def _read(self) -> timedelta:
        try:
            st = os.stat(self.path)
        except OSError:
            self._stamp, self._offset = None, timedelta()
            return self._offset
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            try:
                self._offset = timedelta(seconds=float(self.path.read_text().strip() or 0))
            except (OSError, ValueError):
                self._offset = timedelta()
            self._stamp = stamp
        return self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self._read()

    def set_offset(self, delta: timedelta) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(str(delta.total_seconds()))
        tmp.replace(self.path)


class SteppedClock:
    """A clock a script drives through the past (``videophone demo`` seeding its history through the
    services): it stands at an instant and only moves forward when told, until released — from then on
    it is the clock it wraps.  Moving it back, or past the wrapped clock's "now", is refused."""

    def __init__(self, base: Clock, start: datetime) -> None:
        self.base = base
        self._at: datetime | None = None
        self.advance_to(start)

    def now(self) -> datetime:
        return self.base.now() if self._at is None else self._at

    @property
    def stepping(self) -> bool:
        return self._at is not None

    def advance_to(self, instant: datetime) -> None:
        if self._at is not None and instant < self._at:
            raise ValueError(f"the clock only moves forward ({instant} < {self._at})")
        if instant > self.base.now():
            raise ValueError(f"the clock cannot move past now ({instant})")
        self._at = instant

    def release(self) -> None:
        """Follow the wrapped clock from now on."""
        self._at = None
