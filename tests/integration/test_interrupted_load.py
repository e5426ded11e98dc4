"""An interrupted load is simply run again and ends with the graph a clean load gives:
cancelled mid-statement (both engines), the process killed (Neo4j), Neo4j stopped mid-load
and started again (the loader waits for it and carries on).
"""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from graph.migrations import migrate
from graph.store import open_store
from loaders.export import export_files
from loaders.mapping import Mapping
from loaders.pipeline import LoadOptions, load_files
from loaders.synthetic import SyntheticConfig
from tests.integration.conftest import ROOT
from tests.integration.graph_dump import dump

KINDS = ("customers", "social_accounts", "interactions")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("interrupted")
    return export_files(SyntheticConfig(customers=600, brands=5), root, "csv").files


def opts(tmp_path: Path, **kw) -> LoadOptions:
    return LoadOptions(
        batch_size=100, rejects_path=tmp_path / "r.jsonl", conflicts_path=tmp_path / "c.jsonl", **kw
    )


async def clean_load(store, files, tmp_path):
    await store.write("MATCH (n) DETACH DELETE n")
    for kind in KINDS:
        report = await load_files(store, kind, [files[kind]], Mapping(), opts(tmp_path))
        assert report.tally.rejected == 0
    return await dump(store)


async def count(store) -> int:
    return (await store.read("MATCH ()-[r]->() RETURN count(r) AS n"))[0]["n"]


async def test_a_load_cancelled_mid_statement_is_completed_by_a_rerun(store, files, tmp_path):
    expected = await clean_load(store, files, tmp_path)
    await store.write("MATCH (n) DETACH DELETE n")
    for kind in KINDS[:2]:
        await load_files(store, kind, [files[kind]], Mapping(), opts(tmp_path))
    interrupted = asyncio.get_running_loop().create_future()

    def cancel_midway(done: int, position: int, total: int) -> None:
        if done >= 3000 and not interrupted.done():
            interrupted.set_result(done)
            task.cancel()  # lands in the next batch's statement

    task = asyncio.ensure_future(
        load_files(
            store,
            "interactions",
            [files["interactions"]],
            Mapping(),
            opts(tmp_path),
            on_progress=cancel_midway,
        )
    )
    with pytest.raises(asyncio.CancelledError):
        await task
    assert interrupted.done()
    partial = await count(store)
    assert 0 < partial < sum(len(r) for r in expected[1:])  # really cut off part-way
    rerun = await load_files(
        store, "interactions", [files["interactions"]], Mapping(), opts(tmp_path)
    )
    assert rerun.tally.written > 0 and rerun.tally.unchanged > 0
    assert await dump(store) == expected


@pytest.mark.parametrize("engine_store", ["neo4j"], indirect=True)
async def test_a_killed_load_process_is_completed_by_a_rerun(store, files, tmp_path, neo4j_uri):
    expected = await clean_load(store, files, tmp_path)
    await store.write("MATCH (n) DETACH DELETE n")
    env = {**os.environ, "HUB_GRAPH_URL": neo4j_uri}
    command = [sys.executable, "-m", "hub", "load", "interactions", str(files["interactions"]),
               "--batch-size", "50", "-q", "--rejects", str(tmp_path / "r.jsonl")]  # fmt: skip
    process = await asyncio.create_subprocess_exec(*command, env=env, cwd=tmp_path)
    for _ in range(1200):  # up to a minute, until some of the load is in
        if await count(store) >= 500 or process.returncode is not None:
            break
        await asyncio.sleep(0.05)
    assert process.returncode is None, "the load ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    await process.wait()
    assert await count(store) > 0
    rerun = await asyncio.create_subprocess_exec(*command, env=env, cwd=tmp_path)
    assert await rerun.wait() == 0
    for kind in KINDS[:2]:
        await load_files(store, kind, [files[kind]], Mapping(), opts(tmp_path))
    assert await dump(store) == expected


def neo4j_dev(data: Path, port: int | None = None) -> tuple[subprocess.Popen, str]:
    args = [str(ROOT / "scripts" / "neo4j-dev"), "--data", str(data)]
    if port:
        args += ["--port", str(port)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    assert url.startswith("bolt://"), f"neo4j-dev did not start: {url!r}"
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=60)
    if process.stdout is not None:
        process.stdout.close()


async def test_neo4j_stopped_mid_load_and_started_again(files, tmp_path):
    data = tmp_path / "neo4j-data"
    server, url = neo4j_dev(data)
    port = int(url.rsplit(":", 1)[1])
    restarted: list[subprocess.Popen] = []
    try:
        async with open_store(url) as store:
            await migrate(store)
            expected = await clean_load(store, files, tmp_path)
            await store.write("MATCH (n) DETACH DELETE n")
            retries: list[str] = []
            back_at: list[float] = []
            last_progress: list[float] = []

            def restart() -> None:
                stop(server)
                time.sleep(1.0)
                restarted.append(neo4j_dev(data, port)[0])
                back_at.append(time.monotonic())

            started: list[threading.Thread] = []

            def stop_midway(done: int, position: int, total: int) -> None:
                last_progress.append(time.monotonic())
                if done >= 1500 and not started:
                    started.append(threading.Thread(target=restart))
                    started[0].start()

            for kind in KINDS:
                await load_files(store, kind, [files[kind]], Mapping(), opts(tmp_path),
                                 on_progress=stop_midway, on_retry=retries.append)  # fmt: skip
            started[0].join()
            # The outage fell inside the load: batches were written after Neo4j came back.
            # (The driver retries a failed transaction for up to 30 s by itself; the loader's
            # own retry, reported through on_retry, covers longer outages.)
            assert back_at and last_progress[-1] > back_at[0], (retries, back_at)
            assert await dump(store) == expected
    finally:
        for process in [server, *restarted]:
            if process.poll() is None:
                stop(process)
