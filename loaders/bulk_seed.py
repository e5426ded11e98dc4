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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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
_SIMPLE = {str: "string", int: "long", float: "double", bool: "boolean"}


@dataclass
class BulkReport:
    rows: Counter[str] = field(default_factory=Counter)  # generated rows per kind
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class _File:
    """One table's data file being written; its columns are fixed by its first row."""

    def __init__(self, table: Table, names: tuple[str, ...]) -> None:
        self.table = table
        self.names = names
        self.types: list[set[str]] = [set() for _ in names]
        self.handle: IO[str] = table.path.open("w", encoding="utf-8", newline="")
        self.out = csv.writer(self.handle, lineterminator="\n")

    def add(self, ids: list[str], values: list[Any]) -> None:
        cells = list(ids)
        for i, value in enumerate(values):
            if value is None:
                cells.append("")
                continue
            kind = _SIMPLE.get(type(value)) or type_of(value)
            self.types[i].add(kind)
            text = cell(value)
            if (
                not self.table.multiline
                and isinstance(value, str)
                and ("\n" in text or "\r" in text)
            ):
                self.table.multiline = True
            cells.append(text)
        self.out.writerow(cells)
        self.table.rows += 1

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

    def name(self, label: str, node_id: Any, where: str) -> str:
        if not isinstance(node_id, str) or not node_id:
            raise BulkValueError(f"{where}: a node id must be a non-empty string, not {node_id!r}")
        self.named.setdefault(label, set()).add(node_id)
        return node_id

    def write_run(self, kind: str, rows: Iterable[Row], links: Iterable[Row]) -> None:
        discriminator, specs = KINDS[kind]
        for row in rows:
            spec = specs["" if discriminator is None else row[discriminator]]
            if isinstance(spec, NodeKind):
                self.node_row(kind, spec, row)
            else:
                self.rel_row(kind, spec, row)
        for link in links:
            self.link(link)

    def node_row(self, kind: str, spec: NodeKind, row: Row) -> None:
        props: Row = row["props"]
        node_id = row["id"]
        where = f"{kind} {node_id!r}"
        if not isinstance(node_id, str) or not node_id:
            raise BulkValueError(f"{where}: a node id must be a non-empty string")
        rowed = self.rowed.setdefault(spec.label, set())
        if node_id in rowed:
            raise BulkValueError(f"{where}: given a row in two runs (loaders/bulk_seed.py)")
        rowed.add(node_id)
        out = self.node_file(spec.label, [*props, "row_hash", "updated_at"])
        if len(props) != len(out.names) - 2 or any(n not in props for n in out.names[:-2]):
            raise BulkValueError(f"{where}: properties {sorted(props)} differ from the first row's")
        out.add([node_id], [*(props[n] for n in out.names[:-2]), row["hash"], self.now])
        for edge in spec.edges:
            other = self.name(edge.label, row[edge.field], where)
            source, target = (node_id, other) if edge.outgoing else (other, node_id)
            ends = (spec.label, edge.label) if edge.outgoing else (edge.label, spec.label)
            self.rel_file(kind, edge.rel, *ends, ()).add([source, target], [])
        for lst in spec.lists:
            items = row[lst.field] or []
            by_id = {(x["id"] if lst.props else x): x for x in items}  # the last of an id stands
            out = self.rel_file(kind, lst.rel, spec.label, lst.label, lst.props)
            for other, x in by_id.items():
                self.name(lst.label, other, where)
                out.add([node_id, other], [x.get(p) for p in lst.props] if lst.props else [])

    def rel_row(self, kind: str, spec: RelKind, row: Row) -> None:
        props: Row = row["props"]
        where = f"{kind} {spec.source_field}={row[spec.source_field]!r}"
        source = self.name(spec.source_label, row[spec.source_field], where)
        target = self.name(spec.target_label, row[spec.target_field], where)
        names = [*spec.keys, *props, "row_hash"]
        out = self.rel_file(kind, spec.rel, spec.source_label, spec.target_label, names)
        if list(out.names) != names:
            raise BulkValueError(f"{where}: properties {sorted(props)} differ from the first row's")
        out.add([source, target], [*(row[k] for k in spec.keys), *props.values(), row["hash"]])

    def link(self, link: Row) -> None:
        customer = self.name("Customer", link["customer_id"], f"link of {link['account_id']!r}")
        out = self.rel_file("links", "HAS_ACCOUNT", "Customer", "SocialAccount", _LINK_COLUMNS)
        values = [link["method"], link["confidence"], link["model_version"], link["evidence"]]
        out.add([customer, link["account_id"]], [*values, self.now])

    def abort(self) -> None:
        """Close every file still open (after an error)."""
        for f in (*self.nodes.values(), *self.rels.values()):
            f.handle.close()

    def finish(self) -> BulkTables:
        """Add the stubs, close every file; the tables, nodes first."""
        for label, ids in self.named.items():
            stubs = ids - self.rowed.get(label, set())
            if not stubs:
                continue
            out = self.nodes.get(label) or self.node_file(label, ())
            blank = [None] * len(out.names)
            for node_id in sorted(stubs):
                out.add([node_id], blank)
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
    report.seconds = time.perf_counter() - started
    return tables, report
