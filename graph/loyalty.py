"""Loyalty programmes (docs/audiences.md): ordered tiers, each a saved audience; a
customer is in the first tier whose audience holds them now, kept as spells
`(Customer)-[:IN_TIER {tier, entered_at, exited_at}]->(LoyaltyProgram)`.

A refresh (after the tier audiences are refreshed) is two statements, each safe to run
again: close the open spells whose tier is no longer the customer's, then open one for
each customer in a tier without an open spell. Audience membership already leaves
restricted customers out (graph/audiences.py), so they hold no tier after a refresh.
"""

from dataclasses import dataclass

from graph.store import GraphStore

SAVE_PROGRAM = """
MERGE (p:LoyaltyProgram {id: $id})
ON CREATE SET p.created_at = $now, p.owner = $owner
SET p.name = $name, p.tiers = $tiers, p.updated_at = $now
RETURN p {.*} AS program
"""
GET_PROGRAM = "MATCH (p:LoyaltyProgram {id: $id}) RETURN p {.*} AS program"
LIST_PROGRAMS = "MATCH (p:LoyaltyProgram) RETURN p {.*} AS program ORDER BY p.id"
# Which of `$ids` are saved audiences.
AUDIENCES_FOUND = "MATCH (a:Audience) WHERE a.id IN $ids RETURN collect(a.id) AS found"

# The customer's tier now: the first of `$tiers` (audience ids, in order) they are in.
_TIER_OF_C = (
    "[t IN $tiers WHERE t IN [(c)-[m:IN_AUDIENCE]->(ta:Audience) "
    "WHERE m.exited_at IS NULL | ta.id]][0]"
)

CLOSE_SPELLS = f"""
MATCH (p:LoyaltyProgram {{id: $program}})<-[s:IN_TIER]-(c:Customer)
WHERE s.exited_at IS NULL
WITH s, {_TIER_OF_C} AS tier
WHERE tier IS NULL OR tier <> s.tier
SET s.exited_at = $now
RETURN count(s) AS closed
"""

OPEN_SPELLS = """
MATCH (c:Customer)-[m:IN_AUDIENCE]->(a:Audience)
WHERE m.exited_at IS NULL AND a.id IN $tiers
WITH c, collect(a.id) AS ins
WITH c, [t IN $tiers WHERE t IN ins][0] AS tier
MATCH (p:LoyaltyProgram {id: $program})
OPTIONAL MATCH (c)-[s:IN_TIER]->(p) WHERE s.exited_at IS NULL
WITH p, c, tier, count(s) AS open
WHERE open = 0
CREATE (c)-[:IN_TIER {tier: tier, entered_at: $now}]->(p)
RETURN count(c) AS opened
"""


@dataclass(frozen=True)
class TierChanges:
    closed: int
    opened: int


async def refresh_tiers(store: GraphStore, program: str, tiers: list[str], now: int) -> TierChanges:
    """Bring ``program``'s spells up to its tier audiences' membership at ``now``."""
    params = {"program": program, "tiers": tiers, "now": now}
    closed, _ = await store.write_returning(CLOSE_SPELLS, params)
    opened, _ = await store.write_returning(OPEN_SPELLS, params)
    await store.write("MATCH (p:LoyaltyProgram {id: $program}) SET p.refreshed_at = $now", params)
    return TierChanges(
        closed=int(closed[0]["closed"]) if closed else 0,
        opened=int(opened[0]["opened"]) if opened else 0,
    )
