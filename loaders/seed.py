"""Stream the synthetic dataset into the graph through the same validation, writes and
identity linking as `hub load`."""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from graph.store import GraphStore, WriteCounters
from loaders.export import ExportRows
from loaders.kinds import MODELS
from loaders.pipeline import GraphSink, Tally
from loaders.synthetic import SyntheticConfig, generate

Progress = Callable[[str, int], None]


@dataclass
class SeedReport:
    rows: Counter[str] = field(default_factory=Counter)
    counters: WriteCounters = field(default_factory=WriteCounters)
    tally: Tally = field(default_factory=Tally)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


async def seed(
    store: GraphStore,
    config: SyntheticConfig,
    on_batch: Progress | None = None,
    erasure_key: bytes | None = None,
) -> SeedReport:
    """Write the dataset for ``config``; deterministic, and a second run changes nothing
    (unchanged rows are skipped). ``on_batch(kind, rows)`` reports progress. Rows of erased
    customers are skipped (counted as rejected); ``erasure_key`` recognises them, and
    without it a graph holding erasures raises ErasureKeyMissing.

    Raises pydantic.ValidationError if the generator ever made a row `hub load` would reject.
    """
    report = SeedReport()
    started = time.perf_counter()
    now = int(time.time() * 1000)
    to_export = ExportRows()
    sinks: dict[str, GraphSink] = {}
    for kind, batch in generate(config):
        sink = sinks.setdefault(
            kind, GraphSink(store, kind, now, conflicts=None, erasure_key=erasure_key)
        )
        model = MODELS[kind]
        rows = [model.model_validate(to_export(kind, row)).prepare() for row in batch]
        rows = await sink.screen(rows, report.tally)
        report.counters += await sink.write(rows, report.tally)
        report.rows[kind] += len(batch)
        report.tally.read += len(batch)
        if on_batch is not None:
            on_batch(kind, len(batch))
    report.seconds = time.perf_counter() - started
    return report
