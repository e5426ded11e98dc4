"""The federation subgraph (schema/federation.py) on both engines: `_service { sdl }` with
the entities' keys, and `_entities` resolved through the API's own reads and rules."""

import pytest

from resolvers.context import Context
from resolvers.principal import Principal, Role
from schema import build_schema
from tests.integration.sample_graph import load_sample

FEDERATED = build_schema(federation=True)
ENTITIES = """query($reps: [_Any!]!) { _entities(representations: $reps) {
  __typename ... on Customer { customerId name } ... on Brand { brandId name } } }"""
REPS = [
    {"__typename": "Customer", "id": "c1"},
    {"__typename": "Brand", "id": "b1"},
    {"__typename": "Customer", "id": "c3"},
]


def who(role, partner=None):
    return Principal(f"key:{role}", role, partner)


async def execute(store, query, principal, **variables):
    return await FEDERATED.execute(
        query, variable_values=variables, context_value=Context(store, principal)
    )


@pytest.fixture
async def sample(store):
    await load_sample(store)
    await store.write("MATCH (c:Customer {id: 'c3'}) SET c.restricted_at = 1")
    return store


async def test_service_sdl_declares_customer_and_brand_keys(sample):
    result = await execute(sample, "{ _service { sdl } }", who(Role.APP))
    assert result.errors is None
    sdl = result.data["_service"]["sdl"]
    assert 'type Customer implements Node @key(fields: "id"' in sdl
    assert 'type Brand implements Node @key(fields: "id"' in sdl


async def test_entities_follow_the_apis_rules(sample):
    app = await execute(sample, ENTITIES, who(Role.APP), reps=REPS)
    assert app.data["_entities"][:2] == [
        {"__typename": "Customer", "customerId": "c1", "name": "Wang Fang"},
        {"__typename": "Brand", "brandId": "b1", "name": "Lumora"},
    ]
    # c3's processing is restricted: refused to apps as `customer(id:)` refuses it.
    api = await execute(sample, '{ customer(id: "c3") { customerId } }', who(Role.APP))
    assert app.data["_entities"][2] is None
    assert [(e.path, e.extensions["code"]) for e in app.errors] == [
        (["_entities", 2], api.errors[0].extensions["code"])
    ]
    analyst = await execute(sample, ENTITIES, who(Role.ANALYST), reps=REPS[:1])
    assert analyst.data["_entities"][0]["name"].startswith("anon")
    admin = await execute(sample, ENTITIES, who(Role.ADMIN), reps=REPS)
    assert admin.errors is None and admin.data["_entities"][2]["customerId"] == "c3"


async def test_partners_get_no_entities(sample):
    sample.statements.clear()
    refused = await execute(sample, ENTITIES, who(Role.PARTNER, "b1"), reps=REPS)
    assert refused.data is None
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"
    assert sample.statements == []  # refused before anything ran
