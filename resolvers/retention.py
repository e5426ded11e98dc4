"""Retention of the write side's bookkeeping (docs/operations.md, "Retention"): receipts
older than the receipt retention are pruned, and so are webhook deliveries that finished
(delivered or dead) and outbox events delivered longer ago than the delivery retention.

After its receipt is pruned, a retried mutation or a resent event is new again: the
retention is how long a client may retry. The running hub prunes on a timer
(``Pruner``, in the app's lifespan, hub/push.py); `hub prune` prunes at once.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from graph import retention as q
from graph.errors import GraphError
from graph.store import GraphStore
from resolvers.clock import Clock, now_ms

logger = logging.getLogger("hub.retention")
DAY_MS = 86_400_000
BATCH = 5000  # records one statement deletes at most


@dataclass(frozen=True)
class Retention:
    receipt_days: int = 30
    delivery_days: int = 30


@dataclass(frozen=True)
class PruneReport:
    """How many records one prune deleted, by kind."""

    receipts: int
    deliveries: int
    outbox_events: int


async def _prune(store: GraphStore, statement: str, cutoff: int, batch: int) -> int:
    pruned = 0
    while True:
        rows, _ = await store.write_returning(statement, {"cutoff": cutoff, "limit": batch})
        done = int(rows[0]["pruned"]) if rows else 0
        pruned += done
        if done < batch:
            return pruned


async def prune(
    store: GraphStore, retention: Retention, now: int, batch: int = BATCH
) -> PruneReport:
    """Delete what is past ``retention`` at ``now``. Returns the counts. Raises
    GraphError (what was deleted before stays deleted: each batch is its own
    transaction, and pruning again finishes the job)."""
    receipts_before = now - retention.receipt_days * DAY_MS
    deliveries_before = now - retention.delivery_days * DAY_MS
    return PruneReport(
        receipts=await _prune(store, q.PRUNE_RECEIPTS, receipts_before, batch),
        deliveries=await _prune(store, q.PRUNE_DELIVERIES, deliveries_before, batch),
        outbox_events=await _prune(store, q.PRUNE_OUTBOX, deliveries_before, batch),
    )


class Pruner:
    """Prunes every ``every_s`` until stopped (the first time right after the start)."""

    def __init__(
        self, store: GraphStore, retention: Retention, every_s: float, clock: Clock = now_ms
    ) -> None:
        self._store = store
        self._retention = retention
        self._every_s = every_s
        self._clock = clock
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                report = await prune(self._store, self._retention, self._clock())
                if report.receipts or report.deliveries or report.outbox_events:
                    logger.info(
                        "pruned %d receipts, %d webhook deliveries, %d outbox events",
                        report.receipts, report.deliveries, report.outbox_events,
                    )  # fmt: skip
            except GraphError as e:
                logger.warning("pruning failed, will retry: %s", type(e).__name__)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._every_s):
                    await self._stopping.wait()
