"""GraphQL subscriptions over graphql-transport-ws, with a real WebSocket client
(`websockets`) against the hub served by uvicorn (embedded engine): events written
through POST /events and a mutation arrive over the socket; roles as for queries;
no credential, no socket."""

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
import websockets

from graph.migrations import migrate
from graph.store import open_store
from hub.app import create_app
from hub.settings import Settings
from resolvers.keys import create_key
from resolvers.principal import Role
from tests.doc_examples import find
from tests.integration.sample_graph import load_sample

PROTOCOL = "graphql-transport-ws"


@asynccontextmanager
async def hub_on(store: Any, **settings_: Any) -> AsyncIterator[int]:
    """uvicorn serving a hub over ``store`` (its lifespan runs the feed and dispatcher):
    its port."""
    settings = Settings(
        _env_file=None, **{"outbox_poll_s": 0.1, "subscription_poll_s": 0.1, **settings_}
    )
    app = create_app(settings, store=store)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not serving.done(), "uvicorn did not start"
        await asyncio.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await serving
        sock.close()


@pytest.fixture
async def engine(tmp_path) -> AsyncIterator[tuple[Any, dict[Role, str]]]:
    """The embedded engine with the sample graph: (its store, a key per role)."""
    async with open_store(f"embedded://{tmp_path}", embedded_share=False) as store:
        await migrate(store)
        await load_sample(store)
        keys = {role: (await create_key(store, role.value, role,
                                         partner_brand_id="b1" if role is Role.PARTNER else None,
                                         purposes=["marketing"] if role is Role.PARTNER else ()
                                         )).key for role in Role}  # fmt: skip
        yield store, keys


@pytest.fixture
async def served(engine) -> AsyncIterator[tuple[int, dict[Role, str]]]:
    """One hub: (port, key per role)."""
    store, keys = engine
    async with hub_on(store) as port:
        yield port, keys


async def subscribe(port: int, key: str | None, query: str) -> Any:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=[PROTOCOL],
                                  additional_headers=headers)  # fmt: skip
    await ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    return ws


async def next_message(ws: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
    return message


# The subscription docs/operations.md shows.
CUSTOMER = find("docs/operations.md", "subscription CustomerChanges").text
COMPLAINTS = "subscription { complaintChanged { kind complaintId customerIds } }"


async def test_an_event_sent_to_events_arrives_over_the_socket(served):
    port, keys = served
    ws = await subscribe(port, keys[Role.APP], CUSTOMER)
    await asyncio.sleep(0.3)  # the subscription is registered before the write
    event = {"id": "e-1", "type": "track", "event": "tag", "customer_id": "c1",
             "properties": {"tag_id": "t-running", "weight": 0.7}}  # fmt: skip
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        r = await client.post("/events", json={"events": [event]},
                              headers={"authorization": f"Bearer {keys[Role.APP]}"})  # fmt: skip
        assert r.json()["accepted"] == 1
    message = await next_message(ws)
    assert message["type"] == "next", message
    change = message["payload"]["data"]["customerChanged"]
    assert change["kind"] == "customer.tagged" and change["customerIds"] == ["c1"]
    assert json.loads(change["payload"])["tag_id"] == "t-running"
    await ws.close()


async def test_a_complaint_opened_by_mutation_arrives_over_the_socket(served):
    port, keys = served
    ws = await subscribe(port, keys[Role.ADMIN], COMPLAINTS)
    await asyncio.sleep(0.3)
    mutation = """mutation { openComplaint(input: {customerId: "c1", aboutKind: BRAND,
      aboutId: "b1", channel: "email", category: "delivery", priority: HIGH, text: "late"})
      { __typename } }"""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        r = await client.post("/graphql", json={"query": mutation},
                              headers={"authorization": f"Bearer {keys[Role.APP]}"})  # fmt: skip
        assert r.json()["data"]["openComplaint"]["__typename"] == "ComplaintPayload", r.text
    message = await next_message(ws)
    change = message["payload"]["data"]["complaintChanged"]
    assert change["kind"] == "complaint.opened" and change["customerIds"] == ["c1"]
    assert change["complaintId"]
    await ws.close()


@pytest.mark.parametrize("role", [Role.PARTNER, Role.ANALYST])
async def test_partners_and_analysts_may_not_subscribe(served, role):
    port, keys = served
    ws = await subscribe(port, keys[role], COMPLAINTS)
    message = await next_message(ws)
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN", message
    await ws.close()


async def test_no_credential_no_socket(served):
    port, _ = served
    with pytest.raises(websockets.InvalidStatus) as refused:
        await subscribe(port, None, COMPLAINTS)
    assert refused.value.response.status_code == 403
    with pytest.raises(websockets.InvalidStatus):
        await subscribe(port, "hub_0000000000000000_" + "x" * 43, COMPLAINTS)


async def test_a_subscriber_hears_a_write_made_through_another_hub(engine, tmp_path):
    """Two hubs on one engine, each with its own connection, broker, feed and dispatcher
    (as two `hub serve` processes have): the write goes to one, the subscriber listens on
    the other, and the writer's dispatcher marks the event delivered at once."""
    store, keys = engine
    async with (
        open_store(f"embedded://{tmp_path}", embedded_share=True) as attached,
        hub_on(store) as writer,
        # The listener's own dispatcher would not find the event: the writer's marks it.
        hub_on(attached, outbox_poll_s=30) as listener,
    ):
        ws = await subscribe(listener, keys[Role.APP], CUSTOMER)
        await asyncio.sleep(0.3)  # the subscription is registered before the write
        event = {"id": "e-x", "type": "track", "event": "tag", "customer_id": "c1",
                 "properties": {"tag_id": "t-yoga", "weight": 0.4}}  # fmt: skip
        auth = {"authorization": f"Bearer {keys[Role.APP]}"}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{writer}") as client:
            r = await client.post("/events", json={"events": [event]}, headers=auth)
            assert r.json()["accepted"] == 1
        message = await next_message(ws)
        change = message["payload"]["data"]["customerChanged"]
        assert change["kind"] == "customer.tagged"
        assert json.loads(change["payload"])["tag_id"] == "t-yoga"
        with pytest.raises(TimeoutError):  # once only
            await asyncio.wait_for(ws.recv(), 0.5)
        await ws.close()
