"""upsertCustomer (resolvers/customer_profile.py) through GraphQL on both engines: created
when unknown, fields kept by the survivorship rules with their source and time,
read-your-writes, idempotent, refused with codes, and two writers at once lose nothing."""

import asyncio
from typing import Any

import orjson
import pytest

from graph import customer_writes as q
from graph.store import Params, Record, StoreWrapper, WriteCounters
from loaders.pipeline import write_records
from resolvers.context import Context
from resolvers.subject import erase_customer
from tests.integration.test_customer_writes import ADMIN, ROWS, T0, graph_state, run, system_nodes

UPSERT = """
mutation Upsert($input: UpsertCustomerInput!, $key: String) {
  upsertCustomer(input: $input, idempotencyKey: $key) {
    __typename
    ... on CustomerProfilePayload {
      customerId created fields { field applied source at } receipt { eventId replayed }
    }
    ... on WriteError { code message argument }
  }
}
"""
PROFILE = "query P($id: ID!) { customer(id: $id) { name city country email profileLoaded } }"


@pytest.fixture
async def graph(store):
    for kind, rows in ROWS:
        await write_records(store, kind, rows, T0)
    return store


def upsert(**kw: Any) -> dict[str, Any]:
    return {"customerId": "c1", "source": "CRM", **kw}


async def stored(store: Any, customer: str) -> dict[str, Any]:
    [row] = await store.read(
        "MATCH (c:Customer {id: $id}) RETURN c.field_sources AS s, c.profile_version AS v",
        {"id": customer},
    )
    return {"sources": orjson.loads(row["s"]), "version": row["v"]}


async def test_an_unknown_customer_is_created_and_read_back(graph):
    p = await run(graph, UPSERT, input=upsert(customerId="c9", name="Zhou Min", city="Hangzhou",
                                              email="Zhou.Min@Example.com"), key="k-1")  # fmt: skip
    assert p["__typename"] == "CustomerProfilePayload", p
    assert p["created"] is True and p["receipt"]["replayed"] is False
    assert [(f["field"], f["applied"], f["source"]) for f in p["fields"]] == [
        ("city", True, "crm"), ("email", True, "crm"), ("name", True, "crm")
    ]  # fmt: skip
    assert await system_nodes(graph) == {"AuditEntry": 1, "OutboxEvent": 1, "IdempotencyKey": 1}
    assert await run(graph, PROFILE, id="c9") == {"name": "Zhou Min", "city": "Hangzhou",
        "country": None, "email": "Zhou.Min@Example.com", "profileLoaded": True}  # fmt: skip
    [event] = await graph.read("MATCH (e:OutboxEvent) RETURN e.kind AS k, e.payload AS p")
    assert event["k"] == "customer.upserted"
    assert orjson.loads(event["p"])["fields"] == ["city", "email", "name"]  # names, no values
    assert "Zhou" not in event["p"]
    before = await graph_state(graph)
    again = await run(graph, UPSERT, input=upsert(customerId="c9", name="Zhou Min",
                                                  city="Hangzhou", email="Zhou.Min@Example.com"),
                      key="k-1")  # fmt: skip
    assert again["receipt"] == {**p["receipt"], "replayed": True}
    assert await graph_state(graph) == before
    reused = await run(graph, UPSERT, input=upsert(customerId="c9", name="Other"), key="k-1")
    assert reused["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_each_field_keeps_the_most_trusted_then_the_newest_value(graph):
    # c1 was loaded ("Wang Fang", no source): any source outranks it.
    first = await run(graph, UPSERT, input=upsert(source="SOCIAL", name="Fang W.", city="Xi'an"))
    assert [f["applied"] for f in first["fields"]] == [True, True]
    crm = await run(
        graph, UPSERT, input=upsert(name="Wang Fang", observedAt="2020-01-01T00:00:00Z")
    )
    assert [(f["field"], f["applied"], f["source"]) for f in crm["fields"]] == [
        ("name", True, "crm")  # older, but from a more trusted source
    ]  # fmt: skip
    social = await run(graph, UPSERT, input=upsert(source="SOCIAL", name="Fangfang", city="Chengdu",
                                                   observedAt="2023-11-14T22:15:00Z"))  # fmt: skip
    assert [(f["field"], f["applied"], f["source"]) for f in social["fields"]] == [
        ("city", True, "social"), ("name", False, "crm")
    ]  # fmt: skip
    assert social["fields"][1]["at"].startswith("2020-01-01")
    profile = await run(graph, PROFILE, id="c1")
    assert (profile["name"], profile["city"]) == ("Wang Fang", "Chengdu")
    assert (await stored(graph, "c1"))["sources"]["name"] == ["crm", 1_577_836_800_000]


async def test_refusals_come_with_codes_and_change_nothing(graph):
    before = await graph_state(graph)
    bad = await run(graph, UPSERT, input=upsert(country="Atlantis"))
    assert (bad["code"], bad["argument"]) == ("BAD_USER_INPUT", "input.country")
    future = await run(graph, UPSERT, input=upsert(name="X", observedAt="2999-01-01T00:00:00Z"))
    assert (future["code"], future["argument"]) == ("BAD_USER_INPUT", "input.observedAt")
    empty = await run(graph, UPSERT, input=upsert())
    assert empty["code"] == "BAD_USER_INPUT"
    assert await graph_state(graph) == before
    await graph.write("MATCH (c:Customer {id: 'c1'}) SET c.restricted_at = $t", {"t": T0})
    refused = await run(graph, UPSERT, input=upsert(name="X"))
    assert refused["code"] == "RESTRICTED"
    assert (await run(graph, UPSERT, ADMIN, input=upsert(name="X")))["__typename"] == (
        "CustomerProfilePayload"
    )
    await erase_customer(Context(graph, ADMIN), "c2")
    erased = await run(graph, UPSERT, input=upsert(customerId="c2", name="Li Wei"))
    assert erased["code"] == "ERASED"  # its tombstone refuses even a creation
    assert await graph.read("MATCH (c:Customer {id: 'c2'}) RETURN c.id AS id") == []


class BothReadFirst(StoreWrapper):
    """Two writers read the profile before either writes, and the one whose event names
    ``last`` writes second: without a check, its decision (made on the old profile) would
    overwrite the first writer's."""

    def __init__(self, inner: Any, last: str) -> None:
        super().__init__(inner)
        self.last = last
        self.reads = 0
        self.both_read = asyncio.Event()
        self.first_written = asyncio.Event()

    async def read(self, query: str, params: Params | None = None) -> list[Record]:
        rows = await self.inner.read(query, params)
        if query == q.CUSTOMER_PROFILE:
            self.reads += 1
            if self.reads == 2:
                self.both_read.set()
            await self.both_read.wait()
        return rows

    async def write_returning(
        self, query: str, params: Params | None = None
    ) -> tuple[list[Record], WriteCounters]:
        if query == q.UPSERT_CUSTOMER and params and self.last in params["event"]["payload"]:
            await self.first_written.wait()
        done = await self.inner.write_returning(query, params)
        if query == q.UPSERT_CUSTOMER:
            self.first_written.set()
        return done

    async def write(self, query: str, params: Params | None = None) -> WriteCounters:
        return await self.inner.write(query, params)


@pytest.mark.parametrize("customer", ["c1", "c7"])  # known, and created by the writers
async def test_two_writers_at_once_lose_no_update(graph, customer):
    racing = BothReadFirst(graph, last='"social"')
    crm, social = await asyncio.gather(
        run(racing, UPSERT, input=upsert(customerId=customer, name="Wang Fang",
                                         observedAt="2023-01-01T00:00:00Z")),
        run(racing, UPSERT, input=upsert(customerId=customer, source="SOCIAL", name="Fangfang",
                                         city="Chengdu")),
    )  # fmt: skip
    assert racing.reads == 3  # the second writer decided again, on the first one's result
    assert [(f["field"], f["applied"]) for f in social["fields"]] == [
        ("city", True), ("name", False)
    ]  # fmt: skip
    assert crm["fields"][0]["applied"] is True
    profile = await run(graph, PROFILE, id=customer)
    assert (profile["name"], profile["city"]) == ("Wang Fang", "Chengdu")
    kept = await stored(graph, customer)
    assert kept["version"] == 2
    assert (kept["sources"]["name"][0], kept["sources"]["city"][0]) == ("crm", "social")
    assert (await system_nodes(graph))["OutboxEvent"] == 2


async def test_identify_events_follow_the_same_survivorship(graph):
    from resolvers.events import ingest
    from tests.integration.test_events import APP as SENDER
    from tests.integration.test_events import PRIVACY

    await run(graph, UPSERT, input=upsert(name="Wang Fang", observedAt="2023-01-01T00:00:00Z"))
    now = T0 + 2000
    answers = await ingest(graph, SENDER, PRIVACY, now, [
        {"id": "i-1", "type": "identify", "customer_id": "c1", "source": "social",
         "traits": {"name": "Fangfang", "city": "Chengdu"}},
        # The batch's second identify of c1 decides against the first one's result.
        {"id": "i-2", "type": "identify", "customer_id": "c1", "source": "commerce",
         "traits": {"city": "Xi'an", "country": "CN"}},
        {"id": "i-3", "type": "identify", "customer_id": "c1", "source": "web",
         "traits": {"city": "Lhasa"}},
    ])  # fmt: skip
    assert [a.status for a in answers] == ["accepted", "accepted", "rejected"]
    assert answers[2].reasons[0].startswith("source: must be one of crm")
    profile = await run(graph, PROFILE, id="c1")
    assert (profile["name"], profile["city"], profile["country"]) == ("Wang Fang", "Xi'an", "CN")
    kept = await stored(graph, "c1")
    assert kept["sources"]["name"][0] == "crm" and kept["sources"]["city"] == ["commerce", now]
    assert kept["version"] == 3  # the upsert, then each identify of c1, one after the other
