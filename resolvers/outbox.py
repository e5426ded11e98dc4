"""The outbox dispatcher and the in-process broker subscriptions listen on
(docs/operations.md, "Pushing changes out").

The dispatcher runs in the app's lifespan (hub/app.py). It reads undelivered
`(:OutboxEvent)`s in order (graph/outbox.py), hands each to ``publish``, then marks them
delivered, queueing their webhook deliveries in the same statement. An event is marked
only after it was handed on, so a hub stopped in between hands it on again when it
starts: at least once, never lost. Webhook receivers tell repeats apart by the event id.
The broker is fed by each process's own reading of the outbox (resolvers/outbox_feed.py),
not by the dispatcher: whichever process marks an event, every process's subscribers
hear it.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson

from graph import outbox as q
from graph.errors import GraphError
from graph.store import GraphStore
from resolvers.clock import Clock, now_ms

logger = logging.getLogger("hub.outbox")
# The dispatcher finds waiting events by their `pending_at` (graph/outbox.py); its first
# passes, and those every FULL_SCAN_EVERY passes, read every event not delivered by time
# instead, until one finds less than a batch (events written without `pending_at`, by a
# hub before it, are found then).
FULL_SCAN_EVERY = 100


@dataclass(frozen=True)
class OutboxMessage:
    """One outbox event as subscribers see it."""

    id: str
    kind: str
    at: int
    payload: dict[str, Any]
    customer_ids: tuple[str, ...]


def message_of(row: Mapping[str, Any]) -> OutboxMessage:
    """An outbox event as read by graph/outbox.py, as subscribers see it."""
    return OutboxMessage(
        id=row["id"], kind=row["kind"], at=row["at"],
        payload=orjson.loads(row["payload"]) if row["payload"] else {},
        customer_ids=tuple(row["customer_ids"] or ()),
    )  # fmt: skip


class Broker:
    """Fan-out of outbox messages to the subscribers of this process. Each subscriber has
    a bounded queue: one that falls ``max_queue`` behind is dropped (its stream ends),
    so a slow socket never holds up the feed or the others. ``listening_since``: when
    the subscribers of now started listening (the first of them), None without any."""

    def __init__(
        self, max_queue: int = 1000, clock: Clock = now_ms,
        on_subscribe: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        self._max_queue = max_queue
        self._clock = clock
        self.on_subscribe = on_subscribe  # the feed's wake-up: read for the newcomer now
        self._queues: set[asyncio.Queue[OutboxMessage | None]] = set()
        self.listening_since: int | None = None

    @property
    def subscribers(self) -> int:
        return len(self._queues)

    def publish(self, message: OutboxMessage) -> None:
        for queue in list(self._queues):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                self._queues.discard(queue)
                queue.get_nowait()  # room for the end of stream
                queue.put_nowait(None)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[OutboxMessage]]:
        """The messages published from now on, until the context ends (or the subscriber
        falls too far behind)."""
        queue: asyncio.Queue[OutboxMessage | None] = asyncio.Queue(self._max_queue)
        if not self._queues:
            self.listening_since = self._clock()
        self._queues.add(queue)
        if self.on_subscribe is not None:
            self.on_subscribe()

        async def messages() -> AsyncIterator[OutboxMessage]:
            while (message := await queue.get()) is not None:
                yield message

        try:
            yield messages()
        finally:
            self._queues.discard(queue)
            if not self._queues:
                self.listening_since = None


class OutboxDispatcher:
    """Hands undelivered outbox events to ``publish`` in order and marks them delivered
    (``publish`` None: only marks them, reading their ids alone). ``run()`` loops until
    cancelled: after each pass that found nothing it waits for
    ``wake()`` (a write in this process) or ``poll_s`` (writes elsewhere). ``batch``: the
    events a pass reads and marks; by default a whole `POST /events` batch of the largest
    default size in one pass (each pass's marking is a transaction: marking 500 events
    in passes of 200 cost Neo4j ~20% more CPU than in one)."""

    def __init__(
        self, store: GraphStore, publish: Callable[[OutboxMessage], None] | None, *,
        poll_s: float = 0.5, batch: int = 1000, clock: Clock = now_ms,
    ) -> None:  # fmt: skip
        self._store = store
        self._publish = publish
        self._poll_s = poll_s
        self._batch = batch
        self._clock = clock
        self._wakeup = asyncio.Event()
        self._full = True  # reading every undelivered event, not only those pending_at
        self._passes = 0
        self._stopping = False

    def wake(self) -> None:
        self._wakeup.set()

    async def dispatch_once(self) -> int:
        """Hand on and mark one batch; how many events it held. Raises GraphError."""
        self._passes += 1
        if self._passes % FULL_SCAN_EVERY == 0:
            self._full = True
        full = self._full
        if self._publish is not None:
            query = q.UNDELIVERED_EVENTS if full else q.PENDING_EVENTS
        else:
            query = q.UNDELIVERED_EVENT_IDS if full else q.PENDING_EVENT_IDS
        rows = await self._store.read(query, {"limit": self._batch})
        if len(rows) < self._batch:
            self._full = False
        if not rows:
            return 0
        if self._publish is not None:
            for row in rows:
                self._publish(message_of(row))
        await self._store.write(
            q.MARK_DELIVERED, {"ids": [r["id"] for r in rows], "now": self._clock()}
        )
        return len(rows)

    def stop(self) -> None:
        """End ``run()`` after the pass under way (a cancellation alone may be lost: the
        embedded engine's client can swallow one that arrives during a statement)."""
        self._stopping = True
        self._wakeup.set()

    async def run(self) -> None:
        while not self._stopping:
            try:
                handed = await self.dispatch_once()
            except GraphError as e:
                logger.warning("outbox dispatch failed, will retry: %s", type(e).__name__)
                handed = 0
            if handed or self._stopping:
                continue
            self._wakeup.clear()
            # (Not asyncio.wait_for: on Python 3.11 it can swallow the task's cancellation
            # when the wake-up comes at the same moment, and the loop would never end.)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_s):
                    await self._wakeup.wait()
