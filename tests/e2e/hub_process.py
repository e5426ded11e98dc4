"""A running hub for the end-to-end tests that need a real server: `hub serve` as a
process (the graphql-http audit), or the same app under uvicorn in a thread of the test
process (the browser console: it spares importing the hub again in a new process, which
takes most of a process's start-up). Each picks a free port, waits until the hub is ready
and stops it cleanly."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import httpx
import pytest
import uvicorn

from hub.app import create_app
from hub.settings import Settings

HUB = str(Path(sys.executable).with_name("hub"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(port: int, alive: Callable[[], bool], log: Callable[[], str]) -> None:
    deadline = time.monotonic() + 45
    while True:
        if not alive():
            pytest.fail(f"the hub exited early:\n{log()}", pytrace=False)
        if time.monotonic() > deadline:
            pytest.fail(f"the hub was not ready in 45 s:\n{log()}", pytrace=False)
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)


@contextlib.contextmanager
def serving_in_thread(settings: Settings) -> Iterator[str]:
    """The app of ``settings`` (its own graph, opened by its lifespan as `hub serve` does)
    under uvicorn in a thread; yields its base URL once ready, and stops it afterwards."""
    port = free_port()
    app = create_app(settings.model_copy(update={"host": "127.0.0.1", "port": port}))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="hub", daemon=True)
    thread.start()
    try:
        _wait_ready(port, thread.is_alive, lambda: "(uvicorn's log is above)")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextlib.contextmanager
def serving(graph_url: str, data_dir: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """`hub serve` on the graph ``graph_url`` (cwd and log in ``data_dir``, ``env`` added
    to the environment); yields the hub's base URL (http://127.0.0.1:PORT) once it is
    ready, and stops it (SIGINT, as a person would) afterwards."""
    port = free_port()
    full_env = {
        **os.environ,
        "HUB_GRAPH_URL": graph_url,
        "HUB_HOST": "127.0.0.1",
        "HUB_PORT": str(port),
        "HUB_LOG_LEVEL": "warning",
        **(env or {}),
    }
    log_path = data_dir / "hub.log"
    with (
        log_path.open("w") as log,
        subprocess.Popen([HUB, "serve"], cwd=data_dir, env=full_env, stdout=log, stderr=log) as hub,
    ):
        try:
            _wait_ready(port, lambda: hub.poll() is None, log_path.read_text)
            yield f"http://127.0.0.1:{port}"
        finally:
            hub.send_signal(signal.SIGINT)
            try:
                hub.wait(timeout=30)
            except subprocess.TimeoutExpired:
                hub.kill()
                hub.wait()
