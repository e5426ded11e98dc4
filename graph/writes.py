"""Batch writes: one `UNWIND $rows AS row` + MERGE statement per kind of record.

Rows arrive prepared by loaders/kinds.py: ``{<key fields>, "hash": ..., "props": {...},
<endpoint ids>...}``. Three rules make every load idempotent and order-free:

* **MERGE on constrained keys** only (or on a relationship between two such nodes).
* **Change-aware**: each written node or relationship keeps the hash of the row that wrote it
  (``row_hash``); a row whose hash is already there is skipped whole, so loading the same
  file twice sets nothing (0 nodes, 0 relationships, 0 properties).
* **Stubs, never drops**: an endpoint that is not loaded yet is MERGEd as a bare node
  (``{id}`` only, no ``row_hash``); its own row fills it in later. A clean load and a load in
  any other order (or an interrupted one run again) end with the same graph.

When a row changes, its single-valued edges (a purchase's customer, a post's author...) are
moved: edges of the kind's own types to nodes the row no longer names are deleted.

A property a row leaves empty is removed **one property per statement**, never by
`SET n += {p: null, q: null}`: the embedded FalkorDB (4.16) removes the wrong properties
when one statement removes several of one node's or relationship's properties (a customer
re-loaded without email, phone and city lost `created_at` and kept `phone_hash`). The
upsert sets the row's non-empty values and returns which of the row's empty properties
the node or relationship still holds; one `REMOVE` statement per such property follows.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.store import GraphStore, Params, WriteCounters

Row = dict[str, Any]
_PROPERTY = re.compile(r"[a-z_][a-z0-9_]*")
# Of the batch's properties ($prop_names), those the row leaves empty and the written node
# or relationship still holds. The names go once per batch, not as a list in every row: the
# embedded engine parses parameters as text, and a per-row list made its statements half as
# slow again as the same statement without it (bench.ingest, interactions).
_GONE = "[k IN $prop_names WHERE row.props[k] IS NULL AND {v}[k] IS NOT NULL{keep}]"


@dataclass(frozen=True)
class Edge:
    """A single-valued edge from the kind's node to the node named by ``row[field]``."""

    field: str
    rel: str
    label: str
    outgoing: bool  # (n)-[:rel]->(other) when True, (other)-[:rel]->(n) otherwise

    def pattern(self, n: str, other: str, var: str = "") -> str:
        rel = f"[{var}:{self.rel}]"
        return f"({n})-{rel}->({other})" if self.outgoing else f"({other})-{rel}->({n})"


@dataclass(frozen=True)
class ListEdge:
    """Outgoing edges to every node named in the list ``row[field]`` of ids, or of maps with
    ``id`` and the edge's properties ``props``."""

    field: str
    rel: str
    label: str
    props: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeKind:
    label: str
    edges: tuple[Edge, ...] = ()
    lists: tuple[ListEdge, ...] = ()
    # Properties whose values before an update the statement returns (identity keys).
    before: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelKind:
    """A relationship between two existing-or-stub nodes, MERGEd on ``keys`` (row fields that
    identify one of several parallel edges, e.g. an interaction's kind and time)."""

    rel: str
    source_label: str
    source_field: str
    target_label: str
    target_field: str
    keys: tuple[str, ...] = ()
    # Properties whose value in the graph stands unless the row's is earlier: a re-load of
    # an old export must not undo a withdrawal recorded since (CONSENTED.withdrawn_at).
    keep_earliest: tuple[str, ...] = ()


def node_statement(kind: NodeKind) -> str:
    """Upsert changed rows of a node kind with their edges. RETURNs how many were written,
    their ids, the ids of those that were updates, and (for ``kind.before``) what the updated
    ones held before."""
    was = "{" + ", ".join(f"{p}: n.{p}" for p in kind.before) + "}" if kind.before else "null"
    lines = [
        "UNWIND $rows AS row",
        f"MERGE (n:{kind.label} {{id: row.id}})",
        f"WITH n, row, n.row_hash AS before, {was} AS was",
        "WHERE before IS NULL OR before <> row.hash",
        "SET n += row.props, n.row_hash = row.hash, n.updated_at = $now",
    ]
    lines += edge_merges(kind, "n, row, before, was")
    lines += [
        f"WITH n, row, before, was, {_GONE.format(v='n', keep='')} AS emptied",
        "RETURN count(n) AS written, collect(n.id) AS ids, "
        "collect(CASE WHEN before IS NULL THEN null ELSE n.id END) AS updated, "
        "collect(CASE WHEN before IS NULL THEN null ELSE was END) AS was, "
        "collect(CASE WHEN size(emptied) = 0 THEN null ELSE {row: row, gone: emptied} END) "
        "AS gone",
    ]
    return "\n".join(lines)


def edge_merges(kind: NodeKind, carried: str) -> list[str]:
    """The MERGEs of a node kind's edges (endpoints as stubs when missing), after ``n`` and
    ``row`` are bound; ``carried`` is what each WITH carries on."""
    lines = []
    for i, edge in enumerate(kind.edges):
        lines += [
            f"WITH {carried}",
            f"MERGE (o{i}:{edge.label} {{id: row.{edge.field}}})",
            f"MERGE {edge.pattern('n', f'o{i}')}",
        ]
    for j, lst in enumerate(kind.lists):
        sets = ", ".join(f"e{j}.{p} = x.{p}" for p in lst.props)
        key = "x.id" if lst.props else "x"
        lines.append(
            f"FOREACH (x IN row.{lst.field} | MERGE (l{j}:{lst.label} {{id: {key}}}) "
            f"MERGE (n)-[e{j}:{lst.rel}]->(l{j})" + (f" SET {sets})" if sets else ")")
        )
    return lines


def _rel_type(kind: RelKind) -> str:
    """``REL`` or ``REL {key: row.key, ...}``: the relationship as the row names it."""
    keys = ", ".join(f"{k}: row.{k}" for k in kind.keys)
    return f"{kind.rel} {{{keys}}}" if keys else kind.rel


def rel_merges(kind: RelKind, create: bool = False) -> list[str]:
    """Bind ``row``, both endpoints (stubs when missing) and the relationship ``r``
    (MERGEd, or CREATEd when ``create``: for rows known to be new)."""
    return [
        "UNWIND $rows AS row",
        f"MERGE (s:{kind.source_label} {{id: row.{kind.source_field}}})",
        f"MERGE (t:{kind.target_label} {{id: row.{kind.target_field}}})",
        f"{'CREATE' if create else 'MERGE'} (s)-[r:{_rel_type(kind)}]->(t)",
    ]


def prune_statement(kind: NodeKind) -> str | None:
    """Delete the kind's own edges that updated rows no longer name (None: nothing to prune)."""
    if not kind.edges and not kind.lists:
        return None
    parts = ["UNWIND $rows AS row", f"MATCH (n:{kind.label} {{id: row.id}})"]
    for i, edge in enumerate(kind.edges):
        parts += [
            "WITH DISTINCT n, row",
            f"OPTIONAL MATCH {edge.pattern('n', f'o{i}', f'r{i}')} "
            f"WHERE o{i}.id <> row.{edge.field}",
            f"DELETE r{i}",
        ]
    for j, lst in enumerate(kind.lists):
        ids = f"[x IN row.{lst.field} | x.id]" if lst.props else f"row.{lst.field}"
        parts += [
            "WITH DISTINCT n, row",
            f"OPTIONAL MATCH (n)-[d{j}:{lst.rel}]->(m{j}:{lst.label}) WHERE NOT m{j}.id IN {ids}",
            f"DELETE d{j}",
        ]
    return "\n".join(parts)


def rel_statement(kind: RelKind) -> str:
    """Upsert changed rows of a relationship kind (endpoints MERGEd as stubs when missing)."""
    kept = "".join(f", r.{p} AS kept_{p}" for p in kind.keep_earliest)
    # An earliest-kept property stands when the row has none (a withdrawal stays recorded).
    keep = "".join(f" AND k <> '{p}'" for p in kind.keep_earliest)
    gone = _GONE.format(v="r", keep=keep)
    earliest = [
        f"SET r.{p} = CASE WHEN kept_{p} IS NULL OR row.props.{p} < kept_{p} "
        f"THEN row.props.{p} ELSE kept_{p} END"
        for p in kind.keep_earliest
    ]
    return "\n".join(
        [
            *rel_merges(kind),
            f"WITH r, row{kept} WHERE r.row_hash IS NULL OR r.row_hash <> row.hash",
            "SET r += row.props, r.row_hash = row.hash",
            *earliest,
            f"WITH r, row, {gone} AS emptied",
            "RETURN count(r) AS written, [] AS ids, [] AS updated, [] AS was, "
            "collect(CASE WHEN size(emptied) = 0 THEN null ELSE {row: row, gone: emptied} END) "
            "AS gone",
        ]
    )


def remove_statement(spec: "NodeKind | RelKind", prop: str) -> str:
    """Remove one property from the node or relationship each row names (rows as the
    upsert took them). Raises ValueError for a name that is not a plain property name."""
    if not _PROPERTY.fullmatch(prop):
        raise ValueError(f"not a property name: {prop!r}")
    if isinstance(spec, NodeKind):
        return f"UNWIND $rows AS row MATCH (n:{spec.label} {{id: row.id}}) REMOVE n.{prop}"
    return "\n".join(
        [
            "UNWIND $rows AS row",
            f"MATCH (:{spec.source_label} {{id: row.{spec.source_field}}})"
            f"-[r:{_rel_type(spec)}]->"
            f"(:{spec.target_label} {{id: row.{spec.target_field}}})",
            f"REMOVE r.{prop}",
        ]
    )


def _posts(author: str) -> NodeKind:
    return NodeKind(
        "Post",
        edges=(Edge("author_id", "POSTED", author, outgoing=False),),
        lists=(ListEdge("tag_ids", "ABOUT", "Tag"),),
    )


def _complaints(about: str) -> NodeKind:
    return NodeKind(
        "Complaint",
        edges=(
            Edge("customer_id", "FILED", "Customer", outgoing=False),
            Edge("about_id", "ABOUT", about, outgoing=True),
        ),
    )


# kind -> (discriminating row field or None, {value: spec}); a batch is split by the field.
KINDS: dict[str, tuple[str | None, dict[str, NodeKind | RelKind]]] = {
    "brands": (None, {"": NodeKind("Brand")}),
    "tags": (None, {"": NodeKind("Tag")}),
    "segments": (None, {"": NodeKind("Segment")}),
    "products": (None, {"": NodeKind(
        "Product", edges=(Edge("brand_id", "OF_BRAND", "Brand", True),)
    )}),
    "customers": (None, {"": NodeKind("Customer", before=("email_hash", "phone_hash"))}),
    "social_accounts": (None, {"": NodeKind("SocialAccount")}),
    "purchases": (None, {"": NodeKind(
        "Purchase",
        edges=(
            Edge("customer_id", "MADE", "Customer", False), Edge("brand_id", "AT", "Brand", True)
        ),
        lists=(ListEdge("items", "CONTAINS", "Product", ("quantity", "unit_price")),),
    )}),
    "posts": ("author_kind", {"brand": _posts("Brand"), "account": _posts("SocialAccount")}),
    "complaints": ("about_kind", {
        "brand": _complaints("Brand"), "product": _complaints("Product"),
        "purchase": _complaints("Purchase"),
    }),
    "follows": ("target_kind", {
        "brand": RelKind("FOLLOWS", "SocialAccount", "account_id", "Brand", "target_id"),
        "account": RelKind("FOLLOWS", "SocialAccount", "account_id", "SocialAccount", "target_id"),
    }),
    "interactions": (None, {"": RelKind(
        "INTERACTED", "SocialAccount", "account_id", "Post", "post_id", keys=("kind", "at")
    )}),
    "customer_tags": (None, {"": RelKind("TAGGED", "Customer", "customer_id", "Tag", "tag_id")}),
    "consents": (None, {"": RelKind(
        "CONSENTED", "Customer", "customer_id", "Brand", "brand_id", keys=("granted_at",),
        keep_earliest=("withdrawn_at",),
    )}),
    "customer_segments": (None, {"": RelKind(
        "IN_SEGMENT", "Customer", "customer_id", "Segment", "segment_id"
    )}),
}  # fmt: skip

# Built once: the statements are fixed text, only parameters vary.
_STATEMENTS: dict[tuple[str, str], tuple[str, str | None]] = {
    (kind, value): (
        (node_statement(spec), prune_statement(spec))
        if isinstance(spec, NodeKind)
        else (rel_statement(spec), None)
    )
    for kind, (_, specs) in KINDS.items()
    for value, spec in specs.items()
}


@dataclass(frozen=True)
class BatchResult:
    written: int
    counters: WriteCounters
    ids: list[Any]  # of the rows written (node kinds)
    updated: list[Any]  # of the rows written that were updates (not first writes)
    was: list[Row]  # the ``before`` properties of the rows that were updates


def plan_writes(kind: str, rows: Sequence[Row]) -> list[tuple[str, str | None, Params]]:
    """(upsert statement, prune statement, the upsert's parameters but ``now``) for a batch
    of ``kind``; the prune statement takes the same ``rows``. See ``statement_params``.

    Raises KeyError for an unknown kind.
    """
    return [(upsert, prune, params) for upsert, prune, params, _ in _plan(kind, rows)]


def statement_params(rows: Sequence[Row]) -> Params:
    """``rows`` as the upsert takes them, each ``props`` with only its non-empty values (an
    empty one is neither sent nor SET), and ``prop_names``: every property name of the
    rows, so the statement can tell which of them a row left empty."""
    names: dict[str, None] = {}
    shaped = []
    for row in rows:
        props = row["props"]
        names.update(dict.fromkeys(props))
        shaped.append({**row, "props": {k: v for k, v in props.items() if v is not None}})
    return {"rows": shaped, "prop_names": list(names)}


def _plan(
    kind: str, rows: Sequence[Row]
) -> list[tuple[str, str | None, Params, "NodeKind | RelKind"]]:
    field, specs = KINDS[kind]
    plans = []
    for value, spec in specs.items():
        share = list(rows) if field is None else [r for r in rows if r[field] == value]
        if share:
            upsert, prune = _STATEMENTS[(kind, value)]
            plans.append((upsert, prune, statement_params(share), spec))
    return plans


async def write_rows(store: GraphStore, kind: str, rows: Sequence[Row], now: int) -> BatchResult:
    """Write one batch of prepared rows of ``kind``: how many rows changed something, and the
    database's counters. Rows already written with the same content are skipped."""
    written = 0
    total = WriteCounters()
    ids: list[Any] = []
    updates: list[Any] = []
    was: list[Row] = []
    for upsert, prune, params, spec in _plan(kind, rows):
        records, counters = await store.write_returning(upsert, {**params, "now": now})
        total += counters
        if not records:
            continue
        share = params["rows"]
        total += await _remove_emptied(store, spec, records[0]["gone"])
        written += records[0]["written"]
        ids += records[0]["ids"]
        was += records[0]["was"]
        updates += records[0]["updated"]
        updated = set(records[0]["updated"])
        if prune is not None and updated:
            moved = [r for r in share if r["id"] in updated]
            total += await store.write(prune, {"rows": moved})
    return BatchResult(written=written, counters=total, ids=ids, updated=updates, was=was)


async def _remove_emptied(
    store: GraphStore, spec: "NodeKind | RelKind", gone: list[Row]
) -> WriteCounters:
    """One REMOVE statement per property that rows left empty and the graph still held
    (``gone``: the upsert's ``{row, gone}`` entries)."""
    by_property: dict[str, list[Row]] = {}
    for entry in gone:
        for prop in entry["gone"]:
            by_property.setdefault(prop, []).append(entry["row"])
    total = WriteCounters()
    for prop, rows in sorted(by_property.items()):
        total += await store.write(remove_statement(spec, prop), {"rows": rows})
    return total
