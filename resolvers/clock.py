"""The time statements compare with: epoch milliseconds, as the graph stores it."""

import time


def now_ms() -> int:
    return int(time.time() * 1000)
