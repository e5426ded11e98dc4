"""The embedded engine's life: persistence, clear start errors, no orphan processes."""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import redis

from graph import supervisor
from graph.embedded import EmbeddedEngine, EngineRecord, _binaries
from graph.errors import EngineStartError, GraphUnavailable
from graph.migrations import migrate
from graph.store import EngineHealth, GraphStore, Record, open_store

ROOT = Path(__file__).resolve().parents[2]


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
    # Kept in the append-only file (with an RDB base), not in separate snapshots.
    assert (tmp_path / "appendonlydir").is_dir()
    assert not (tmp_path / "graph.rdb").exists()


def test_unwritable_data_dir_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(EngineStartError, match="cannot create data directory"):
        EmbeddedEngine(blocker / "graph").start()


def test_a_second_server_on_the_same_dir_is_refused(tmp_path):
    with (
        EmbeddedEngine(tmp_path, share=False),
        pytest.raises(EngineStartError, match="already running, owned by pid"),
    ):
        EmbeddedEngine(tmp_path, share=False).start()


def test_engine_stops_when_the_parent_is_killed(tmp_path):
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from graph.embedded import EmbeddedEngine
        engine = EmbeddedEngine(Path({str(tmp_path)!r}))
        engine.start()
        print(engine.pid, flush=True)
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


# --- durability and supervision (issue 12) -----------------------------------------------


def _engine_pid(data_dir: Path) -> int:
    record = EngineRecord.read(data_dir / "engine.json")
    assert record is not None, "no engine.json: the engine is not running"
    return record.engine_pid


async def _until_up(store: GraphStore, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if store.health() is EngineHealth.UP:
            try:
                await store.ping()
                return
            except GraphUnavailable:
                pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"the engine was not back within {seconds} s: {store.health()}")


async def _until_noticed(store: GraphStore, seconds: float = 10) -> None:
    """Until the supervisor has seen the engine die (it polls every 0.1 s)."""
    deadline = time.monotonic() + seconds
    while store.health() is EngineHealth.UP and time.monotonic() < deadline:  # noqa: ASYNC110 - the state is polled, there is no event to wait on
        await asyncio.sleep(0.01)


async def test_an_acknowledged_write_survives_a_kill_9_of_the_engine(tmp_path):
    async with open_store(f"embedded://{tmp_path}") as store:
        await store.write("CREATE (:ConsentEvent {id: 'withdrawn', at: 1})")
        first = _engine_pid(tmp_path)
        os.kill(first, signal.SIGKILL)
        await _until_up(store)
        second = _engine_pid(tmp_path)
        assert second != first and not _alive(first), "the dead engine was not reaped"
        rows = await store.read("MATCH (e:ConsentEvent) RETURN e.id AS id")
        assert rows == [{"id": "withdrawn"}]
        # Writes go on after the restart, and survive the next one too.
        await store.write("CREATE (:ConsentEvent {id: 'after', at: 2})")
        os.kill(second, signal.SIGKILL)
        await _until_up(store)
        rows = await store.read("MATCH (e:ConsentEvent) RETURN e.id AS id ORDER BY id")
    assert rows == [{"id": "after"}, {"id": "withdrawn"}]


async def test_requests_in_the_gap_fail_fast_as_unavailable(tmp_path):
    async with open_store(f"embedded://{tmp_path}") as store:
        await store.write("CREATE (:Brand {id: 'b'})")
        os.kill(_engine_pid(tmp_path), signal.SIGKILL)
        await _until_noticed(store)
        # Either still recovering (refused at once) or already back (answered): never a hang
        # or another kind of error.
        with contextlib.suppress(GraphUnavailable):
            await store.read("RETURN 1 AS one")
        assert store.retry_after_s() >= 1
        await _until_up(store)
        assert await store.read("RETURN 1 AS one") == [{"one": 1}]


async def test_an_engine_that_keeps_dying_is_reported_failed(tmp_path, monkeypatch):
    monkeypatch.setattr(supervisor, "BACKOFF_S", (0.0, 0.05))
    async with open_store(f"embedded://{tmp_path}") as store:
        await store.write("CREATE (:Brand {id: 'b'})")
        for _ in range(supervisor.GIVE_UP_AFTER):
            await _until_up(store)
            os.kill(_engine_pid(tmp_path), signal.SIGKILL)
            await _until_noticed(store)
        assert store.health() is EngineHealth.FAILED
        # It is still brought back: a process manager may restart the hub, or not.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                assert await store.read("RETURN 1 AS one") == [{"one": 1}]
                break
            except GraphUnavailable:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("the engine was not restarted")


def test_an_acknowledged_write_survives_a_kill_9_of_its_owner(tmp_path):
    script = textwrap.dedent(f"""
        import asyncio, time
        from graph.store import open_store
        async def main():
            async with open_store("embedded://{tmp_path}") as store:
                await store.write("CREATE (:AuditEntry {{id: 'confirmed'}})")
                print("acknowledged", flush=True)
                await asyncio.sleep(600)
        asyncio.run(main())
    """)
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT
    ) as owner:
        assert owner.stdout is not None
        assert owner.stdout.readline().strip() == "acknowledged"
        engine_pid = _engine_pid(tmp_path)
        owner.send_signal(signal.SIGKILL)

    async def read_back() -> list[Record]:
        # The dying engine may still be writing: the next start waits for it.
        async with open_store(f"embedded://{tmp_path}") as store:
            return await store.read("MATCH (a:AuditEntry) RETURN a.id AS id")

    assert asyncio.run(read_back()) == [{"id": "confirmed"}]
    assert not _alive(engine_pid)


def test_a_data_dir_kept_as_a_snapshot_is_upgraded_without_loss(tmp_path):
    server, module = _binaries()
    sock = tmp_path / "old.sock"
    old = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(sock), "--dir", str(tmp_path),
         "--dbfilename", "graph.rdb", "--appendonly", "no", "--save", "",
         "--loadmodule", module],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        client = redis.Redis(unix_socket_path=str(sock))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.execute_command("GRAPH.QUERY", "hub", "CREATE (:Brand {id: 'old'})")
        client.save()
        client.close()
    finally:
        old.terminate()
        old.wait(timeout=30)

    async def read_twice() -> tuple[list[Record], list[Record]]:
        url = f"embedded://{tmp_path}"
        async with open_store(url) as store:
            first = await store.read("MATCH (b:Brand) RETURN b.id AS id")
        async with open_store(url) as store:  # now from the append-only file alone
            second = await store.read("MATCH (b:Brand) RETURN b.id AS id")
        return first, second

    assert asyncio.run(read_twice()) == ([{"id": "old"}], [{"id": "old"}])
    assert (tmp_path / "appendonlydir").is_dir()
    assert (tmp_path / "graph.rdb.before-aof").exists()


async def test_a_command_attaches_to_the_running_engine_and_leaves_it_running(tmp_path):
    url = f"embedded://{tmp_path}"
    async with open_store(url, embedded_share=False) as served:
        owner_pid = _engine_pid(tmp_path)
        async with open_store(url) as command:
            await command.write("CREATE (:ApiKey {id: 'made-while-serving'})")
            assert _engine_pid(tmp_path) == owner_pid
        assert _alive(owner_pid)
        rows = await served.read("MATCH (k:ApiKey) RETURN k.id AS id")
    assert rows == [{"id": "made-while-serving"}]
    assert not _alive(owner_pid)


async def test_compact_folds_the_log_into_an_rdb_base(tmp_path):
    url = f"embedded://{tmp_path}"
    async with open_store(url) as store:
        await store.write("UNWIND range(1, 500) AS i CREATE (:Brand {id: toString(i)})")
        await store.compact()
        incr = sorted((tmp_path / "appendonlydir").glob("*.incr.aof"))
        assert incr and all(f.stat().st_size == 0 for f in incr), "the log was not folded"
        os.kill(_engine_pid(tmp_path), signal.SIGKILL)
        await _until_up(store)
        rows = await store.read("MATCH (b:Brand) RETURN count(b) AS n")
    assert rows == [{"n": 500}]


async def test_a_migrated_graph_restarts_from_its_log(tmp_path):
    """FalkorDB logs DDL verbatim and builds constraints in the background; replaying that
    from the log failed ('Constraint already exists') and hung the restart. Migrations
    fold it into the log's base, and a migration with nothing to do logs nothing."""
    url = f"embedded://{tmp_path}"
    async with open_store(url) as store:
        await migrate(store)
        again = await migrate(store)
        assert again.applied == 0
        incr = b"".join(f.read_bytes() for f in (tmp_path / "appendonlydir").glob("*.incr.aof"))
        assert b"GRAPH.CONSTRAINT" not in incr and b"CREATE INDEX" not in incr
        await store.write("UNWIND range(1, 2000) AS i MERGE (:Customer {id: 'c' + toString(i)})")
        os.kill(_engine_pid(tmp_path), signal.SIGKILL)
        await _until_up(store)
        rows = await store.read("MATCH (c:Customer) RETURN count(c) AS n")
    assert rows == [{"n": 2000}]
