"""Pruning (resolvers/retention.py) on both engines: receipts, finished webhook deliveries
and delivered outbox events past their retention go, in batches; newer ones, pending
deliveries and undelivered events stay; a pruned event id is new again."""

from typing import Any

import pytest

from resolvers.events import ingest
from resolvers.outbox import OutboxDispatcher
from resolvers.retention import DAY_MS, Retention, prune
from resolvers.webhooks import register_endpoint
from tests.integration.test_events import seeded
from tests.integration.test_outbox import APP, PRIVACY, tags

T0 = 1_700_000_000_000


@pytest.fixture
async def graph(store):
    return await seeded(store)


async def counts(store: Any) -> dict[str, Any]:
    rows = await store.read(
        "MATCH (n) WHERE n:IdempotencyKey OR n:OutboxEvent OR n:WebhookDelivery "
        "RETURN labels(n)[0] AS label, coalesce(n.status, n.delivered_at IS NOT NULL) AS s, "
        "count(n) AS n"
    )
    return {(r["label"], r["s"]): r["n"] for r in rows}


async def test_old_receipts_deliveries_and_events_are_pruned_and_the_rest_kept(graph):
    await register_endpoint(graph, PRIVACY, "http://127.0.0.1:9/h", ["customer.tagged"], T0,
                            allow_internal=True)  # fmt: skip
    old, recent = T0, T0 + 20 * DAY_MS
    await ingest(graph, APP, PRIVACY, old, tags(3))
    dispatch = OutboxDispatcher(graph, lambda m: None, clock=lambda: old)
    while await dispatch.dispatch_once():
        pass
    await graph.write(  # two of the old deliveries finished, one still being retried
        "MATCH (d:WebhookDelivery) WITH d ORDER BY d.id LIMIT 2 "
        "SET d.status = 'delivered', d.last_attempt_at = $old",
        {"old": old},
    )
    await ingest(graph, APP, PRIVACY, recent, tags(2, first=3))  # recent, not dispatched
    await graph.write("MATCH (d:WebhookDelivery {status: 'pending'}) SET d.status = 'failed'")
    before = await counts(graph)
    assert before == {("IdempotencyKey", False): 5, ("OutboxEvent", True): 3,
                      ("OutboxEvent", False): 2, ("WebhookDelivery", "delivered"): 2,
                      ("WebhookDelivery", "failed"): 1}  # fmt: skip
    retention = Retention(receipt_days=10, delivery_days=10)
    report = await prune(graph, retention, recent + DAY_MS, batch=2)  # several batches
    assert (report.receipts, report.deliveries, report.outbox_events) == (3, 2, 3)
    assert await counts(graph) == {("IdempotencyKey", False): 2, ("OutboxEvent", False): 2,
                                   ("WebhookDelivery", "failed"): 1}  # fmt: skip
    again = await prune(graph, retention, recent + DAY_MS)
    assert (again.receipts, again.deliveries, again.outbox_events) == (0, 0, 0)
    # Past its retention, an event id is new again: the retention is the retry window.
    [first] = await ingest(graph, APP, PRIVACY, recent, tags(1))
    [fourth] = await ingest(graph, APP, PRIVACY, recent, tags(1, first=3))
    assert (first.status, fourth.status) == ("accepted", "duplicate")
