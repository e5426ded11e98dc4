"""Complaint handling: open, transitions, SLA policies, the queue and handling times
(docs/operations.md has the state machine).

A complaint written by the API keeps its status history as parallel lists
(`history_action`, `history_status`, `history_at`, `history_actor`, `history_note`): each
transition appends to them under the complaint's write lock (graph/mutations.py), so two
handlers acting at once both land, in order. Loaded complaints have no lists (their
history is read from their timestamps) until their first transition, which starts the
lists with those steps (action `loaded`). `version` counts transitions, for clients that
guard a change with `expectedVersion`.
"""

from graph import projections as proj
from graph.mutations import MutationShape, mutation_statement
from graph.restriction import visible

# The brand a complaint is about: directly, through a product, or through a purchase.
BRAND_OF = (
    "coalesce(head([(k)-[:ABOUT]->(kb:Brand) | kb.id]), "
    "head([(k)-[:ABOUT]->(:Product)-[:OF_BRAND]->(kpb:Brand) | kpb.id]), "
    "head([(k)-[:ABOUT]->(:Purchase)-[:AT]->(kub:Brand) | kub.id]))"
)

# Open a complaint about a known brand, product, or one of the customer's purchases; due
# times come from the SLA policy of its category and priority (or the priority's default,
# category `*`), none when neither exists.
OPEN_COMPLAINT = mutation_statement(
    MutationShape(
        match="""OPTIONAL MATCH (c:Customer {id: $customer})
OPTIONAL MATCH (ab:Brand {id: $about.brand})
OPTIONAL MATCH (ap:Product {id: $about.product})
OPTIONAL MATCH (c)-[:MADE]->(au:Purchase {id: $about.purchase})
OPTIONAL MATCH (pol:SlaPolicy {id: $sla.exact})
OPTIONAL MATCH (dft:SlaPolicy {id: $sla.fallback})
OPTIONAL MATCH (old:Complaint {id: $complaint.id})
WITH c, coalesce(ab, ap, au) AS about, coalesce(pol, dft) AS policy, old""",
        lock="c",
        carried=("c", "about", "policy", "old"),
        checks=(
            ("c IS NULL", "missing"),
            ("c.restricted_at IS NOT NULL AND NOT $mutation.admin", "restricted"),
            ("about IS NULL", "about_missing"),
            ("old IS NOT NULL", "complaint_exists"),
        ),
        body="""  CREATE (k:Complaint {id: $complaint.id})
  SET k += $complaint.props, k.status = 'open', k.version = 1,
      k.created_at = $mutation.now, k.updated_at = $mutation.now,
      k.sla_policy = policy.id,
      k.first_response_due_at = $complaint.props.opened_at
        + policy.first_response_minutes * 60000,
      k.resolution_due_at = $complaint.props.opened_at + policy.resolution_minutes * 60000,
      k.history_action = ['open'], k.history_status = ['open'],
      k.history_at = [$mutation.now], k.history_actor = [$audit.subject]
  CREATE (c)-[:FILED]->(k)
  CREATE (k)-[:ABOUT]->(about)""",
    )
)

# One transition of the state machine: `$transition` {action, from (allowed statuses),
# assignee (assign), note, expected_version}. The new status depends on the current one
# for `respond` (an escalated complaint stays escalated); `reopen` starts the resolution
# clock again from now.
TRANSITION = mutation_statement(
    MutationShape(
        match="""OPTIONAL MATCH (k:Complaint {id: $complaint})
OPTIONAL MATCH (k)<-[:FILED]-(c:Customer)""",
        lock="k",
        carried=("k", "c"),
        facts=(
            "k.status AS status_before",
            "coalesce(k.version, 1) AS version_before",
            "c.id AS customer_id",
            # A loaded complaint's steps, from its timestamps, start its recorded history.
            "CASE WHEN k.history_at IS NULL THEN [x IN [['open', k.opened_at], "
            "['in_progress', k.first_response_at], ['resolved', k.resolved_at]] "
            "WHERE x[1] IS NOT NULL] ELSE [] END AS seed",
            """CASE $transition.action
        WHEN 'respond' THEN CASE WHEN k.status = 'escalated' THEN 'escalated'
                                 ELSE 'in_progress' END
        WHEN 'escalate' THEN 'escalated'
        WHEN 'resolve' THEN 'resolved'
        WHEN 'reopen' THEN 'open'
        ELSE coalesce(k.status, 'open') END AS status_after""",
        ),
        checks=(
            ("k IS NULL", "missing"),
            ("c.restricted_at IS NOT NULL AND NOT $mutation.admin", "restricted"),
            (
                "$transition.expected_version IS NOT NULL "
                "AND $transition.expected_version <> version_before",
                "version_conflict",
            ),
            ("NOT coalesce(status_before, 'open') IN $transition.from", "invalid"),
        ),
        body="""  SET k.status = status_after,
      k.version = coalesce(k.version, 1) + 1,
      k.updated_at = $mutation.now,
      k.assignee = CASE WHEN $transition.action = 'assign' THEN $transition.assignee
                        ELSE k.assignee END,
      k.first_response_at = CASE WHEN $transition.action = 'respond'
                                 THEN coalesce(k.first_response_at, $mutation.now)
                                 ELSE k.first_response_at END,
      k.escalated_at = CASE WHEN $transition.action = 'escalate' THEN $mutation.now
                            ELSE k.escalated_at END,
      k.resolved_at = CASE $transition.action WHEN 'resolve' THEN $mutation.now
                           WHEN 'reopen' THEN null ELSE k.resolved_at END,
      k.reopened_at = CASE WHEN $transition.action = 'reopen' THEN $mutation.now
                           ELSE k.reopened_at END,
      k.resolution_due_at = CASE
        WHEN $transition.action = 'reopen' AND k.resolution_due_at IS NOT NULL
        THEN $mutation.now + (k.resolution_due_at - k.opened_at)
        ELSE k.resolution_due_at END
  SET k.history_action = coalesce(k.history_action, [x IN seed | 'loaded'])
        + [$transition.action],
      k.history_status = coalesce(k.history_status, [x IN seed | x[0]]) + [status_after],
      k.history_at = coalesce(k.history_at, [x IN seed | x[1]]) + [$mutation.now],
      k.history_actor = coalesce(k.history_actor, [x IN seed | '']) + [$audit.subject],
      k.history_note = coalesce(k.history_note, [x IN seed | ''])
        + [coalesce($transition.note, '')]""",
        customer_ids="CASE WHEN c IS NULL THEN [] ELSE [c.id] END",
    )
)

# Create or change the SLA policy of a category (`*`: any) and priority.
SET_SLA_POLICY = mutation_statement(
    MutationShape(
        match="OPTIONAL MATCH (pol:SlaPolicy {id: $policy.id})",
        lock="pol",
        carried=("pol",),
        body="""  MERGE (p:SlaPolicy {id: $policy.id})
  SET p.category = $policy.category, p.priority = $policy.priority,
      p.first_response_minutes = $policy.first_response_minutes,
      p.resolution_minutes = $policy.resolution_minutes, p.updated_at = $mutation.now""",
        customer_ids="[]",
    )
)

SLA_POLICIES = """
MATCH (p:SlaPolicy)
RETURN p {.id, .category, .priority, .first_response_minutes, .resolution_minutes,
          .updated_at} AS policy
ORDER BY p.category, p.priority
"""

# A complaint as every read shows it, with its customer and brand.
COMPLAINT_FIELDS = proj.complaint("k")[:-1] + ", customer_id: c.id, brand_id: " + BRAND_OF + "}"

# One complaint as the workflow shows it (no row when missing or hidden).
COMPLAINT_BY_ID = f"""
MATCH (k:Complaint {{id: $id}})
OPTIONAL MATCH (k)<-[:FILED]-(c:Customer)
WITH k, c WHERE c IS NULL OR {visible("c")}
RETURN {COMPLAINT_FIELDS} AS complaint
"""

# Whether a complaint breaches its SLA at `$now`: a target missed, or passed unmet.
BREACHING = (
    "(coalesce(k.first_response_at > k.first_response_due_at, false)"
    " OR coalesce(k.resolved_at > k.resolution_due_at, false)"
    " OR (k.first_response_at IS NULL AND coalesce(k.first_response_due_at < $now, false))"
    " OR (k.resolved_at IS NULL AND NOT coalesce(k.status, 'open') IN ['resolved', 'closed']"
    " AND coalesce(k.resolution_due_at < $now, false)))"
)

_QUEUE_MATCH = f"""
MATCH (c:Customer)-[:FILED]->(k:Complaint)
WHERE {visible("c")}
  AND ($status IS NULL OR coalesce(k.status, 'open') IN $status)
  AND ($assignee IS NULL OR k.assignee = $assignee)
  AND ($category IS NULL OR k.category = $category)
  AND ($breaching IS NULL OR {BREACHING} = $breaching)
WITH c, k, {BRAND_OF} AS brand_id
WHERE $brand IS NULL OR brand_id = $brand
"""

# SORT -> ORDER BY text; a fixed allow-list (resolvers pick the key).
QUEUE_ORDERS = {
    "opened_desc": "coalesce(k.opened_at, 0) DESC, k.id",
    "opened_asc": "coalesce(k.opened_at, 0), k.id",
    "due_asc": "coalesce(k.first_response_at IS NULL, false) DESC, "
    "coalesce(CASE WHEN k.first_response_at IS NULL THEN k.first_response_due_at "
    "ELSE k.resolution_due_at END, 9007199254740991), k.id",
}


def queue_page(order: str) -> str:
    """A page of the queue (`$skip`, `$limit`) in ``order`` (a QUEUE_ORDERS key).
    Raises KeyError for any other order."""
    return (
        _QUEUE_MATCH
        + f"WITH c, k ORDER BY {QUEUE_ORDERS[order]} SKIP $skip LIMIT $limit\n"
        + f"RETURN {COMPLAINT_FIELDS} AS complaint"
    )


# Counts per status of the whole filtered queue.
QUEUE_COUNTS = (
    _QUEUE_MATCH + "RETURN coalesce(k.status, 'open') AS status, count(k) AS n ORDER BY status"
)

# Handling times of complaints opened in [$from, $until), per brand and category.
HANDLING_STATS = f"""
MATCH (c:Customer)-[:FILED]->(k:Complaint)
WHERE {visible("c")} AND k.opened_at >= $from AND k.opened_at < $until
WITH k, {BRAND_OF} AS brand_id
WHERE $brand IS NULL OR brand_id = $brand
RETURN brand_id, k.category AS category, count(k) AS opened,
  count(k.first_response_at) AS responded, count(k.resolved_at) AS resolved,
  avg(k.first_response_at - k.opened_at) AS avg_first_response_ms,
  avg(k.resolved_at - k.opened_at) AS avg_resolution_ms,
  max(k.resolved_at - k.opened_at) AS max_resolution_ms,
  sum(CASE WHEN {BREACHING} THEN 1 ELSE 0 END) AS breached
ORDER BY brand_id, category
"""
