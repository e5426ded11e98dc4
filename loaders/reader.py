"""`hub load`'s reader: files -> mapped, validated, prepared batches, with every rejected
record (line and reasons) in the batch it was met in.

It runs beside the writer, in a thread or a child process (loaders/producer.py), and holds
one batch at a time, whatever the size of the files.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, overload

from pydantic import ValidationError

from loaders.columns import PLAIN
from loaders.kinds import MODELS, Record, reasons_of
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

Row = dict[str, Any]
ITEM_FIELDS = ("product_id", "quantity", "unit_price")
_COLUMN_CHECKS = 1000  # records per file whose keys are checked for unknown columns


def read_batches(reader: Reader) -> Iterator[Batch]:
    """``reader.batches()``, as a module-level function a child process can be given."""
    return reader.batches()


Origin = tuple[str, int, str]  # (source, line, raw) of a prepared row


@dataclass
class Batch:
    rows: list[Row]
    read: int  # records read since the previous batch (written, unchanged or rejected)
    rejected: int
    position: int  # bytes of all files consumed so far
    origins: list[Origin] = field(default_factory=list)  # of each row, for a late reject
    # The lines rejected among them (the rejects file's records), and the columns of the
    # files no field reads, as far as the reader has seen them.
    rejects: list[Row] = field(default_factory=list)
    ignored_columns: set[str] = field(default_factory=set)


class Reader:
    """Files -> mapped, validated, prepared batches, each with its rejects. Picklable, so
    that it runs in a thread or in a child process (loaders/producer.py)."""

    def __init__(
        self, kind: str, paths: Sequence[Path], mapping: Mapping, batch_size: int,
        default_region: str | None = None,
    ) -> None:  # fmt: skip
        self.kind = kind
        self.model: type[Record] = MODELS[kind]
        self.paths = paths
        self.mapping = mapping
        self.batch_size = batch_size
        self.context = {"default_region": default_region}
        self.rejects: list[Row] = []  # of the batch being made
        self.ignored_columns: set[str] = set()
        self._known = set(self.model.model_fields) | (
            set(ITEM_FIELDS) if kind == "purchases" else set()
        )

    def batches(self) -> Iterator[Batch]:
        """Every record of the files, in batches of ``batch_size`` prepared rows (or of as
        many rejected ones). Raises SourceError / MappingError for a file that cannot be
        read at all, after a batch of no rows with the rejects met before it."""
        rows: list[Row] = []
        origins: list[Origin] = []
        read = rejected = done_bytes = 0
        try:
            for path in self.paths:
                fmt = format_of(path, self.mapping.dialect)
                stream, progress = open_source(path)
                with stream:
                    for prepared, origin in self._prepared(path, fmt, stream):
                        read += 1
                        if prepared is None:
                            rejected += 1
                        else:
                            rows.append(prepared)
                            origins.append(origin)
                        if len(rows) >= self.batch_size or read - len(rows) >= self.batch_size:
                            position = done_bytes + progress.position
                            yield self._batch(rows, read, rejected, position, origins)
                            rows, origins, read, rejected = [], [], 0, 0
                done_bytes += progress.size
        except Exception:
            if self.rejects:  # what was rejected before stays reported
                yield self._batch([], 0, 0, done_bytes, [])
            raise
        if read:
            yield self._batch(rows, read, rejected, done_bytes, origins)

    def _batch(
        self, rows: list[Row], read: int, rejected: int, position: int, origins: list[Origin]
    ) -> Batch:
        rejects, self.rejects = self.rejects, []
        return Batch(rows, read, rejected, position, origins, rejects, set(self.ignored_columns))

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
                    self.ignored_columns |= set(record.names) - self._known
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
                self.ignored_columns |= set(record.fields) - self._known
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
        self.rejects.append(
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
