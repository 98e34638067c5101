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
