"""Work computed in Python (community detection) in worker processes: off the event loop,
with a time limit, and at most ``workers`` at once.

Why processes and not threads: a CPU-bound computation holds the GIL, so in a thread it
still slows the event loop down (every request, `/healthz` included, waits for the GIL
at each step; bench/healthz.py measures it). Workers are fresh interpreters ("spawn":
they inherit no lock held by the hub's own threads, as a plain fork could), started on
first use and kept for the next computation, since starting one imports the hub's
modules again. A computation that overruns the time limit has its worker killed, and
the request gets LIMIT_EXCEEDED with `limit: "time"`; the next one starts a new worker.
"""

import asyncio
import multiprocessing
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from resolvers.errors import ApiError, ErrorCode

T = TypeVar("T")
_SPAWN = multiprocessing.get_context("spawn")


class Compute:
    """Worker processes for one hub (one per app, shared by its requests).

    ``timeout_s`` bounds a computation from the call, waiting for a free worker included;
    ``workers`` is how many run at once (other computations wait their turn). Without
    ``keep_workers`` (a context built alone: tests, the CLI) a worker is stopped after its
    computation, so nothing outlives the caller; the app keeps them and calls close()."""

    def __init__(
        self, timeout_s: float = 30.0, workers: int = 1, keep_workers: bool = True
    ) -> None:
        if timeout_s <= 0 or workers < 1:
            raise ValueError("timeout_s must be positive and workers at least 1")
        self.timeout_s, self.workers, self.keep_workers = timeout_s, workers, keep_workers
        self._slots = asyncio.Semaphore(workers)
        self._idle: list[_Worker] = []

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker process (``fn`` and the arguments must pickle: a
        module-level function and plain data). Raises LIMIT_EXCEEDED when it takes longer
        than ``timeout_s``, RuntimeError when it fails (naming the error's type only: its
        text may hold data)."""
        try:
            async with asyncio.timeout(self.timeout_s), self._slots:
                outcome, value = await self._call(fn, args)
        except TimeoutError:
            raise ApiError(
                f"the computation took longer than the {self.timeout_s:g} s limit",
                ErrorCode.LIMIT_EXCEEDED,
                limit="time",
            ) from None
        if outcome != "ok":
            raise RuntimeError(f"the computation failed: {value}")
        result: T = value
        return result

    async def _call(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
        worker = self._idle.pop() if self._idle else _Worker()
        if not worker.started:
            # Starting imports the hub's modules: in a thread. Shielded, so that a timeout
            # meanwhile does not leave a worker starting unseen: it is stopped once up.
            starting = asyncio.ensure_future(asyncio.to_thread(worker.start))
            try:
                await asyncio.shield(starting)
            except BaseException:
                starting.add_done_callback(worker.stop)
                raise
        # Sending pickles the arguments and receiving waits: both in a thread.
        call = asyncio.ensure_future(asyncio.to_thread(worker.call, fn, args))
        try:
            outcome = await asyncio.shield(call)
        except (EOFError, OSError):  # the pipe broke: the worker died (killed, out of memory)
            worker.stop(call)
            raise RuntimeError("the worker process died") from None
        except BaseException:  # timed out or cancelled: the work is no longer wanted
            worker.stop(call)
            raise
        if self.keep_workers:
            self._idle.append(worker)
        else:
            worker.stop()
        return outcome

    def close(self) -> None:
        """Stop the idle workers (busy ones are stopped when their computation ends)."""
        while self._idle:
            self._idle.pop().stop()


class _Worker:
    def __init__(self) -> None:
        self.conn, child = _SPAWN.Pipe()
        self._child: Connection | None = child
        self.process = _SPAWN.Process(target=_serve, args=(child,), daemon=True, name="hub-compute")
        self.started = False

    def start(self) -> None:
        """Blocking: start the process (the parent's copy of its end is closed)."""
        self.process.start()
        self.started = True
        if self._child is not None:
            self._child.close()
            self._child = None

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
        """Blocking: send one computation, wait for its outcome (EOFError if it died)."""
        self.conn.send((fn, args))
        outcome: tuple[str, Any] = self.conn.recv()
        return outcome

    def stop(self, call: "asyncio.Future[Any] | None" = None) -> None:
        """Kill the process and reap it; close the connection once ``call``'s thread, which
        sees EOF now, is done with it."""
        if self.process.pid is not None:
            self.process.kill()
            self.process.join()
        if self._child is not None:
            self._child.close()
        if call is None:
            self.conn.close()
        else:
            call.add_done_callback(self._abandon)

    def _abandon(self, call: "asyncio.Future[Any]") -> None:
        """Close the connection after an abandoned call, whose error (EOF, reset) is
        expected: it is read here so that asyncio does not report it as unhandled."""
        if not call.cancelled():
            call.exception()
        self.conn.close()


def _serve(conn: Connection) -> None:
    """A worker's loop: run each computation sent, send back ("ok", value) or ("error",
    the exception's type name); end when the hub closes its end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the hub, which stops us
    while True:
        try:
            fn, args = conn.recv()
        except EOFError:
            return
        try:
            outcome: tuple[str, Any] = ("ok", fn(*args))
        except Exception as e:  # reported to the hub, which raises
            outcome = ("error", type(e).__name__)
        conn.send(outcome)
