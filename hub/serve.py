"""`hub serve`: one process, or a deployment of worker processes sharing the port.

With one worker, the app's lifespan owns everything (hub/app.py). With more, what must
happen once per deployment, not once per worker, runs in the serving process itself, on an
event loop of its own in a thread (``Deployment``), while uvicorn's worker processes serve
requests:

* opening the graph: the embedded engine is started and supervised here (restarted when it
  dies), and the workers attach to it, rather than each starting its own on one directory;
* migrations and the key upgrade (hub/startup.py), before any worker starts;
* pushing changes out (hub/push.py): one outbox dispatcher marks each event delivered and
  queues its webhook deliveries once, and one webhook sender sends each of them once.

A worker (``worker_app``) attaches to the graph and serves; a write there leaves its
outbox event for the dispatcher's next poll (``HUB_OUTBOX_POLL_S``). Subscriptions are fed
by this process's broker, which no worker reaches: with more than one worker they receive
nothing until subscriptions read the outbox themselves (docs/operations.md).
"""

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
from contextlib import AsyncExitStack
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import State

from graph.errors import GraphError
from hub.settings import Settings, load_settings
from hub.startup import prepare_graph, upgrade_lines

logger = logging.getLogger("hub")
READY_TIMEOUT_S = 600.0  # migrations and the key upgrade of a large graph take a while
# uvicorn kills a worker that does not answer its supervisor's ping within this, and a
# fresh worker answers only once Python has started and imported it: 5 s (uvicorn's
# default) was not enough on a loaded 2-core machine, where workers were killed in a loop.
WORKER_HEALTHCHECK_S = 60


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def worker_app() -> Starlette:
    """The app of one worker of a deployment (uvicorn's factory): settings from the
    environment, as the serving process read them."""
    from hub.app import create_app

    _die_with_the_serving_process()
    return create_app(load_settings(), attached=True)


PR_SET_PDEATHSIG = 1  # prctl(2)
SERVING_PID = "HUB_SERVING_PID"  # the serving process tells its workers who it is


def _die_with_the_serving_process() -> None:
    """Have the kernel send this worker SIGTERM when the serving process dies, even by
    SIGKILL: an orphaned worker would go on answering on the port, without the graph the
    serving process kept (the embedded engine stops with it) and blocking a new hub."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    # It may have died while this worker started, before the line above could matter.
    if os.getppid() != int(os.environ.get(SERVING_PID, os.getppid())):
        raise SystemExit("the serving process is gone")


class Deployment:
    """The graph opened, migrated and pushing changes out, once, for the workers: on an
    event loop of its own in a thread, from ``start()`` to ``stop()``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="hub-deployment", daemon=True)

    def start(self) -> None:
        """Return once the graph is ready for the workers; raise GraphError if it cannot
        be (the engine does not start, Neo4j is not reachable, a migration is refused)."""
        self._thread.start()
        if not self._ready.wait(READY_TIMEOUT_S):
            raise GraphError(f"the graph was not ready in {READY_TIMEOUT_S:.0f} s")
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """Stop pushing changes, close the graph (stopping an engine started here)."""
        if self._loop is not None and self._stopping is not None:
            # The loop is closed already when the graph failed after start-up.
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout=60)

    def _run(self) -> None:
        # The embedded engine is started from this thread and dies with it (it is
        # started with PR_SET_PDEATHSIG, which follows the thread): stop() ends it first.
        try:
            asyncio.run(self._main())
        except BaseException as e:  # handed to start(); nothing else runs in this thread
            self._error = e
        finally:
            self._ready.set()

    async def _main(self) -> None:
        from hub.app import open_configured_store
        from hub.push import push_changes

        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        async with AsyncExitStack() as stack:
            store = await stack.enter_async_context(
                open_configured_store(self._settings, serve=True)
            )
            upgrade = await prepare_graph(store, self._settings)
            for line in upgrade_lines(upgrade, always=True):
                logger.warning("%s", line)
            logger.info("graph ready on the %s engine", store.engine)
            # Deliveries once, here; each worker's subscribers hear the outbox feed itself.
            await stack.enter_async_context(
                push_changes(State(), store, self._settings, subscriptions=False)
            )
            self._ready.set()
            await self._stopping.wait()


def serve_workers(settings: Settings, workers: int, **uvicorn_options: Any) -> None:
    """Serve with ``workers`` processes on one port until SIGINT or SIGTERM; the graph
    opened and pushing changes out once, here. Raises GraphError if the graph is not ready."""
    import uvicorn

    deployment = Deployment(settings)
    deployment.start()
    os.environ[SERVING_PID] = str(os.getpid())  # the workers inherit it
    try:
        uvicorn.run(
            "hub.serve:worker_app", factory=True, workers=workers,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
            host=settings.host, port=settings.port, **uvicorn_options,
        )  # fmt: skip
    finally:
        deployment.stop()
