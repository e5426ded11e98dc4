"""Items made in a thread or in a child process, handed over a small bounded queue.

The loader's reader (loaders/reader.py) parses and validates while the event loop writes.
In a thread the two take turns on the GIL; in a child process they run on two cores at
once, for the price of starting the process (a fresh interpreter that imports the reader,
fractions of a second) and of pickling every batch across. ``ProcessProducer`` is for
inputs big enough to pay that back; ``ThreadProducer`` for the rest.

Either way memory holds a few items waiting (a queue of ``maxsize``, or the pipe's buffer
and the one item the child is writing), and ``stop`` ends the producer: the thread returns
at its next item, the process is killed. A child whose parent died without stopping it
(kill -9) ends at its next write, on the broken pipe.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any, Generic, Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class _End:
    """The producer made its last item."""


class Producer(Protocol[T_co]):
    def next(self) -> T_co | None:
        """The next item, or None after the last; raises what the producer raised."""
        ...

    def stop(self) -> None:
        """End the producer (items not taken are dropped)."""
        ...


class ThreadProducer(Generic[T]):
    """Runs ``make()`` in a daemon thread; its items come out of ``next``."""

    def __init__(self, make: Callable[[], Iterator[T]], name: str, maxsize: int = 4) -> None:
        self._queue: queue.Queue[T | BaseException | _End] = queue.Queue(maxsize=maxsize)
        self._stop = threading.Event()
        self._make = make
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _put(self, item: T | BaseException | _End) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for item in self._make():
                if not self._put(item):
                    return
            self._put(_End())
        except BaseException as e:  # handed to the consumer, which re-raises it
            self._put(e)

    def next(self) -> T | None:
        item = self._queue.get()
        if isinstance(item, _End):
            self._queue.put_nowait(item)  # a later next() (after the end) ends too
            return None
        if isinstance(item, BaseException):
            raise item
        return item

    def stop(self) -> None:
        self._stop.set()
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass
        self._queue.put_nowait(_End())  # wakes a next() still waiting in a worker thread


def _frame(stream: IO[bytes], item: object) -> None:
    data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(8, "little") + data)
    stream.flush()


def _unframe(stream: IO[bytes]) -> Any:
    """The next pickled item of ``stream``; EOFError at its end."""
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError
    data = stream.read(int.from_bytes(head, "little"))
    return pickle.loads(data)  # noqa: S301 - from our own child process, over a pipe


def child_main() -> None:
    """The child process: reads ``sys.path`` then ``(make, args)`` from stdin, writes every
    item of ``make(*args)`` to stdout, then the end (or the exception, made picklable).
    A write to a parent that died fails (broken pipe), and the child ends with it."""
    sys.path[:] = _unframe(sys.stdin.buffer)
    make, args = _unframe(sys.stdin.buffer)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not break the frames: stdout goes to stderr
    try:
        try:
            for item in make(*args):
                _frame(out, item)
            _frame(out, _End())
        except BrokenPipeError:
            raise
        except BaseException as e:
            try:
                pickle.dumps(e)
            except Exception:  # an exception that cannot cross: its type and text can
                e = RuntimeError(f"{type(e).__name__}: {e}")
            _frame(out, e)
    except BrokenPipeError:  # the parent is gone, or stopped reading: nobody to tell
        os._exit(0)


_CHILD = "from loaders.producer import child_main; child_main()"


class ProcessProducer(Generic[T]):
    """Runs ``make(*args)`` in a child Python process whose items come back pickled over
    a pipe (whose buffer is the queue: the child waits while the parent does not read);
    ``make`` and ``args`` must be picklable (``make`` a module-level function). The child
    is a fresh interpreter that imports what ``make`` needs: not multiprocessing's, which
    would run the parent's main module again in the child."""

    def __init__(self, make: Callable[..., Iterator[T]], args: tuple[Any, ...], name: str) -> None:
        self.name = name
        # A session of its own: Ctrl-C in a terminal interrupts the parent, which stops
        # the child, rather than both at once (and a traceback from the child).
        self._child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-c", _CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        assert self._child.stdin is not None and self._child.stdout is not None
        self._out = self._child.stdout
        try:
            _frame(self._child.stdin, list(sys.path))
            _frame(self._child.stdin, (make, args))
            self._child.stdin.close()
        except BrokenPipeError:
            pass  # the child died at start: next() says so
        self._ended = False

    def next(self) -> T | None:
        if self._ended:
            return None
        try:
            item = _unframe(self._out)
        except EOFError:
            self._ended = True
            code = self._child.wait()
            raise RuntimeError(f"{self.name}: the reader process exited ({code})") from None
        if isinstance(item, _End):
            self._ended = True
            return None
        if isinstance(item, BaseException):
            self._ended = True
            raise item
        result: T = item
        return result

    def stop(self) -> None:
        if self._ended:  # it wrote its last item and is exiting: let it
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._child.wait(timeout=5)
        if self._child.poll() is None:
            self._child.kill()
        self._child.wait()
        self._out.close()
