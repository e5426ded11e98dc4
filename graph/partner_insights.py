"""Partner insights statements: how the whole community spreads over a dimension, the
baseline a partner's set is indexed against (docs/partner.md, "Insights").

The community is every customer whose processing is not restricted. Counts only: no ids
leave the statement.
"""

from graph.partner import DIMENSIONS, VALUE_LINES

COMMUNITY_MATCH = "MATCH (c:Customer) WHERE c.restricted_at IS NULL WITH DISTINCT c"


def _community_statement(dimension: str) -> str:
    """The community's size and, per value of ``dimension``, its customers with it."""
    return "\n".join(
        [
            COMMUNITY_MATCH,
            "WITH collect(c) AS members",
            "WITH members, size(members) AS audience",
            "UNWIND members AS c",
            VALUE_LINES[dimension],
            "WITH audience, value, count(DISTINCT c) AS n",
            "RETURN audience, collect(CASE WHEN value IS NULL THEN null "
            "ELSE {value: value, n: n} END) AS cells",
        ]
    )


COMMUNITY_COUNTS: dict[str, str] = {d: _community_statement(d) for d in DIMENSIONS}
