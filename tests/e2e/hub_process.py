"""`hub serve` as a process, for the end-to-end tests that need a real server (the
graphql-http audit, the browser console): a free port, readiness, and a clean stop."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest

HUB = str(Path(sys.executable).with_name("hub"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
            deadline = time.monotonic() + 45
            while True:
                if hub.poll() is not None:
                    pytest.fail(f"the hub exited early:\n{log_path.read_text()}", pytrace=False)
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"the hub was not ready in 45 s:\n{log_path.read_text()}", pytrace=False
                    )
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            hub.send_signal(signal.SIGINT)
            try:
                hub.wait(timeout=30)
            except subprocess.TimeoutExpired:
                hub.kill()
                hub.wait()
