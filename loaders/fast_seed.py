"""`hub seed --fast`: the synthetic dataset at 100k-1M customers, about twice as fast as
`hub seed` (bench/README.md has the figures; 1M customers still takes hours).

The same rows as loaders.seed (same generator, same prepared rows and hashes, so a later
`hub seed` or `hub load` of the same data writes nothing), with four changes that make it
fast:

* generating and preparing run in a child process, while this one writes: the two
  overlap instead of taking turns;
* the rows of the plain kinds (interactions, follows, tags..., three quarters of the
  volume) are prepared from the generated values by loaders/columns.py, not through the
  pydantic model (tests/unit/loaders/test_fast_seed.py checks they are the model's rows);
* accounts are linked to the customer the generator made them for (method and confidence
  as generated) with graph/linking.py's APPLY_LINKS, instead of exact linking deciding
  from the evidence batch by batch. `hub relink` decides every link from the evidence
  afterwards, if that is what a benchmark needs;
* into a graph that holds no node at all when it starts, rows are not screened (nothing
  can be erased or merged yet) and go through graph/fresh_writes.py: no comparison with
  stored hashes, and relationships CREATEd rather than MERGEd (a key the generator repeats
  goes through the upsert, see FreshWriter). Into any other graph, the upserts of
  graph/writes.py, as `hub load` writes.

Rows of erased customers are screened as loaders.seed does (a graph with erasures is not
empty); computed traits are not refreshed (as loaders.seed does not).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import queue
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from graph.fresh_writes import graph_is_empty, write_fresh
from graph.linking import APPLY_LINKS
from graph.store import GraphStore, WriteCounters
from graph.writes import write_rows
from loaders.columns import PLAIN
from loaders.export import ExportRows
from loaders.kinds import MODELS
from loaders.pipeline import GraphSink, last_of_each, row_key
from loaders.seed import Progress, SeedReport
from loaders.synthetic import SyntheticConfig, generate

Row = dict[str, Any]
BATCH = 5000  # rows per statement: fewer round trips; a batch is still a few MB at most
_QUEUE = 4  # prepared batches waiting, at most (memory stays flat)


@dataclass
class _Batch:
    kind: str
    rows: list[Row]  # prepared
    links: list[Row]  # APPLY_LINKS changes (social accounts)
    read: int


def prepared_batches(config: SyntheticConfig, batch_size: int = BATCH) -> Iterator[_Batch]:
    """The generated dataset as prepared rows, batch by batch, with each account's link as
    generated. Raises pydantic.ValidationError for a row `hub load` would reject."""
    to_export = ExportRows()
    for kind, batch in generate(config, batch_size):
        plain = PLAIN.get(kind)
        if plain is not None:
            fields = plain.model.model_fields
            rows = []
            for row in batch:
                values = {f: row.get(f, info.default) for f, info in fields.items()}
                prepared = plain.prepared(values)
                if prepared is None:  # the model would refuse it: say why
                    MODELS[kind].model_validate(to_export(kind, row))
                    raise ValueError(f"{kind}: a generated row the model refuses: {row}")
                rows.append(prepared)
        else:
            model = MODELS[kind]
            rows = [model.model_validate(to_export(kind, row)).prepare() for row in batch]
        links = [
            {"account_id": r["id"], "customer_id": r["customer_id"], "method": r["link_method"],
             "confidence": r.get("link_confidence"), "model_version": None, "evidence": None,
             "conflict": None}
            for r in batch
            if kind == "social_accounts" and r.get("customer_id") and r.get("link_method")
        ]  # fmt: skip
        yield _Batch(kind, rows, links, len(batch))


def _produce(config: SyntheticConfig, batch_size: int, out: Any) -> None:
    """The child process: every batch onto ``out``, then None (or the exception)."""
    try:
        for batch in prepared_batches(config, batch_size):
            out.put(batch)
        out.put(None)
    except BaseException as e:  # handed to the parent, which re-raises it
        out.put(e)


async def seed_fast(
    store: GraphStore,
    config: SyntheticConfig,
    on_batch: Progress | None = None,
    erasure_key: bytes | None = None,
    batch_size: int = BATCH,
) -> SeedReport:
    """Write the dataset for ``config`` (see the module's docstring); deterministic, and a
    second run changes nothing. ``on_batch(kind, rows)`` reports progress.

    Raises pydantic.ValidationError if the generator made a row `hub load` would reject,
    ErasureKeyMissing when the graph holds erasures and ``erasure_key`` is None,
    GraphUnavailable.
    """
    report = SeedReport()
    started = time.perf_counter()
    now = int(time.time() * 1000)
    # Into an empty graph nothing can be erased, merged or already there: no screening,
    # and relationships are CREATEd (graph/fresh_writes.py).
    fresh = FreshWriter(store) if await graph_is_empty(store) else None
    batches = child_batches(config, batch_size)
    sinks: dict[str, GraphSink] = {}
    try:
        while (item := await asyncio.to_thread(next, batches, None)) is not None:
            if fresh is not None:
                rows, (written, counters) = item.rows, await fresh.write(item.kind, item.rows, now)
            else:
                sink = sinks.setdefault(
                    item.kind, GraphSink(store, item.kind, now, None, erasure_key=erasure_key)
                )
                rows = last_of_each(await sink.screen(item.rows, report.tally))
                result = await write_rows(store, item.kind, rows, now)
                written, counters = result.written, result.counters
            report.tally.written += written
            report.counters += counters
            if item.links:
                kept = {r["id"] for r in rows}
                links = [link for link in item.links if link["account_id"] in kept]
                report.counters += await store.write(APPLY_LINKS, {"changes": links, "now": now})
                report.tally.linked += len(links)
            report.rows[item.kind] += item.read
            report.tally.read += item.read
            if on_batch is not None:
                on_batch(item.kind, item.read)
    finally:
        with contextlib.suppress(ValueError):  # still running in its thread: the child is a daemon
            batches.close()
    report.seconds = time.perf_counter() - started
    return report


class FreshWriter:
    """Writes into a graph that was empty when the seed began. A relationship may be
    CREATEd only once: a key sent again (the generator repeats one only within a chunk's
    rows of one kind, which arrive as consecutive batches) goes through the upsert."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.kind = ""
        self.seen: set[object] = set()  # keys of the current run of one kind's batches

    async def write(self, kind: str, rows: list[Row], now: int) -> tuple[int, WriteCounters]:
        """(rows written, counters) for one batch; of rows with one key, the last one
        stands (as pipeline.last_of_each keeps it)."""
        if kind != self.kind:
            self.kind, self.seen = kind, set()
        by_key = {row_key(r): r for r in rows}
        new = [r for k, r in by_key.items() if k not in self.seen]
        again = [r for k, r in by_key.items() if k in self.seen]
        self.seen.update(by_key)
        written, counters = await write_fresh(self.store, kind, new, now)
        if again:
            result = await write_rows(self.store, kind, again, now)
            written, counters = written + result.written, counters + result.counters
        return written, counters


def child_batches(
    config: SyntheticConfig, batch_size: int = BATCH
) -> Generator[_Batch, None, None]:
    """prepared_batches(config, batch_size), generated and prepared in a child process
    while the caller writes (at most _QUEUE batches ahead). Closing the iterator stops the
    child. Raises what the child raised, or RuntimeError if it died without saying why."""
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    batches = context.Queue(maxsize=_QUEUE)
    child = context.Process(
        target=_produce, args=(config, batch_size, batches), name="hub-seed", daemon=True
    )
    child.start()
    try:
        while (item := _next(batches, child)) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def _next(batches: Any, child: Any) -> _Batch | BaseException | None:
    """The next item from the child; an error if the child died without saying why."""
    while True:
        try:
            item: _Batch | BaseException | None = batches.get(timeout=1.0)
            return item
        except queue.Empty:
            if not child.is_alive():
                return RuntimeError(f"the seed's generator process exited ({child.exitcode})")
