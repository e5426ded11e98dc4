"""Malformed and oversized requests to /graphql, one of each kind, over the whole app on
the embedded engine: a 4xx whose body is a GraphQL error with a code and a message saying
what was wrong, and one log line that quotes nothing the client sent (issue 12, item 2).
tests/e2e/test_http_fuzz.py sends thousands more over a real server."""

import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from graph.migrations import migrate
from graph.store import open_store
from hub.app import create_app
from hub.settings import Settings
from resolvers.keys import create_key
from resolvers.principal import Role

MARK = "Wang-Fang-138-0013"  # stands for personal data: never in a log
QUERY = '{ customer(id: "c1") { name } }'
JSON = {"content-type": "application/json"}


@pytest.fixture
async def hub(tmp_path) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    async with open_store(f"embedded://{tmp_path}") as store:
        await migrate(store)
        app = create_app(Settings(_env_file=None), store=store)  # the default limits
        app.state.store = store
        key = (await create_key(store, "e2e", Role.APP)).key
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub", headers={"Authorization": f"Bearer {key}"}
        ) as client:
            yield client, key


BODIES = [
    (b"12345", "the request body must be a JSON object, not a number"),
    (b"null", "the request body must be a JSON object, not null"),
    (b'"' + MARK.encode() + b'"', "the request body must be a JSON object, not a string"),
    (b"[" + b'{"query": "{ __typename }"}' + b"]", "batched operations are not accepted"),
    (b'{"query": "' + MARK.encode() + b'\xff"}', "is not valid JSON: str is not valid UTF-8"),
    (b"[" * 5000 + b"]" * 5000, "is not valid JSON: depth limit exceeded"),
    (
        b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * 100 + b"]" * 100 + b"}}",
        "nests arrays and objects more than 64 levels deep",
    ),
    (b"<q>" + MARK.encode() + b"</q>", "is not valid JSON: unexpected character"),
    (b"", "is not valid JSON: Input is a zero-length, empty document"),
    (b'{"query": "' + MARK.encode() + b'"} trailing', "unexpected content after document"),
    (b'{"query": 5}', "`query` must be a string or null"),
    (b'{"query": "{ __typename }", "variables": [1]}', "`variables` must be an object or null"),
    (b'{"query": "{ __typename }", "extensions": "x"}', "`extensions` must be an object or null"),
    (b'{"query": "{ __typename }", "operationName": 5}', "`operationName` must be a string"),
]


def _one_refusal_logged(caplog: pytest.LogCaptureFixture) -> str:
    """The one line logged for a refused request, checked to hold no traceback or data."""
    records = [r for r in caplog.records if not r.name.startswith("httpx")]
    assert len(records) == 1, [r.getMessage() for r in records]
    (record,) = records
    assert record.name == "hub.http" and record.exc_info is None
    line = record.getMessage()
    assert "\n" not in line and MARK not in line and "Traceback" not in line
    return line


async def _refused(
    response: httpx.Response, status: int, code: str, fragment: str
) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == code and fragment in error["message"], error
    return dict(error)


@pytest.mark.parametrize(("body", "reason"), BODIES, ids=[reason for _, reason in BODIES])
async def test_a_malformed_body_is_a_400_with_a_code_and_one_log_line(hub, caplog, body, reason):
    client, _ = hub
    caplog.set_level(logging.INFO)
    response = await client.post("/graphql", content=body, headers=JSON)
    await _refused(response, 400, "BAD_REQUEST", reason)
    assert "400 BAD_REQUEST" in _one_refusal_logged(caplog)


async def test_a_body_of_another_content_type_is_a_400(hub):
    client, _ = hub
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = await client.post(
            "/graphql", content=QUERY, headers={"content-type": content_type}
        )
        await _refused(response, 400, "BAD_REQUEST", "Unsupported content type")


GETS = [
    ({"query": QUERY, "variables": "[1]"}, "the 'variables' parameter must be a JSON object"),
    ({"query": QUERY, "variables": "{"}, "the 'variables' parameter is not valid JSON"),
    ({"query": QUERY, "extensions": "5"}, "the 'extensions' parameter must be a JSON object"),
    ([("query", QUERY), ("query", "{ __typename }")], "'query' parameter is given more than once"),
    ({"query": 'mutation { revokeApiKey(id: "x") { id } }'}, "mutations are not allowed"),
]


@pytest.mark.parametrize(("params", "reason"), GETS, ids=[reason for _, reason in GETS])
async def test_a_get_with_bad_parameters_is_a_400(hub, caplog, params, reason):
    client, _ = hub
    caplog.set_level(logging.INFO)
    await _refused(await client.get("/graphql", params=params), 400, "BAD_REQUEST", reason)
    _one_refusal_logged(caplog)


async def test_an_unknown_operation_name_is_a_400_not_quoted_in_the_log(hub, caplog):
    client, _ = hub
    caplog.set_level(logging.INFO)
    body = {"query": "query A { __typename }", "operationName": MARK}
    response = await client.post("/graphql", json=body)
    await _refused(response, 400, "BAD_REQUEST", "Unknown operation named")
    assert "names no operation of the document" in _one_refusal_logged(caplog)


async def test_other_methods_are_a_405_saying_which_are_allowed(hub):
    client, _ = hub
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS"):
        response = await client.request(method, "/graphql", json={"query": QUERY})
        await _refused(response, 405, "METHOD_NOT_ALLOWED", "GET and POST")
        assert response.headers["allow"] == "GET, POST"


async def test_a_body_past_the_default_limit_is_a_413_with_or_without_a_length(hub, caplog):
    client, _ = hub
    caplog.set_level(logging.INFO)
    limit = Settings(_env_file=None).max_body_bytes
    assert limit == 1024 * 1024
    padded = b'{"query": "{ __typename }", "extensions": {"pad": "' + b"x" * limit + b'"}}'
    response = await client.post("/graphql", content=padded, headers=JSON)
    await _refused(response, 413, "PAYLOAD_TOO_LARGE", f"larger than the {limit} bytes")
    assert "413 PAYLOAD_TOO_LARGE" in _one_refusal_logged(caplog)

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length
        for at in range(0, len(padded), 64 * 1024):
            yield padded[at : at + 64 * 1024]

    response = await client.post("/graphql", content=chunked(), headers=JSON)
    assert "content-length" not in response.request.headers
    await _refused(response, 413, "PAYLOAD_TOO_LARGE", "larger than")
    within = padded[: limit - 3] + b'"}}'  # exactly the limit: served
    assert len(within) == limit
    response = await client.post("/graphql", content=within, headers=JSON)
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_query_string_past_the_limit_is_a_414(tmp_path):
    async with open_store(f"embedded://{tmp_path}") as store:
        await migrate(store)
        # Smaller than the default: httpx itself refuses URLs past 64 KiB.
        app = create_app(Settings(_env_file=None, max_body_bytes=4096), store=store)
        app.state.store = store
        key = (await create_key(store, "e2e", Role.APP)).key
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub",
            headers={"Authorization": f"Bearer {key}"},
        ) as client:  # fmt: skip
            long = await client.get("/graphql", params={"query": "{ __typename }" + " " * 4096})
            await _refused(long, 414, "URI_TOO_LONG", "send the operation as a POST")
            short = await client.get("/graphql", params={"query": "{ __typename }"})
            assert short.json() == {"data": {"__typename": "Query"}}


async def test_a_credential_header_sent_twice_is_a_400(hub, caplog):
    client, key = hub
    caplog.set_level(logging.INFO)
    for name, values in (
        ("Authorization", [f"Bearer {key}", "Bearer other"]),
        ("Authorization", [f"Bearer {key}", f"Bearer {key}"]),
        ("X-API-Key", [key, key]),
    ):
        caplog.clear()
        headers = [(name, value) for value in values] + [("content-type", "application/json")]
        request = client.build_request("POST", "/graphql", json={"query": QUERY})
        request.headers = httpx.Headers(headers)  # exactly these headers, twice the same name
        response = await client.send(request)
        await _refused(response, 400, "BAD_REQUEST", f"send one {name} header, not several")
        assert key not in _one_refusal_logged(caplog)
