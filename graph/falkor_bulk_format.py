"""FalkorDB's ``GRAPH.BULK`` binary format: bulk tables (graph/bulk.py) as the commands
that create their nodes and relationships in a new graph.

One command is ``GRAPH.BULK <graph> [BEGIN] <nodes> <relationships> <node tokens>
<relationship tokens> token...``; ``BEGIN`` (first command only) makes the engine refuse
a graph key that exists. A token is one table's chunk: its header (the label or type, a
NUL-terminated string; the property count, 4 bytes; each property name, NUL-terminated)
then its rows. A node row is its properties in header order; a relationship row is the
source's and target's internal node ids (8 bytes each) then its properties. A property is
a type byte and its value: 0 absent, 1 boolean (1 byte), 2 double (8), 3 string
(NUL-terminated UTF-8), 4 long (8), 5 array (8-byte length, then each element so typed).
Native byte order, no padding (FalkorDB's own bulk loader, falkordb-bulk-loader, writes
the same).

The engine trusts this stream (it only asserts), so everything is checked here: a string
holding NUL would end early and desynchronise the rest. Internal node ids are the order
in which nodes are created, counting from 0 in a new graph: the encoder numbers node rows
as it sends them, and keeps each label's id -> internal id map for the relationships.
"""

import csv
import re
import struct
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from graph.bulk import ARRAY_DELIMITER, BulkTables, BulkValueError, Table

csv.field_size_limit(sys.maxsize)  # a long text cell is data, not an attack on a parser

MAX_COMMAND_BYTES = 16 * 1024 * 1024  # far below the engine's 512 MB argument limit
_ABSENT = b"\x00"
_BOOL = {"true": b"\x01\x01", "false": b"\x01\x00"}
_DOUBLE = struct.Struct("=Bd")
_LONG = struct.Struct("=Bq")
_ARRAY = struct.Struct("=Bq")
_ENDS = struct.Struct("=QQ")
_COUNT = struct.Struct("=I")
# Labels, types and property names go into the header as C strings; a ':' in a label
# would even be read as a second label. Ours come from code, but say so if one does not fit.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Encoder = Callable[[str], bytes]


def _string(text: str) -> bytes:
    if "\x00" in text:
        raise BulkValueError("a string holds a NUL character, which GRAPH.BULK cannot carry")
    return b"\x03" + text.encode() + b"\x00"


def _long(text: str) -> bytes:
    try:
        return _LONG.pack(4, int(text))
    except (ValueError, struct.error) as e:
        raise BulkValueError(f"not a 64-bit integer: {text!r}") from e


def _double(text: str) -> bytes:
    try:
        return _DOUBLE.pack(2, float(text))
    except ValueError as e:
        raise BulkValueError(f"not a number: {text!r}") from e


def _boolean(text: str) -> bytes:
    try:
        return _BOOL[text]
    except KeyError as e:
        raise BulkValueError(f"not a boolean (true or false): {text!r}") from e


_SCALARS: dict[str, Encoder] = {
    "string": _string,
    "long": _long,
    "double": _double,
    "boolean": _boolean,
}


def _array_of(element: Encoder) -> Encoder:
    def encode(text: str) -> bytes:
        parts = text.split(ARRAY_DELIMITER)
        return _ARRAY.pack(5, len(parts)) + b"".join(map(element, parts))

    return encode


def encoder(column_type: str) -> Encoder:
    """The encoder of a non-empty cell of ``column_type`` (one of graph.bulk.TYPES): by
    the type alone, never by the look of the value ("0123" stays a string). Raises
    BulkValueError for an unknown type; the encoder raises it for a cell not of its type."""
    if column_type in _SCALARS:
        return _SCALARS[column_type]
    if column_type.endswith("[]") and column_type[:-2] in ("string", "long", "double"):
        return _array_of(_SCALARS[column_type[:-2]])
    raise BulkValueError(f"no GRAPH.BULK encoding for column type {column_type!r}")


def encode_row(encoders: list[Encoder], cells: list[str]) -> bytes:
    """The properties of one row, an empty cell as an absent property (``cells`` holds
    one per encoder: the caller checked the row's width)."""
    # A list, not a generator: join() is faster on one (this is the import's hot loop).
    return b"".join([enc(c) if c else _ABSENT for enc, c in zip(encoders, cells)])  # noqa: B905


def _name(text: str, what: str) -> bytes:
    if not _NAME.fullmatch(text):
        raise BulkValueError(f"{what} {text!r} is not a plain name GRAPH.BULK can carry")
    return text.encode() + b"\x00"


def encode_header(name: str, properties: list[str]) -> bytes:
    """A token's header: the label or type and the property names, in row order. Raises
    BulkValueError for a name that is not a plain identifier, or a repeated property."""
    if len(set(properties)) != len(properties):
        raise BulkValueError(f"{name}: a property column is repeated: {properties}")
    packed = [_name(name, "label or type"), _COUNT.pack(len(properties))]
    return b"".join(packed + [_name(p, "property") for p in properties])


@dataclass
class Command:
    """The arguments of one GRAPH.BULK call after the graph's name, and where it leaves
    each table it carries rows of (its name, rows sent with this and earlier commands)."""

    begin: bool
    nodes: int = 0
    relationships: int = 0
    node_tokens: list[bytes] = field(default_factory=list)
    relationship_tokens: list[bytes] = field(default_factory=list)
    size: int = 0
    progress: list[tuple[str, int]] = field(default_factory=list)

    def args(self) -> list[bytes | str | int]:
        head: list[bytes | str | int] = ["BEGIN"] if self.begin else []
        counts = [self.nodes, self.relationships]
        tokens = [len(self.node_tokens), len(self.relationship_tokens)]
        return [*head, *counts, *tokens, *self.node_tokens, *self.relationship_tokens]


def table_name(table: Table) -> str:
    """What progress reports call ``table``: its label, or (Source)-[TYPE]->(Target)."""
    if table.label is not None:
        return table.label
    return f"({table.source})-[{table.rel}]->({table.target})"


class CommandStream:
    """The commands that load ``tables`` into a new graph, built lazily (the files are
    read as the commands are taken, so memory holds one command and the id maps)."""

    def __init__(self, tables: BulkTables, max_bytes: int = MAX_COMMAND_BYTES) -> None:
        self.tables = tables
        self.max_bytes = max_bytes
        self.ids: dict[str, dict[str, int]] = {}  # label -> node id -> internal id
        self.nodes = 0
        self._command = Command(begin=True)

    def __iter__(self) -> Iterator[Command]:
        for table in self.tables.nodes:
            yield from self._table(table, self._node_rows(table))
        for table in self.tables.relationships:
            yield from self._table(table, self._relationship_rows(table))
        if self._command.size:
            yield self._command

    def _table(self, table: Table, rows: Iterator[bytes]) -> Iterator[Command]:
        name = table_name(table)
        props = [c.name for c in table.columns]
        if table.label is not None:
            header = encode_header(table.label, ["id", *props])
        else:
            header = encode_header(str(table.rel), props)
        chunk: list[bytes] = []
        size = len(header)
        done = 0
        for row in rows:
            full = self._command.size + size + len(row) > self.max_bytes
            if full and (chunk or self._command.size):
                if chunk:
                    self._add(table, header + b"".join(chunk), len(chunk), (name, done))
                yield self._take()
                chunk, size = [], len(header)
            chunk.append(row)
            size += len(row)
            done += 1
        if chunk:
            self._add(table, header + b"".join(chunk), len(chunk), (name, done))

    def _add(self, table: Table, token: bytes, rows: int, mark: tuple[str, int]) -> None:
        command = self._command
        if table.is_node:
            command.node_tokens.append(token)
            command.nodes += rows
        else:
            command.relationship_tokens.append(token)
            command.relationships += rows
        command.size += len(token)
        command.progress.append(mark)

    def _take(self) -> Command:
        taken, self._command = self._command, Command(begin=False)
        return taken

    def _node_rows(self, table: Table) -> Iterator[bytes]:
        label = str(table.label)
        ids = self.ids.setdefault(label, {})
        encoders = [_string] + [encoder(c.type) for c in table.columns]
        for line, cells in _cells(table, 1):
            node_id = cells[0]
            if not node_id:
                raise BulkValueError(f"{table.path}:{line}: a {label} node without an id")
            if node_id in ids:
                raise BulkValueError(f"{table.path}:{line}: {label} id {node_id!r} repeated")
            ids[node_id] = self.nodes
            self.nodes += 1
            yield _row(encoders, cells, table.path, line)

    def _relationship_rows(self, table: Table) -> Iterator[bytes]:
        sources = self.ids.get(str(table.source), {})
        targets = self.ids.get(str(table.target), {})
        encoders = [encoder(c.type) for c in table.columns]
        for line, cells in _cells(table, 2):
            source, target = sources.get(cells[0]), targets.get(cells[1])
            if source is None or target is None:
                missing = f"{table.source} {cells[0]!r}" if source is None else ""
                missing = missing or f"{table.target} {cells[1]!r}"
                raise BulkValueError(f"{table.path}:{line}: no node {missing} in the tables")
            yield _ENDS.pack(source, target) + _row(encoders, cells[2:], table.path, line)


def _row(encoders: list[Encoder], cells: list[str], path: object, line: int) -> bytes:
    try:
        return encode_row(encoders, cells)
    except BulkValueError as e:
        raise BulkValueError(f"{path}:{line}: {e}") from e


def _cells(table: Table, keys: int) -> Iterator[tuple[int, list[str]]]:
    """Each row of ``table``'s file with its line number (a quoted line break makes a row
    span lines). Raises BulkValueError for a row of the wrong width or bad quoting."""
    width = keys + len(table.columns)
    with table.path.open(newline="", encoding="utf-8") as file:
        reader = csv.reader(file, strict=True)
        try:
            for cells in reader:
                if len(cells) != width:
                    raise BulkValueError(
                        f"{table.path}:{reader.line_num}: {len(cells)} cells, expected {width}"
                    )
                yield reader.line_num, cells
        except (csv.Error, UnicodeDecodeError) as e:
            raise BulkValueError(f"{table.path}:{reader.line_num}: {e}") from e
