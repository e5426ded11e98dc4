"""The embedded engine's life: persistence, clear start errors, no orphan processes."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from graph.embedded import EmbeddedEngine
from graph.errors import EngineStartError
from graph.store import open_store


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


async def test_data_persists_across_restarts(tmp_path):
    url = f"embedded://{tmp_path}"
    async with open_store(url) as store:
        await store.write("CREATE (:Brand {id: 'kept', name: 'Kept'})")
    async with open_store(url) as store:
        rows = await store.read("MATCH (b:Brand {id: 'kept'}) RETURN b.name AS name")
    assert rows == [{"name": "Kept"}]
    # Kept as a snapshot: replaying an append-only file re-runs every query, which made
    # the demo's restart slower than its load.
    assert (tmp_path / "graph.rdb").exists()
    assert not (tmp_path / "appendonlydir").exists()


def test_unwritable_data_dir_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(EngineStartError, match="cannot create data directory"):
        EmbeddedEngine(blocker / "graph").start()


def test_second_engine_on_the_same_dir_is_refused(tmp_path):
    with EmbeddedEngine(tmp_path), pytest.raises(EngineStartError, match="already running"):
        EmbeddedEngine(tmp_path).start()


def test_engine_stops_when_the_parent_is_killed(tmp_path):
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from graph.embedded import EmbeddedEngine
        engine = EmbeddedEngine(Path({str(tmp_path)!r}))
        engine.start()
        print(engine.pid_path.read_text(), flush=True)
        time.sleep(600)
    """)
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as parent:
        assert parent.stdout is not None
        child_pid = int(parent.stdout.readline())
        assert _alive(child_pid)
        parent.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 15
    while _alive(child_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child_pid), "the engine outlived its parent"
