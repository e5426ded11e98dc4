"""Campaigns (docs/audiences.md): a `Campaign` record aimed at a saved audience, its
members split into treated and control, the contacts made, and the outcome reads.

A member is `(Customer)-[:IN_CAMPAIGN {arm, at}]->(Campaign)` with `arm` `treated` or
`control`; each treated member gets a `(Customer)-[:HAD_CONTACT]->(:Contact {kind:
'promotion_sent', campaign_id, brand_id, channel, at})-[:ABOUT]->(Brand)`, the shape
recordContact writes, so the contact is in the customer's contact history.
"""

from graph.consent_rules import live_consent
from graph.restriction import visible

GET_CAMPAIGN = "MATCH (k:Campaign {id: $id}) RETURN k {.*} AS campaign"
BRAND_EXISTS = "MATCH (b:Brand {id: $id}) RETURN b.id AS id"
LIST_CAMPAIGNS = "MATCH (k:Campaign) RETURN k {.*} AS campaign ORDER BY k.id"

# The audience's current members (open spells, not restricted), each with whether a live
# consent to `$brand` allows `$purpose` at `$now`: eligible ones by id, and the others
# counted. One row; no row when the audience does not exist.
ELIGIBLE_MEMBERS = f"""
MATCH (a:Audience {{id: $audience}})
OPTIONAL MATCH (a)<-[m:IN_AUDIENCE]-(c:Customer) WHERE m.exited_at IS NULL
WITH DISTINCT c
WITH c, CASE WHEN c IS NULL THEN false ELSE size([(c)-[lc:CONSENTED]->(:Brand {{id: $brand}})
  WHERE {live_consent("c", "lc", "purpose")} | 1]) > 0 END AS allowed
WITH c, allowed ORDER BY c.id
RETURN [x IN collect(CASE WHEN allowed THEN c.id END) WHERE x IS NOT NULL] AS eligible,
  size([x IN collect(CASE WHEN NOT allowed THEN c.id END) WHERE x IS NOT NULL]) AS excluded
"""

# The campaign, its members and the treated members' contacts, in one statement (one
# transaction on both engines). `$members`: [{id, arm, contact}] (contact null for control).
CREATE_CAMPAIGN = """
MATCH (b:Brand {id: $campaign.brand})
CREATE (k:Campaign {id: $campaign.id})
SET k += $campaign
WITH k, b
UNWIND $members AS row
MATCH (c:Customer {id: row.id})
CREATE (c)-[:IN_CAMPAIGN {arm: row.arm, at: $campaign.launched_at}]->(k)
FOREACH (_ IN CASE WHEN row.contact IS NULL THEN [] ELSE [1] END |
  CREATE (c)-[:HAD_CONTACT]->(t:Contact {id: row.contact, kind: 'promotion_sent',
    campaign_id: $campaign.id, brand_id: $campaign.brand, channel: $campaign.channel,
    at: $campaign.launched_at,
    created_at: $campaign.launched_at, updated_at: $campaign.launched_at})
  CREATE (t)-[:ABOUT]->(b))
RETURN count(c) AS members
"""

# Per arm: members (not restricted), those who bought from `$brand` in [$start, $end),
# and the sums and sums of squares of their purchases and revenue there.
OUTCOME = f"""
MATCH (k:Campaign {{id: $campaign}})<-[m:IN_CAMPAIGN]-(c:Customer)
WHERE {visible("c")}
OPTIONAL MATCH (c)-[:MADE]->(p:Purchase)-[:AT]->(:Brand {{id: $brand}})
  WHERE p.at >= $start AND p.at < $end
WITH m.arm AS arm, c, count(p) AS bought, sum(coalesce(p.total, 0.0)) AS spent
RETURN arm, count(c) AS n, sum(CASE WHEN bought > 0 THEN 1 ELSE 0 END) AS converted,
  sum(bought) AS purchases, sum(bought * bought) AS purchases_sq,
  sum(spent) AS revenue, sum(spent * spent) AS revenue_sq
ORDER BY arm
"""
