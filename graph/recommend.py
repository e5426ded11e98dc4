"""Recommendations for one customer, computed in the graph: next products or brands from
what similar customers bought. Docs: docs/recommendations.md.

Three kinds of peers each give every item they bought a share (peers who bought it /
peers), summed per kind of peer (the *source*):

- `purchase`: for each item `x` the customer bought, the other customers who bought `x`;
- `engagement`: the other customers who engage (follow, or interact with the posts of) a
  brand the customer engages with (graph/engagement.py's follow and interaction paths,
  with the brand labelled, as pattern comprehensions);
- `tag`: for each tag the customer carries (interest, lifestyle...), the other customers
  who carry it.

Privacy is the statement's own: the customer must not be restricted, and an item is
offered only when its brand holds a consent of the customer live for `$purpose` at `$now`
(graph/consent_rules.py). Restricted customers are never peers: their processing is
restricted, so their purchases do not count for others either. `RECOMMENDATION_GATE`
says which of these stops a customer, so that the API can say why it returns nothing.
"""

from functools import cache

from graph import projections as proj
from graph.consent_rules import live_consent

SOURCES = ("purchase", "engagement", "tag")

# kind -> (the customer `c`'s items `x`, the customers `d` who bought `x`, the items `y`
# a customer `d` bought, the line keeping `y` only when its brand `yb` is in `allowed`)
_KINDS: dict[str, tuple[str, str, str, str]] = {
    "product": (
        "(c)-[:MADE]->(:Purchase)-[:CONTAINS]->(x:Product)",
        "(x)<-[:CONTAINS]-(:Purchase)<-[:MADE]-(d:Customer)",
        "(d)-[:MADE]->(:Purchase)-[:CONTAINS]->(y:Product)",
        "MATCH (y)-[:OF_BRAND]->(yb:Brand) WHERE yb IN allowed",
    ),
    "brand": (
        "(c)-[:MADE]->(:Purchase)-[:AT]->(x:Brand)",
        "(x)<-[:AT]-(:Purchase)<-[:MADE]-(d:Customer)",
        "(d)-[:MADE]->(:Purchase)-[:AT]->(y:Brand)",
        "WITH mine, allowed, y, y AS yb, source, via, via_name, k, n WHERE yb IN allowed",
    ),
}
KINDS = tuple(_KINDS)

# The brands the customer `c` engages with, by follow or interaction (no purchase:
# purchases are the first source's).
_ENGAGED = (
    "[(c)-[:HAS_ACCOUNT]->(:SocialAccount)-[:FOLLOWS]->(eb:Brand) | eb] + "
    "[(c)-[:HAS_ACCOUNT]->(:SocialAccount)-[:INTERACTED]->(:Post)<-[:POSTED]-(eb:Brand) | eb]"
)
# The customers who engage with a bound brand `e`, by follow or interaction.
_ENGAGERS = (
    "[(e)<-[:FOLLOWS]-(:SocialAccount)<-[:HAS_ACCOUNT]-(ed:Customer) | ed] + "
    "[(e)-[:POSTED]->(:Post)<-[:INTERACTED]-(:SocialAccount)<-[:HAS_ACCOUNT]-(ed:Customer) | ed]"
)
_PEER = "d <> c AND d.restricted_at IS NULL"

# Whether the customer `$customer` exists, is restricted, and how many brands hold a
# consent of theirs live for `$purpose` at `$now`.
RECOMMENDATION_GATE = (
    "OPTIONAL MATCH (c:Customer {id: $customer})\n"
    "OPTIONAL MATCH (c)-[lc:CONSENTED]->(b:Brand) WHERE "
    + live_consent("c", "lc", "purpose")
    + "\n"
    "RETURN c IS NOT NULL AS found, c IS NOT NULL AND c.restricted_at IS NOT NULL AS restricted,"
    " count(DISTINCT b) AS consented"
)


@cache
def recommendations_query(kind: str) -> str:
    """Rows (`item`: the product or brand, `score`, `parts`: one map per source with its
    weighted `part` and every peer group's `via`, `name`, `k` buyers of the item and `n`
    peers) for customer `$customer`, best `$first` first. Items the customer bought are
    left out when `$exclude_bought`. Weights: `$w_purchase`, `$w_engagement`, `$w_tag`;
    each peer group keeps its first `$max_peers` customers by id (analytics/recommend.py).
    No row for a restricted customer or one without a live `$purpose` consent (graph/
    consent_rules.py) to the item's brand. ``kind``: "product" or "brand" (KeyError else)."""
    mine, buyers, bought, allowed = _KINDS[kind]

    def shares(group: str) -> list[str]:
        """Each item the peers (`peers`, per ``group``) bought: `k` of the `n` peers."""
        return [
            f"WITH {group}, size(peers) AS n, peers UNWIND peers AS d",
            f"MATCH {bought}",
            f"WITH {group}, n, y, count(DISTINCT d) AS k",
        ]

    branches = [
        "\n".join(
            [
                "WITH c, mine UNWIND mine AS x",
                f"MATCH {buyers} WHERE {_PEER}",
                "WITH DISTINCT x, d ORDER BY d.id",
                "WITH x, collect(d)[..$max_peers] AS peers",
                *shares("x"),
                "RETURN y, 'purchase' AS source, x.id AS via, x.name AS via_name, k, n",
            ]
        ),
        "\n".join(
            [
                "WITH c",
                f"WITH c, {_ENGAGED} AS es",
                "UNWIND es AS e",
                "WITH DISTINCT c, e",
                f"WITH c, {_ENGAGERS} AS ds",
                "UNWIND ds AS d",
                f"WITH c, d WHERE {_PEER}",
                "WITH DISTINCT d ORDER BY d.id",
                "WITH 0 AS everyone, collect(d)[..$max_peers] AS peers",
                *shares("everyone"),
                "RETURN y, 'engagement' AS source, null AS via, null AS via_name, k, n",
            ]
        ),
        "\n".join(
            [
                "WITH c MATCH (c)-[:TAGGED]->(t:Tag)<-[:TAGGED]-(d:Customer)",
                f"WHERE {_PEER}",
                "WITH DISTINCT t, d ORDER BY d.id",
                "WITH t, collect(d)[..$max_peers] AS peers",
                *shares("t"),
                "RETURN y, 'tag' AS source, t.id AS via, t.name AS via_name, k, n",
            ]
        ),
    ]
    weight = (
        "CASE source WHEN 'purchase' THEN $w_purchase "
        "WHEN 'engagement' THEN $w_engagement ELSE $w_tag END"
    )
    project = proj.PRODUCT if kind == "product" else "x " + proj.BRAND_CORE
    return "\n".join(
        [
            "MATCH (c:Customer {id: $customer}) WHERE c.restricted_at IS NULL",
            "MATCH (c)-[lc:CONSENTED]->(ok:Brand) WHERE " + live_consent("c", "lc", "purpose"),
            "WITH c, collect(DISTINCT ok) AS allowed",
            f"OPTIONAL MATCH {mine}",
            "WITH c, allowed, collect(DISTINCT x) AS mine",
            "CALL {",
            "\nUNION ALL\n".join(branches),
            "}",
            "WITH mine, allowed, y, source, via, via_name, k, n",
            "WHERE NOT ($exclude_bought AND y IN mine)",
            allowed,
            "WITH y, source, sum(toFloat(k) / n) AS share, "
            "collect({via: via, name: via_name, k: k, n: n}) AS groups",
            f"WITH y, sum({weight} * share) AS score, "
            f"collect({{source: source, part: {weight} * share, groups: groups}}) AS parts",
            "ORDER BY score DESC, y.id LIMIT $first",
            f"WITH y AS x, score, parts RETURN {project} AS item, score, parts",
            "ORDER BY score DESC, item.id",
        ]
    )
