"""What operators get (docs/observability.md), on both engines: /metrics scraped as an
admin (and on a port of its own), spans for each step and statement that hold no value of
the request, and JSON log lines with the request id and no personal data or secret."""

import io
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from hub.app import create_app
from hub.logs import JsonFormatter, RequestIdFilter, json_log_config
from hub.settings import Settings
from resolvers.keys import create_key
from resolvers.principal import Role
from tests.integration.conftest import CountingStore
from tests.integration.sample_graph import load_sample

CUSTOMER = {"query": 'query One { customer(id: "c1") { name email } }'}
# Values of the sample graph and of requests that must never reach a span or a log line.
PERSONAL = ("Wang Fang", "Wang.Fang@Example.com", "wang.fang@example.com", "138 0013 8000")
SEARCH = {
    "query": "query Find($q: String!) { customers(first: 5, filter: {search: $q}) "
    "{ nodes { id name email phone } } }",
    "variables": {"q": "Wang Fang"},
}


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, api_key_cache_s=60, **values)


@pytest.fixture
async def sample(store: CountingStore) -> CountingStore:
    await load_sample(store)
    return store


async def _client(app: Any, store: CountingStore) -> AsyncIterator[httpx.AsyncClient]:
    app.state.store = store  # httpx does not run the lifespan
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        yield client


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_are_for_admins_and_count_operations_statements_errors_and_caches(sample):
    keys = {role: (await create_key(sample, role.value, role)).key for role in Role if
            role is not Role.PARTNER}  # fmt: skip
    app = create_app(_settings())

    def auth(role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {keys[role]}"}

    async for client in _client(app, sample):
        assert (await client.get("/metrics")).status_code == 401
        forbidden = await client.get("/metrics", headers=auth(Role.APP))
        assert forbidden.status_code == 403
        assert forbidden.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        # A GET of /metrics asking for HTML is not GraphiQL's page.
        html = await client.get("/metrics", headers={"accept": "text/html"})
        assert html.status_code == 401

        await client.post("/graphql", json=CUSTOMER, headers=auth(Role.APP))  # warms caches
        before = _samples((await client.get("/metrics", headers=auth(Role.ADMIN))).text)
        sent = len(sample.statements) + len(sample.audit_writes)
        answer = await client.post("/graphql", json=CUSTOMER, headers=auth(Role.APP))
        assert answer.json()["data"]["customer"]["name"] == "Wang Fang"
        sent = len(sample.statements) + len(sample.audit_writes) - sent
        await client.post("/graphql", json={"query": "{ customer("}, headers=auth(Role.APP))
        refused = {"query": '{ customerByIdentity(identity: {email: "x@y.z"}) { id } }'}
        await client.post("/graphql", json=refused, headers=auth(Role.ANALYST))
        await client.post("/graphql", json=CUSTOMER, headers={"X-API-Key": "hub_nope"})
        scrape = await client.get("/metrics", headers=auth(Role.ADMIN))
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain")
    after = _samples(scrape.text)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    latency = "hub_graphql_request_duration_seconds_count"
    assert delta(latency, operation="query", root_field="customer") == 1
    assert delta(latency, operation="query", root_field="customerByIdentity") == 1
    assert delta(latency, operation="unknown", root_field="none") == 1  # did not parse
    # Statements per request: what the graph was sent, counted apart by CountingStore.
    assert sent > 0
    assert delta("hub_graphql_statements_per_request_sum", operation="query") == sent
    assert delta("hub_errors_total", code="GRAPHQL_PARSE_FAILED") == 1
    assert delta("hub_errors_total", code="FORBIDDEN") == 1
    assert delta("hub_errors_total", code="UNAUTHENTICATED") == 1
    assert _value(after, "hub_errors_total", code="FORBIDDEN") == 2  # /metrics as an app
    assert delta("hub_cache_lookups_total", cache="api_key", result="hit") >= 2
    assert delta("hub_cache_lookups_total", cache="api_key", result="miss") >= 2
    assert delta("hub_cache_lookups_total", cache="parser", result="hit") >= 1
    assert delta("hub_cache_lookups_total", cache="validation", result="hit") >= 1
    assert _value(after, "hub_engine_up", engine=sample.engine) == 1
    assert not any(value in scrape.text for value in PERSONAL)


async def test_metrics_on_a_port_of_their_own_need_no_key(sample):
    app = create_app(_settings(prometheus="port", prometheus_port=0))
    async with app.router.lifespan_context(app):
        port = app.state.metrics_port
        async for client in _client(app, sample):
            assert (await client.get("/metrics")).status_code == 404  # not on the API's port
        async with httpx.AsyncClient() as scraper:
            answer = await scraper.get(f"http://127.0.0.1:{port}/metrics")
    assert answer.status_code == 200
    assert _value(_samples(answer.text), "hub_engine_up", engine=sample.engine) == 1


def _attribute_text(span: ReadableSpan) -> str:
    return " ".join(f"{k}={v}" for k, v in (span.attributes or {}).items())


async def test_spans_for_each_step_and_statement_hold_no_value_of_the_request(sample):
    key = (await create_key(sample, "app", Role.APP)).key
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(_settings(), tracing=provider)
    headers = {"Authorization": f"Bearer {key}"}
    async for client in _client(app, sample):
        found = await client.post("/graphql", json=SEARCH, headers=headers)
        assert found.json()["data"]["customers"]["nodes"][0]["name"] == "Wang Fang"
        # The same operation as a GET, its variables in the URL.
        params = {"query": SEARCH["query"], "variables": orjson.dumps(SEARCH["variables"]).decode()}
        assert (await client.get("/graphql", params=params, headers=headers)).status_code == 200
    spans = exporter.get_finished_spans()
    names = [s.name for s in spans]
    for step in ("graphql.operation", "graphql.parse", "graphql.validate", "graphql.execute"):
        assert names.count(step) == 2, names
    statements = [s for s in spans if s.name.startswith("cypher ")]
    assert statements, names
    by_id = {s.context.span_id: s for s in spans}
    for span in statements:  # each statement is a child of its operation's execute step
        assert span.parent is not None and by_id[span.parent.span_id].name == "graphql.execute"
        assert span.attributes is not None and span.attributes["db.system.name"] == sample.engine
    assert any(s.name.startswith("GET /graphql") for s in spans), names  # Starlette's spans
    operation = next(s for s in spans if s.name == "graphql.operation")
    assert operation.attributes is not None
    assert list(operation.attributes["hub.root_fields"]) == ["customers"]
    for span in spans:
        text = _attribute_text(span) + " " + span.name
        for secret in (*PERSONAL, "Wang", key, "search"):
            assert secret not in text, f"{span.name}: {secret!r} in {text}"


@pytest.fixture
def json_log() -> Any:
    """Every log line of the test, as the JSON format writes it at HUB_LOG_LEVEL=debug
    (with the levels that configuration gives each logger)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    levels = {"": root.level}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name, config in json_log_config("debug")["loggers"].items():
        levels[name] = logging.getLogger(name).level
        logging.getLogger(name).setLevel(config["level"])
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def test_json_log_lines_carry_the_request_id_and_no_personal_data_or_secret(sample, json_log):
    key = (await create_key(sample, "app", Role.APP)).key
    app = create_app(_settings())
    headers = {"Authorization": f"Bearer {key}"}
    wrong_key = "hub_" + "s" * 40
    ids = []
    async for client in _client(app, sample):
        answers = [
            await client.post("/graphql", json=SEARCH, headers=headers),
            # A wrong key, a body that is not JSON, variables of the wrong type: each is
            # refused and logged; none may quote what was sent.
            await client.post("/graphql", json=SEARCH, headers={"X-API-Key": wrong_key}),
            await client.post("/graphql", content=b'{"query": "Wang Fang', headers={
                **headers, "content-type": "application/json"}),
            await client.post("/graphql", headers=headers, json={
                "query": SEARCH["query"], "variables": {"q": {"email": PERSONAL[1]}}}),
            await client.post("/graphql", headers={**headers, "x-request-id": "trace-42"},
                              json={"query": "{ nope }", "operationName": "Wang Fang"}),
        ]  # fmt: skip
        ids = [a.headers["x-request-id"] for a in answers]
    assert ids[-1] == "trace-42"  # a well-formed id the caller sent is kept
    assert len(set(ids)) == len(ids)
    lines = [orjson.loads(line) for line in json_log.getvalue().splitlines()]
    in_requests = [line for line in lines if line["logger"].startswith("hub")]
    assert in_requests, lines  # the refusals, at least
    assert all(line["request_id"] in ids for line in in_requests), in_requests
    text = json_log.getvalue()
    for secret in (*PERSONAL, "Wang", key, wrong_key):
        assert secret not in text, f"{secret!r} logged:\n{text}"
