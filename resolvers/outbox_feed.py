"""The feed of this process's subscriptions (docs/operations.md, "Subscriptions"): every
outbox event written from now on, by any hub process on the graph, read from the outbox
itself and handed to this process's broker (resolvers/outbox.py).

Each process reads the outbox on its own, by time, whether or not another process's
dispatcher has marked an event delivered (the dispatcher's marking is for webhooks): so a
subscriber hears what any process wrote. It reads only while this process has
subscribers, after each write of its own (``wake()``) and every ``poll_s``.

A write stamps its event when it starts and commits later, so an event can appear below
the newest time already read: each read looks back ``lookback_ms`` and skips the ids it
has handed on already. An event committed more than that after its time is missed (a
subscription is a live stream; the outbox and webhooks are the record).
"""

import asyncio
import contextlib
import logging

from graph import outbox as q
from graph.errors import GraphError
from graph.store import GraphStore
from resolvers.clock import Clock, now_ms
from resolvers.outbox import Broker, message_of

logger = logging.getLogger("hub.outbox_feed")
LOOKBACK_MS = 10_000
PAGE = 500


class OutboxFeed:
    """Hands each new outbox event to ``broker`` once, in order, while it has
    subscribers."""

    def __init__(
        self, store: GraphStore, broker: Broker, *, poll_s: float = 0.5,
        lookback_ms: int = LOOKBACK_MS, clock: Clock = now_ms,
    ) -> None:  # fmt: skip
        self._store = store
        self._broker = broker
        self._poll_s = poll_s
        self._lookback_ms = lookback_ms
        self._clock = clock
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._start: int | None = None  # events from this time on are handed on
        self._seen: dict[str, int] = {}  # id -> time, of those handed on in the look-back
        self._newest = 0

    def wake(self) -> None:
        self._wakeup.set()

    async def read_once(self) -> int:
        """Hand on the events not handed on yet; how many. Raises GraphError."""
        listening_since = self._broker.listening_since
        if listening_since is None or not self._broker.subscribers:
            self._start = None  # nobody listens: the next subscriber starts from its time
            self._seen.clear()
            return 0
        if self._start is None:
            self._start = self._newest = listening_since
        since = max(self._start, self._newest - self._lookback_ms)
        handed = skip = 0
        while True:
            page = {"since": since, "skip": skip, "limit": PAGE}
            rows = await self._store.read(q.EVENTS_SINCE, page)
            for row in rows:
                if row["id"] in self._seen:
                    continue
                self._seen[row["id"]] = row["at"]
                self._newest = max(self._newest, row["at"])
                self._broker.publish(message_of(row))
                handed += 1
            if len(rows) < PAGE:
                break
            skip += PAGE
        floor = self._newest - self._lookback_ms
        self._seen = {k: at for k, at in self._seen.items() if at >= floor}
        return handed

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()

    async def run(self) -> None:
        while not self._stopping:
            try:
                await self.read_once()
            except GraphError as e:
                logger.warning("reading the outbox for subscriptions failed: %s",
                               type(e).__name__)  # fmt: skip
            if self._stopping:
                break
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_s):
                    await self._wakeup.wait()
