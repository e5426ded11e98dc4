"""What authentication adds over HTTP: 401 without a valid credential, API keys and JWTs
(HS256, RS256) becoming principals, FORBIDDEN for a role, 429 past the rate limit, and
no query strings in the access log."""

import logging
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from graph.migrations import migrate
from graph.store import open_store
from hub.app import _QueryStringRedactor, create_app
from hub.settings import Settings
from resolvers.keys import create_key, revoke_key
from resolvers.principal import Role
from tests.integration.sample_graph import load_sample

SECRET = "s" * 40
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = (
    RSA_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
QUERY = {"query": '{ customer(id: "c1") { name } }'}


def _token(alg: str = "HS256", **claims: object) -> str:
    body = {"iss": "idp", "aud": "hub", "sub": "svc-1", "role": "app", "exp": time.time() + 60}
    body.update(claims)
    key = SECRET if alg == "HS256" else RSA_KEY
    return jwt.encode(body, key, algorithm=alg)  # type: ignore[arg-type]


@pytest.fixture
async def hub(tmp_path):
    async with open_store(f"embedded://{tmp_path}") as store:
        await migrate(store)
        await load_sample(store)
        settings = Settings(
            _env_file=None, jwt_hs256_secret=SECRET, jwt_rs256_public_key=PUBLIC_PEM,
            jwt_issuer="idp", jwt_audience="hub", api_key_cache_s=0,
            rate_limit_burst=3, rate_limit_per_minute=1,
        )  # fmt: skip
        app = create_app(settings, store=store)
        app.state.store = store
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            yield client, store


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_no_or_bad_credentials_are_401_saying_what_to_send(hub):
    client, store = hub
    cases = [
        ({}, "credentials required"),
        ({"Authorization": "Basic dXNlcjpwdw=="}, "must be 'Bearer"),
        (_bearer("hub_0123456789abcdef_" + "x" * 43), "API key is not valid"),
        (_bearer("not-a-token"), "neither an API key nor a JWT"),
        (_bearer(_token(exp=time.time() - 3600)), "expired"),
        (_bearer(_token(exp=str(int(time.time()) + 60))), "'exp' claim must be a number"),
        (_bearer(_token(exp=1e30)), "longer than tokens may live here"),
        (_bearer(_token(exp=time.time() + 2 * 86_400)), "longer than tokens may live here"),
        (_bearer(_token(aud="other")), "not valid"),
        (_bearer(_token(iss="other")), "not valid"),
        (_bearer(_token(role="root")), "claims do not name a valid principal"),
        (_bearer(jwt.encode({"sub": "x"}, None, algorithm="none")), "not accepted"),
    ]
    for headers, reason in cases:
        response = await client.post("/graphql", json=QUERY, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"].startswith("Bearer")
        error = response.json()["errors"][0]
        assert reason in error["message"] and error["extensions"]["code"] == "UNAUTHENTICATED"
    key = await create_key(store, "k", Role.APP)
    both = {**_bearer(key.key), "X-API-Key": key.key}
    assert (await client.post("/graphql", json=QUERY, headers=both)).status_code == 401


async def test_keys_and_tokens_of_both_algorithms_are_accepted_until_revoked(hub):
    client, store = hub
    key = await create_key(store, "k", Role.APP)
    for headers in (_bearer(key.key), {"X-API-Key": key.key}, _bearer(_token()),
                    _bearer(_token("RS256"))):  # fmt: skip
        response = await client.post("/graphql", json=QUERY, headers=headers)
        assert response.json() == {"data": {"customer": {"name": "Wang Fang"}}}, headers
    await revoke_key(store, key.info.id)
    assert (await client.post("/graphql", json=QUERY, headers=_bearer(key.key))).status_code == 401


async def test_a_role_without_the_field_gets_forbidden_and_no_data(hub):
    client, _ = hub
    partner = _token(role="partner", partner="b1", purposes=["marketing"])
    body = (await client.post("/graphql", json=QUERY, headers=_bearer(partner))).json()
    assert body.get("data") is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    analyst = _token(role="analyst")
    audit = {"query": "{ auditLog { nodes { subject } } }"}
    body = (await client.post("/graphql", json=audit, headers=_bearer(analyst))).json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_past_the_burst_a_key_gets_429_with_retry_after(hub):
    client, store = hub
    key, other = (await create_key(store, "k", Role.APP)), (await create_key(store, "o", Role.APP))
    codes = [
        (await client.post("/graphql", json=QUERY, headers=_bearer(key.key))).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    limited = await client.post("/graphql", json=QUERY, headers=_bearer(key.key))
    assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(limited.headers["retry-after"]) >= 1
    # Buckets are per key: another key is unaffected.
    assert (
        await client.post("/graphql", json=QUERY, headers=_bearer(other.key))
    ).status_code == 200


async def test_health_checks_need_no_credentials(hub):
    client, _ = hub
    assert (await client.get("/healthz")).status_code == 200


def test_the_access_log_never_shows_query_strings():
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", '/graphql?query={customer(id:"c1"){email}}', "1.1", 200), None,
    )  # fmt: skip
    assert _QueryStringRedactor().filter(record)
    assert record.getMessage() == '127.0.0.1:5 - "GET /graphql?[redacted] HTTP/1.1" 200'


async def test_batched_operations_are_refused(hub):
    client, store = hub
    key = await create_key(store, "k", Role.APP)
    response = await client.post("/graphql", json=[QUERY, QUERY], headers=_bearer(key.key))
    assert response.status_code == 400
