"""The outbox dispatcher and webhooks (resolvers/outbox.py, resolvers/webhooks.py) on both
engines: events handed on in order and marked delivered, none lost when the hub stops
between handing on and marking; webhook deliveries signed, retried after a receiver that
failed twice, recorded, dead after the last attempt, replayed by an admin."""

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from graph import outbox as outbox_q
from graph.store import Params, StoreWrapper, WriteCounters
from resolvers.clock import FixedClock
from resolvers.events import ingest
from resolvers.outbox import OutboxDispatcher, OutboxMessage
from resolvers.principal import Principal, Role
from resolvers.privacy import PrivacyConfig
from resolvers.webhooks import (
    SenderConfig,
    WebhookSender,
    deliveries,
    endpoint_secret,
    register_endpoint,
    replay,
)
from tests.integration.test_events import seeded

T0 = 1_700_000_000_000
APP = Principal("key:app-1", Role.APP)
PRIVACY = PrivacyConfig()


@pytest.fixture
async def graph(store):
    return await seeded(store)


def tags(n: int, first: int = 0) -> list[dict[str, Any]]:
    return [{"id": f"t-{i}", "type": "track", "event": "tag", "customer_id": "c1",
             "properties": {"tag_id": f"tag-{i}"}} for i in range(first, first + n)]  # fmt: skip


class StopsBeforeMarking(StoreWrapper):
    """The hub stopping after handing a batch on and before marking it: the mark fails
    (as a cancelled task would leave it) on the ``stop_at``-th batch."""

    def __init__(self, inner: Any, stop_at: int) -> None:
        super().__init__(inner)
        self.marks = 0
        self.stop_at = stop_at

    async def write(self, query: str, params: Params | None = None) -> WriteCounters:
        if query == outbox_q.MARK_DELIVERED:
            self.marks += 1
            if self.marks == self.stop_at:
                raise KeyboardInterrupt  # not a GraphError: nothing catches it on the way
        return await self.inner.write(query, params)


async def pending(store: Any) -> int:
    rows = await store.read(
        "MATCH (e:OutboxEvent) WHERE e.delivered_at IS NULL RETURN count(e) AS n"
    )
    return int(rows[0]["n"])


async def test_events_are_handed_on_in_order_and_none_is_lost_across_a_stop(graph):
    await ingest(graph, APP, PRIVACY, T0, tags(5))
    await ingest(graph, APP, PRIVACY, T0 + 1, tags(4, first=5))
    seen_before: list[OutboxMessage] = []
    stopping = OutboxDispatcher(StopsBeforeMarking(graph, stop_at=2), seen_before.append, batch=3)
    assert await stopping.dispatch_once() == 3
    with pytest.raises(KeyboardInterrupt):
        await stopping.dispatch_once()  # handed on 3 more, then the hub stopped
    assert len(seen_before) == 6 and await pending(graph) == 6
    seen_after: list[OutboxMessage] = []
    restarted = OutboxDispatcher(graph, seen_after.append, batch=3, clock=FixedClock(T0 + 9))
    while await restarted.dispatch_once():
        pass
    assert await pending(graph) == 0
    order = [f"tag-{i}" for i in range(9)]
    assert [m.payload["tag_id"] for m in seen_before] == order[:6]
    # The batch that was not marked comes again: at least once, in order.
    assert [m.payload["tag_id"] for m in seen_after] == order[3:]
    assert {m.kind for m in seen_after} == {"customer.tagged"}
    assert seen_after[0].customer_ids == ("c1",)


async def test_an_event_stamped_a_while_before_the_newest_is_handed_on_at_the_next_pass(graph):
    # A write stamps its event when it starts: one that commits after minutes of newer
    # events (a slow transaction, a clock behind) waits no longer than any other.
    await ingest(graph, APP, PRIVACY, T0, tags(2))
    seen: list[OutboxMessage] = []
    dispatcher = OutboxDispatcher(graph, seen.append, batch=10, clock=FixedClock(T0 + 9))
    while await dispatcher.dispatch_once():
        pass
    await ingest(graph, APP, PRIVACY, T0 - 300_000, tags(1, first=2))
    assert await dispatcher.dispatch_once() == 1
    assert [m.payload["tag_id"] for m in seen] == ["tag-0", "tag-1", "tag-2"]


async def test_events_written_before_pending_at_are_found_by_a_full_pass(graph):
    await ingest(graph, APP, PRIVACY, T0, tags(3))
    await graph.write("MATCH (e:OutboxEvent) REMOVE e.pending_at")  # as a hub before wrote them
    seen: list[OutboxMessage] = []
    dispatcher = OutboxDispatcher(graph, seen.append, batch=2, clock=FixedClock(T0 + 9))
    while await dispatcher.dispatch_once():
        pass
    assert [m.payload["tag_id"] for m in seen] == ["tag-0", "tag-1", "tag-2"]
    assert await pending(graph) == 0


class Receiver(BaseHTTPRequestHandler):
    """Fails its first ``failures`` requests with a 500, then answers 204; keeps them all."""

    failures = 2
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        type(self).received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        failed = len(type(self).received) <= type(self).failures
        self.send_response(500 if failed else 204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[Receiver]]]:
    handler = type("TestReceiver", (Receiver,), {"received": [], "failures": 2})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    finally:
        server.shutdown()
        server.server_close()


async def deliver_all(graph: Any, sender: WebhookSender, clock: FixedClock) -> None:
    """Dispatch the outbox, then attempt deliveries as the clock moves past each backoff."""
    dispatcher = OutboxDispatcher(graph, lambda m: None, clock=clock)
    while await dispatcher.dispatch_once():
        pass
    for _ in range(6):
        await sender.send_due()
        clock.advance(60_000)


async def test_a_webhook_is_signed_and_retried_after_the_receiver_failed_twice(graph, receiver):
    url, handler = receiver
    endpoint, secret = await register_endpoint(
        graph, PRIVACY, url, ["customer.tagged"], T0, allow_internal=True
    )
    other, _ = await register_endpoint(
        graph, PRIVACY, url, ["purchase.recorded"], T0, allow_internal=True
    )
    assert secret == endpoint_secret(PRIVACY, endpoint["id"], 1) and secret.startswith("whsec_")
    await ingest(graph, APP, PRIVACY, T0, tags(1))
    clock = FixedClock(T0 + 10)
    sender = WebhookSender(
        graph, PRIVACY, SenderConfig(max_attempts=5, retry_base_s=30, allow_internal=True), clock
    )
    await deliver_all(graph, sender, clock)
    assert len(handler.received) == 3  # 500, 500, then 204; the other endpoint got nothing
    headers, body = handler.received[-1]
    stamp, mac = (part.split("=", 1)[1] for part in headers["x-hub-signature"].split(","))
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, expected)
    event = json.loads(body)
    assert event["kind"] == "customer.tagged" and event["payload"]["tag_id"] == "tag-0"
    assert headers["x-hub-event-id"] == event["id"]
    [delivery] = await deliveries(graph, endpoint["id"], None, 10)
    assert (delivery["status"], delivery["attempts"], delivery["last_status"]) == (
        "delivered", 3, 204
    )  # fmt: skip
    assert delivery["last_error"] == "HTTP 500"  # the last failure is kept
    assert await deliveries(graph, other["id"], None, 10) == []


async def test_a_delivery_is_dead_after_the_last_attempt_and_an_admin_replays_it(graph, receiver):
    url, handler = receiver
    handler.failures = 10
    endpoint, _ = await register_endpoint(
        graph, PRIVACY, url, ["customer.tagged"], T0, allow_internal=True
    )
    await ingest(graph, APP, PRIVACY, T0, tags(1))
    clock = FixedClock(T0 + 10)
    sender = WebhookSender(
        graph, PRIVACY, SenderConfig(max_attempts=3, retry_base_s=1, allow_internal=True), clock
    )
    await deliver_all(graph, sender, clock)
    [dead] = await deliveries(graph, endpoint["id"], "dead", 10)
    assert dead["attempts"] == 3 and len(handler.received) == 3
    handler.failures = 0
    replayed = await replay(graph, dead["id"], clock())
    assert (replayed["status"], replayed["attempts"]) == ("pending", 0)
    await sender.send_due()
    [done] = await deliveries(graph, endpoint["id"], None, 10)
    assert done["status"] == "delivered" and len(handler.received) == 4


async def test_endpoints_refuse_bad_urls_and_unknown_kinds(graph):
    from resolvers.errors import ApiError

    for url, kinds in [("ftp://x/y", ["customer.tagged"]), ("http://", ["customer.tagged"]),
                       ("http://x", ["customer.exploded"]), ("http://x", [])]:  # fmt: skip
        with pytest.raises(ApiError) as refused:
            await register_endpoint(graph, PRIVACY, url, kinds, T0, allow_internal=True)
        assert refused.value.code.value == "BAD_USER_INPUT"


async def test_admins_register_list_and_replay_through_graphql(graph):
    from resolvers.context import Context
    from schema import build_schema

    schema = build_schema()
    register = """mutation { registerWebhook(input: {url: "http://127.0.0.1:9/h",
      kinds: ["customer.tagged"]}) { secret endpoint { endpointId url kinds } } }"""
    admin = Principal("key:admin-1", Role.ADMIN)
    # The hub's default: a receiver on its own network is refused, and nothing is written.
    internal = await schema.execute(register, context_value=Context(graph, admin))
    assert internal.errors and internal.errors[0].extensions["code"] == "URL_NOT_ALLOWED"
    assert await graph.read("MATCH (w:WebhookEndpoint) RETURN w.id AS id") == []
    done = await schema.execute(
        register, context_value=Context(graph, admin, webhook_allow_internal=True)
    )
    assert done.errors is None, done.errors
    assert done.data is not None
    registered = done.data["registerWebhook"]
    assert registered["secret"] == endpoint_secret(PRIVACY, registered["endpoint"]["endpointId"], 1)
    refused = await schema.execute(register, context_value=Context(graph, APP))
    assert refused.errors and refused.errors[0].extensions["code"] == "FORBIDDEN"
    await ingest(graph, APP, PRIVACY, T0, tags(1))
    while await OutboxDispatcher(graph, None).dispatch_once():  # as hub/push.py runs it
        pass
    listed = await schema.execute(
        '{ webhookDeliveries(status: "pending") { deliveryId kind attempts } }',
        context_value=Context(graph, admin),
    )
    assert listed.data is not None
    [delivery] = listed.data["webhookDeliveries"]
    assert delivery["kind"] == "customer.tagged"
    replayed = await schema.execute(
        "mutation($id: ID!) { replayWebhookDelivery(id: $id) { status attempts } }",
        variable_values={"id": delivery["deliveryId"]},
        context_value=Context(graph, admin),
    )
    assert replayed.data == {"replayWebhookDelivery": {"status": "pending", "attempts": 0}}
