"""Stream the synthetic dataset into the graph, batch by batch."""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from graph.store import GraphStore, WriteCounters
from graph.writes import write_rows
from loaders.synthetic import SyntheticConfig, generate

Progress = Callable[[str, int], None]


@dataclass
class SeedReport:
    rows: Counter[str] = field(default_factory=Counter)
    counters: WriteCounters = field(default_factory=WriteCounters)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


async def seed(
    store: GraphStore, config: SyntheticConfig, on_batch: Progress | None = None
) -> SeedReport:
    """Write the dataset for ``config``; deterministic, and a second run adds no node or
    relationship (every write merges on a constrained key). ``on_batch(kind, rows)``
    reports progress.
    """
    report = SeedReport()
    started = time.perf_counter()
    now = int(time.time() * 1000)
    for kind, batch in generate(config):
        report.counters += await write_rows(store, kind, batch, now)
        report.rows[kind] += len(batch)
        if on_batch is not None:
            on_batch(kind, len(batch))
    report.seconds = time.perf_counter() - started
    return report
