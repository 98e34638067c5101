"""How often a key (an account from one address, an address, …) may try again (R-05, R-54).

A rule counts attempts per key: the first ``free`` go through at once; after the n-th counted
attempt (n ≥ ``free``) the next must wait ``first_delay · 2^(n − free)`` seconds, at most
``max_delay``.  With ``first_delay == max_delay`` the rule is a plain lock-out after ``free``
attempts.  Counting starts afresh once ``window`` seconds have passed since the first counted
attempt (and any wait has run out).

Attempts are counted *before* the password is checked (the storage reserves the attempt and checks
the wait in one statement), so concurrent attempts cannot slip past the count; a successful login
gives its attempt back or clears the key.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottleRule:
    free: int
    first_delay: int  # seconds
    max_delay: int  # seconds
    window: int  # seconds

    def __post_init__(self) -> None:
        if self.free < 1 or self.first_delay < 1 or self.max_delay < self.first_delay or self.window < 1:
            raise ValueError(f"invalid throttle rule {self}")

    def delay_after(self, attempts: int) -> int:
        """Seconds to wait after the ``attempts``-th counted attempt before the next one."""
        if attempts < self.free:
            return 0
        steps = attempts - self.free
        # 2^steps overflows nothing in Python, but stop doubling once past the cap.
        if steps >= self.max_delay.bit_length():
            return self.max_delay
        return min(self.first_delay << steps, self.max_delay)

    def schedule(self) -> tuple[int, ...]:
        """``delay_after(n)`` for n = 1, 2, … up to the first n whose delay is the cap (every later
        n has the cap too): what the storage turns into one conditional statement."""
        out: list[int] = []
        n = 1
        while True:
            delay = self.delay_after(n)
            out.append(delay)
            if delay == self.max_delay:
                return tuple(out)
            n += 1


def retry_after(wait_seconds: float) -> int:
    """The ``Retry-After`` value for a wait: whole seconds, rounded up, at least 1."""
    whole = int(wait_seconds)
    return max(1, whole + (1 if wait_seconds > whole else 0))
