"""Partner lookalikes statements (docs/partner.md, "Lookalikes"): every unrestricted
customer's features (tags, content types it interacted with, brands its accounts follow)
and whether its consent to the partner for `$purpose` is live at `$now` (the rule of
graph/consent_rules.py, in this statement). Ids and features stay in the resolver."""

from graph.consent_rules import live_consent

FEATURES = (
    "MATCH (c:Customer) WHERE c.restricted_at IS NULL\n"
    "OPTIONAL MATCH (c)-[:TAGGED]->(t:Tag)\n"
    "WITH c, collect(DISTINCT 'tag:' + t.id) AS tags\n"
    "OPTIONAL MATCH (c)-[:HAS_ACCOUNT]->(:SocialAccount)-[:INTERACTED]->(p:Post)\n"
    "WHERE p.content_type IS NOT NULL\n"
    "WITH c, tags, collect(DISTINCT 'content:' + p.content_type) AS content\n"
    "OPTIONAL MATCH (c)-[:HAS_ACCOUNT]->(:SocialAccount)-[:FOLLOWS]->(b:Brand)\n"
    "WITH c, tags, content, collect(DISTINCT 'brand:' + b.id) AS brands\n"
    "OPTIONAL MATCH (:Brand {id: $partner})<-[lc:CONSENTED]-(c)\n"
    "WHERE " + live_consent("c", "lc", "purpose") + "\n"
    "WITH c, tags + content + brands AS features, count(lc) AS live\n"
    "RETURN c.id AS id, features, live > 0 AS consented"
)
