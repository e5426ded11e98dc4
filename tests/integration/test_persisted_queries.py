"""Automatic persisted queries (hub/persisted_queries.py) and the allow-list for app keys
(HUB_APP_OPERATIONS_DIR, schema/guard.py) over HTTP, on both engines."""

import hashlib
import json
from typing import Any

import httpx
import pytest

from hub.app import create_app
from hub.settings import Settings
from resolvers.keys import create_key
from resolvers.principal import Role
from tests.integration.sample_graph import load_sample

QUERY = 'query One { customer(id: "c1") { customerId } }'
DIGEST = hashlib.sha256(QUERY.encode()).hexdigest()


def persisted(digest: str = DIGEST) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


@pytest.fixture
async def sample(store):
    await load_sample(store)
    return store


async def client_for(app, store, key):
    app.state.store = store  # httpx does not run the lifespan
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub",
        headers={"authorization": f"Bearer {key}"},
    )  # fmt: skip


async def test_a_hash_is_unknown_until_the_query_is_sent_with_it(sample):
    key = (await create_key(sample, "app", Role.APP)).key
    app = create_app(Settings(_env_file=None))
    async with await client_for(app, sample, key) as client:
        miss = await client.post("/graphql", json={"extensions": persisted()})
        assert miss.status_code == 200
        assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        registered = await client.post("/graphql", json={"query": QUERY, "extensions": persisted()})
        assert registered.json() == {"data": {"customer": {"customerId": "c1"}}}
        hit = await client.post("/graphql", json={"extensions": persisted()})
        assert hit.json() == {"data": {"customer": {"customerId": "c1"}}}
        params = {"extensions": json.dumps(persisted())}
        assert (await client.get("/graphql", params=params)).json() == hit.json()
        wrong = await client.post(
            "/graphql", json={"query": QUERY, "extensions": persisted("0" * 64)}
        )
        assert wrong.status_code == 400
        assert wrong.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        bad = await client.post("/graphql", json={"extensions": {"persistedQuery": {"version": 2}}})
        assert bad.status_code == 400


async def test_app_keys_run_only_allowed_operations_when_the_hub_has_a_list(sample, tmp_path):
    (tmp_path / "one.graphql").write_text('query One {\n  customer(id: "c1") { customerId }\n}\n')
    keys = {role: (await create_key(sample, role.value, role)).key for role in (Role.APP,
            Role.ANALYST)}  # fmt: skip
    app = create_app(Settings(_env_file=None, app_operations_dir=tmp_path))
    async with await client_for(app, sample, keys[Role.APP]) as client:
        # Allowed: the same document, however it is spaced.
        assert (await client.post("/graphql", json={"query": QUERY})).json()["data"]
        other = await client.post("/graphql", json={"query": '{ brand(id: "b1") { name } }'})
        assert other.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    async with await client_for(app, sample, keys[Role.ANALYST]) as client:
        # Analysts are not apps: the list does not apply to them.
        answer = await client.post("/graphql", json={"query": '{ brand(id: "b1") { name } }'})
        assert answer.json() == {"data": {"brand": {"name": "Lumora"}}}
