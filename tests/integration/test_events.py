"""`POST /events` batches (resolvers/events.py, graph/events.py) on both engines: one
statement per batch with an outbox event and a receipt per written event and one audit
entry; an answer per event; idempotent by event id; validated like the loaders."""

import asyncio
from typing import Any

import orjson
import pytest

from graph.errors import GraphUnavailable
from graph.store import Params, Record, StoreWrapper, WriteCounters
from loaders.pipeline import write_records
from resolvers.context import Context
from resolvers.events import ingest
from resolvers.principal import Principal, Role
from resolvers.privacy import PrivacyConfig
from resolvers.subject import erase_customer
from tests.integration.test_customer_writes import ROWS, graph_state, system_nodes

T0 = 1_700_000_000_000
NOW = T0 + 5_000
APP = Principal("key:app-1", Role.APP)
OTHER_APP = Principal("key:app-2", Role.APP)
ADMIN = Principal("key:admin-1", Role.ADMIN)
PRIVACY = PrivacyConfig()

BATCH: list[dict[str, Any]] = [
    # A purchase by a customer the batch's own identify event creates (sent first).
    {"id": "e-1", "type": "track", "event": "purchase", "customer_id": "c9",
     "properties": {"id": "o9", "brand_id": "b1", "at": "2024-05-01T10:00:00Z",
      "currency": "EUR", "items": [{"product_id": "p1", "quantity": 2, "unit_price": 30.0}]}},
    {"id": "e-2", "type": "identify", "customer_id": "c9",
     "traits": {"name": "Zhou Min", "email": "Zhou.Min@Example.com", "city": "Hangzhou",
                "country": "CN"}},
    {"id": "e-3", "type": "track", "event": "contact", "customer_id": "c1",
     "properties": {"kind": "call", "channel": "phone", "at": T0, "summary": "asked about o1",
                    "purchase_id": "o1"}},
    {"id": "e-4", "type": "track", "event": "interaction", "account_id": "a1",
     "properties": {"post_id": "po1", "kind": "like", "at": T0}},
    {"id": "e-5", "type": "track", "event": "tag", "customer_id": "c2",
     "properties": {"tag_id": "t-kbeauty", "weight": 0.5, "source": "inferred"}},
    {"id": "e-6", "type": "identify", "account_id": "a7",
     "traits": {"platform": "weibo", "handle": "@min", "customer_id": "c9"}},
]  # fmt: skip


@pytest.fixture
async def graph(store):
    return await seeded(store)


async def seeded(store: Any) -> Any:
    """The writes tests' graph, with account a1 linked to c1."""
    for kind, rows in ROWS:
        await write_records(store, kind, rows, T0)
    await write_records(store, "social_accounts", [{"id": "a1", "platform": "weibo"}], T0)
    await store.write(
        "MATCH (c:Customer {id: 'c1'}), (a:SocialAccount {id: 'a1'}) "
        "CREATE (c)-[:HAS_ACCOUNT {method: 'crm_id', confidence: 1.0}]->(a)"
    )
    store.statements.clear()
    return store


async def send(store: Any, events: list[Any], principal: Principal = APP) -> list[dict[str, Any]]:
    return [r.as_json() for r in await ingest(store, principal, PRIVACY, NOW, events)]


async def test_a_batch_is_one_statement_answered_event_by_event(graph):
    answers = await send(graph, BATCH)
    assert [(a["index"], a["id"], a["status"]) for a in answers] == [
        (i, f"e-{i + 1}", "accepted") for i in range(6)
    ]
    # One write; before it, one read of the profiles the identify events decide against.
    assert [s.split()[0] for s in graph.statements] == ["UNWIND", "UNWIND"]
    assert "MERGE" not in graph.statements[0] and "CREATE" in graph.statements[1]
    assert await system_nodes(graph) == {"AuditEntry": 1, "OutboxEvent": 6, "IdempotencyKey": 6}
    events = await graph.read(
        "MATCH (e:OutboxEvent) RETURN e.kind AS kind, e.customer_ids AS ids, e.payload AS p "
        "ORDER BY e.seq"
    )
    assert [(e["kind"], e["ids"]) for e in events] == [
        ("purchase.recorded", ["c9"]), ("customer.identified", ["c9"]),
        ("contact.recorded", ["c1"]), ("interaction.recorded", ["c1"]),
        ("customer.tagged", ["c2"]), ("account.identified", []),
    ]  # fmt: skip
    payloads = [orjson.loads(e["p"]) for e in events]
    assert payloads[1]["fields"] == ["city", "country", "email", "email_hash", "key_version",
                                     "name"]  # fmt: skip
    assert "Zhou" not in events[1]["p"] and "asked about" not in events[2]["p"]
    assert payloads[0]["source_event_id"] == "e-1" and payloads[0]["total"] == 60.0
    [audit] = await graph.read(
        "MATCH (a:AuditEntry) RETURN a.kinds AS kinds, a.customer_ids AS ids, a.subject AS s"
    )
    assert audit | {"ids": sorted(audit["ids"])} == {
        "kinds": ["events"],
        "ids": ["c1", "c2", "c9"],
        "s": "key:app-1",
    }
    # Read-your-writes: what the loaders would have written.
    [c9] = await graph.read(
        "MATCH (c:Customer {id: 'c9'})-[:MADE]->(o:Purchase {id: 'o9'})-[:AT]->(:Brand {id: 'b1'})"
        " MATCH (o)-[l:CONTAINS]->(:Product {id: 'p1'})"
        " RETURN c.name AS name, c.email_hash AS h, o.total AS total, o.at AS at, l.quantity AS q"
    )
    assert c9["name"] == "Zhou Min" and c9["total"] == 60.0 and c9["q"] == 2
    assert c9["at"] == 1_714_557_600_000 and len(c9["h"]) == 64
    [contact] = await graph.read(
        "MATCH (:Customer {id: 'c1'})-[:HAD_CONTACT]->(k:Contact)-[:ABOUT]->(:Purchase {id: 'o1'})"
        " RETURN k.kind AS kind, k.summary AS summary"
    )
    assert contact == {"kind": "call", "summary": "asked about o1"}
    assert await graph.read(
        "MATCH (:SocialAccount {id: 'a1'})-[r:INTERACTED {kind: 'like'}]->(:Post {id: 'po1'})"
        " RETURN r.at AS at"
    ) == [{"at": T0}]
    assert await graph.read(
        "MATCH (:Customer {id: 'c2'})-[r:TAGGED]->(:Tag {id: 't-kbeauty'}) RETURN r.weight AS w"
    ) == [{"w": 0.5}]
    [a7] = await graph.read(
        "MATCH (a:SocialAccount {id: 'a7'}) RETURN a.claimed_customer_id AS claimed, "
        "a.handle AS handle"
    )
    assert a7 == {"claimed": "c9", "handle": "@min"}


async def test_a_batch_sent_again_is_all_duplicates_and_changes_nothing(graph):
    await send(graph, BATCH)
    before = await graph_state(graph)
    answers = await send(graph, BATCH)
    assert [a["status"] for a in answers] == ["duplicate"] * 6
    after = await graph_state(graph)
    # Only the batch's audit entry is new.
    assert [n for n in after if n not in before] == [
        n for n in after if isinstance(n, dict) and n.get("l") == ["AuditEntry"] and n not in before
    ]
    assert len(after) == len(before) + 1


async def test_event_ids_belong_to_their_sender(graph):
    await send(graph, BATCH[4:5])
    answers = await send(graph, BATCH[4:5], OTHER_APP)
    assert answers[0]["status"] == "accepted"


async def test_rejections_carry_a_code_reasons_and_their_index(graph):
    await erase_customer(Context(graph, ADMIN), "c2")
    await graph.write("MATCH (c:Customer {id: 'c1'}) SET c.restricted_at = $t", {"t": T0})
    await send(graph, [BATCH[1]])
    contact = {"kind": "visit", "at": T0}
    events: list[Any] = [
        {**BATCH[1], "traits": {**BATCH[1]["traits"], "city": "Suzhou"}},  # id used before
        {"id": "x-1", "type": "track", "event": "contact", "customer_id": "c404",
         "properties": contact},
        {"id": "x-2", "type": "track", "event": "contact", "customer_id": "c2",
         "properties": contact},
        {"id": "x-3", "type": "track", "event": "contact", "customer_id": "c1",
         "properties": contact},
        {"id": "x-4", "type": "track", "event": "purchase", "customer_id": "c9",
         "properties": {"id": "o10", "brand_id": "b404", "at": T0}},
        {"id": "x-5", "type": "track", "event": "purchase", "customer_id": "c9",
         "properties": {"id": "o1", "brand_id": "b1", "at": T0}},
        {"id": "x-6", "type": "track", "event": "contact", "customer_id": "c9",
         "properties": {"kind": "visit", "at": 1_700_000}},
        {"id": "x-7", "type": "track", "event": "shout", "customer_id": "c9"},
        {"id": "x-8", "type": "identify", "customer_id": "c9", "account_id": "a1"},
        "not an event",
        {"type": "identify", "customer_id": "c9"},
        {"id": "x-9", "type": "track", "event": "tag", "customer_id": "c9",
         "properties": {"tag_id": "t1"}},
        {"id": "x-9", "type": "track", "event": "tag", "customer_id": "c9",
         "properties": {"tag_id": "t1"}},
        {"id": "x-9", "type": "track", "event": "tag", "customer_id": "c9",
         "properties": {"tag_id": "t2"}},
        {"id": "x-10", "type": "track", "event": "interaction", "account_id": "a1",
         "properties": {"post_id": "po404", "kind": "like", "at": T0}},
    ]  # fmt: skip
    answers = await send(graph, events)
    got = [(a["index"], a["status"], a.get("code")) for a in answers]
    assert got == [
        (0, "rejected", "IDEMPOTENCY_KEY_REUSED"),
        (1, "rejected", "NOT_FOUND"),
        (2, "rejected", "ERASED"),
        (3, "rejected", "RESTRICTED"),
        (4, "rejected", "NOT_FOUND"),
        (5, "rejected", "CONFLICT"),
        (6, "rejected", "BAD_USER_INPUT"),
        (7, "rejected", "BAD_USER_INPUT"),
        (8, "rejected", "BAD_USER_INPUT"),
        (9, "rejected", "BAD_USER_INPUT"),
        (10, "rejected", "BAD_USER_INPUT"),
        (11, "accepted", None),
        (12, "duplicate", None),
        (13, "rejected", "IDEMPOTENCY_KEY_REUSED"),
        (14, "rejected", "RESTRICTED"),  # a1 belongs to c1, restricted
    ]
    [reason] = answers[6]["reasons"]  # the loaders' own reason
    assert reason.startswith("at: 1700000 looks like epoch seconds"), reason
    assert answers[4]["reasons"] == ["no brand with this brand_id"]
    assert answers[9]["id"] is None and answers[10]["reasons"] == [
        "id: must be a string of 1-200 characters"
    ]
    # Admins write to restricted customers.
    admin = await send(graph, [events[3]], ADMIN)
    assert admin[0]["status"] == "accepted"


async def test_concurrent_first_sends_of_one_batch_write_it_once(graph):
    first, second = await asyncio.gather(send(graph, BATCH), send(graph, BATCH))
    statuses = sorted([first[0]["status"], second[0]["status"]])
    assert statuses == ["accepted", "duplicate"]
    assert (await system_nodes(graph))["OutboxEvent"] == 6


class Crashes(StoreWrapper):
    """The engine or the hub dying around a batch's statement: with ``committed`` the
    statement commits and its answer is lost; without, nothing of it is written."""

    def __init__(self, inner: Any, *, committed: bool) -> None:
        super().__init__(inner)
        self.committed = committed

    async def write_returning(
        self, query: str, params: Params | None = None
    ) -> tuple[list[Record], WriteCounters]:
        if query.startswith("UNWIND $events"):
            if self.committed:
                await self.inner.write_returning(query, params)
            raise GraphUnavailable("the engine went away")
        return await self.inner.write_returning(query, params)


async def test_a_batch_sent_again_after_a_crash_is_written_once(graph):
    with pytest.raises(GraphUnavailable):
        await send(Crashes(graph, committed=False), BATCH)
    assert await system_nodes(graph) == {}
    assert [a["status"] for a in await send(graph, BATCH)] == ["accepted"] * 6
    # Answered by nobody, yet committed: sent again, every event is a duplicate.
    batch = [
        {"id": "r-1", "type": "track", "event": "purchase", "customer_id": "c2",
         "properties": {"id": "o2", "brand_id": "b1", "at": T0}},  # no line items
        {"id": "r-2", "type": "track", "event": "contact", "customer_id": "c2",
         "properties": {"kind": "visit", "at": T0}},
        {"id": "r-2", "type": "track", "event": "contact", "customer_id": "c2",
         "properties": {"kind": "visit", "at": T0}},  # the same event twice in the batch
    ]  # fmt: skip
    with pytest.raises(GraphUnavailable):
        await send(Crashes(graph, committed=True), batch)
    before = await graph_state(graph)
    assert [a["status"] for a in await send(graph, batch)] == ["duplicate"] * 3
    after = await graph_state(graph)
    assert [n for n in after if n not in before] == [
        n for n in after if isinstance(n, dict) and n.get("l") == ["AuditEntry"] and n not in before
    ]
    assert await system_nodes(graph) == {"AuditEntry": 3, "OutboxEvent": 8, "IdempotencyKey": 8}
    assert await graph.read(
        "MATCH (:Customer {id: 'c2'})-[:MADE]->(o:Purchase {id: 'o2'}) "
        "OPTIONAL MATCH (:Customer {id: 'c2'})-[:HAD_CONTACT]->(k:Contact) "
        "RETURN count(DISTINCT o) AS purchases, count(DISTINCT k) AS contacts"
    ) == [{"purchases": 1, "contacts": 1}]
    [audit] = await graph.read(
        "MATCH (a:AuditEntry) WHERE size(a.customer_ids) = 1 RETURN a.customer_ids AS ids"
    )
    assert audit == {"ids": ["c2"]}  # once, though two events wrote c2
