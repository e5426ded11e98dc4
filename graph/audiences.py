"""Saved audiences: `Audience` records, membership spells, and the reads over them.

A membership is a spell `(Customer)-[:IN_AUDIENCE {entered_at, exited_at}]->(Audience)`:
a refresh closes the open spells of customers the rule no longer selects and opens one
for each newly selected customer, so the size at any time and who entered or left in a
period are reads over the spells. A customer whose processing is restricted leaves every
audience at the next refresh and enters none (graph/restriction.py).

Each spell opened or closed leaves an `(:OutboxEvent)` (`audience.entered` /
`audience.exited`, naming the customer) in the statement that changes it, so webhooks and
subscriptions hear of every entry and exit, once.
"""

import json
import uuid
from dataclasses import dataclass
from typing import Any

from graph.restriction import visible
from graph.rules import AllOf, Compiled, Knobs, NotRule, Rule, compile_rule
from graph.store import GraphStore

SAVE_AUDIENCE = """
MERGE (a:Audience {id: $id})
ON CREATE SET a.created_at = $now, a.owner = $owner
SET a.name = $name, a.description = $description, a.rule = $rule, a.updated_at = $now
RETURN a {.*} AS audience
"""
GET_AUDIENCE = "MATCH (a:Audience {id: $id}) RETURN a {.*} AS audience"
LIST_AUDIENCES = "MATCH (a:Audience) RETURN a {.*} AS audience ORDER BY a.id"

# The size at each of `$points`: spells open at that moment.
SIZES = """
MATCH (a:Audience {id: $audience})
UNWIND $points AS t
OPTIONAL MATCH (a)<-[m:IN_AUDIENCE]-(:Customer)
  WHERE m.entered_at <= t AND (m.exited_at IS NULL OR m.exited_at > t)
RETURN t AS at, count(m) AS size ORDER BY at
"""

# Who entered or left in [$start, $end), newest first.
CHANGES = f"""
MATCH (a:Audience {{id: $audience}})<-[m:IN_AUDIENCE]-(c:Customer)
WHERE {visible("c")}
  AND ((m.entered_at >= $start AND m.entered_at < $end)
       OR (m.exited_at >= $start AND m.exited_at < $end))
RETURN c.id AS id, m.entered_at AS entered_at, m.exited_at AS exited_at
ORDER BY coalesce(m.exited_at, m.entered_at) DESC, id LIMIT $limit
"""

# Members at some time in [$start, $end) (a spell overlapping the period), one row each.
_MEMBERS = f"""
MATCH (a:Audience {{id: $audience}})<-[m:IN_AUDIENCE]-(c:Customer)
WHERE m.entered_at < $end AND (m.exited_at IS NULL OR m.exited_at > $start)
  AND {visible("c")}
WITH DISTINCT c
"""
_ENGAGED = (
    "OPTIONAL MATCH (c)-[:HAS_ACCOUNT]->(:SocialAccount)-[i:INTERACTED]->(p:Post)\n"
    "  WHERE i.at >= $start AND i.at < $end AND p.content_type IS NOT NULL\n"
)
# breakdown -> statement returning (grp, sub, n, k): of `n` members of the group, `k` have it.
BREAKDOWNS: dict[str, str] = {
    # share of the members in each region
    "region": _MEMBERS + "WITH collect(c) AS members\nUNWIND members AS c\n"
    "WITH size(members) AS n, coalesce(c.region, '') AS grp, count(c) AS k\n"
    "RETURN grp, '' AS sub, n, k",
    # share of the members who engaged with each content type in the period
    "content_type": _MEMBERS
    + "WITH collect(c) AS members\nUNWIND members AS c\n"
    + _ENGAGED
    + "WITH size(members) AS n, p.content_type AS sub, count(DISTINCT c) AS k\n"
    "WHERE sub IS NOT NULL\nRETURN '' AS grp, sub, n, k",
    # in each region, the share of its members who engaged with each content type
    "region_content_type": _MEMBERS + "WITH coalesce(c.region, '') AS grp, collect(c) AS members\n"
    "UNWIND members AS c\n"
    + _ENGAGED
    + "WITH grp, size(members) AS n, p.content_type AS sub, count(DISTINCT c) AS k\n"
    "WHERE sub IS NOT NULL\nRETURN grp, sub, n, k",
}


@dataclass(frozen=True)
class RefreshCounts:
    entered: int
    exited: int


# One outbox event per spell changed; `$event.prefix` is new for each refresh.
_EVENT = (
    "CREATE (:OutboxEvent {{id: $event.prefix + '{kind}.' + e.id, kind: '{kind}', at: $now, "
    "pending_at: $now, payload: $event.payload, customer_ids: [e.id]}})"
)


def exit_statement(leaves: Compiled) -> str:
    """Close the open spells of customers a rule no longer selects (or now hidden).
    ``leaves`` is the rule's negation compiled (`leaving`): a NOT compiles its comparisons
    coalesced, so its condition is true, never null, where the rule's is false or null."""
    return "\n".join(
        [
            "MATCH (a:Audience {id: $audience})<-[m:IN_AUDIENCE]-(e:Customer)",
            "WHERE m.exited_at IS NULL",
            *leaves.bind("m, e"),
            f"WHERE NOT ({visible('e')}) OR {leaves.condition}",
            "SET m.exited_at = $now",
            _EVENT.format(kind="audience.exited"),
            "RETURN count(m) AS exited",
        ]
    )


def leaving(rule: Rule | None, knobs: Knobs) -> Compiled:
    """The condition under which a member leaves: the rule is not true (None: never)."""
    everyone = AllOf(())  # a rule of None selects every customer
    return compile_rule(
        NotRule(rule if rule is not None else everyone), knobs, include_restricted=False
    )


def enter_statement(rule: Compiled) -> str:
    """Open a spell for each customer ``rule`` selects that has no open one."""
    return "\n".join(
        [
            *rule.lines,
            "WITH e",
            "MATCH (a:Audience {id: $audience})",
            "OPTIONAL MATCH (e)-[m:IN_AUDIENCE]->(a) WHERE m.exited_at IS NULL",
            "WITH a, e, count(m) AS open WHERE open = 0",
            "CREATE (e)-[:IN_AUDIENCE {entered_at: $now}]->(a)",
            _EVENT.format(kind="audience.entered"),
            "RETURN count(e) AS entered",
        ]
    )


async def refresh_membership(
    store: GraphStore, audience: str, rule: Rule | None, knobs: Knobs, now: int
) -> RefreshCounts:
    """Bring ``audience``'s membership up to ``rule`` (None: every visible customer) at
    ``now``, restricted customers left out: two statements, each safe to run again."""
    event = {
        "prefix": f"ev_{uuid.uuid4().hex}.",
        "payload": json.dumps({"audience_id": audience, "refreshed_at": now}),
    }
    common = {"audience": audience, "now": now, "event": event}
    leaves = leaving(rule, knobs)
    exited, _ = await store.write_returning(exit_statement(leaves), {**leaves.params, **common})
    selects = compile_rule(rule, knobs, include_restricted=False)
    entered, _ = await store.write_returning(enter_statement(selects), {**selects.params, **common})
    await store.write(
        "MATCH (a:Audience {id: $audience}) SET a.refreshed_at = $now",
        {"audience": audience, "now": now},
    )
    return RefreshCounts(
        entered=int(entered[0]["entered"]) if entered else 0,
        exited=int(exited[0]["exited"]) if exited else 0,
    )


async def breakdown(
    store: GraphStore, audience: str, by: str, start: int, end: int, include_restricted: bool
) -> list[dict[str, Any]]:
    """Rows (grp, sub, n, k) of breakdown ``by`` (a key of BREAKDOWNS) over the
    audience's members in [start, end)."""
    params = {"audience": audience, "start": start, "end": end,
              "include_restricted": include_restricted}  # fmt: skip
    return await store.read(BREAKDOWNS[by], params)
