"""Keep the owned embedded engine running: notice its death, reap it, restart it.

While the engine is down the store reports ``EngineHealth.RECOVERING`` (the app answers
503 with Retry-After); when restarts keep failing, or the engine keeps dying right after
each restart, it reports ``FAILED`` (the app's /healthz then fails, so a process manager
restarts the hub). It keeps trying at the longest backoff all the same.
"""

import asyncio
import contextlib
import logging
import signal
import time
from collections import deque

from graph.embedded import EmbeddedEngine
from graph.errors import EngineStartError
from graph.store import EngineHealth

logger = logging.getLogger("hub.engine")

POLL_S = 0.1
BACKOFF_S = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)  # before the 1st, 2nd... restart in a row
CRASH_WINDOW_S = 60.0  # deaths within this window count as one run of trouble
GIVE_UP_AFTER = 5  # deaths (or failed starts) in the window before the hub reports FAILED


def describe_exit(status: int) -> str:
    """'exit code 1' or 'signal SIGKILL' for a Popen return code."""
    if status < 0:
        try:
            return f"signal {signal.Signals(-status).name}"
        except ValueError:
            return f"signal {-status}"
    return f"exit code {status}"


class EngineSupervisor:
    """Watches ``engine`` from a task on the running loop; start with ``run()``."""

    def __init__(self, engine: EmbeddedEngine) -> None:
        self.engine = engine
        self.health = EngineHealth.UP
        self.restarts = 0
        self.down_since: float | None = None
        self._troubles: deque[float] = deque()
        self._restarting: asyncio.Future[None] | None = None

    @staticmethod
    def _backoff_s(troubles: int) -> float:
        """The wait before a restart that follows ``troubles`` earlier ones in the window."""
        return BACKOFF_S[min(troubles, len(BACKOFF_S) - 1)]

    def retry_after_s(self) -> int:
        """Seconds a client should wait before retrying (at least 1): the next backoff."""
        return max(1, round(self._backoff_s(len(self._troubles)) + 0.5))

    async def run(self) -> None:
        """Poll the engine until cancelled; restart it whenever it has died."""
        while True:
            await asyncio.sleep(POLL_S)
            status = self.engine.exit_status()  # reaps a dead child: no zombie is left
            if status is None:
                if self.health is EngineHealth.FAILED and not self._in_trouble():
                    self.health = EngineHealth.UP  # it has stayed up for a whole window
                continue
            self.health = EngineHealth.RECOVERING
            self.down_since = time.monotonic()
            logger.error(
                "the embedded engine died (%s); restarting it (log: %s)",
                describe_exit(status), self.engine.log_path,
            )  # fmt: skip
            await self._bring_back()

    async def wait_idle(self) -> None:
        """Wait for a restart in flight (its thread runs on when run() is cancelled), so
        that stopping the engine afterwards cannot race it."""
        if self._restarting is not None:
            with contextlib.suppress(Exception):
                await self._restarting

    def _in_trouble(self) -> bool:
        """True when GIVE_UP_AFTER deaths or failed starts fall within the last window
        (older ones are forgotten here)."""
        now = time.monotonic()
        while self._troubles and now - self._troubles[0] > CRASH_WINDOW_S:
            self._troubles.popleft()
        return len(self._troubles) >= GIVE_UP_AFTER

    def _note_trouble(self) -> None:
        self._troubles.append(time.monotonic())
        if self._in_trouble():
            self.health = EngineHealth.FAILED

    async def _bring_back(self) -> None:
        self._note_trouble()
        while True:
            await asyncio.sleep(self._backoff_s(len(self._troubles) - 1))
            try:
                # Spawned here, on the loop's thread: the kernel stops the engine when the
                # thread that started it ends, and an executor's threads may end first.
                self.engine.respawn()
                # Waiting for its PING blocks: off the loop, so requests get their 503 at
                # once meanwhile.
                self._restarting = asyncio.get_running_loop().run_in_executor(
                    None, self.engine.wait_ready
                )
                await asyncio.shield(self._restarting)
            except EngineStartError as e:
                logger.error("the embedded engine did not restart: %s", e)
                self._note_trouble()
                continue
            self.restarts += 1
            down_s = time.monotonic() - (self.down_since or time.monotonic())
            logger.warning(
                "the embedded engine is back after %.1f s (restart %d)", down_s, self.restarts
            )
            self.down_since = None
            if not self._in_trouble():
                self.health = EngineHealth.UP
            return
