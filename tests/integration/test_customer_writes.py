"""What apps record (tags, contacts, purchases, interactions) through GraphQL, on both
engines: one transaction each with its audit entry, outbox event and idempotency key;
refusals with codes; read-your-writes; concurrent writers."""

import asyncio
from typing import Any

import orjson
import pytest

from loaders.pipeline import write_records
from resolvers.clock import FixedClock
from resolvers.context import Context
from resolvers.principal import Principal, Role
from resolvers.subject import erase_customer
from schema import build_schema

T0 = 1_700_000_000_000
APP = Principal("key:app-1", Role.APP)
OTHER_APP = Principal("key:app-2", Role.APP)
ADMIN = Principal("key:admin-1", Role.ADMIN)
ANALYST = Principal("key:analyst-1", Role.ANALYST)
SCHEMA = build_schema()

ROWS: list[tuple[str, list[dict[str, Any]]]] = [
    ("brands", [{"id": "b1", "name": "Lumora"}]),
    ("products", [{"id": "p1", "brand_id": "b1", "name": "Serum", "price": 30.0}]),
    ("customers", [{"id": "c1", "name": "Wang Fang"}, {"id": "c2", "name": "Li Wei"}]),
    ("social_accounts", [{"id": "a1", "platform": "weibo", "handle": "fang"}]),
    ("posts", [{"id": "po1", "author_kind": "brand", "author_id": "b1", "at": T0}]),
    ("purchases", [{"id": "o1", "customer_id": "c1", "brand_id": "b1", "at": T0,
                    "items": [{"product_id": "p1", "quantity": 1, "unit_price": 30.0}]}]),
]  # fmt: skip

TAG = """
mutation Tag($input: TagCustomerInput!, $key: String) {
  tagCustomer(input: $input, idempotencyKey: $key) {
    __typename
    ... on TagPayload { customerId tagId weight source receipt { eventId recordedAt replayed } }
    ... on WriteError { code message argument }
  }
}
"""

UNTAG = """
mutation Untag($input: UntagCustomerInput!, $key: String) {
  untagCustomer(input: $input, idempotencyKey: $key) {
    __typename
    ... on UntagPayload { customerId tagId removed receipt { replayed } }
    ... on WriteError { code message argument }
  }
}
"""

CONTACT = """
mutation Contact($input: RecordContactInput!, $key: String) {
  recordContact(input: $input, idempotencyKey: $key) {
    __typename
    ... on ContactPayload {
      receipt { eventId replayed }
      contact { contactId customerId kind channel at summary brandId productId purchaseId }
    }
    ... on WriteError { code message argument }
  }
}
"""

PURCHASE = """
mutation Purchase($input: RecordPurchaseInput!, $key: String) {
  recordPurchase(input: $input, idempotencyKey: $key) {
    __typename
    ... on PurchasePayload { purchaseId customerId brandId total currency items
                             receipt { replayed } }
    ... on WriteError { code message argument }
  }
}
"""

INTERACTION = """
mutation Interaction($input: RecordInteractionInput!, $key: String) {
  recordInteraction(input: $input, idempotencyKey: $key) {
    __typename
    ... on InteractionPayload { accountId postId kind at receipt { replayed } }
    ... on WriteError { code message argument }
  }
}
"""

CUSTOMER = """
query($id: ID!) {
  customer(id: $id) {
    tags { tag { tagId } weight source }
    purchases(first: 10) { totalCount edges { node { purchaseId total } } }
    contactHistory(first: 20) { edges { node { kind channel summary at
      contact { contactId summary brandId } } } }
  }
}
"""


async def run(store: Any, query: str, principal: Principal = APP, **variables: Any) -> Any:
    ctx = Context(store, principal, clock=FixedClock(T0 + 1000))
    result = await SCHEMA.execute(query, variable_values=variables, context_value=ctx)
    assert result.errors is None, result.errors
    assert result.data is not None
    return next(iter(result.data.values()))


async def system_nodes(store: Any) -> dict[str, int]:
    """How many audit entries, outbox events and idempotency keys the graph holds."""
    rows = await store.read(
        "MATCH (n) WHERE n:AuditEntry OR n:OutboxEvent OR n:IdempotencyKey "
        "RETURN labels(n)[0] AS label, count(*) AS n"
    )
    return {r["label"]: r["n"] for r in rows}


async def outbox(store: Any) -> list[dict[str, Any]]:
    rows = await store.read(
        "MATCH (e:OutboxEvent) RETURN e.id AS id, e.kind AS kind, e.payload AS payload, "
        "e.delivered_at AS delivered_at, e.customer_ids AS customer_ids ORDER BY e.id"
    )
    return [{**r, "payload": orjson.loads(r["payload"])} for r in rows]


async def graph_state(store: Any) -> list[Any]:
    """Every node's labels and properties and every relationship, for 'nothing changed'."""
    nodes = await store.read("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    rels = await store.read(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, properties(r) AS p, b.id AS b"
    )
    key = lambda x: orjson.dumps(x, option=orjson.OPT_SORT_KEYS)  # noqa: E731
    return sorted(nodes, key=key) + sorted(rels, key=key)


@pytest.fixture
async def graph(store):
    for kind, rows in ROWS:
        await write_records(store, kind, rows, T0)
    store.statements.clear()
    return store


def tag_input(**kw: Any) -> dict[str, Any]:
    return {"customerId": "c1", "tagId": "t-kbeauty", "weight": 0.8, "source": "DECLARED", **kw}


async def test_a_tag_is_one_statement_with_its_audit_entry_and_outbox_event(graph):
    p = await run(graph, TAG, input=tag_input(), key="k-1")
    assert p["__typename"] == "TagPayload", p
    assert (p["customerId"], p["tagId"], p["weight"], p["source"]) == (
        "c1", "t-kbeauty", 0.8, "declared"
    )  # fmt: skip
    assert p["receipt"]["replayed"] is False
    assert len(graph.statements) == 1  # the write, its audit entry, event and key together
    assert await system_nodes(graph) == {"AuditEntry": 1, "OutboxEvent": 1, "IdempotencyKey": 1}
    [event] = await outbox(graph)
    assert event["id"] == p["receipt"]["eventId"] and event["kind"] == "customer.tagged"
    assert event["delivered_at"] is None and event["customer_ids"] == ["c1"]
    assert event["payload"]["tag_id"] == "t-kbeauty"
    [audit] = await graph.read(
        "MATCH (a:AuditEntry) RETURN a.kinds AS kinds, a.customer_ids AS ids, "
        "a.subject AS subject, a.operation AS operation"
    )
    assert audit == {"kinds": ["tagCustomer"], "ids": ["c1"], "subject": "key:app-1",
                     "operation": "Tag"}  # fmt: skip
    # Read-your-writes: the next read shows it.
    c = await run(graph, CUSTOMER, id="c1")
    assert c["tags"] == [{"tag": {"tagId": "t-kbeauty"}, "weight": 0.8, "source": "declared"}]


async def test_a_retry_with_the_same_key_returns_the_first_result_and_changes_nothing(graph):
    first = await run(graph, TAG, input=tag_input(), key="k-1")
    before = await graph_state(graph)
    again = await run(graph, TAG, input=tag_input(), key="k-1")
    assert again["receipt"]["replayed"] is True
    assert again["receipt"]["eventId"] == first["receipt"]["eventId"]
    assert again["receipt"]["recordedAt"] == first["receipt"]["recordedAt"]
    assert await graph_state(graph) == before


async def test_the_same_key_with_another_input_is_refused(graph):
    await run(graph, TAG, input=tag_input(), key="k-1")
    before = await graph_state(graph)
    p = await run(graph, TAG, input=tag_input(weight=0.2), key="k-1")
    assert (p["code"], p["argument"]) == ("IDEMPOTENCY_KEY_REUSED", "idempotencyKey")
    assert await graph_state(graph) == before


async def test_keys_belong_to_their_caller(graph):
    first = await run(graph, TAG, input=tag_input(), key="k-1")
    other = await run(graph, TAG, OTHER_APP, input=tag_input(), key="k-1")
    assert other["receipt"]["replayed"] is False
    assert other["receipt"]["eventId"] != first["receipt"]["eventId"]


async def test_without_a_key_each_request_is_a_write(graph):
    await run(graph, TAG, input=tag_input())
    await run(graph, TAG, input=tag_input(weight=0.5))
    assert await system_nodes(graph) == {"AuditEntry": 2, "OutboxEvent": 2}
    c = await run(graph, CUSTOMER, id="c1")
    assert [t["weight"] for t in c["tags"]] == [0.5]


@pytest.mark.parametrize(
    ("input", "code", "argument"),
    [
        (tag_input(customerId="nobody"), "NOT_FOUND", "input.customerId"),
        (tag_input(weight=1.5), "BAD_USER_INPUT", "input.weight"),
        (tag_input(tagId="  "), "BAD_USER_INPUT", "input.tagId"),
    ],
)
async def test_refusals_have_codes_and_change_nothing(graph, input, code, argument):
    before = await graph_state(graph)
    p = await run(graph, TAG, input=input, key="k-bad")
    assert (p["__typename"], p["code"], p["argument"]) == ("WriteError", code, argument)
    assert await graph_state(graph) == before


async def test_an_erased_customer_is_refused(graph):
    await erase_customer(Context(graph, ADMIN), "c2")
    before = await graph_state(graph)
    p = await run(graph, TAG, input=tag_input(customerId="c2"), key="k-2")
    assert p["code"] == "ERASED"
    assert await graph_state(graph) == before


async def test_a_restricted_customer_is_written_by_admins_only(graph):
    await graph.write("MATCH (c:Customer {id: 'c1'}) SET c.restricted_at = $t", {"t": T0})
    p = await run(graph, TAG, input=tag_input())
    assert p["code"] == "RESTRICTED"
    assert await system_nodes(graph) == {}
    p = await run(graph, TAG, ADMIN, input=tag_input())
    assert p["__typename"] == "TagPayload"


async def test_analysts_may_not_write(graph):
    ctx = Context(graph, ANALYST)
    result = await SCHEMA.execute(TAG, variable_values={"input": tag_input()}, context_value=ctx)
    assert result.errors and result.errors[0].extensions["code"] == "FORBIDDEN"
    assert await system_nodes(graph) == {}


async def test_untag(graph):
    await run(graph, TAG, input=tag_input())
    p = await run(graph, UNTAG, input={"customerId": "c1", "tagId": "t-kbeauty"})
    assert p["removed"] is True
    p = await run(graph, UNTAG, input={"customerId": "c1", "tagId": "t-kbeauty"})
    assert p["removed"] is False
    assert (await run(graph, CUSTOMER, id="c1"))["tags"] == []


async def test_concurrent_first_uses_of_one_key_write_once(graph):
    results = await asyncio.gather(
        *(run(graph, TAG, input=tag_input(), key="k-race") for _ in range(4))
    )
    assert len({r["receipt"]["eventId"] for r in results}) == 1
    assert sorted(r["receipt"]["replayed"] for r in results) == [False, True, True, True]
    assert await system_nodes(graph) == {"AuditEntry": 1, "OutboxEvent": 1, "IdempotencyKey": 1}


async def test_concurrent_writers_on_one_customer_lose_nothing(graph):
    await asyncio.gather(
        *(run(graph, TAG, input=tag_input(tagId=f"t{i}", weight=i / 10)) for i in range(8))
    )
    c = await run(graph, CUSTOMER, id="c1")
    assert sorted(t["tag"]["tagId"] for t in c["tags"]) == [f"t{i}" for i in range(8)]
    assert (await system_nodes(graph))["OutboxEvent"] == 8


def contact_input(**kw: Any) -> dict[str, Any]:
    return {"customerId": "c1", "kind": "CALL", "channel": "phone", "at": "2023-11-15T08:00:00Z",
            "summary": "Asked about the serum's ingredients", "productId": "p1", **kw}  # fmt: skip


async def test_every_contact_kind_shows_in_the_contact_history(graph):
    kinds = ["CALL", "EMAIL", "CHAT", "VISIT", "PROMOTION_SENT", "PROMOTION_OPENED",
             "SURVEY_ANSWER", "AFTER_SALES"]  # fmt: skip
    for i, kind in enumerate(kinds):
        at = f"2023-11-{15 + i}T08:00:00Z"
        p = await run(graph, CONTACT, input=contact_input(kind=kind, at=at), key=f"k{i}")
        assert p["__typename"] == "ContactPayload", p
        assert p["contact"]["kind"] == kind and p["contact"]["productId"] == "p1"
    c = await run(graph, CUSTOMER, id="c1")
    events = [e["node"] for e in c["contactHistory"]["edges"]]
    assert [e["kind"] for e in events] == [*reversed(kinds), "PURCHASE"]
    assert events[0]["contact"]["summary"] == "Asked about the serum's ingredients"
    assert events[0]["channel"] == "phone"


async def test_a_contact_naming_unknown_things_is_refused(graph):
    for extra, argument in [
        ({"brandId": "nope"}, "input.brandId"),
        ({"purchaseId": "o-other"}, "input.purchaseId"),
        ({"kind": "CALL", "at": "1800-01-01T00:00:00Z"}, "input.at"),
        ({"summary": "x" * 2001}, "input.summary"),
    ]:
        p = await run(graph, CONTACT, input=contact_input(**extra))
        assert (p.get("code"), p.get("argument")) in [
            ("NOT_FOUND", argument), ("BAD_USER_INPUT", argument)
        ], (extra, p)  # fmt: skip
    assert await system_nodes(graph) == {}


def purchase_input(**kw: Any) -> dict[str, Any]:
    return {"id": "o2", "customerId": "c1", "brandId": "b1", "at": "2023-11-20T10:00:00Z",
            "currency": "CNY", "channel": "store",
            "items": [{"productId": "p1", "quantity": 2, "unitPrice": 30.0}], **kw}  # fmt: skip


async def test_a_purchase_is_validated_like_an_export_row_and_read_back(graph):
    p = await run(graph, PURCHASE, input=purchase_input())
    assert (p["purchaseId"], p["total"], p["items"]) == ("o2", 60.0, 1)  # total from items
    c = await run(graph, CUSTOMER, id="c1")
    assert c["purchases"]["totalCount"] == 2
    assert c["purchases"]["edges"][0]["node"] == {"purchaseId": "o2", "total": 60.0}
    again = await run(graph, PURCHASE, input=purchase_input())
    assert (again["code"], again["argument"]) == ("CONFLICT", "input.id")
    for bad, code, argument in [
        ({"id": "o3", "currency": "yuan"}, "BAD_USER_INPUT", "input.currency"),
        ({"id": "o3", "channel": "pigeon"}, "BAD_USER_INPUT", "input.channel"),
        ({"id": "o3", "brandId": "b9"}, "NOT_FOUND", "input.brandId"),
        ({"id": "o3", "items": [{"productId": "p9"}]}, "NOT_FOUND", "input.items"),
        ({"id": "o3", "items": [{"productId": "p1", "quantity": 0}]}, "BAD_USER_INPUT",
         "input.items"),
    ]:  # fmt: skip
        p = await run(graph, PURCHASE, input=purchase_input(**bad))
        assert (p.get("code"), p.get("argument")) == (code, argument), (bad, p)


async def test_an_interaction_is_recorded_once(graph):
    i = {"accountId": "a1", "postId": "po1", "kind": "LIKE", "at": "2023-11-20T10:00:00Z"}
    p = await run(graph, INTERACTION, input=i, key="i-1")
    assert (p["accountId"], p["postId"], p["kind"]) == ("a1", "po1", "LIKE")
    assert (await run(graph, INTERACTION, input=i, key="i-1"))["receipt"]["replayed"] is True
    rows = await graph.read("MATCH (:SocialAccount)-[r:INTERACTED]->(:Post) RETURN r.kind AS k")
    assert rows == [{"k": "like"}]
    p = await run(graph, INTERACTION, input={**i, "postId": "nope"})
    assert (p["code"], p["argument"]) == ("NOT_FOUND", "input.postId")


async def test_an_erasure_removes_contacts_and_the_writes_that_carry_them(graph):
    await run(graph, CONTACT, input=contact_input(), key="k-1")
    await run(graph, TAG, input=tag_input(customerId="c2"), key="k-2")
    done = await erase_customer(Context(graph, ADMIN), "c1")
    assert done.removed["Contact"] == 1
    rows = await graph.read(
        "MATCH (n) WHERE n:Contact OR n:IdempotencyKey OR n:OutboxEvent "
        "RETURN labels(n)[0] AS label, n.customer_ids AS ids"
    )
    assert sorted((r["label"], r["ids"]) for r in rows) == [
        ("IdempotencyKey", ["c2"]), ("OutboxEvent", ["c2"])
    ]  # fmt: skip
