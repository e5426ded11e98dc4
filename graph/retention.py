"""Pruning what the write side keeps only for a while (resolvers/retention.py): receipts
(`(:IdempotencyKey)`: idempotency keys and /events event ids), finished webhook
deliveries (delivered or dead) and delivered outbox events, older than a cutoff. Each
statement deletes at most `$limit` records, so one prune is many short transactions.

A pending or failed delivery, an undelivered outbox event, an audit entry: never pruned
here (the audit trail has its own rules, docs/security.md).
"""

PRUNE_RECEIPTS = """MATCH (k:IdempotencyKey) WHERE k.at < $cutoff
WITH k LIMIT $limit
DELETE k
RETURN count(*) AS pruned
"""

PRUNE_DELIVERIES = """MATCH (d:WebhookDelivery) WHERE d.status IN ['delivered', 'dead']
  AND coalesce(d.last_attempt_at, d.created_at) < $cutoff
WITH d LIMIT $limit
DELETE d
RETURN count(*) AS pruned
"""

PRUNE_OUTBOX = """MATCH (e:OutboxEvent) WHERE e.at < $cutoff AND e.delivered_at IS NOT NULL
WITH e LIMIT $limit
DELETE e
RETURN count(*) AS pruned
"""
