"""The time statements compare with: epoch milliseconds, as the graph stores it.

A ``Clock`` is any callable returning that; the request context carries one (``now_ms``
unless a test injects a fixed one), so due times and SLA flags can be checked on a fake
clock.
"""

import time
from collections.abc import Callable

Clock = Callable[[], int]


def now_ms() -> int:
    return int(time.time() * 1000)


class FixedClock:
    """A clock that says what it is told: for tests and examples of time-dependent rules."""

    def __init__(self, at_ms: int) -> None:
        self.at_ms = at_ms

    def __call__(self) -> int:
        return self.at_ms

    def advance(self, ms: int) -> None:
        self.at_ms += ms
