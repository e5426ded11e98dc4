"""The outbox (docs/operations.md): every write leaves an `(:OutboxEvent)` in its own
statement; the dispatcher (resolvers/outbox.py) reads the undelivered ones in order,
hands them on, and marks them delivered, queueing a `(:WebhookDelivery)` for each webhook
endpoint that asked for the event's kind in the same statement.

An undelivered event carries `pending_at` (its time), removed when it is marked: the
dispatcher finds what waits through that index alone, however many delivered events the
outbox keeps (through `at`, each pass read every event of the last minute, delivered or
not: on Neo4j 10,001 database hits and ~0.56 s a pass for 500 waiting among 4,500, against
2,001 hits and ~0.28 s by `pending_at`; docs/operations.md, the /events figures). Events
written before there was `pending_at` have none; the dispatcher's full passes (every
event not delivered, by `at`) find them.

Order: by time, then by place in its batch (`seq`, set by POST /events; a mutation writes
one event), then by id.
"""

# Undelivered events, by the index on `pending_at`.
PENDING_EVENTS = """MATCH (e:OutboxEvent) WHERE e.pending_at >= 0
RETURN e.id AS id, e.kind AS kind, e.at AS at, e.payload AS payload,
  e.customer_ids AS customer_ids
ORDER BY e.pending_at, coalesce(e.seq, 0), e.id
LIMIT $limit
"""

# The same, ids only: for a dispatcher that hands events to nobody (hub/push.py: the
# subscribers hear the feed), which need not read and parse every payload.
PENDING_EVENT_IDS = """MATCH (e:OutboxEvent) WHERE e.pending_at >= 0
RETURN e.id AS id, e.at AS at
ORDER BY e.pending_at, coalesce(e.seq, 0), e.id
LIMIT $limit
"""

# Every undelivered event, with `pending_at` or without (an index range on `at` from 0),
# for the dispatcher's full passes.
UNDELIVERED_EVENTS = """MATCH (e:OutboxEvent) WHERE e.at >= 0 AND e.delivered_at IS NULL
RETURN e.id AS id, e.kind AS kind, e.at AS at, e.payload AS payload,
  e.customer_ids AS customer_ids
ORDER BY e.at, coalesce(e.seq, 0), e.id
LIMIT $limit
"""
UNDELIVERED_EVENT_IDS = """MATCH (e:OutboxEvent) WHERE e.at >= 0 AND e.delivered_at IS NULL
RETURN e.id AS id, e.at AS at
ORDER BY e.at, coalesce(e.seq, 0), e.id
LIMIT $limit
"""

# Mark `$ids` delivered (those not marked yet) and queue their webhook deliveries; returns
# how many were marked and how many deliveries were queued.
MARK_DELIVERED = """UNWIND $ids AS id
MATCH (e:OutboxEvent {id: id}) WHERE e.delivered_at IS NULL
SET e.delivered_at = $now, e.pending_at = null
WITH e
OPTIONAL MATCH (w:WebhookEndpoint) WHERE w.disabled_at IS NULL AND e.kind IN w.kinds
FOREACH (_ IN CASE WHEN w IS NULL THEN [] ELSE [1] END |
  CREATE (:WebhookDelivery {id: e.id + '.' + w.id, endpoint_id: w.id, event_id: e.id,
    kind: e.kind, payload: e.payload, customer_ids: e.customer_ids, status: 'pending',
    attempts: 0, next_attempt_at: $now, created_at: $now}))
RETURN count(DISTINCT e) AS marked, count(w) AS queued
"""


# Subscriptions (resolvers/subscriptions.py): whether an event names a restricted customer,
# and whether the caller may see the customer a `customerChanged` subscription names.
ANY_RESTRICTED = (
    "MATCH (c:Customer) WHERE c.id IN $ids AND c.restricted_at IS NOT NULL RETURN count(c) AS n"
)
CUSTOMER_VISIBLE = (
    "MATCH (c:Customer {id: $id}) WHERE $include_restricted OR c.restricted_at IS NULL "
    "RETURN c.id AS id"
)


# Subscriptions' feed (resolvers/outbox_feed.py): every outbox event from `$since` on,
# delivered or not, in order; a page of them.
EVENTS_SINCE = """MATCH (e:OutboxEvent) WHERE e.at >= $since
RETURN e.id AS id, e.kind AS kind, e.at AS at, e.payload AS payload,
  e.customer_ids AS customer_ids
ORDER BY e.at, coalesce(e.seq, 0), e.id
SKIP $skip LIMIT $limit
"""
