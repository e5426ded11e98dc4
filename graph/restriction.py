"""What a restriction of processing hides, written once for every statement that reads
customers or what is theirs (docs/security.md, "Restriction of processing").

A customer whose `restricted_at` is set is left out of what non-admins read: lists,
audiences, rankings, every count of individuals, and the nodes that are theirs (their
accounts, purchases, complaints and their accounts' posts) in neighbourhoods, paths and
communities. Statements take `$include_restricted` (true for admins only) so the rule
is applied by the statement that reads, never after it.
"""


def visible(customer: str) -> str:
    """A WHERE condition on a bound customer variable: the caller may see it."""
    return f"($include_restricted OR {customer}.restricted_at IS NULL)"


# Binds `hidden` (one row): the restricted customers and the nodes that are theirs, or []
# for admins. Restrictions are rare, so the list is short; statements test `NOT n IN
# hidden` for nodes of any label. (FalkorDB cannot filter on a pattern comprehension in
# a WHERE, so "owned by a restricted customer" cannot be a per-node predicate there.)
HIDDEN = (
    "OPTIONAL MATCH (hr:Customer) WHERE NOT $include_restricted AND hr.restricted_at IS NOT NULL\n"
    "OPTIONAL MATCH (hr)-[:HAS_ACCOUNT|MADE|FILED]->(ho)\n"
    "OPTIONAL MATCH (ho)-[:POSTED]->(hp:Post)\n"
    "WITH collect(DISTINCT hr) + collect(DISTINCT ho) + collect(DISTINCT hp) AS hidden\n"
)
