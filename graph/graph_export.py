"""Statements of `hub export graph` (docs/export.md): the two-sided customer-brand network,
narrowed to some brands and a period, as its edges and the nodes they join.

An edge is one customer's engagement of one kind with one brand (graph/engagement.py's
paths) in the period: its event count and its first and last time. Restricted customers
are left out unless `$include_restricted` (graph/restriction.py), in the statement.
"""

from functools import cache

from graph.engagement import ENGAGEMENT_EVENT, ENGAGEMENT_KINDS, ENGAGEMENT_PATHS
from graph.network import in_range
from graph.restriction import visible


@cache
def engagement_edges_query(kind: str) -> str:
    """Rows (customer, brand, events, first_at, last_at) of ``kind`` (one of
    ENGAGEMENT_KINDS; KeyError otherwise) for `$brands` (null: every brand) within
    [`$from`, `$until`) (either null: open)."""
    path, at = ENGAGEMENT_PATHS[kind]
    return "\n".join(
        [
            "MATCH (b:Brand) WHERE $brands IS NULL OR b.id IN $brands",
            f"MATCH {path}",
            f"WHERE c:Customer AND {visible('c')} AND {in_range(at)}",
            f"RETURN c.id AS customer, b.id AS brand, count({ENGAGEMENT_EVENT[kind]}) AS events,",
            f"       min({at}) AS first_at, max({at}) AS last_at",
            "ORDER BY customer, brand",
        ]
    )


# The nodes the edges join: no personal data (names, contacts) leaves in a graph file.
BRAND_NODES = """UNWIND $ids AS key
MATCH (b:Brand {id: key})
RETURN b.id AS id, b.name AS name, b.category AS category, b.country AS country
ORDER BY id"""

CUSTOMER_NODES = f"""UNWIND $ids AS key
MATCH (c:Customer {{id: key}}) WHERE {visible("c")}
RETURN c.id AS id, c.country AS country, c.region AS region
ORDER BY id"""

__all__ = ["BRAND_NODES", "CUSTOMER_NODES", "ENGAGEMENT_KINDS", "engagement_edges_query"]
