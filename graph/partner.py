"""Partner API statements: the live audience, its aggregates, the partner's pseudonym key
and the release ledger (docs/partner.md).

Every statement that reads audience members starts with PARTNER_AUDIENCE_MATCH, so the
live-consent rule (graph/consent_rules.py) filters inside the statement that reads, with
`$now` from the request. Statements return hub customer ids; the resolver turns them into
pseudonyms and never lets them out. Aggregate statements are chosen from AGGREGATES by an
allow-listed dimension; values reach Cypher only as parameters.

`PartnerKey {id: brand id, salt, rotated_at, created_at, ledger_written_at}` and
`PartnerRelease {id, partner_id, dimension, value, customer_ids, at}` are system nodes,
never linked to the domain graph.
"""

from graph.consent_rules import PARTNER_AUDIENCE_MATCH, live_consent

# The live audience's customer ids, and the partner's salt (null before its first use).
AUDIENCE_IDS = (
    PARTNER_AUDIENCE_MATCH + "\n"
    "WITH collect(c.id) AS ids\n"
    "OPTIONAL MATCH (k:PartnerKey {id: $partner})\n"
    "RETURN ids, k.salt AS salt"
)

AUDIENCE_SIZE = PARTNER_AUDIENCE_MATCH + "\nRETURN count(c) AS members"

# Create the partner's key on first use; an existing key is left as it is.
ENSURE_KEY = """MERGE (k:PartnerKey {id: $partner})
ON CREATE SET k.salt = $salt, k.rotated_at = $now, k.created_at = $now
RETURN k.salt AS salt"""

# A new salt: every pseudonym of the partner changes. The release ledger stays.
ROTATE_KEY = """MERGE (k:PartnerKey {id: $partner})
ON CREATE SET k.created_at = $now
SET k.salt = $salt, k.rotated_at = $now
RETURN k.rotated_at AS rotated_at"""

PARTNER_SUMMARY = """OPTIONAL MATCH (b:Brand {id: $partner})
OPTIONAL MATCH (k:PartnerKey {id: $partner})
RETURN b IS NOT NULL AS brand_found, b.name AS brand_name, k IS NOT NULL AS key_found,
       k.created_at AS key_created_at, k.rotated_at AS rotated_at,
       k.ledger_written_at AS ledger_written_at, k.onboarded_at AS onboarded_at,
       k.purposes AS purposes, k.dimensions AS dimensions,
       k.requests_per_day AS requests_per_day, k.matches_per_day AS matches_per_day"""

LEDGER_SUMMARY = """MATCH (r:PartnerRelease {partner_id: $partner})
RETURN r.dimension AS dimension, count(r) AS entries, count(DISTINCT r.value) AS values,
       max(r.at) AS last_at
ORDER BY dimension"""

# Per dimension: lines that turn each audience member `c` (with `audience`, the audience
# size, carried along) into rows `audience, c, value, name`, one per distinct value, or one
# row with a null value when the member has none.
VALUE_LINES: dict[str, str] = {
    "segment": (
        "OPTIONAL MATCH (c)-[:IN_SEGMENT]->(s:Segment)\n"
        "WITH DISTINCT audience, c, s.id AS value, s.name AS name"
    ),
    "region": "WITH audience, c, c.region AS value, c.region AS name",
    "tag": (
        "OPTIONAL MATCH (c)-[:TAGGED]->(t:Tag)\n"
        "WITH DISTINCT audience, c, t.id AS value, t.name AS name"
    ),
    "content_preference": (
        "OPTIONAL MATCH (c)-[:HAS_ACCOUNT]->(:SocialAccount)-[:INTERACTED]->(p:Post)\n"
        "WHERE p.content_type IS NOT NULL\n"
        "WITH DISTINCT audience, c, p.content_type AS value\n"
        "OPTIONAL MATCH (ct:Tag {id: value})\n"
        "WITH audience, c, value, ct.name AS name"
    ),
    "consenting_brand": (
        "OPTIONAL MATCH (c)-[oc:CONSENTED]->(ob:Brand)\n"
        "WHERE ob.id <> $partner AND " + live_consent("c", "oc", "purpose") + "\n"
        "WITH DISTINCT audience, c, ob.id AS value, ob.name AS name"
    ),
    # Brands (never the partner itself) the member engaged with: one its accounts follow,
    # one whose posts they interacted with, one it bought from. Pattern comprehensions, so
    # that a member with many purchases and likes is not multiplied into many rows; [null]
    # keeps the member without any.
    "engaged_brand": (
        "WITH audience, c,\n"
        "  [(c)-[:HAS_ACCOUNT]->(:SocialAccount)-[:FOLLOWS]->(b:Brand) | b.id]\n"
        "  + [(c)-[:HAS_ACCOUNT]->(:SocialAccount)-[:INTERACTED]->(:Post)<-[:POSTED]-(b:Brand)"
        " | b.id]\n"
        "  + [(c)-[:MADE]->(:Purchase)-[:AT]->(b:Brand) | b.id] AS engaged\n"
        "WITH audience, c, [b IN engaged WHERE b <> $partner] AS engaged\n"
        "UNWIND CASE WHEN size(engaged) = 0 THEN [null] ELSE engaged END AS value\n"
        "WITH DISTINCT audience, c, value\n"
        "OPTIONAL MATCH (eb:Brand {id: value})\n"
        "WITH audience, c, value, eb.name AS name"
    ),
}

DIMENSIONS: tuple[str, ...] = tuple(VALUE_LINES)


def aggregate_statement(dimension: str, head: str = PARTNER_AUDIENCE_MATCH) -> str:
    """The audience size, its members grouped by value (ids per value; the null value
    holds the members without one), and the partner's ledger entries of ``dimension``.
    ``head`` binds the members `c`, one row each (the live audience, or a matched list's
    consented members: graph/partner_lists.py). No rows at all when there are none."""
    return "\n".join(
        [
            head,
            "WITH collect(c) AS members",
            "WITH members, size(members) AS audience",
            "UNWIND members AS c",
            VALUE_LINES[dimension],
            "WITH audience, value, name, collect(c.id) AS ids",
            "WITH audience, collect({value: value, name: name, ids: ids}) AS cells",
            "OPTIONAL MATCH (r:PartnerRelease {partner_id: $partner, dimension: $dimension})",
            "RETURN audience, cells, collect(CASE WHEN r IS NULL THEN null ELSE "
            "{id: r.id, value: r.value, customer_ids: r.customer_ids, at: r.at} END) AS ledger",
        ]
    )


AGGREGATES: dict[str, str] = {d: aggregate_statement(d) for d in DIMENSIONS}

# Append fresh releases to the ledger, only if the partner's ledger for the dimension
# still holds the `$seen` entries the decision was made on. Setting a property of the
# partner's key first takes its write lock (Neo4j holds it to commit; FalkorDB runs writes
# one at a time), so ledger writers of one partner run one after another and each sees
# the entries of those before it. No row back: the ledger moved on, decide again.
APPEND_RELEASES = """MERGE (k:PartnerKey {id: $partner})
ON CREATE SET k.salt = $salt, k.rotated_at = $now, k.created_at = $now
SET k.ledger_written_at = $now
WITH k
OPTIONAL MATCH (r:PartnerRelease {partner_id: $partner, dimension: $dimension})
WITH k, count(r) AS seen
WHERE seen = $seen
FOREACH (row IN $rows | CREATE (:PartnerRelease {id: row.id, partner_id: $partner,
    dimension: $dimension, value: row.value, customer_ids: row.customer_ids, at: $now}))
RETURN seen"""
