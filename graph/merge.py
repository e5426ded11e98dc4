"""Merging a duplicate customer into another, and undoing it exactly (resolvers/merge.py
decides; docs/identity.md, "Duplicates and merges", has the rules).

A merge is recorded by a `(:Merge)` system node: ``id``, ``survivor_id``, ``merged_id``,
``customer_ids`` (both), ``status`` ('merging' while it runs, 'merged', 'unmerged'),
``reason``, ``at``, ``actor``, the unmerge's ``unmerged_at``, ``unmerged_by``,
``unmerge_reason``, and ``record``: JSON of what the merge did (the merged customer's
properties, the survivor's prior values, the relationships it dropped, the consents it
withdrew). A relationship the merge moved to the survivor carries the merge's id in its
``merge_ids`` list, so the unmerge finds it wherever its properties have gone since.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from graph.store import GraphStore

# One relationship type a Customer has: its type, the label at the other end, whether the
# customer is its start node, and whether a customer has at most one to a given node
# (the merge keeps the survivor's then). Fixed text: types never come from input.


@dataclass(frozen=True)
class CustomerRel:
    type: str
    label: str
    outgoing: bool
    unique: bool


CUSTOMER_RELS: tuple[CustomerRel, ...] = (
    CustomerRel("HAS_ACCOUNT", "SocialAccount", outgoing=True, unique=True),
    CustomerRel("LINK_CANDIDATE", "SocialAccount", outgoing=True, unique=True),
    CustomerRel("LINK_DECISION", "SocialAccount", outgoing=True, unique=True),
    CustomerRel("MADE", "Purchase", outgoing=True, unique=False),
    CustomerRel("FILED", "Complaint", outgoing=True, unique=False),
    CustomerRel("TAGGED", "Tag", outgoing=True, unique=True),
    CustomerRel("CONSENTED", "Brand", outgoing=True, unique=False),
    CustomerRel("IN_SEGMENT", "Segment", outgoing=True, unique=True),
    CustomerRel("SAME_AS", "Customer", outgoing=True, unique=True),
    CustomerRel("SAME_AS", "Customer", outgoing=False, unique=True),
    CustomerRel("HAD_CONTACT", "Contact", outgoing=True, unique=False),
    # Derived: the survivor's own values stay (refreshTraits / refreshAudience recompute
    # them); the merged customer's are kept in the merge record for unmerge.
    CustomerRel("HAS_TRAIT", "Trait", outgoing=True, unique=True),
    CustomerRel("IN_AUDIENCE", "Audience", outgoing=True, unique=False),
)
RELS_BY_KEY: dict[tuple[str, bool], CustomerRel] = {(r.type, r.outgoing): r for r in CUSTOMER_RELS}

# Both customers (one row each, none for a missing one), with every relationship they
# have, in either direction. FalkorDB wants each comprehension's names to be its own.
MERGE_SIDES = """
MATCH (c:Customer) WHERE c.id IN $ids
RETURN c.id AS id, properties(c) AS props,
  [(c)-[ro]->(oo) | {type: type(ro), outgoing: true, other: oo.id, labels: labels(oo),
                     props: properties(ro)}]
  + [(c)<-[ri]-(oi) | {type: type(ri), outgoing: false, other: oi.id, labels: labels(oi),
                       props: properties(ri)}] AS rels
"""

# Active merges that name `$ids` as their merged (aliased) customer.
ACTIVE_MERGES_OF = """
UNWIND $ids AS i
MATCH (m:Merge {merged_id: i}) WHERE m.status <> 'unmerged'
RETURN m.merged_id AS merged_id, m.survivor_id AS survivor_id, m.id AS id
"""

# A merge by its id; the active merge of a merged customer's id.
MERGE_BY_ID = "MATCH (m:Merge {id: $id}) RETURN properties(m) AS merge"
ACTIVE_MERGE_OF = """
MATCH (m:Merge {merged_id: $id}) WHERE m.status <> 'unmerged' RETURN properties(m) AS merge
"""

INSERT_MERGE = """
CREATE (:Merge {id: $id, survivor_id: $survivor, merged_id: $merged,
                customer_ids: [$survivor, $merged], status: 'merging', reason: $reason,
                at: $now, actor: $actor, record: $record})
"""

SET_MERGE_STATUS = "MATCH (m:Merge {id: $id}) SET m.status = $status"

FINISH_UNMERGE = """
MATCH (m:Merge {id: $id})
SET m.status = 'unmerged', m.unmerged_at = $now, m.unmerged_by = $actor,
    m.unmerge_reason = $reason
"""

# Create relationships between customer `$customer` and the nodes `row.other`, with
# `row.props`: one statement per (type, direction).
CREATE_RELS: dict[tuple[str, bool], str] = {
    (r.type, r.outgoing): (
        "UNWIND $rows AS row\n"
        "MATCH (c:Customer {id: $customer})\n"
        f"MATCH (o:{r.label} {{id: row.other}})\n"
        + (f"CREATE (c)-[n:{r.type}]->(o)\n" if r.outgoing else f"CREATE (o)-[n:{r.type}]->(c)\n")
        + "SET n += row.props"
    )
    for r in CUSTOMER_RELS
}

# The relationships of `$customer` that merge `$merge` moved there (outgoing, incoming),
# and their deletion.
MOVED_RELS = """
MATCH (c:Customer {id: $customer})
RETURN [(c)-[ro]->(oo) WHERE $merge IN coalesce(ro.merge_ids, []) | {type: type(ro),
          outgoing: true, other: oo.id, props: properties(ro)}]
     + [(c)<-[ri]-(oi) WHERE $merge IN coalesce(ri.merge_ids, []) | {type: type(ri),
          outgoing: false, other: oi.id, props: properties(ri)}] AS rels
"""
DELETE_MOVED: tuple[str, ...] = (
    "MATCH (:Customer {id: $customer})-[r]->() WHERE $merge IN coalesce(r.merge_ids, []) DELETE r",
    "MATCH (:Customer {id: $customer})<-[r]-() WHERE $merge IN coalesce(r.merge_ids, []) DELETE r",
)

# The rest of partly withdrawn grants, which the merge granted anew (`merge_rest`).
DELETE_RESTS = """
MATCH (:Customer {id: $customer})-[r:CONSENTED]->() WHERE r.merge_rest = $merge DELETE r
"""

# Set `withdrawn_at` of the customer's own consents, found by what they hold; `row.to`
# null clears it. (Moved ones are changed as they are created; this runs when none is
# there.)
SET_WITHDRAWN = """
UNWIND $rows AS row
MATCH (:Customer {id: $customer})-[r:CONSENTED]->(:Brand {id: row.brand})
WHERE r.granted_at = row.granted_at AND r.purposes = row.purposes
  AND coalesce(r.withdrawn_at, -1) = coalesce(row.from, -1)
SET r.withdrawn_at = row.to
"""

DELETE_CUSTOMER = "MATCH (c:Customer {id: $id}) DETACH DELETE c"
CREATE_CUSTOMER = "MERGE (c:Customer {id: $id}) SET c += $props"
SET_PROFILE = "MATCH (c:Customer {id: $id}) SET c += $props"
CUSTOMER_PROPS = "MATCH (c:Customer {id: $id}) RETURN properties(c) AS props"

# Consent events after `$since` naming either customer (they decide whether an unmerge
# may give back consents the merge withdrew).
CONSENT_CHANGES_SINCE = """
MATCH (e:ConsentEvent) WHERE e.customer_id IN $ids AND e.at >= $since
RETURN count(e) AS changes
"""

_PROPERTY = re.compile(r"[a-z_][a-z0-9_]*")


def remove_profile_property(prop: str) -> str:
    """REMOVE one property of a customer, one per statement (the embedded engine removes
    the wrong ones when a statement removes several; graph/writes.py). Raises ValueError
    for a name that is not a plain property name."""
    if not _PROPERTY.fullmatch(prop):
        raise ValueError(f"not a property name: {prop!r}")
    return f"MATCH (c:Customer {{id: $id}}) REMOVE c.{prop}"


MAX_ALIAS_HOPS = 10  # a merged id whose survivor was merged in turn, and so on


async def survivors(store: GraphStore, ids: Iterable[str]) -> dict[str, str]:
    """The customer each of ``ids`` was merged into, following merges of survivors in
    turn; ids that are not merged away are left out. One read per hop (one for ids none of
    which is merged)."""
    found: dict[str, str] = {}
    pending = {i: i for i in ids}  # original id -> the id to look up next
    for _ in range(MAX_ALIAS_HOPS):
        if not pending:
            break
        rows = await store.read(ACTIVE_MERGES_OF, {"ids": sorted(set(pending.values()))})
        step = {r["merged_id"]: r["survivor_id"] for r in rows}
        pending = {o: step[c] for o, c in pending.items() if c in step}
        found.update(pending)
    return found
