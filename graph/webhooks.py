"""Webhook endpoints and their deliveries (docs/operations.md). An endpoint is
`(:WebhookEndpoint {id, url, kinds, secret_version, created_at, disabled_at})`; its secret
is never stored (resolvers/webhooks.py derives it). A delivery is
`(:WebhookDelivery {id, endpoint_id, event_id, kind, payload, customer_ids, status,
attempts, next_attempt_at, last_attempt_at, last_status, last_error, delivered_at})`,
queued by graph/outbox.py; status is pending, failed (to be retried), delivered or dead.
"""

CREATE_ENDPOINT = """CREATE (w:WebhookEndpoint {id: $id, url: $url, kinds: $kinds,
  secret_version: 1, created_at: $now})
RETURN w.id AS id, w.url AS url, w.kinds AS kinds, w.created_at AS created_at,
  w.disabled_at AS disabled_at
"""

ENDPOINTS = """MATCH (w:WebhookEndpoint)
RETURN w.id AS id, w.url AS url, w.kinds AS kinds, w.created_at AS created_at,
  w.disabled_at AS disabled_at, w.secret_version AS secret_version
ORDER BY w.created_at, w.id
"""

DISABLE_ENDPOINT = """MATCH (w:WebhookEndpoint {id: $id})
SET w.disabled_at = coalesce(w.disabled_at, $now)
RETURN w.id AS id
"""

_DELIVERY = """d.id AS id, d.endpoint_id AS endpoint_id, d.event_id AS event_id,
  d.kind AS kind, d.status AS status, d.attempts AS attempts,
  d.next_attempt_at AS next_attempt_at, d.last_attempt_at AS last_attempt_at,
  d.last_status AS last_status, d.last_error AS last_error, d.delivered_at AS delivered_at,
  d.created_at AS created_at"""

# Deliveries due now, oldest first, with what sending them needs.
DUE_DELIVERIES = f"""MATCH (d:WebhookDelivery)
WHERE d.status IN ['pending', 'failed'] AND d.next_attempt_at <= $now
MATCH (w:WebhookEndpoint {{id: d.endpoint_id}})
WHERE w.disabled_at IS NULL
RETURN {_DELIVERY}, d.payload AS payload, w.url AS url, w.secret_version AS secret_version
ORDER BY d.next_attempt_at, d.created_at, d.id
LIMIT $limit
"""

# One attempt's outcome: `$props` holds the status and whichever of next_attempt_at,
# last_status, last_error, delivered_at the attempt has (never a null: the embedded engine
# mishandles several removals in one statement, graph/writes.py). Only a delivery still
# due is changed.
RECORD_ATTEMPT = """MATCH (d:WebhookDelivery {id: $id})
WHERE d.status IN ['pending', 'failed']
SET d += $props, d.attempts = d.attempts + 1, d.last_attempt_at = $now
RETURN d.attempts AS attempts
"""

DELIVERIES = f"""MATCH (d:WebhookDelivery)
WHERE ($endpoint IS NULL OR d.endpoint_id = $endpoint)
  AND ($status IS NULL OR d.status = $status)
RETURN {_DELIVERY}
ORDER BY d.created_at DESC, d.id DESC
LIMIT $limit
"""

# Send a delivery again from the start (whatever its status), now.
REPLAY_DELIVERY = f"""MATCH (d:WebhookDelivery {{id: $id}})
SET d.status = 'pending', d.attempts = 0, d.next_attempt_at = $now, d.replayed_at = $now
RETURN {_DELIVERY}
"""
