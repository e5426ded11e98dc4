"""`POST /events` over real HTTP (uvicorn, the embedded engine): credentials, roles, the
rate limit, the body and batch limits, and a seeded fuzz corpus, none of which may get a
5xx or log a traceback; every refusal is a GraphQL-shaped error with a code."""

import json
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from graph.migrations import migrate
from graph.store import open_store
from hub.app import create_app
from hub.settings import Settings
from resolvers.keys import create_key
from resolvers.principal import Role
from tests.doc_examples import find
from tests.e2e.test_http_fuzz import JSON_VALUES, _mutate, _problem
from tests.integration.sample_graph import load_sample

SEED = 15
MAX_BODY = 16 * 1024
GOOD_EVENT = {"id": "e-1", "type": "track", "event": "contact", "customer_id": "c1",
              "properties": {"kind": "call", "at": "2024-05-01T10:00:00Z"}}  # fmt: skip


@pytest.fixture
async def hub(tmp_path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[Role, str]]]:
    """A client of the hub (ASGI, lifespan on) and a key per role."""
    async with open_store(f"embedded://{tmp_path}") as store:
        await migrate(store)
        await load_sample(store)
        keys = {role: (await create_key(store, role.value, role,
                                         partner_brand_id="b1" if role is Role.PARTNER else None,
                                         purposes=["marketing"] if role is Role.PARTNER else ()
                                         )).key for role in Role}  # fmt: skip
        settings = Settings(
            _env_file=None, max_body_bytes=MAX_BODY, events_max_batch=50,
            rate_limit_burst=1_000_000, rate_limit_per_minute=1_000_000,
        )  # fmt: skip
        app = create_app(settings, store=store)
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://hub") as client,
            app.router.lifespan_context(app),
        ):
            yield client, keys


def _auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}", "content-type": "application/json"}


async def test_apps_send_events_and_get_an_answer_per_event(hub):
    client, keys = hub
    body = {"events": [GOOD_EVENT, {**GOOD_EVENT, "id": "e-2", "customer_id": "c404"}]}
    r = await client.post("/events", json=body, headers=_auth(keys[Role.APP]))
    assert r.status_code == 200, r.text
    answer = r.json()
    assert (answer["accepted"], answer["duplicates"], answer["rejected"]) == (1, 0, 1)
    assert answer["results"][1] == {"index": 1, "id": "e-2", "status": "rejected",
                                    "code": "NOT_FOUND",
                                    "reasons": ["no customer with this customer_id"]}  # fmt: skip
    again = await client.post("/events", json=body, headers=_auth(keys[Role.APP]))
    assert again.json()["duplicates"] == 1


async def test_the_documented_batch_gets_the_documented_answer(hub):
    client, keys = hub
    batch = json.loads(find("docs/operations.md", '{"events": [').text)
    shown = json.loads(find("docs/operations.md", '{"accepted": 4').text)
    r = await client.post("/events", json=batch, headers=_auth(keys[Role.APP]))
    assert r.json() == shown
    again = (await client.post("/events", json=batch, headers=_auth(keys[Role.APP]))).json()
    assert [x["status"] for x in again["results"]] == ["duplicate"] * 4 + ["rejected"] * 2


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [(None, 401, "UNAUTHENTICATED"), (Role.ANALYST, 403, "FORBIDDEN"),
     (Role.PARTNER, 403, "FORBIDDEN"), (Role.ADMIN, 200, None)],
)  # fmt: skip
async def test_only_apps_and_admins_may_send(hub, role, status, code):
    client, keys = hub
    headers = _auth(keys[role]) if role else {"content-type": "application/json"}
    r = await client.post("/events", json={"events": [GOOD_EVENT]}, headers=headers)
    assert r.status_code == status
    if code:
        assert r.json()["errors"][0]["extensions"]["code"] == code


async def test_batch_and_body_limits(hub):
    client, keys = hub
    headers = _auth(keys[Role.APP])
    many = {"events": [{**GOOD_EVENT, "id": f"e-{i}"} for i in range(51)]}
    r = await client.post("/events", json=many, headers=headers)
    assert r.status_code == 400 and "at most 50 events" in r.json()["errors"][0]["message"]
    huge = {"events": [{**GOOD_EVENT, "properties": {"summary": "x" * MAX_BODY}}]}
    r = await client.post("/events", json=huge, headers=headers)
    assert r.status_code == 413
    r = await client.get("/events", headers=headers)
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    r = await client.post("/events", content=b"events=1", headers={**headers,
                          "content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert r.status_code == 415


async def test_the_rate_limit_applies(tmp_path):
    async with open_store(f"embedded://{tmp_path}") as store:
        await migrate(store)
        key = (await create_key(store, "app", Role.APP)).key
        settings = Settings(_env_file=None, rate_limit_burst=2, rate_limit_per_minute=1)
        app = create_app(settings, store=store)
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://hub") as client,
            app.router.lifespan_context(app),
        ):
            statuses = [
                (await client.post("/events", json={"events": []}, headers=_auth(key))).status_code
                for _ in range(3)
            ]
    assert statuses == [200, 200, 429]


def corpus(rng: random.Random) -> Iterator[bytes]:
    """Bodies that are not batches, and batches of events that are not events."""
    good = json.dumps({"events": [GOOD_EVENT]}).encode()
    for value in JSON_VALUES:
        yield json.dumps(value).encode()
        yield json.dumps({"events": value}).encode()
        yield json.dumps({"events": [value, value]}).encode()
        for field in ("id", "type", "event", "customer_id", "account_id", "properties",
                      "traits"):  # fmt: skip
            yield json.dumps({"events": [{**GOOD_EVENT, field: value}]}).encode()
        for field in ("kind", "at", "brand_id", "purchase_id", "summary", "items"):
            event = {**GOOD_EVENT, "properties": {**GOOD_EVENT["properties"], field: value}}
            yield json.dumps({"events": [event]}).encode()
    for _ in range(400):
        yield _mutate(rng, good)
    for _ in range(100):
        yield rng.randbytes(rng.randrange(0, 300))
    for depth in (64, 70, 5000):
        yield b'{"events": [' + b"[" * depth + b"]" * depth + b"]}"


async def test_no_malformed_batch_gets_a_5xx_or_logs_a_traceback(hub, caplog):
    client, keys = hub
    caplog.set_level(logging.INFO)
    statuses: Counter[int] = Counter()
    problems: list[tuple[bytes, str]] = []
    bodies = list(corpus(random.Random(SEED)))
    for body in bodies:
        r = await client.post("/events", content=body, headers=_auth(keys[Role.APP]))
        statuses[r.status_code] += 1
        problem = _problem(r)
        if problem is None and r.status_code == 200:
            problem = _batch_problem(r.json())
        if problem:
            problems.append((body[:80], problem))
    print(f"\nevents fuzz: {len(bodies)} bodies; statuses {dict(statuses)}")
    assert not problems, problems[:5]
    assert statuses[200] > 50 and statuses[400] > 50  # both kinds were exercised
    noisy = [r.getMessage()[:200] for r in caplog.records
             if r.exc_info or r.levelno >= logging.WARNING]  # fmt: skip
    assert not noisy, noisy[:5]


def _batch_problem(answer: dict[str, Any]) -> str | None:
    for result in answer["results"]:
        if result["status"] == "rejected" and not (result["code"] and result["reasons"]):
            return "a rejection without a code or reasons"
    return None
