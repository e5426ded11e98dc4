"""The customer-brand network as a graph file's nodes and edges (`hub export graph`,
docs/export.md): who may take it, and the shape the writers turn into GraphML or Parquet.

One edge per customer and brand engaged in the period, with its events per kind (follows,
interactions, purchases) and first and last time; nodes carry no personal data, so the
file is the same for app keys, analysts and admins, except that only admins see
restricted customers (in the statements). Partners get no graph.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph import graph_export as q
from resolvers.access import READERS
from resolvers.context import Context
from resolvers.errors import bad_input, forbidden
from resolvers.ids import key_for

NODE_BATCH = 5_000  # ids per node statement


@dataclass
class Subgraph:
    """Nodes (id, label and attributes) and edges (source customer, target brand and
    attributes), in id order."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)


def _edge(customer: str, brand: str) -> dict[str, Any]:
    return {
        "source": customer, "target": brand, "events": 0, "first_at": None, "last_at": None,
        **{kind: 0 for kind in q.ENGAGEMENT_KINDS},
    }  # fmt: skip


def _merge(edge: dict[str, Any], kind: str, row: dict[str, Any]) -> None:
    edge[kind] += row["events"]
    edge["events"] += row["events"]
    for name, pick in (("first_at", min), ("last_at", max)):
        values = [v for v in (edge[name], row[name]) if v is not None]
        edge[name] = pick(values) if values else None


async def _nodes(ctx: Context, query: str, ids: Iterable[str], label: str) -> list[dict[str, Any]]:
    keys, out = sorted(set(ids)), list[dict[str, Any]]()
    for start in range(0, len(keys), NODE_BATCH):
        params = {"ids": keys[start : start + NODE_BATCH],
                  "include_restricted": ctx.principal.sees_restricted}  # fmt: skip
        out.extend({"label": label, **r} for r in await ctx.store.read(query, params))
    return out


async def engagement_subgraph(
    ctx: Context, brands: list[str] | None, start: int | None, end: int | None
) -> Subgraph:
    """The network of ``brands`` (None: all) within [start, end) (epoch ms; None: open).
    Raises ApiError: FORBIDDEN for partners, BAD_USER_INPUT for an unknown id format or
    an empty period."""
    if ctx.principal.role not in READERS:
        raise forbidden(f"the {ctx.principal.role} role may not export the graph")
    if start is not None and end is not None and start >= end:
        raise bad_input("the period is empty: --from must come before --until", "until")
    keys = [key_for("Brand", b, "brands") for b in brands] if brands else None
    params = {"brands": keys, "from": start, "until": end,
              "include_restricted": ctx.principal.sees_restricted}  # fmt: skip
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for kind in q.ENGAGEMENT_KINDS:
        for row in await ctx.store.read(q.engagement_edges_query(kind), params):
            pair = (row["customer"], row["brand"])
            _merge(edges.setdefault(pair, _edge(*pair)), kind, row)
    customers = {c for c, _ in edges}
    brand_ids = {b for _, b in edges} | set(keys or ())
    graph = Subgraph(edges=[edges[pair] for pair in sorted(edges)])
    graph.nodes = [
        *await _nodes(ctx, q.BRAND_NODES, brand_ids, "Brand"),
        *await _nodes(ctx, q.CUSTOMER_NODES, customers, "Customer"),
    ]
    ctx.audit.customers_read(customers, kind="graph_export")
    return graph
