"""Consent changes and their history (the rule for a live consent is graph/consent_rules.py).

The current state is the `(Customer)-[:CONSENTED {purposes, granted_at, withdrawn_at,
source, policy_version}]->(Brand)` relationships; a relationship is never edited except to
set its `withdrawn_at`, so every grant stays on record as it was given. Withdrawing some of
a grant's purposes withdraws the whole relationship and grants the rest anew (same source
and policy version), so each relationship keeps one meaning from start to end.

Every change appends a `(:ConsentEvent)` system node, never linked to anything: the proof
of who recorded what, and when.
"""

# Withdraw `$purposes` from every not-yet-withdrawn consent of the customer to the brand,
# at `$now` (or at its grant time, for a grant that starts later): the relationship is
# withdrawn whole, and what it held besides `$purposes` is granted anew by a relationship
# of its own. Returns how many relationships were withdrawn (0 when none, or when the
# customer or the brand does not exist).
WITHDRAW_PURPOSES = """
MATCH (c:Customer {id: $customer})-[r:CONSENTED]->(b:Brand {id: $brand})
WHERE (r.withdrawn_at IS NULL OR r.withdrawn_at > $now)
  AND size([p IN r.purposes WHERE p IN $purposes]) > 0
WITH c, b, r, [p IN r.purposes WHERE NOT p IN $purposes] AS rest, r.withdrawn_at AS until,
     CASE WHEN r.granted_at > $now THEN r.granted_at ELSE $now END AS at
SET r.withdrawn_at = at
FOREACH (_ IN CASE WHEN size(rest) > 0 THEN [1] ELSE [] END |
  CREATE (c)-[k:CONSENTED {purposes: rest, granted_at: at, source: r.source,
                          policy_version: r.policy_version}]->(b)
  SET k.withdrawn_at = until)
RETURN count(r) AS withdrawn
"""

# Record one event (and, for a grant, the new relationship) with its outbox event
# (consent.granted / consent.withdrawn); return every consent of the
# customer to the brand, newest grant first. No row when the customer or brand is missing.
RECORD_CHANGE = """
MATCH (c:Customer {id: $customer}), (b:Brand {id: $brand})
FOREACH (_ IN CASE WHEN $event.action = 'grant' THEN [1] ELSE [] END |
  CREATE (c)-[:CONSENTED {purposes: $event.purposes, granted_at: $event.granted_at,
                         source: $event.source, policy_version: $event.policy_version}]->(b))
CREATE (:ConsentEvent {id: $event.id, customer_id: $customer, brand_id: $brand,
                       action: $event.action, purposes: $event.purposes, at: $event.at,
                       source: $event.source, policy_version: $event.policy_version,
                       actor: $event.actor})
CREATE (:OutboxEvent {id: $outbox.id, kind: $outbox.kind, at: $outbox.at,
                      pending_at: $outbox.at, payload: $outbox.payload,
                      customer_ids: [$customer]})
WITH c, b
RETURN [(c)-[k:CONSENTED]->(b) | k {.purposes, .granted_at, .withdrawn_at, .source,
                                    .policy_version}] AS consents
"""

# Which of the two endpoints exist (to say which one is missing).
CONSENT_ENDPOINTS = """
OPTIONAL MATCH (c:Customer {id: $customer})
WITH c
OPTIONAL MATCH (b:Brand {id: $brand})
RETURN c IS NOT NULL AS customer, b IS NOT NULL AS brand
"""

EVENT_FIELDS = (
    "e {.id, .customer_id, .brand_id, .action, .purposes, .at, .source, .policy_version, .actor}"
)

# The customer's consent events (to one brand, or all), newest first, at most `$limit`;
# `found` is false when the customer does not exist.
CONSENT_HISTORY = f"""
OPTIONAL MATCH (c:Customer {{id: $customer}})
WITH c
OPTIONAL MATCH (e:ConsentEvent {{customer_id: $customer}})
WHERE $brand IS NULL OR e.brand_id = $brand
WITH c, e ORDER BY e.at DESC, e.id DESC
WITH c, collect(CASE WHEN e IS NULL THEN null ELSE {EVENT_FIELDS} END) AS events
RETURN c IS NOT NULL AS found, events[0..$limit] AS events
"""
