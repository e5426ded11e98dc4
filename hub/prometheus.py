"""The hub's Prometheus metrics (docs/observability.md), in a registry of its own per app
(nothing global: two apps in one process, as in tests, do not mix their counts).

Names are of the schema and the catalog, never of values: operation types, root fields a
validated document selects, error codes, cache names, the engine."""

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
    write_to_textfile,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from graph.store import EngineHealth, GraphStore

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STATEMENT_BUCKETS = (0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64)
NO_ROOT_FIELD = "none"  # a document that did not parse or validate selects none we know

CacheStats = Callable[[], tuple[int, int]]  # (hits, misses) since the process started


class HubMetrics:
    """The metrics of one app, and what its /metrics answers."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.request_seconds = Histogram(
            "hub_graphql_request_duration_seconds",
            "GraphQL operations, parse to response, by operation type and root field (an "
            "operation with several root fields is observed once under each).",
            ["operation", "root_field"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.statements = Histogram(
            "hub_graphql_statements_per_request",
            "Cypher statements one GraphQL operation sent to the graph (its audit entry "
            "included).",
            ["operation"], buckets=STATEMENT_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.errors = Counter(
            "hub_errors",
            "Errors answered, by code: GraphQL errors' extensions.code and HTTP refusals'.",
            ["code"], registry=self.registry,
        )  # fmt: skip
        self._caches: dict[str, CacheStats] = {}
        self._store: Callable[[], GraphStore | None] = lambda: None
        self.registry.register(_LiveCollector(self))
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)

    def watch_cache(self, name: str, stats: CacheStats) -> None:
        """Report the hits and misses ``stats()`` returns as ``cache=name``."""
        self._caches[name] = stats

    def watch_store(self, store: Callable[[], GraphStore | None]) -> None:
        """Report whether the engine of ``store()`` is up (asked at each scrape, no I/O)."""
        self._store = store

    def observe_operation(
        self, operation: str, root_fields: Iterable[str], seconds: float, statements: int | None
    ) -> None:
        """Record one GraphQL operation."""
        for root_field in list(root_fields) or [NO_ROOT_FIELD]:
            self.request_seconds.labels(operation, root_field).observe(seconds)
        if statements is not None:
            self.statements.labels(operation).observe(statements)

    def count_error(self, code: str) -> None:
        self.errors.labels(code).inc()

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)


class _LiveCollector(Collector):
    """What is read at scrape time: cache hits and misses, the engine's health."""

    def __init__(self, metrics: HubMetrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        lookups = CounterMetricFamily(
            "hub_cache_lookups",
            "Cache lookups by cache and result (hit or miss): the hit rate is "
            "rate(hits) / rate(all).",
            labels=["cache", "result"],
        )
        for name, stats in sorted(self._metrics._caches.items()):
            hits, misses = stats()
            lookups.add_metric([name, "hit"], hits)
            lookups.add_metric([name, "miss"], misses)
        yield lookups
        store = self._metrics._store()
        up = GaugeMetricFamily(
            "hub_engine_up", "1 when the graph engine is up, 0 while it recovers or has "
            "failed (asked of the hub, without a query).", labels=["engine"],
        )  # fmt: skip
        if store is not None:
            up.add_metric([store.engine], 1.0 if store.health() is EngineHealth.UP else 0.0)
        yield up


def write_load_metrics(
    path: Path, kind: str, rows: dict[str, int], seconds: float, finished_at: float
) -> None:
    """Write one `hub load`'s figures to ``path`` in the text format (atomically), for the
    node exporter's textfile collector: rows by outcome (written, unchanged, rejected...),
    its duration and when it finished."""
    registry = CollectorRegistry()
    rows_total = Counter(
        "hub_loader_rows", "Rows of the last `hub load` of a kind, by outcome.",
        ["kind", "outcome"], registry=registry,
    )  # fmt: skip
    for outcome, count in rows.items():
        rows_total.labels(kind, outcome).inc(count)
    duration = GaugeMetricFamily(
        "hub_loader_duration_seconds", "How long the last `hub load` of a kind took.",
        labels=["kind"],
    )  # fmt: skip
    duration.add_metric([kind], seconds)
    finished = GaugeMetricFamily(
        "hub_loader_finished_timestamp_seconds", "When the last `hub load` of a kind ended.",
        labels=["kind"],
    )  # fmt: skip
    finished.add_metric([kind], finished_at)
    registry.register(_Fixed([duration, finished]))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)


class _Fixed(Collector):
    def __init__(self, metrics: list[Metric]) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        yield from self._metrics
