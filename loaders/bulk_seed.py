"""`hub seed --bulk`: the synthetic dataset as bulk tables (graph/bulk.py) for an engine's
own importer, into an empty graph: 1M customers in minutes instead of hours.

The same graph as `hub seed --fast` (loaders/fast_seed.py) writes into an empty graph:
the same prepared rows from the same child process, the same nodes, relationships and
properties (tests/integration/test_bulk_seed.py compares the two), built here without a
statement:

* a node row becomes a node (``id``, its non-empty properties, ``row_hash``,
  ``updated_at``), each of its edges a relationship, each element of a list edge one
  relationship (the last one of an id stands, as the MERGE and SET of the upsert leave it);
* a relationship row becomes a relationship (its key fields, properties, ``row_hash``);
* an account linked as generated gets its ``HAS_ACCOUNT`` (method, confidence,
  ``linked_at``), as graph/linking.py's APPLY_LINKS writes it;
* a node named by an edge but never given a row becomes a stub holding only its ``id``,
  as the upsert's MERGE leaves it.

Repeated keys follow fast_seed.FreshWriter: of the rows of one kind with one key in one run
of consecutive batches, the last stands. A node id given a row in two runs cannot be
overwritten in an append-only file and raises BulkValueError (the generator never does it).
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from graph.bulk import BulkTables, BulkValueError, Column, Table, cell, type_of
from graph.writes import KINDS, NodeKind, RelKind
from loaders.fast_seed import BATCH, child_batches
from loaders.pipeline import row_key
from loaders.synthetic import SyntheticConfig

Row = dict[str, Any]
Progress = Callable[[str, int], None]
_LINK_COLUMNS = ("method", "confidence", "model_version", "evidence", "linked_at")
_SIMPLE = {str: "string", int: "long", float: "double", bool: "boolean", type(None): "none"}


@dataclass
class BulkReport:
    rows: Counter[str] = field(default_factory=Counter)  # generated rows per kind
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class _File:
    """One table's data file being written, a run's rows at a time, column by column; its
    property columns are fixed by its first rows."""

    def __init__(self, table: Table, names: tuple[str, ...]) -> None:
        self.table = table
        self.names = names
        self.types: list[set[str]] = [set() for _ in names]
        self.handle: IO[str] = table.path.open("w", encoding="utf-8", newline="")
        self.out = csv.writer(self.handle, lineterminator="\n")

    def add(self, ids: Sequence[Sequence[str]], values: Sequence[Sequence[Any]]) -> None:
        """Write rows given as columns: the id column(s), then one column per name."""
        if not ids[0]:
            return
        cells = [self._cells(i, column) for i, column in enumerate(values)]
        self.out.writerows(zip(*ids, *cells, strict=True))
        self.table.rows += len(ids[0])

    def _cells(self, i: int, column: Sequence[Any]) -> Sequence[str]:
        kinds = {_SIMPLE.get(t, "") for t in set(map(type, column))} - {"none"}
        if "" in kinds:  # a list, or a type no column carries: value by value
            kinds = {type_of(v) for v in column if v is not None}
            self.types[i] |= kinds
            return [cell(v) for v in column]
        self.types[i] |= kinds
        if kinds == {"string"}:
            if "" in column:
                cell("")  # raises, saying why
            text = "".join(v for v in column if v is not None)
            if not self.table.multiline and ("\n" in text or "\r" in text):
                self.table.multiline = True
            return ["" if v is None else v for v in column]
        if kinds == {"double"}:
            return ["" if v is None else repr(v) for v in column]
        if kinds == {"long"}:
            return ["" if v is None else str(v) for v in column]
        return ["" if v is None else cell(v) for v in column]

    def close(self) -> None:
        """Close the file and type the columns. Raises BulkValueError for a column that
        holds values of two types (an import column has one)."""
        self.handle.close()
        columns = []
        for name, seen in zip(self.names, self.types, strict=True):
            if len(seen) > 1:
                raise BulkValueError(
                    f"{self.table.path.name}: column {name!r} holds {sorted(seen)} values"
                )
            columns.append(Column(name, seen.pop() if seen else "string"))
        self.table.columns = tuple(columns)


class _Writer:
    """Turns runs of prepared rows into the tables' files (see the module's docstring)."""

    def __init__(self, directory: Path, now: int) -> None:
        self.directory = directory
        self.now = now
        self.nodes: dict[str, _File] = {}
        self.rels: dict[tuple[str, str, str, str], _File] = {}
        self.rowed: dict[str, set[str]] = {}  # label -> ids given a row
        self.named: dict[str, set[str]] = {}  # label -> ids an edge names

    def node_file(self, label: str, names: Iterable[str]) -> _File:
        if (found := self.nodes.get(label)) is None:
            table = Table(self.directory / f"nodes_{label}.csv", (), label=label)
            found = self.nodes[label] = _File(table, tuple(names))
        return found

    def rel_file(
        self, origin: str, rel: str, source: str, target: str, names: Iterable[str]
    ) -> _File:
        key = (origin, rel, source, target)
        if (found := self.rels.get(key)) is None:
            stem = f"rels_{rel}_{source}_{target}_{origin}"
            table = Table(self.directory / f"{stem}.csv", (), rel=rel, source=source, target=target)
            found = self.rels[key] = _File(table, tuple(names))
        return found

    def name(self, label: str, ids: list[Any], where: str) -> list[str]:
        """``ids`` (named by edges of ``label``'s nodes), recorded for the stubs. Raises
        BulkValueError for an id that is not a non-empty string."""
        if set(map(type, ids)) - {str} or "" in ids:
            bad = next(i for i in ids if not isinstance(i, str) or not i)
            raise BulkValueError(f"{where}: a node id must be a non-empty string, not {bad!r}")
        self.named.setdefault(label, set()).update(ids)
        return ids

    def write_run(self, kind: str, rows: Iterable[Row], links: Iterable[Row]) -> None:
        discriminator, specs = KINDS[kind]
        shares: dict[str, list[Row]] = {}
        for row in rows:
            shares.setdefault("" if discriminator is None else row[discriminator], []).append(row)
        for value, share in shares.items():
            spec = specs[value]
            if isinstance(spec, NodeKind):
                self.node_rows(kind, spec, share)
            else:
                self.rel_rows(kind, spec, share)
        if found := list(links):
            self.links(found)

    def node_rows(self, kind: str, spec: NodeKind, rows: list[Row]) -> None:
        ids = self.name(spec.label, [r["id"] for r in rows], kind)
        rowed = self.rowed.setdefault(spec.label, set())
        if twice := rowed.intersection(ids):
            raise BulkValueError(
                f"{kind} {min(twice)!r}: given a row in two runs (loaders/bulk_seed.py)"
            )
        rowed.update(ids)
        out = self.node_file(spec.label, [*rows[0]["props"], "row_hash", "updated_at"])
        props = self._props(kind, rows, out.names[:-2])
        out.add([ids], [*props, [r["hash"] for r in rows], [self.now] * len(rows)])
        for edge in spec.edges:
            others = self.name(edge.label, [r[edge.field] for r in rows], kind)
            ends = (spec.label, edge.label) if edge.outgoing else (edge.label, spec.label)
            pair = [ids, others] if edge.outgoing else [others, ids]
            self.rel_file(kind, edge.rel, *ends, ()).add(pair, [])
        for lst in spec.lists:
            sources: list[str] = []
            targets: list[Any] = []
            items: list[Any] = []
            for node_id, row in zip(ids, rows, strict=True):
                # The last of an id stands, as the upsert's MERGE then SET leaves it.
                by_id = {(x["id"] if lst.props else x): x for x in row[lst.field] or ()}
                sources += [node_id] * len(by_id)
                targets += by_id
                items += by_id.values()
            self.name(lst.label, targets, kind)
            values = [[x.get(p) for x in items] for p in lst.props]
            self.rel_file(kind, lst.rel, spec.label, lst.label, lst.props).add(
                [sources, targets], values
            )

    def rel_rows(self, kind: str, spec: RelKind, rows: list[Row]) -> None:
        sources = self.name(spec.source_label, [r[spec.source_field] for r in rows], kind)
        targets = self.name(spec.target_label, [r[spec.target_field] for r in rows], kind)
        names = [*spec.keys, *rows[0]["props"], "row_hash"]
        out = self.rel_file(kind, spec.rel, spec.source_label, spec.target_label, names)
        if list(out.names) != names:
            raise BulkValueError(
                f"{kind}: properties {sorted(rows[0]['props'])} differ from the first rows'"
            )
        keys = [[r[k] for r in rows] for k in spec.keys]
        props = self._props(kind, rows, out.names[len(spec.keys) : -1])
        out.add([sources, targets], [*keys, *props, [r["hash"] for r in rows]])

    @staticmethod
    def _props(kind: str, rows: list[Row], names: Sequence[str]) -> list[Sequence[Any]]:
        """The rows' properties as one column per name. Raises BulkValueError for a row
        whose properties are not exactly ``names``."""
        expected = set(names)
        for row in rows:
            if row["props"].keys() != expected:
                where = f"{kind} {row['id']!r}" if "id" in row else kind
                raise BulkValueError(
                    f"{where}: properties {sorted(row['props'])} differ from the first row's"
                )
        if not names:
            return []
        if len(names) == 1:
            return [[r["props"][names[0]] for r in rows]]
        pick = itemgetter(*names)
        return list(zip(*(pick(r["props"]) for r in rows), strict=True))

    def links(self, links: list[Row]) -> None:
        customers = self.name("Customer", [x["customer_id"] for x in links], "links")
        out = self.rel_file("links", "HAS_ACCOUNT", "Customer", "SocialAccount", _LINK_COLUMNS)
        values = [[x[c] for x in links] for c in _LINK_COLUMNS[:-1]]
        out.add([customers, [x["account_id"] for x in links]], [*values, [self.now] * len(links)])

    def abort(self) -> None:
        """Close every file still open (after an error)."""
        for f in (*self.nodes.values(), *self.rels.values()):
            f.handle.close()

    def finish(self) -> BulkTables:
        """Add the stubs, close every file; the tables, nodes first."""
        for label, ids in self.named.items():
            stubs = sorted(ids - self.rowed.get(label, set()))
            if not stubs:
                continue
            out = self.nodes.get(label) or self.node_file(label, ())
            out.add([stubs], [[None] * len(stubs) for _ in out.names])
        files = [*self.nodes.values(), *self.rels.values()]
        try:
            for f in files:
                f.close()
        finally:
            self.abort()
        return BulkTables(
            self.directory,
            nodes=[f.table for f in self.nodes.values()],
            relationships=[f.table for f in self.rels.values()],
        )


def write_tables(
    config: SyntheticConfig,
    directory: Path,
    on_batch: Progress | None = None,
    now: int | None = None,
    batch_size: int = BATCH,
) -> tuple[BulkTables, BulkReport]:
    """Write the dataset for ``config`` as bulk tables into ``directory`` (created; files
    of an earlier run are replaced). ``on_batch(kind, rows)`` reports progress; ``now`` is
    the ``updated_at`` / ``linked_at`` time (epoch ms, default the start).

    Raises pydantic.ValidationError if the generator made a row `hub load` would reject,
    BulkValueError for a value the tables cannot carry, OSError.
    """
    started = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    writer = _Writer(directory, int(time.time() * 1000) if now is None else now)
    report = BulkReport()
    kind = ""
    run: dict[object, Row] = {}
    links: dict[str, Row] = {}
    try:
        for batch in child_batches(config, batch_size):
            if batch.kind != kind:
                if kind:
                    writer.write_run(kind, run.values(), links.values())
                kind, run, links = batch.kind, {}, {}
            for row in batch.rows:
                key = row_key(row)
                run.pop(key, None)  # a repeated key stands where it came last
                run[key] = row
            for link in batch.links:
                links.pop(link["account_id"], None)
                links[link["account_id"]] = link
            report.rows[batch.kind] += batch.read
            if on_batch is not None:
                on_batch(batch.kind, batch.read)
        if kind:
            writer.write_run(kind, run.values(), links.values())
    except BaseException:
        writer.abort()
        raise
    tables = writer.finish()
    tables.save()
    report.seconds = time.perf_counter() - started
    return tables, report
