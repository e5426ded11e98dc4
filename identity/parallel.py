"""Identity work on more than one core, by forking: a child sees the parent's profiles
without their being copied or pickled, and sends back only its share of the result.

Off unless asked for (`using(workers)`): one process is the default, and the only mode
where the process may hold threads or connections a fork would copy (the children here
only compute, and leave through `os._exit`, but a server is no place to fork). The
results do not depend on the number of workers: work is split in order and joined in
order, and every split piece is computed exactly as it would be in one process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")

_workers = 1


def workers() -> int:
    """How many processes identity work may use now (1: this one only)."""
    return _workers


@contextmanager
def using(count: int) -> Iterator[None]:
    """Let the work inside use ``count`` processes (this one and ``count - 1`` forks)."""
    global _workers
    if count < 1:
        raise ValueError(f"workers must be at least 1, not {count}")
    before, _workers = _workers, count
    try:
        yield
    finally:
        _workers = before


class ChildFailed(RuntimeError):
    """A forked child ended without sending its result (killed, out of memory)."""


def in_child(fn: Callable[..., T], *args: Any) -> Callable[[], T]:
    """Start ``fn(*args)`` in a forked child; returns a function that waits for the child
    and gives its result (or raises its exception). Call it exactly once."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, fn, args), daemon=True)
    process.start()
    send.close()

    def result() -> T:
        try:
            ok, value = receive.recv()
        except EOFError:
            ok = None
        finally:
            receive.close()
            process.join()
        if ok is None:
            raise ChildFailed(f"a forked worker exited with code {process.exitcode}")
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    return result


def _child(send: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    global _workers
    _workers = 1  # a child does its share itself
    try:
        message = (True, fn(*args))
    except BaseException as error:
        message = (False, error)
    send.send(message)
    send.close()


def split(size: int, parts: int) -> list[tuple[int, int]]:
    """``[0, size)`` in ``parts`` consecutive ranges of nearly equal length."""
    step, extra = divmod(size, parts)
    bounds, start = [], 0
    for k in range(parts):
        end = start + step + (1 if k < extra else 0)
        bounds.append((start, end))
        start = end
    return bounds
