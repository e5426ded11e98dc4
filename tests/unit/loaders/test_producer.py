"""loaders/producer.py: items from a thread or a child process, errors carried across,
and a child that ends when its parent is killed."""

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from loaders.producer import ProcessProducer, ThreadProducer
from loaders.sources import SourceError, read_rows


def _three() -> Iterator[int]:
    yield from (1, 2, 3)


def _fails() -> Iterator[int]:
    yield 1
    raise ValueError("bad input at line 2")


def _drain(producer) -> list:
    out = []
    while (item := producer.next()) is not None:
        out.append(item)
    return out


def test_a_thread_hands_over_every_item_then_the_end():
    producer = ThreadProducer(_three, "t")
    assert _drain(producer) == [1, 2, 3]
    assert producer.next() is None


def test_a_thread_error_is_raised_after_the_items_before_it():
    producer = ThreadProducer(_fails, "t")
    assert producer.next() == 1
    with pytest.raises(ValueError, match="line 2"):
        producer.next()


def test_a_stopped_thread_ends_and_a_waiting_next_returns():
    producer = ThreadProducer(lambda: itertools.count(), "t", maxsize=2)
    assert producer.next() == 0
    producer.stop()  # the thread waits on a full queue: it must notice and return
    assert producer.next() is None
    producer._thread.join(timeout=5)
    assert not producer._thread.is_alive()


def test_a_child_process_hands_over_every_item_in_order():
    producer = ProcessProducer(iter, ([{"row": i} for i in range(2500)],), "p")
    try:
        assert _drain(producer) == [{"row": i} for i in range(2500)]
        assert producer.next() is None
    finally:
        producer.stop()
    assert producer._child.returncode == 0


def test_a_child_error_comes_back_with_its_type(tmp_path: Path):
    producer = ProcessProducer(read_rows, (tmp_path / "missing.csv",), "p")
    try:
        with pytest.raises(SourceError, match=r"missing\.csv: No such file"):
            producer.next()
    finally:
        producer.stop()


def test_a_child_that_dies_is_an_error_not_a_hang():
    producer = ProcessProducer(itertools.count, (0,), "p")
    try:
        assert producer.next() == 0
        os.kill(producer._child.pid, signal.SIGKILL)
        with pytest.raises(RuntimeError, match=r"exited \(-9\)"):
            for _ in range(10**7):  # what was already in the pipe, then the end
                producer.next()
    finally:
        producer.stop()


def test_a_child_ends_when_its_parent_is_killed():
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import itertools, os\n"
         "from loaders.producer import ProcessProducer\n"
         "p = ProcessProducer(itertools.count, (0,), 'p')\n"
         "p.next()\n"
         "print(p._child.pid, flush=True)\n"
         "os.kill(os.getpid(), 9)\n"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert parent.stdout is not None
    with parent.stdout:
        child = int(parent.stdout.readline())
    assert parent.wait(timeout=60) == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child), "the child outlived its killed parent"


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for init to reap it has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_child_is_out_of_reach_of_the_terminals_ctrl_c():
    # Ctrl-C signals the terminal's foreground process group: the parent alone is
    # interrupted, and stops the child, which prints nothing of its own.
    producer = ProcessProducer(itertools.count, (0,), "p")
    try:
        assert producer.next() == 0
        assert os.getpgid(producer._child.pid) != os.getpgid(0)
    finally:
        producer.stop()
