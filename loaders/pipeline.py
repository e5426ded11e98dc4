"""`hub load`: files in, graph out, nothing lost.

A reader thread streams records from the files, maps and validates them, writes every
rejected one to the rejects file at once, and hands prepared batches over a small bounded
queue; the event loop writes each batch (and relinks identities) while the next is parsed.
Memory holds a few batches, whatever the size of the files.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, overload

import orjson
from pydantic import ValidationError

from graph.errors import GraphUnavailable
from graph.store import GraphStore, WriteCounters
from graph.traits import TRAIT_KINDS, customers_touched, refresh_traits, trait_names
from graph.writes import write_rows
from loaders.aliases import map_merged
from loaders.columns import PLAIN
from loaders.erasures import ErasureGuard
from loaders.kinds import MODELS, Record, reasons_of
from loaders.linking import Decision, accounts_touched, relink
from loaders.mapping import Mapping
from loaders.sources import (
    CsvBlock,
    SourceError,
    SourceRow,
    csv_blocks,
    format_of,
    open_source,
    parse_stream,
)

if TYPE_CHECKING:  # identity resolution (numpy, the model) is imported when a load uses it
    from loaders.resolution import ResolveOptions, ResolveReport

Row = dict[str, Any]
ITEM_FIELDS = ("product_id", "quantity", "unit_price")
_COLUMN_CHECKS = 1000  # records per file whose keys are checked for unknown columns


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


Origin = tuple[str, int, str]  # (source, line, raw) of a prepared row


@dataclass
class Batch:
    rows: list[Row]
    read: int  # records read since the previous batch (written, unchanged or rejected)
    rejected: int
    position: int  # bytes of all files consumed so far
    origins: list[Origin] = field(default_factory=list)  # of each row, for a late reject


class _End:
    pass


class Reader:
    """Runs in a thread: files -> mapped, validated, prepared batches (rejects written)."""

    def __init__(
        self, kind: str, paths: Sequence[Path], mapping: Mapping, batch_size: int,
        rejects: JsonLines, report: LoadReport, default_region: str | None = None,
    ) -> None:  # fmt: skip
        self.kind = kind
        self.model: type[Record] = MODELS[kind]
        self.paths = paths
        self.mapping = mapping
        self.batch_size = batch_size
        self.rejects = rejects
        self.report = report
        self.context = {"default_region": default_region}
        self.queue: queue.Queue[Batch | BaseException | _End] = queue.Queue(maxsize=4)
        self.stop = threading.Event()
        self.done_bytes = 0
        self.total_bytes = sum(p.stat().st_size for p in paths if p.exists())
        self._known = set(self.model.model_fields) | (
            set(ITEM_FIELDS) if kind == "purchases" else set()
        )

    def start(self) -> None:
        threading.Thread(target=self._run, name=f"hub-load-{self.kind}", daemon=True).start()

    def _put(self, item: Batch | BaseException | _End) -> None:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        try:
            self._read_all()
            self._put(_End())
        except BaseException as e:  # handed to the event loop, which re-raises it
            self._put(e)

    def _read_all(self) -> None:
        rows: list[Row] = []
        origins: list[Origin] = []
        read = rejected = 0
        for path in self.paths:
            fmt = format_of(path, self.mapping.dialect)
            stream, progress = open_source(path)
            with stream:
                for prepared, origin in self._prepared(path, fmt, stream):
                    if self.stop.is_set():
                        return
                    read += 1
                    if prepared is None:
                        rejected += 1
                    else:
                        rows.append(prepared)
                        origins.append(origin)
                    if len(rows) >= self.batch_size or read - len(rows) >= self.batch_size:
                        position = self.done_bytes + progress.position
                        self._put(Batch(rows, read, rejected, position, origins))
                        rows, origins, read, rejected = [], [], 0, 0
            self.done_bytes += progress.size
        if read:
            self._put(Batch(rows, read, rejected, self.done_bytes, origins))

    def _prepared(
        self, path: Path, fmt: str, stream: IO[bytes]
    ) -> Iterator[tuple[Row | None, Origin]]:
        """(prepared row, or None when rejected, and where it came from) of every record
        of ``path`` in order; rejects are written as they are met."""
        plain = PLAIN.get(self.kind)
        if plain is None or fmt != "csv" or not self.mapping.is_identity:
            for record in self._records(path, fmt, stream):
                yield self._prepare(record), (record.source, record.line, record.raw)
            return
        # A plain kind from a delimited file: blocks of simple lines are checked by column
        # (loaders/columns.py); what those checks leave undecided goes to the model.
        source = csv_blocks(path, stream, self.mapping.dialect)
        for item in self._mapped(path, source):
            if isinstance(item, SourceRow):
                yield self._prepare(item), (item.source, item.line, item.raw)
                continue
            for i, row in enumerate(plain.rows(item.names, item.cells)):
                origin = (item.source, item.numbers[i], item.lines[i])
                yield (self._prepare(item.record(i)) if row is None else row), origin

    def _records(self, path: Path, fmt: str, stream: IO[bytes]) -> Iterator[SourceRow]:
        records = self._mapped(path, parse_stream(path, stream, fmt, self.mapping.dialect))
        if self.kind == "purchases":
            records = group_line_items(records)
        return records

    @overload
    def _mapped(self, path: Path, records: Iterator[SourceRow]) -> Iterator[SourceRow]: ...

    @overload
    def _mapped(
        self, path: Path, records: Iterator[SourceRow | CsvBlock]
    ) -> Iterator[SourceRow | CsvBlock]: ...

    def _mapped(
        self, path: Path, records: Iterator[SourceRow | CsvBlock]
    ) -> Iterator[SourceRow | CsvBlock]:
        """Records in hub field names; the file's columns checked against the mapping's
        on the first record, unknown columns noted. A block (identity mapping only) passes
        as it is. Raises SourceError when the file lacks a column the mapping reads."""
        first = True
        checked = 0
        stem = path.name.split(".")[0]
        for record in records:
            if isinstance(record, CsvBlock):
                # Identity mapping: it reads no column. A record with the header's width
                # shows the file's columns, as a record without errors does below.
                if checked < _COLUMN_CHECKS and record.has_full_record():
                    checked = _COLUMN_CHECKS
                    self.report.ignored_columns |= set(record.names) - self._known
                yield record
                continue
            if record.errors:
                yield record
                continue
            if first:
                first = False
                missing = self.mapping.sources_used() - set(record.fields)
                if missing and format_of(path, self.mapping.dialect) == "csv":
                    raise SourceError(_missing_columns(path, missing, list(record.fields)))
            record.fields, errors = self.mapping.apply(record.fields, record.line, stem)
            record.errors.extend(errors)
            if checked < _COLUMN_CHECKS:  # unknown columns show in the first records
                checked += 1
                self.report.ignored_columns |= set(record.fields) - self._known
            yield record

    def _prepare(self, record: SourceRow) -> Row | None:
        reasons = list(record.errors)
        if not reasons:
            try:
                return self.model.model_validate(record.fields, context=self.context).prepare()
            except ValidationError as e:
                reasons = reasons_of(e)
            except ValueError as e:  # a list cell that is not valid JSON, say
                reasons = [str(e)]
        self.rejects.add(
            {"kind": self.kind, "source": record.source, "line": record.line,
             "raw": record.raw, "reasons": reasons}
        )  # fmt: skip
        return None


def _missing_columns(path: Path, missing: set[str], columns: Sequence[str]) -> str:
    return (
        f"{path}: the mapping reads column(s) {', '.join(sorted(missing))} "
        f"that the file does not have (it has: {', '.join(columns)})"
    )


def group_line_items(records: Iterator[SourceRow], remember: int = 100_000) -> Iterator[SourceRow]:
    """Fold one-row-per-item purchases (adjacent rows sharing an ``id``) into one record with
    ``items``. Records that already carry ``items`` pass through. A record the reader could
    not parse inside an order is reported after it, without splitting the order.

    Refused, with the reason: an order whose rows disagree on an order field (``at``,
    ``customer_id``...), and an order whose id already ended among the last ``remember``
    orders (its rows were not adjacent; only the first run of rows is loaded).
    """
    current: SourceRow | None = None
    head: dict[str, Any] = {}
    held: list[SourceRow] = []
    ended: OrderedDict[str, int] = OrderedDict()  # order id -> first line, bounded

    def close(record: SourceRow) -> SourceRow:
        key = str(record.fields.get("id"))
        ended[key] = record.line
        ended.move_to_end(key)
        while len(ended) > remember:
            ended.popitem(last=False)
        return record

    for record in records:
        if record.errors:
            held.append(record)
            continue
        fields = record.fields
        if "items" in fields or "product_id" not in fields:
            if current is not None:
                yield close(current)
                current = None
            yield from held
            held = []
            yield record
            continue
        item = {k: fields.pop(k) for k in ITEM_FIELDS if k in fields}
        items = [item] if str(item.get("product_id") or "").strip() else []  # an order, no items
        if current is not None and current.fields.get("id") == fields.get("id"):
            differ = sorted(k for k in set(head) | set(fields) if head.get(k) != fields.get(k))
            if differ and not current.errors:
                current.errors.append(
                    f"the rows of order {fields.get('id')!r} disagree on {', '.join(differ)} "
                    f"(line {record.line})"
                )
            current.fields["items"].extend(items)
            current.raw += "\n" + record.raw
            continue
        if current is not None:
            yield close(current)
        yield from held
        held = []
        head = dict(fields)
        earlier = ended.get(str(fields.get("id")))
        if earlier is not None:
            record.errors.append(
                f"order {fields.get('id')!r} already appeared at line {earlier}: rows of one "
                "order must be adjacent (the earlier rows were loaded, these were not)"
            )
        fields["items"] = items
        current = record
    if current is not None:
        yield close(current)
    yield from held


_NOT_KEYS = {"props", "hash", "items", "tag_ids"}


def _has_evidence(account: Row) -> bool:
    props = account["props"]
    return bool(props["claimed_customer_id"] or props["email_hash"] or props["phone_hash"])


def row_key(row: Row) -> object:
    """What identifies a prepared row's node or relationship (its id, or its endpoints)."""
    if "id" in row:
        return row["id"]
    return tuple(v for k, v in sorted(row.items()) if k not in _NOT_KEYS)


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
    reader = Reader(
        kind, paths, mapping, options.batch_size, rejects, report, options.default_region
    )
    started = time.perf_counter()
    done = 0
    reader.start()
    try:
        while True:
            item = await asyncio.to_thread(reader.queue.get)
            if isinstance(item, _End):
                break
            if isinstance(item, BaseException):
                raise item
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
                on_progress(done, item.position, reader.total_bytes)
        if sink is not None and sink.written and options.resolve is not None:
            report.resolution = await _with_retry(
                partial(_resolve_written, sink, options.resolve), options.retry_for_s, on_retry
            )
        if sink is not None:
            await _with_retry(sink.refresh, options.retry_for_s, on_retry)
    finally:
        reader.stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                reader.queue.get_nowait()
        reader.queue.put_nowait(_End())  # wakes a get() still waiting in a worker thread
        rejects.close()
        if conflicts is not None:
            conflicts.close()
        report.seconds = time.perf_counter() - started
        report.rejects_path = rejects.path if rejects.count else None
        report.conflicts_path = (
            conflicts.path if conflicts is not None and conflicts.count else None
        )
    return report
