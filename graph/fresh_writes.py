"""Batch writes into a graph that held nothing when the load began (`hub seed --fast`).

The same nodes, relationships and properties as graph/writes.py's upserts (same kinds,
same prepared rows, same ``row_hash``), without what only matters when the graph already
holds data: no comparison with a stored hash, no moved edges to prune, no emptied
properties to remove, nothing returned but a count. Relationship rows are written with
CREATE instead of MERGE, so **each relationship row must be new**: the caller sends a
relationship's key once, and anything it already sent goes through write_rows instead.
Endpoints are still MERGEd (a stub when missing) and so are node rows, so a node's row
arriving after it was referenced fills the stub in, as an upsert would.
"""

from collections.abc import Sequence
from typing import Any

from graph.store import GraphStore, WriteCounters
from graph.writes import KINDS, NodeKind, RelKind, edge_merges, rel_merges

Row = dict[str, Any]
ANY_NODE = "MATCH (n) RETURN 1 AS n LIMIT 1"


def fresh_node_statement(kind: NodeKind) -> str:
    """Write node rows and their edges; RETURNs how many (``written``)."""
    return "\n".join(
        [
            "UNWIND $rows AS row",
            f"MERGE (n:{kind.label} {{id: row.id}})",
            "SET n += row.props, n.row_hash = row.hash, n.updated_at = $now",
            *edge_merges(kind, "n, row"),
            "RETURN count(n) AS written",
        ]
    )


def fresh_rel_statement(kind: RelKind) -> str:
    """Create one relationship per row (endpoints MERGEd); RETURNs how many (``written``)."""
    return "\n".join(
        [
            *rel_merges(kind, create=True),
            "SET r += row.props, r.row_hash = row.hash",
            "RETURN count(r) AS written",
        ]
    )


_STATEMENTS: dict[tuple[str, str], str] = {
    (kind, value): (
        fresh_node_statement(spec) if isinstance(spec, NodeKind) else fresh_rel_statement(spec)
    )
    for kind, (_, specs) in KINDS.items()
    for value, spec in specs.items()
}


async def graph_is_empty(store: GraphStore) -> bool:
    """Whether the graph holds no node at all (then nothing in it can be erased, merged
    or already written). Raises GraphUnavailable."""
    return not await store.read(ANY_NODE)


def creates_relationships(kind: str) -> bool:
    """Whether ``kind``'s rows are relationships (CREATEd: each key must be sent once).

    Raises KeyError for an unknown kind."""
    return any(isinstance(spec, RelKind) for spec in KINDS[kind][1].values())


async def write_fresh(
    store: GraphStore, kind: str, rows: Sequence[Row], now: int
) -> tuple[int, WriteCounters]:
    """Write one batch of prepared rows of ``kind`` into a graph being filled from empty:
    (rows written, the database's counters). Raises KeyError for an unknown kind,
    GraphUnavailable, GraphQueryError."""
    field, specs = KINDS[kind]
    written = 0
    total = WriteCounters()
    for value in specs:
        share = list(rows) if field is None else [r for r in rows if r[field] == value]
        if not share:
            continue
        records, counters = await store.write_returning(
            _STATEMENTS[(kind, value)], {"rows": _lean(share), "now": now}
        )
        total += counters
        written += int(records[0]["written"]) if records else 0
    return written, total


def _lean(rows: list[Row]) -> list[Row]:
    """Rows as the statement takes them: ``props`` without empty values (a property the
    upsert would not set), nothing else added."""
    return [{**row, "props": {k: v for k, v in row["props"].items() if v is not None}}
            for row in rows]  # fmt: skip
