"""`hub load`: files in, graph out, nothing lost.

A reader (loaders/reader.py) streams records from the files, maps and validates them,
and hands prepared batches, each with the records it rejected, over a small bounded
queue; the event loop writes every batch's rejects to the rejects file, then the batch
(and relinks identities) while the next is parsed. For a big input the reader runs in a
child process, so parsing and writing use two cores (loaders/producer.py); for a small
one, in a thread (a process would take longer to start than the reading). Memory holds a
few batches, whatever the size of the files.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import orjson

from graph.errors import GraphUnavailable
from graph.store import GraphStore, WriteCounters
from graph.traits import TRAIT_KINDS, customers_touched, refresh_traits, trait_names
from graph.writes import write_rows
from loaders.aliases import map_merged
from loaders.erasures import ErasureGuard
from loaders.kinds import MODELS
from loaders.linking import Decision, accounts_touched, relink
from loaders.mapping import Mapping
from loaders.producer import ProcessProducer, Producer, ThreadProducer
from loaders.reader import Batch, Origin, Reader, read_batches
from loaders.sources import SourceError, format_of

if TYPE_CHECKING:  # identity resolution (numpy, the model) is imported when a load uses it
    from loaders.resolution import ResolveOptions, ResolveReport

Row = dict[str, Any]
# Inputs of at least this many bytes (compressed, as stored) are read in a child process:
# below it, starting the process (1-3 s on a loaded machine) costs more than it saves.
# Measured on the embedded engine at load 9-11: a 2.1 MB file of 150k interactions took
# 0.81x the time with the process (spawn included); a 0.4 MB one of 26k, 1.7x.
PROCESS_READER_BYTES = 1 << 20
ReaderMode = Literal["auto", "thread", "process"]


@dataclass
class Tally:
    read: int = 0
    written: int = 0
    rejected: int = 0
    linked: int = 0
    unlinked: int = 0
    conflicts: int = 0

    @property
    def unchanged(self) -> int:
        return self.read - self.rejected - self.written


@dataclass
class LoadReport:
    kind: str
    tally: Tally = field(default_factory=Tally)
    counters: WriteCounters = field(default_factory=WriteCounters)
    seconds: float = 0.0
    dry_run: bool = False
    rejects_path: Path | None = None
    conflicts_path: Path | None = None
    ignored_columns: set[str] = field(default_factory=set)
    resolution: ResolveReport | None = None  # identity resolution of what the load wrote


@dataclass(frozen=True)
class LoadOptions:
    batch_size: int = 1000
    dry_run: bool = False
    rejects_path: Path = Path("hub-rejects.jsonl")
    conflicts_path: Path = Path("hub-conflicts.jsonl")
    retry_for_s: float = 120.0  # keep retrying a batch this long while the graph is down
    # Recognises the rows of erased customers (loaders/erasures.py); the hub's
    # PrivacyConfig.derived_key("erasure").
    erasure_key: bytes | None = None
    # Resolve the accounts a load of customers or accounts may have changed the owner of
    # (loaders/resolution.py), with the stored model; None: leave it to `hub resolve`.
    resolve: ResolveOptions | None = None
    # Phones without a country code, on a customer without a country or an account of a
    # platform of no one country, are read in this region (HUB_PHONE_REGION).
    default_region: str | None = None
    # Where the reader runs: "auto" is a child process for inputs of PROCESS_READER_BYTES
    # or more (not for a dry run: there is no writing to overlap), a thread otherwise.
    reader: ReaderMode = "auto"


class JsonLines:
    """A JSONL file opened on the first line written; an old file of that name is removed
    at the start, so what is there after a run is that run's."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._file: IO[bytes] | None = None
        self._lock = threading.Lock()
        path.unlink(missing_ok=True)

    def add(self, record: dict[str, Any]) -> None:
        with self._lock:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open(self.path, "wb")  # noqa: SIM115 - closed in close()
            self._file.write(orjson.dumps(record) + b"\n")
            self.count += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


_NOT_KEYS = {"props", "hash", "items", "tag_ids"}


def _has_evidence(account: Row) -> bool:
    props = account["props"]
    return bool(props["claimed_customer_id"] or props["email_hash"] or props["phone_hash"])


def row_key(row: Row) -> object:
    """What identifies a prepared row's node or relationship (its id, or its endpoints and
    keys, in the order of their names)."""
    if "id" in row:
        return row["id"]
    return tuple(row[k] for k in _key_fields(tuple(row)))


@lru_cache(maxsize=64)
def _key_fields(fields: tuple[str, ...]) -> tuple[str, ...]:
    # Rows of one kind share their fields: sorted once per shape, not once per row.
    return tuple(sorted(k for k in fields if k not in _NOT_KEYS))


def last_of_each(rows: list[Row]) -> list[Row]:
    """One row per key, the last one: within one statement every row would see the graph as
    it was before, so a repeated key would count (and be written) once per repetition. The
    dropped repetitions are counted as unchanged (the later row is the one that stands)."""
    by_key = {row_key(r): r for r in rows}
    return rows if len(by_key) == len(rows) else list(by_key.values())


def conflict_record(decision: Decision) -> dict[str, Any]:
    """A line of a conflicts file: ids only, never the email or phone behind a key."""
    return {
        "account_id": decision.account_id,
        "reason": decision.conflict,
        "candidates": [{"customer_id": c, "method": m} for c, m in decision.candidates],
    }


class GraphSink:
    """Writes prepared batches of one kind, then brings identity links up to date."""

    def __init__(
        self, store: GraphStore, kind: str, now: int, conflicts: JsonLines | None,
        rejects: JsonLines | None = None, erasure_key: bytes | None = None,
    ) -> None:  # fmt: skip
        self.store = store
        self.kind = kind
        self.now = now
        self.conflicts = conflicts
        self.rejects = rejects
        self.guard = ErasureGuard(store, erasure_key)
        self._reported: set[str] = set()
        self.written: set[str] = set()  # customers or accounts written (for resolution)
        self.touched: set[str] = set()  # customers whose computed traits may have changed
        # The traits stored before the first write (None: not read yet). With none, the
        # customers a batch touched are not looked up (a read per batch of interactions
        # or accounts); refresh() covers a trait saved while the load ran.
        self._traits: frozenset[str] | None = None

    async def screen(
        self, rows: list[Row], tally: Tally, origins: Sequence[Origin] | None = None
    ) -> list[Row]:
        """The rows to write: those naming an erased customer (or what was erased with it),
        and `customers` rows of a merged id, are rejected, into the rejects file with
        ``origins`` when there is one; rows naming a merged customer name its survivor.
        Raises ErasureKeyMissing when the graph holds erasures and the sink has no key."""
        refused = await self.guard.refused(self.kind, rows)
        rows, merged = await map_merged(self.store, self.kind, rows)
        for i, reasons in merged.items():
            refused.setdefault(i, []).extend(reasons)
        if not refused:
            return rows
        tally.rejected += len(refused)
        for i in sorted(refused):
            source, line, raw = origins[i] if origins is not None else ("", 0, "")
            if self.rejects is not None:
                self.rejects.add(
                    {"kind": self.kind, "source": source, "line": line, "raw": raw,
                     "reasons": refused[i]}
                )  # fmt: skip
        return [r for i, r in enumerate(rows) if i not in refused]

    async def write(self, rows: list[Row], tally: Tally) -> WriteCounters:
        rows = last_of_each(rows)
        if self._traits is None and self.kind in TRAIT_KINDS:
            self._traits = await trait_names(self.store)
        result = await write_rows(self.store, self.kind, rows, self.now)
        tally.written += result.written
        counters = result.counters
        # Only written rows can change a link: an unchanged account has the same evidence,
        # an unchanged customer the same keys. (`hub relink` re-decides every account.)
        accounts: list[str] = []
        written = set(result.ids)
        if self.kind in ("social_accounts", "customers"):
            self.written.update(written)
        if self.kind == "social_accounts":
            updated = {r["id"] for r in rows if r["id"] in written and _has_evidence(r)}
            accounts = sorted(updated | set(result.updated))
        elif self.kind == "customers" and written:
            changed = [r for r in rows if r["id"] in written]
            accounts = await accounts_touched(self.store, changed, result.was)
        if accounts:
            outcome = await relink(self.store, accounts, self.now)
            tally.linked += outcome.linked
            tally.unlinked += outcome.unlinked
            counters += outcome.counters
            for decision in outcome.conflicts or []:
                self._report(decision, tally)
        if result.written and self._traits:
            # A batch that changed something: its customers' traits are recomputed when
            # the load ends (graph/traits.py); accounts count through their links now.
            self.touched.update(await customers_touched(self.store, self.kind, rows))
        return counters

    async def refresh(self) -> None:
        """Recompute the stored traits of the customers the load touched; a trait saved
        while the load ran without others stored before is recomputed for every customer
        (its own refresh at saving saw the rows written before it, and the load followed
        no customer after)."""
        if self._traits is None:  # nothing written, or no kind of row traits read
            return
        if self.touched:
            await refresh_traits(self.store, self.now, sorted(self.touched))
        if not self._traits:
            new = sorted(await trait_names(self.store))
            if new:
                await refresh_traits(self.store, self.now, names=new)

    def _report(self, decision: Decision, tally: Tally) -> None:
        if decision.account_id in self._reported:
            return
        self._reported.add(decision.account_id)
        tally.conflicts += 1
        if self.conflicts is not None:
            self.conflicts.add(conflict_record(decision))


class ErasedRows(ValueError):
    """In-memory rows named erased customers, or were `customers` rows of a merged id
    (write_records has no rejects file)."""


async def write_records(
    store: GraphStore,
    kind: str,
    rows: Sequence[Row],
    now: int,
    erasure_key: bytes | None = None,
    default_region: str | None = None,
) -> WriteCounters:
    """Validate, prepare and write in-memory export rows of ``kind`` (seeding, tests), with
    identity linking. Raises pydantic.ValidationError on the first invalid row, ErasedRows
    (nothing written) when rows name erased customers or are customers merged into
    another, ErasureKeyMissing."""
    model = MODELS[kind]
    context = {"default_region": default_region}
    prepared = [model.model_validate(row, context=context).prepare() for row in rows]
    sink = GraphSink(store, kind, now, conflicts=None, erasure_key=erasure_key)
    tally = Tally()
    kept = await sink.screen(prepared, tally)
    if tally.rejected:
        raise ErasedRows(f"{tally.rejected} {kind} row(s) name erased or merged customers")
    counters = await sink.write(kept, tally)
    await sink.refresh()
    return counters


ProgressFn = Callable[[int, int, int], None]  # (records done, bytes done, bytes total)
RetryFn = Callable[[str], None]


async def _with_retry(work: Callable[[], Any], retry_for_s: float, on_retry: RetryFn | None) -> Any:
    """Run ``work``; while the graph is unavailable, try again (every batch is idempotent, so
    a batch cut off half-way is simply written again) until ``retry_for_s`` has passed."""
    deadline = time.monotonic() + retry_for_s
    delay = 0.5
    while True:
        try:
            return await work()
        except GraphUnavailable as e:
            if time.monotonic() + delay > deadline:
                raise
            if on_retry is not None:
                on_retry(f"{e}; retrying in {delay:.0f}s")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


async def _resolve_written(sink: GraphSink, options: ResolveOptions) -> ResolveReport:
    """Identity resolution of the accounts the load wrote, or that may belong to a
    customer it wrote, with the stored model (none stored: a note, nothing decided)."""
    from loaders.resolution import resolve

    ids = sorted(sink.written)
    accounts = ids if sink.kind == "social_accounts" else []
    customers = ids if sink.kind == "customers" else []
    return await resolve(sink.store, options, sink.now, account_ids=accounts,
                         customer_ids=customers)  # fmt: skip


def _start_reader(reader: Reader, options: LoadOptions, total_bytes: int) -> Producer[Batch]:
    """The reader started in a child process or a thread (see LoadOptions.reader)."""
    mode = options.reader
    if mode == "auto":
        big = total_bytes >= PROCESS_READER_BYTES and not options.dry_run
        mode = "process" if big else "thread"
    name = f"hub-load-{reader.kind}"
    if mode == "process":
        return ProcessProducer(read_batches, (reader,), name)
    return ThreadProducer(reader.batches, name)


async def load_files(
    store: GraphStore | None,
    kind: str,
    paths: Sequence[Path],
    mapping: Mapping,
    options: LoadOptions,
    on_progress: ProgressFn | None = None,
    on_retry: RetryFn | None = None,
) -> LoadReport:
    """Load ``paths`` as records of ``kind``. ``store`` may be None only for a dry run.

    Raises SourceError / MappingError for a file that cannot be read at all (what was read
    before stays written: a re-run picks up from there), GraphUnavailable when the graph is
    down for longer than the retry window, KeyError for an unknown kind.
    """
    if kind not in MODELS:
        raise KeyError(kind)
    for path in paths:
        if not path.is_file():
            raise SourceError(f"{path}: no such file")
        format_of(path, mapping.dialect)
    report = LoadReport(kind=kind, dry_run=options.dry_run)
    rejects = JsonLines(options.rejects_path)
    conflicts = (
        JsonLines(options.conflicts_path) if kind in ("customers", "social_accounts") else None
    )
    sink = None if options.dry_run or store is None else GraphSink(
        store, kind, int(time.time() * 1000), conflicts, rejects, options.erasure_key
    )  # fmt: skip
    reader = Reader(kind, paths, mapping, options.batch_size, options.default_region)
    total_bytes = sum(p.stat().st_size for p in paths)
    started = time.perf_counter()
    done = 0
    producer = _start_reader(reader, options, total_bytes)
    try:
        while True:
            item = await asyncio.to_thread(producer.next)
            if item is None:
                break
            for record in item.rejects:
                rejects.add(record)
            report.ignored_columns |= item.ignored_columns
            report.tally.read += item.read
            report.tally.rejected += item.rejected
            if sink is not None and item.rows:
                rows = await _with_retry(
                    partial(sink.screen, item.rows, report.tally, item.origins),
                    options.retry_for_s, on_retry,
                )  # fmt: skip
                if rows:
                    report.counters += await _with_retry(
                        partial(sink.write, rows, report.tally), options.retry_for_s, on_retry
                    )
            done += item.read
            if on_progress is not None:
                on_progress(done, item.position, total_bytes)
        if sink is not None and sink.written and options.resolve is not None:
            report.resolution = await _with_retry(
                partial(_resolve_written, sink, options.resolve), options.retry_for_s, on_retry
            )
        if sink is not None:
            await _with_retry(sink.refresh, options.retry_for_s, on_retry)
    finally:
        producer.stop()
        rejects.close()
        if conflicts is not None:
            conflicts.close()
        report.seconds = time.perf_counter() - started
        report.rejects_path = rejects.path if rejects.count else None
        report.conflicts_path = (
            conflicts.path if conflicts is not None and conflicts.count else None
        )
    return report
