"""Tables for a bulk import into an empty graph: what `hub seed --bulk` hands an engine's
own importer (Neo4j's offline `neo4j-admin database import`, FalkorDB's `GRAPH.BULK`).

A table is one data file (UTF-8 CSV without a header, RFC 4180 quoting, ``\\n`` line ends)
plus what the header would say: a node table holds one label's nodes, first column the
node's ``id`` (a string; the ``id`` property, and the key relationships use); a relationship
table holds one type between two labels, first columns the source's and target's ids. The
property columns follow, each with one type. A cell is encoded by ``cell``: empty means
the property is absent; arrays are joined with ``ARRAY_DELIMITER``.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# Neo4j's import type names; FalkorDB's bulk loader takes the same names upper-cased.
TYPES = ("string", "long", "double", "boolean", "string[]", "long[]", "double[]")
ARRAY_DELIMITER = ";"
MANIFEST = "manifest.json"


class BulkValueError(ValueError):
    """A value a bulk import cannot carry faithfully (says which and why)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # one of TYPES


@dataclass
class Table:
    """One data file and what its header would say (see the module's docstring)."""

    path: Path
    columns: tuple[Column, ...]  # the property columns, after the id column(s)
    label: str | None = None  # node table: the nodes' label
    rel: str | None = None  # relationship table: its type, from ``source`` to ``target``
    source: str | None = None
    target: str | None = None
    rows: int = 0
    multiline: bool = False  # some cell holds a line break (Neo4j must be told)

    @property
    def is_node(self) -> bool:
        return self.label is not None


@dataclass
class BulkTables:
    """Every table of one import, nodes before relationships."""

    directory: Path
    nodes: list[Table] = field(default_factory=list)
    relationships: list[Table] = field(default_factory=list)

    @property
    def node_count(self) -> int:
        return sum(t.rows for t in self.nodes)

    @property
    def relationship_count(self) -> int:
        return sum(t.rows for t in self.relationships)

    def save(self) -> Path:
        """Write the tables' description beside them (``MANIFEST``), so that the same files
        can be imported again (a benchmark imports one 1M-customer set many times)."""
        tables = [
            {**asdict(t), "path": t.path.name, "columns": [[c.name, c.type] for c in t.columns]}
            for t in (*self.nodes, *self.relationships)
        ]
        out = self.directory / MANIFEST
        out.write_text(json.dumps({"tables": tables}, indent=1), encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: Path) -> "BulkTables":
        """The tables ``save`` described in ``directory``. Raises OSError, ValueError."""
        found = cls(directory)
        for t in json.loads((directory / MANIFEST).read_text(encoding="utf-8"))["tables"]:
            columns = tuple(Column(name, kind) for name, kind in t.pop("columns"))
            table = Table(**{**t, "path": directory / t["path"], "columns": columns})
            (found.nodes if table.is_node else found.relationships).append(table)
        return found


def type_of(value: Any) -> str:
    """The import type of a (non-empty) property value. Raises BulkValueError for a value
    no column type carries (a map, a mixed or nested list, an empty list)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list) and value:
        inner = {type_of(v) for v in value}
        if len(inner) == 1 and (only := inner.pop()) in ("string", "long", "double"):
            return only + "[]"
    raise BulkValueError(f"no bulk import type carries {type(value).__name__} value {value!r}")


def cell(value: Any) -> str:
    """A property value as its CSV cell ('' for no value). Raises BulkValueError for a value
    the cell could not give back as it was: an empty string (read back as no value) or an
    array element holding the delimiter."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        if not value:
            raise BulkValueError("an empty string would be read back as no value")
        return value
    if isinstance(value, list):
        parts = [cell(v) for v in value]
        if any(ARRAY_DELIMITER in p for p in parts):
            raise BulkValueError(f"an array element holds {ARRAY_DELIMITER!r}: {value!r}")
        return ARRAY_DELIMITER.join(parts)
    return str(value)


def header(table: Table) -> list[str]:
    """The header Neo4j's importer reads for ``table`` (FalkorDB's bulk loader reads the
    same, upper-casing the types)."""
    if table.label is not None:
        ids = [f"id:ID({table.label})"]
    else:
        ids = [f":START_ID({table.source})", f":END_ID({table.target})"]
    return ids + [f"{c.name}:{c.type}" for c in table.columns]
